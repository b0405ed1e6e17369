"""Concept coverage: which of a question's key points an answer's transcript covers.

How a point is found (each phrasing is the point's label or one of its aliases):

1. Words in any order. Every content word of the phrasing must match a word of the
   transcript, all within a few words of each other (fillers and asides in between are
   fine). Words match when their stems are equal, or, for words longer than
   ``SHORT_WORD`` letters, when their spellings are close (``WORD_SIMILARITY``) or their
   spellings are fairly close and they sound alike (Metaphone), which catches speech
   recognition slips such as "garrick" for "garak". Words of ``SHORT_WORD`` letters or
   fewer (DP, PII, RAG) match only exactly: one letter changes their meaning. A
   phrasing of one ordinary (lowercase) word matches by its stem only: alone, "rules"
   heard for "roles" is more likely the word "rules" than a slip. A phrasing that is one
   ordinary word plus function words ("sign in", "each epoch", "trade-off") matches only
   as written, word after word: without its little words "sign" is any sign. An alias of
   one ordinary word that is none of the label's words ("fixes" for "define
   mitigations", "dashboard" for "W&B Reports"), or is only the label's last word, the
   general kind its modifiers narrow ("injection" for "prompt injection", "report" for
   "acceptance report"), counts only with another word of the point within
   ``SUPPORT_SCOPE`` words in its sentence: alone it is usually another idea ("fix the
   criticals", "I follow researchers" for academic papers, "SQL injection"). So does an
   alias that is the label without its qualifier ("red team" for "automated red-teaming",
   "rate limit" for "database rate limits"), but only with a word that tells the point
   apart: one of its label's, or of its aliases' that no other point of the question uses.
   Bare, it is as often the same words for another thing ("red-teaming I'd do once,
   manually", "rate limits on the public chat widget"). A qualifier that says how, not
   what ("strict RBAC", "dedicated pipeline stage"), or a catalogue code ("LLM05 supply
   chain") narrows nothing. An alias that is one of the label's modifiers alone ("backdoor"
   for "backdoor evaluation", "probes" for "probe selection") counts only with another word
   of the point or a word of the AI sense (``AI_SENSE_WORDS``: model, training, prompt...)
   within ``SUPPORT_SCOPE`` words in its sentence: alone it is as often the classic-IT thing
   of that name ("a backdoor admin account in the router firmware", "the liveness probe").
2. Words run together or split apart. The phrasing with spaces removed is compared with
   runs of one to a few transcript words with spaces removed, which catches
   "Model X traction" for "model extraction" and "water marking" for "watermarking". A
   closed compound written as two words ("end point", "off line", "data set") is the one
   word, both as a phrasing's word and as a word between a phrasing's words.

A point's confidence is the best phrasing's score (1.0 for an exact match); its words are
credited when confidence >= ``COVERED_THRESHOLD``. The point is covered when, besides, the
plausibility check (``voiceprep.plausibility``) finds it likely that those words were said to
make it (``PointResult.plausibility`` at or above the trained model's threshold); otherwise
it is reported as doubtful (``PointResult.doubtful``): "watermark every picture before it
goes on the website" holds watermarking's word in an answer about something else.

Denied mentions, read by ``voiceprep.denials``, are not credited but reported (``PointResult.denied``).
Vague gestures, read by ``voiceprep.hedges`` ("I'd have to look it up"), are not credited either,
nor is a match that lies inside one of its point's near misses (the bank's ``near_misses``:
"DNS poisoning" holds the "poisoning" of data poisoning, but means another thing), which is
reported too (``PointResult.near_miss``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, lru_cache

from rapidfuzz import fuzz, process

from voiceprep.bank import KeyPoint, Question
from voiceprep.denials import Denials
from voiceprep.hedges import Hedges
from voiceprep.plausibility import AnswerContext, Mention, PlausibilityModel, model_for, question_vocabulary
from voiceprep.textnorm import Token, concept, content_tokens, sound_key, split_compound, stem, tokenize

COVERED_THRESHOLD = 0.80
MISSED_SPOKEN = 3  # missed points named aloud after an answer; the screen lists them all
SHORT_WORD = 4
WORD_SIMILARITY = 84  # rapidfuzz ratio for a misspelled word to count on its own
SOUND_ALIKE_SIMILARITY = 65  # ratio floor when the Metaphone codes agree ("garrick" for "garak" is 67)
JOINED_SIMILARITY = 92  # ratio for phrasings compared with spaces removed ("put validation" vs "output validation" is 90)
SUPPORT_SCOPE = 12  # words either side of a lone-word or unqualified alias where a word of its point may stand
# Qualifiers that say how much or how well, not what kind: "strict RBAC" is RBAC, "dedicated
# pipeline stage" a pipeline stage. Nor is a catalogue number or an acronym in capitals
# ("LLM05 supply chain", "ML anomaly scoring"): it names the field the question is about.
MANNER_QUALIFIERS = frozenset({
    "strict", "dedicated", "formal", "sophisticated", "aggressive", "periodic", "ongoing", "continuous", "regular",
    "proper", "thorough", "explicit", "careful", "robust", "full", "complete",
})
# Words that put a label's word in its AI sense: "backdoor" near "model" is a backdoor in a
# network, near "router firmware" it is not; "probes" near "LLM" are Garak's, not Kubernetes'.
AI_SENSE_WORDS = (
    "model", "training", "prompt", "LLM", "LLMs", "dataset", "output", "weights", "inference", "classifier",
    "agent", "chatbot", "embedding", "vector", "AI", "ML", "neural", "RAG", "prediction", "assistant", "retrieval",
    "jailbreak",
)
NEAR_MISS_REACH = 4  # words between a match and the near miss that glosses it: "poisoning, think ARP poisoning"
INTRUDERS = 1  # other content words allowed among a phrasing's words (fillers never count)
Usable = Callable[[int, int], bool]  # whether the words first..last may count as a match

SENTENCE_PUNCTUATION = frozenset(".!?")
COMPOUND_GAPS = frozenset(" -")  # what may split a compound: "end point", "end-point"


@dataclass(frozen=True)
class WordTime:
    """A transcript word's place in the recording, when the transcriber gives timestamps."""

    start_char: int
    end_char: int
    start: float
    end: float


