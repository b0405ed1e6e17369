"""How likely a point's words, once heard, were said to make that point.

The scorer finds a point's words; whether they were said *as that point* it can only
guess from their surroundings. "Evasion, like malware that slips past the antivirus"
holds model evasion's word in an answer about antivirus products. A small logistic
model, trained by ``scripts/train_plausibility.py`` on the labeled evaluation answers,
turns a mention's surroundings into a probability that the credit is right; below the
model's threshold the point is not credited, but reported as doubtful with the words heard.

What it reads (``FEATURES``):

- how the words matched: exactly or through a close spelling, how many words the
  phrasing has, and whether it is an alias that leans on a word nearby (the label
  without its qualifier, or a modifier alone);
- what stands within ``CONTEXT_SCOPE`` words: other words of the point in the same
  sentence, words of the point's near misses that are not the point's own, and the share
  of words that belong to the question (its prompt, hint, model answer and point labels);
- the share of the whole answer's words that belong to the question: an answer about
  something else holds a point's words by chance.

Negation it leaves to ``voiceprep.denials``: read as a word near a mention, a negation
second-guessed the denial rules ("not only rate limiting", "whether or not") for F1
+0.001 to +0.004 on the blind sets.

The question's words come from what every bank has, not from its aliases: a bank with
few aliases would look off-topic to a model trained on one with many. A question with a
model answer has more of them, so there is a model for each case.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources

from voiceprep.bank import Question
from voiceprep.textnorm import Token, content_tokens

MODEL_FILE = "plausibility.toml"
CONTEXT_SCOPE = 12  # words either side of a mention that its surroundings are read from
FEATURES = (
    "exact", "phrase_words", "unqualified", "modifier", "support", "other_sense",
    "answer_on_topic", "context_on_topic",
)
# A share of a few words says little: one word of three on the question's topic in "we scan
# the weights" is no sign of another topic. Shares are counted as if PRIOR_WORDS more words at
# PRIOR_SHARE were heard, about the share in answers of every kind.
PRIOR_WORDS = 10
PRIOR_SHARE = 0.3
MAX_PHRASE_WORDS = 4
MAX_SUPPORT = 4
MAX_OTHER_SENSE = 3


@dataclass(frozen=True)
class Mention:
    """Where and how a point's words were heard: what the scorer knows of a match."""

    first: int  # token indexes, inclusive
    last: int
    exact: bool  # every word matched as written (or as a form of it), no close spelling
    phrase_words: int  # content words of the phrasing that matched
    rule: str | None  # the support rule its phrasing falls under: "unqualified", "modifier" or "lone"
    own: frozenset[str]  # concepts of the phrasing itself
    point: frozenset[str]  # concepts of every phrasing of the point
    other_sense: frozenset[str]  # concepts of the point's near misses


class AnswerContext:
    """One answer's words read against one question's vocabulary, for every mention in it."""

    def __init__(self, tokens: Sequence[Token], sentence: Sequence[int], vocabulary: frozenset[str]) -> None:
        self.tokens = tokens
        self.sentence = sentence
        self.vocabulary = vocabulary
        content = [t for t in tokens if not t.is_stopword]
        self.on_topic = _share(content, vocabulary)

    def features(self, mention: Mention) -> dict[str, float]:
        tokens, sentence = self.tokens, self.sentence
        here = sentence[mention.first]
        lo, hi = max(0, mention.first - CONTEXT_SCOPE), min(len(tokens), mention.last + 1 + CONTEXT_SCOPE)
        around = [i for i in range(lo, hi) if not mention.first <= i <= mention.last and not tokens[i].is_stopword]
        others = mention.point - mention.own
        support = {tokens[i].concept for i in around if sentence[i] == here and tokens[i].concept in others}
        other_sense = mention.other_sense - mention.point
        return {
            "exact": float(mention.exact),
            "phrase_words": float(min(mention.phrase_words, MAX_PHRASE_WORDS)),
            "unqualified": float(mention.rule == "unqualified"),
            "modifier": float(mention.rule == "modifier"),
            "support": float(min(len(support), MAX_SUPPORT)),
            "other_sense": float(min(sum(tokens[i].concept in other_sense for i in around), MAX_OTHER_SENSE)),
            "answer_on_topic": self.on_topic,
            "context_on_topic": _share([tokens[i] for i in around], self.vocabulary),
        }


def _share(tokens: Sequence[Token], vocabulary: frozenset[str]) -> float:
    """The share of words in the vocabulary, drawn toward ``PRIOR_SHARE`` when there are few."""
    return (sum(t.concept in vocabulary for t in tokens) + PRIOR_WORDS * PRIOR_SHARE) / (len(tokens) + PRIOR_WORDS)


@lru_cache(maxsize=1024)
def question_vocabulary(question: Question) -> frozenset[str]:
    """The concepts of what every bank gives a question: prompt, hint, model answer and point labels."""
    texts = [question.prompt, question.hint, question.model_answer or "", *(p.label for p in question.points)]
    return frozenset(t.concept for t in content_tokens(" ".join(texts)))


@dataclass(frozen=True)
class PlausibilityModel:
    """A logistic model over ``FEATURES``: the probability that a mention makes its point."""

    weights: dict[str, float]
    bias: float
    threshold: float  # credited at or above this probability

    def probability(self, features: dict[str, float]) -> float:
        z = self.bias + sum(self.weights[name] * features[name] for name in FEATURES)
        return 1 / (1 + math.exp(-z))


def model_key(question: Question) -> str:
    """Which of the file's models reads a question: one with a model answer has more words to go on."""
    return "with_model_answer" if question.model_answer else "without_model_answer"


def model_for(question: Question) -> PlausibilityModel:
    return _models()[model_key(question)]


@cache
def _models() -> dict[str, PlausibilityModel]:
    raw = tomllib.loads(resources.files("voiceprep").joinpath(MODEL_FILE).read_text(encoding="utf-8"))
    return {
        key: PlausibilityModel(
            weights={name: float(raw[key]["weights"][name]) for name in FEATURES},
            bias=float(raw[key]["bias"]),
            threshold=float(raw["threshold"]),
        )
        for key in ("with_model_answer", "without_model_answer")
    }