@dataclass(frozen=True)
class PointResult:
    label: str
    covered: bool
    confidence: float  # 0..1: how sure the match is (best phrasing)
    weight: float
    evidence: str | None = None  # the transcript words that matched
    span: tuple[int, int] | None = None  # character offsets of the evidence in the transcript
    time_span: tuple[float, float] | None = None  # seconds into the recording
    matched_phrase: str | None = None  # the label or alias that matched
    denied: bool = False  # mentioned only in a negated clause
    near_miss: bool = False  # its words said only for another idea, one of the bank's near misses ("DNS poisoning")
    plausibility: float | None = None  # for words credited by the match: how likely they make the point (0..1)
    doubtful: bool = False  # its words heard where the point is seldom meant (plausibility below the threshold)


@dataclass(frozen=True)
class ScoreResult:
    question_id: str
    transcript: str
    points: tuple[PointResult, ...]
    coverage: float  # weighted share of points covered, 0..1
    skipped_steps: tuple[str, ...] = ()  # ordered questions: steps missed before the last one covered
    out_of_order: tuple[str, ...] = ()  # ordered questions: steps said before an earlier step

    @property
    def covered(self) -> tuple[PointResult, ...]:
        return tuple(p for p in self.points if p.covered)

    @property
    def missed(self) -> tuple[PointResult, ...]:
        return tuple(p for p in self.points if not p.covered)


@dataclass(frozen=True)
class _Match:
    confidence: float
    first: int  # token indexes, inclusive
    last: int
    phrase: str


class _Transcript:
    """A transcript prepared once for matching every point of a question against it."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self.words = [t.word for t in self.tokens]
        # What stands between each token and the one before it (punctuation, spaces).
        self._gaps = [set(text[before.end : token.start]) for before, token in zip(self.tokens, self.tokens[1:])]
        # Compounds split in two ("end point"), by their first word's index; the second word follows it.
        self.compounds = {
            i: compound
            for i, gap in enumerate(self._gaps)
            if (compound := split_compound(self.words[i], self.words[i + 1])) and gap <= COMPOUND_GAPS
        }
        self.content_position: list[int] = []  # each token's index among content words
        self.sentence: list[int] = []  # each token's sentence number
        self.sentence_starts: list[int] = [0]  # the index of each sentence's first token
        sentence = content = 0
        for i, token in enumerate(self.tokens):
            if i > 0 and not self._gaps[i - 1].isdisjoint(SENTENCE_PUNCTUATION):
                sentence += 1
                self.sentence_starts.append(i)
            self.sentence.append(sentence)
            if i - 1 in self.compounds:  # a split compound's second word stands where its first does
                self.content_position.append(self.content_position[-1])
                content = self.content_position[-1] + 1
            else:
                self.content_position.append(content)
                content += not token.is_stopword
        self.denials = Denials(self.tokens, self.words, self._gaps, self.sentence_starts)
        self.hedges = Hedges(self.tokens, self.sentence, self.sentence_starts)
        self._by_stem: dict[str, list[int]] = {}
        self._by_concept: dict[str, list[int]] = {}
        self._by_word: dict[str, list[int]] = {}
        for i, token in enumerate(self.tokens):
            self._by_stem.setdefault(token.stem, []).append(i)
            self._by_concept.setdefault(token.concept, []).append(i)
            self._by_word.setdefault(token.word, []).append(i)
        for i, compound in self.compounds.items():
            self._by_stem.setdefault(stem(compound), []).append(i)
            self._by_concept.setdefault(concept(stem(compound)), []).append(i)
            self._by_word.setdefault(compound, []).append(i)
        self._long_words = [w for w in self._by_word if len(w) > SHORT_WORD]
        self._words_of_stem: dict[str, set[str]] = {}
        for word in self._long_words:
            self._words_of_stem.setdefault(stem(word), set()).add(word)
        self._long_stems = list(self._words_of_stem)
        self._positions: dict[tuple[str, bool, bool], list[tuple[int, float]]] = {}
        words = self.words
        runs = words + [a + b for a, b in zip(words, words[1:])] + [a + b + c for a, b, c in zip(words, words[1:], words[2:])]
        bounds = (
            [(i, i) for i in range(len(words))]
            + [(i, i + 1) for i in range(len(words) - 1)]
            + [(i, i + 2) for i in range(len(words) - 2)]
        )
        first_bounds: dict[str, tuple[int, int]] = {}  # each distinct run where it first occurs: "the" is compared once
        for run, bound in zip(runs, bounds):
            first_bounds.setdefault(run, bound)
        self.runs, self.run_bounds = list(first_bounds), list(first_bounds.values())
        self._joined: dict[str, _Match | None] = {}
        self._similar: dict[str, list[tuple[str, float]]] = {}  # a phrasing word's close spellings heard

    def joined_matches(self, phrases: list[str]) -> dict[str, "_Match | None"]:
        """Best run of one to three words for each phrase with spaces removed, in one batch."""
        wanted = [p for p in dict.fromkeys(phrases) if p not in self._joined]
        queries = [_joined(p) for p in wanted]
        if wanted and self.runs:
            scores = process.cdist(queries, self.runs, scorer=fuzz.ratio, score_cutoff=JOINED_SIMILARITY)
            best = scores.argmax(axis=1)
            for row, phrase in enumerate(wanted):
                score = float(scores[row, best[row]])
                long_enough = len(queries[row]) > SHORT_WORD * 2
                if long_enough and score >= JOINED_SIMILARITY:
                    first, last = self.run_bounds[int(best[row])]
                    self._joined[phrase] = _Match(score / 100, first, last, phrase)
                else:
                    self._joined[phrase] = None
        return {p: self._joined.get(p) for p in phrases}

    def positions(self, expected: Token, synonyms: bool, misheard: bool) -> list[tuple[int, float]]:
        """Where a phrasing word occurs (or a synonym of it, or a mis-hearing), with how well each occurrence matches."""
        key = (expected.word, synonyms, misheard)
        if key not in self._positions:
            self._positions[key] = self._find(expected, synonyms, misheard)
        return self._positions[key]

    def _find(self, expected: Token, synonyms: bool, misheard: bool) -> list[tuple[int, float]]:
        exact = self._by_stem.get(expected.stem, []) + self._by_word.get(expected.word, [])
        if synonyms:
            exact += self._by_concept.get(expected.concept, [])
        scores = {i: 1.0 for i in exact}
        if misheard and len(expected.word) > SHORT_WORD:
            if expected.word not in self._similar:
                self.prepare_misheard([expected])
            for word, similarity in self._similar[expected.word]:
                score = _spelling_score(expected.word, word, similarity)
                for i in self._by_word[word]:
                    scores[i] = max(scores.get(i, 0.0), score)
        return sorted((i, s) for i, s in scores.items() if s > 0)

    def prepare_misheard(self, expected: list[Token]) -> None:
        """Spelling candidates for many phrasing words at once: one matrix instead of two searches a word."""
        wanted = list({t.word: t for t in expected if len(t.word) > SHORT_WORD and t.word not in self._similar}.values())
        if not wanted:
            return
        for token in wanted:
            self._similar[token.word] = []
        by_word = process.cdist([t.word for t in wanted], self._long_words, scorer=fuzz.ratio, score_cutoff=SOUND_ALIKE_SIMILARITY)
        for row, k in zip(*by_word.nonzero()):
            self._similar[wanted[row].word].append((self._long_words[k], float(by_word[row, k])))
        by_stem = process.cdist([t.stem for t in wanted], self._long_stems, scorer=fuzz.ratio, score_cutoff=WORD_SIMILARITY)
        for row, k in zip(*by_stem.nonzero()):
            for word in self._words_of_stem[self._long_stems[k]]:
                self._similar[wanted[row].word].append((word, float(by_stem[row, k])))

    def stem_positions(self, word_stem: str) -> list[int]:
        return self._by_stem.get(word_stem, [])

def _spelling_score(expected: str, heard: str, similarity: float) -> float:
    """Credit for a differently spelled word: close spelling, or fairly close and sounds alike.

    A word that merely starts the other ("confident" in "confidential", "regular" in
    "regularization") is a different word, not a mis-hearing: equal stems catch inflections.
    """
    if _is_prefix(expected, heard) or _is_prefix(stem(expected), stem(heard)):
        return 0.0
    if similarity >= WORD_SIMILARITY:
        return similarity / 100
    if sound_key(expected) == sound_key(heard):
        return COVERED_THRESHOLD + 0.05
    return 0.0


@lru_cache(maxsize=4096)
def _phrase_tokens(phrase: str) -> tuple[Token, ...]:
    return tuple(content_tokens(phrase))


@lru_cache(maxsize=4096)
def _all_phrase_tokens(phrase: str) -> tuple[Token, ...]:
    return tuple(tokenize(phrase))


def _match_as_written(phrase: str, transcript: _Transcript, usable: Usable | None = None) -> _Match | None:
    """A phrasing of one ordinary word and function words ("sign in"), word after word by stem."""
    stems = [t.stem for t in _all_phrase_tokens(phrase)]
    tokens = transcript.tokens
    for start in transcript.stem_positions(stems[0]):
        end = start + len(stems) - 1
        if end < len(tokens) and all(tokens[start + k].stem == s for k, s in enumerate(stems)):
            if usable is None or usable(start, end):
                return _Match(1.0, start, end, phrase)
    return None


def _is_prefix(a: str, b: str) -> bool:
    shorter, longer = sorted((a, b), key=len)
    return len(longer) > len(shorter) and longer.startswith(shorter)


def _best_window(
    positions: list[list[tuple[int, float]]], transcript: _Transcript, usable: Usable | None = None
) -> _Match | None:
    """The best set of positions, one per phrasing word, close together in one sentence (a `usable` one, if asked)."""
    reach = len(positions) - 1 + INTRUDERS  # widest allowed spread, in content words
    where = transcript.content_position
    best: _Match | None = None
    for anchor, anchor_score in positions[0]:
        chosen = [(anchor, anchor_score)]
        for candidates in positions[1:]:
            near = [
                (abs(where[p] - where[anchor]), -s, p, s)
                for p, s in candidates
                if abs(where[p] - where[anchor]) <= reach and transcript.sentence[p] == transcript.sentence[anchor]
            ]
            if not near:
                break
            _, _, p, s = min(near)
            chosen.append((p, s))
        else:
            first = min(p for p, _ in chosen)
            last = max(p + (p in transcript.compounds) for p, _ in chosen)  # a split compound ends a word later
            spread = where[last] - where[first]
            if spread > reach or (spread > len(positions) - 1 and transcript.denials.crosses_phrase_break(first, last)):
                continue  # an intruding word is allowed only within one clause
            if usable is not None and not usable(first, last):
                continue
            confidence = sum(s for _, s in chosen) / len(chosen)
            if best is None or confidence > best.confidence:
                best = _Match(confidence, first, last, "")
    return best


def _match_words(phrase: str, transcript: _Transcript, usable: Usable | None = None) -> _Match | None:
    """The phrasing's best occurrence in the transcript (the best `usable` one, when given)."""
    wanted = _phrase_tokens(phrase)
    if len(wanted) == 1 and len(_all_phrase_tokens(phrase)) > 1:
        return _match_as_written(phrase, transcript, usable)
    # A lone ordinary word heard as another real word ("roles" as "rules") is most
    # likely that other word; a name or an acronym ("Garak" as "garrick") is a slip.
    misheard = len(wanted) > 1 or not phrase.islower()
    match = _best_window_of(wanted, transcript, misheard, usable=usable)
    return _Match(match.confidence, match.first, match.last, phrase) if match else None


def _best_window_of(
    wanted: tuple[Token, ...], transcript: _Transcript, misheard: bool,
    between: tuple[int, int] | None = None, usable: Usable | None = None,
) -> _Match | None:
    """The best window of the words `wanted` (their positions `between` two token indexes, when given)."""
    positions: list[list[tuple[int, float]]] = []
    for expected in wanted:
        found = transcript.positions(expected, synonyms=len(wanted) > 1, misheard=misheard)
        if between is not None:
            found = [(p, s) for p, s in found if between[0] <= p <= between[1]]
        if not found:
            return None
        positions.append(found)
    positions.sort(key=len)  # anchor on the rarest word
    return _best_window(positions, transcript, usable)


@lru_cache(maxsize=4096)
def _joined(phrase: str) -> str:
    return "".join(t.word for t in tokenize(phrase))


def _is_form_of(stem_a: str, stem_b: str) -> bool:
    """Whether two stems are forms of one word, one a prefix of the other: "misclassifies", "misclassification"."""
    return stem_a == stem_b or _is_prefix(stem_a, stem_b)


@lru_cache(maxsize=4096)
def _is_lone_word(phrase: str, point: KeyPoint) -> bool:
    """An alias of one ordinary word that is none of the label's words ("fixes" for "define mitigations").

    A form of a label word counts as that word: "misclassifies" for "misclassification".
    """
    tokens = _all_phrase_tokens(phrase)
    if len(tokens) != 1 or not phrase.islower():
        return False
    alias = tokens[0].stem
    label = _phrase_tokens(point.label)
    modifiers = label[:-1] if len(label) > 1 else label
    return not any(_is_form_of(alias, t.stem) for t in modifiers)


@lru_cache(maxsize=4096)
def _is_lone_modifier(phrase: str, point: KeyPoint) -> bool:
    """An alias of one ordinary word that modifies the next word of the label: "backdoor" for "backdoor evaluation".

    A word before a function word is an idea of its own ("slides" in "slides and visual
    aids"), and a name ("Garak scans") names one thing: alone, each is still itself.
    """
    tokens = _all_phrase_tokens(phrase)
    if len(tokens) != 1 or not phrase.islower():
        return False
    alias = tokens[0].stem
    label = _all_phrase_tokens(point.label)
    return any(
        _is_form_of(alias, word.stem)
        and not word.is_stopword
        and not following.is_stopword
        and point.label[word.start : word.end].islower()
        for word, following in zip(label, label[1:])
    )


@lru_cache(maxsize=1024)
def _ai_sense_support(point: KeyPoint) -> frozenset[str]:
    """What supports a label's modifier alone: another word of its point, or a word of the AI sense."""
    return _point_concepts(point) | _phrase_concepts(" ".join(AI_SENSE_WORDS))


@lru_cache(maxsize=4096)
def _drops_qualifier(phrase: str, point: KeyPoint) -> bool:
    """An alias that is the label's head without its qualifier: "red team" for "automated red-teaming".

    The alias is the end of the label (run together or not: "allowlist" for "tool-call
    allow-lists"), and the word before it in the label modifies it. After a function word
    the alias is a whole idea of its own: "Garak" in "PyRIT or Garak", "data poisoning"
    in "check for data poisoning".
    """
    alias = "".join(t.stem for t in _all_phrase_tokens(phrase))
    label = _all_phrase_tokens(point.label)
    for start in range(1, len(label)):
        if "".join(t.stem for t in label[start:]) == alias:
            qualifier = label[:start]
            return not qualifier[-1].is_stopword and not all(
                t.word in MANNER_QUALIFIERS or point.label[t.start : t.end].isupper() or t.word.isdigit()
                for t in qualifier
            )
    return False


@lru_cache(maxsize=4096)
def _phrase_concepts(phrase: str) -> frozenset[str]:
    return frozenset(t.concept for t in _phrase_tokens(phrase))


@lru_cache(maxsize=4096)
def _point_concepts(point: KeyPoint) -> frozenset[str]:
    """The concepts of every content word of a point's phrasings."""
    return frozenset().union(*(_phrase_concepts(phrase) for phrase in point.phrasings))


@lru_cache(maxsize=1024)
def _telling_concepts(question: Question) -> dict[KeyPoint, frozenset[str]]:
    """The words that tell each point apart from the question's others.

    The label's words, and the aliases' words that no other point of the question uses:
    "tool" supports "allow list" for "tool-call allow-lists" even where "log tool calls"
    is another point, but "model" in every point of a question supports none.
    """
    uses: dict[str, int] = {}
    for point in question.points:
        for concept in _point_concepts(point):
            uses[concept] = uses.get(concept, 0) + 1
    return {
        point: _phrase_concepts(point.label) | {c for c in _point_concepts(point) if uses[c] == 1}
        for point in question.points
    }


@lru_cache(maxsize=4096)
def _support_rule(phrase: str, point: KeyPoint) -> str | None:
    """Which word nearby an alias needs: "lone" (a word of its point), "unqualified" (one that
    tells the point apart) or "modifier" (one of its point or of the AI sense); None: none."""
    if _is_lone_word(phrase, point):
        return "lone"
    if _drops_qualifier(phrase, point):
        return "unqualified"
    if _is_lone_modifier(phrase, point):
        return "modifier"
    return None


def _supported(match: _Match, wanted: frozenset[str], transcript: _Transcript) -> bool:
    """Whether a wanted word, not the match's own, stands near it in its sentence.

    "the SSH back door" is no backdoor evaluation, "red-teaming I'd do once, manually" no
    automated red-teaming. A number supports nothing: "number one" is no "LLM zero one".
    """
    heard = {transcript.tokens[i].concept for i in range(match.first, match.last + 1)}
    wanted = wanted - _phrase_concepts(match.phrase) - heard  # "allow list" heard for "allowlist"
    sentence = transcript.sentence[match.first]
    lo, hi = max(0, match.first - SUPPORT_SCOPE), min(len(transcript.tokens), match.last + 1 + SUPPORT_SCOPE)
    return any(
        transcript.tokens[i].concept in wanted and transcript.sentence[i] == sentence and not transcript.denials.is_denied(i, i)
        for i in range(lo, hi)
        if not transcript.tokens[i].is_stopword and not transcript.tokens[i].word.isdigit()
    )


def _find_point(
    point: KeyPoint, telling: frozenset[str], transcript: _Transcript
) -> tuple[_Match | None, _Match | None, _Match | None]:
    """The best credited match, the best denied one and the best inside a near miss.

    A lone-word alias needs another word of the point near it; an alias that drops the
    label's qualifier needs a word that tells the point apart (``_telling_concepts``); a
    label's modifier alone needs a word of its point or of the AI sense (``AI_SENSE_WORDS``).
    """
    credited: _Match | None = None
    denied: _Match | None = None
    other_sense: _Match | None = None
    joined = transcript.joined_matches(list(point.phrasings))

    @cache  # asked of the same words by `usable` and again below
    def in_near_miss(first: int, last: int) -> bool:
        return _in_near_miss(first, last, point, transcript)

    def usable(first: int, last: int) -> bool:  # said as this point: not denied, nor another idea's words
        return not transcript.denials.is_denied(first, last) and not in_near_miss(first, last)

    supports = {"lone": _point_concepts(point), "unqualified": telling, "modifier": _ai_sense_support(point), None: None}
    for phrase in point.phrasings:
        support = supports[_support_rule(phrase, point)]
        by_words, by_run = _match_words(phrase, transcript), joined[phrase]
        if by_words and by_run and by_run.first <= by_words.last and by_words.first <= by_run.last:
            by_run = None  # the words themselves were heard: "blocklist is" is no run-together "blocklists"
        plain = None
        if by_words and not usable(by_words.first, by_words.last):
            # The same words may be said again as a point made: "not at first. Later we added watermarking",
            # "DNS poisoning is the classic one. Then there's poisoning of the training data".
            plain = _match_words(phrase, transcript, usable)
        for match in (by_words, by_run, plain):
            if match is None or match.confidence < COVERED_THRESHOLD:
                continue
            if support is not None and not _supported(match, support, transcript):
                continue
            if transcript.hedges.is_vague(match.first, match.last):
                continue
            if in_near_miss(match.first, match.last):
                other_sense = _better(other_sense, match)
                continue
            if transcript.denials.is_denied(match.first, match.last):
                denied = _better(denied, match)
            else:
                credited = _better(credited, match)
        if credited is not None and credited.confidence >= 1.0:
            break
    return credited, denied, other_sense


def _better(best: _Match | None, match: _Match) -> _Match:
    return match if best is None or match.confidence > best.confidence else best


def _in_near_miss(first: int, last: int, point: KeyPoint, transcript: _Transcript) -> bool:
    """Whether the words first..last are part of one of the point's near misses, or glossed by one.

    "DNS poisoning" holds the "poisoning" of data poisoning. In "poisoning, think ARP
    poisoning" the first "poisoning" is the one the near miss explains: words of the near
    miss only, ``NEAR_MISS_REACH`` words from it in its sentence. "Unlike DNS poisoning, data
    poisoning..." says more than the near miss, and counts.
    """
    heard = {t.concept for t in transcript.tokens[first : last + 1] if not t.is_stopword}
    for phrase in point.near_misses:
        wanted = _phrase_tokens(phrase)
        reach = NEAR_MISS_REACH if heard <= _phrase_concepts(phrase) else 0
        between = (first - len(wanted) - INTRUDERS - reach, last + len(wanted) + INTRUDERS + reach)
        found = _best_window_of(wanted, transcript, misheard=True, between=between)
        near = found is not None and found.first <= last + reach and first - reach <= found.last
        if near and transcript.sentence[found.first] == transcript.sentence[first]:
            return True
    return False


def _time_span(span: tuple[int, int], times: list[WordTime] | None) -> tuple[float, float] | None:
    if not times:
        return None
    inside = [w for w in times if w.end_char > span[0] and w.start_char < span[1]]
    return (inside[0].start, inside[-1].end) if inside else None


def _point_result(
    point: KeyPoint, telling: frozenset[str], transcript: _Transcript, context: AnswerContext,
    model: PlausibilityModel, times: list[WordTime] | None,
) -> PointResult:
    credited, denied, other_sense = _find_point(point, telling, transcript)
    match = credited or denied or other_sense
    if match is None:
        return PointResult(point.label, False, 0.0, point.weight)
    plausibility = model.probability(context.features(_mention(credited, point))) if credited else None
    doubtful = plausibility is not None and plausibility < model.threshold
    span = (transcript.tokens[match.first].start, transcript.tokens[match.last].end)
    return PointResult(
        label=point.label,
        covered=credited is not None and not doubtful,
        confidence=round(match.confidence, 3),
        weight=point.weight,
        evidence=transcript.text[span[0] : span[1]],
        span=span,
        time_span=_time_span(span, times),
        matched_phrase=match.phrase,
        denied=credited is None and denied is not None,
        near_miss=credited is None and denied is None,
        plausibility=None if plausibility is None else round(plausibility, 3),
        doubtful=doubtful,
    )


def _mention(match: _Match, point: KeyPoint) -> Mention:
    return Mention(
        first=match.first,
        last=match.last,
        exact=match.confidence >= 1.0,
        phrase_words=len(_phrase_tokens(match.phrase)),
        rule=_support_rule(match.phrase, point),
        own=_phrase_concepts(match.phrase),
        point=_point_concepts(point),
        other_sense=_near_miss_concepts(point),
    )


@lru_cache(maxsize=4096)
def _near_miss_concepts(point: KeyPoint) -> frozenset[str]:
    return frozenset().union(*(_phrase_concepts(phrase) for phrase in point.near_misses))


def _step_order(results: tuple[PointResult, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    covered_at = [i for i, r in enumerate(results) if r.covered]
    if not covered_at:
        return (), ()
    skipped = tuple(r.label for r in results[: covered_at[-1]] if not r.covered)
    out_of_order = []
    latest = -1
    for i in covered_at:
        position = results[i].span[0] if results[i].span else 0
        if position < latest:
            out_of_order.append(results[i].label)
        latest = max(latest, position)
    return skipped, tuple(out_of_order)


def score_answer(question: Question, transcript: str, word_times: list[WordTime] | None = None) -> ScoreResult:
    """Score one answer's transcript against a question's key points."""
    prepared = _prepare(question, transcript)
    context = _answer_context(question, prepared)
    telling = _telling_concepts(question)
    model = model_for(question)
    results = tuple(_point_result(point, telling[point], prepared, context, model, word_times) for point in question.points)
    total = sum(p.weight for p in results)
    coverage = sum(p.weight for p in results if p.covered) / total if total else 0.0
    skipped, out_of_order = _step_order(results) if question.ordered else ((), ())
    return ScoreResult(question.id, transcript, results, round(coverage, 4), skipped, out_of_order)


def mention_features(question: Question, transcript: str) -> dict[str, dict[str, float]]:
    """For each point whose words are credited before the plausibility check, what the check reads.

    What ``scripts/train_plausibility.py`` learns from.
    """
    prepared = _prepare(question, transcript)
    context = _answer_context(question, prepared)
    telling = _telling_concepts(question)
    found = {point: _find_point(point, telling[point], prepared)[0] for point in question.points}
    return {point.label: context.features(_mention(match, point)) for point, match in found.items() if match}


def _prepare(question: Question, transcript: str) -> _Transcript:
    prepared = _Transcript(transcript)
    prepared.joined_matches([phrase for point in question.points for phrase in point.phrasings])  # one batch
    prepared.prepare_misheard([t for point in question.points for phrase in point.phrasings for t in _phrase_tokens(phrase)])
    return prepared


def _answer_context(question: Question, prepared: _Transcript) -> AnswerContext:
    return AnswerContext(prepared.tokens, prepared.sentence, question_vocabulary(question))


def feedback_sentence(result: ScoreResult, spoken: bool = False) -> str:
    """What the coach says after an answer: how many points, which were missed, which unclear.

    Unclear points are those whose words were heard where the point is seldom meant
    (``PointResult.doubtful``): said so, the candidate knows to make them plainly. Spoken,
    each list names at most ``MISSED_SPOKEN`` points: listening to six labels is slow, and
    the screen lists them all.
    """
    covered, total = len(result.covered), len(result.points)
    if not result.transcript.strip():
        return f"I didn't hear an answer. There were {total} points to cover."
    sentence = f"You covered {covered} of {total} points."
    missed = [p.label for p in result.missed if not p.doubtful]
    unclear = [p.label for p in result.missed if p.doubtful]
    for heading, labels in (("You missed", missed), ("Unclear", unclear)):
        if spoken and len(labels) > MISSED_SPOKEN:
            labels = labels[:MISSED_SPOKEN] + [f"{len(labels) - MISSED_SPOKEN} more"]
        if labels:
            sentence += f" {heading}: " + _spoken_list(labels) + "."
    if result.skipped_steps and not spoken:
        sentence += " Skipped steps: " + _spoken_list(list(result.skipped_steps)) + "."
    return sentence


def _spoken_list(items: list[str]) -> str:
    if len(items) <= 2:
        return " and ".join(items)
    return ", ".join(items[:-1]) + ", and " + items[-1]
