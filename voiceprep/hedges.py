"""Vague gestures: a point's words said by a speaker who says, right there, that they don't know it.

"I guess you'd look at the results somehow", "there are techniques, making it less
memorize-y, I'd have to look into the specifics", "I gather there's some tracing tool":
the words are there, the point is not made. An interviewer hears the candidate admit it,
and so does the scorer: such a match is not credited (and, unlike a denial, is reported
as missed, since nothing was turned down).

A match is vague when an admission of not knowing stands near it:

- after it in its sentence, up to ``AFTER_SCOPE`` words, or opening the next sentence
  (its first ``OPENING_WORDS`` words: "...the back-and-forth. I don't remember exactly
  what it's called"): "have to look (it up, into)", "don't remember", "don't recall",
  "no idea";
- "somehow" right after it (``SOMEHOW_SCOPE`` words): "look at the results somehow";
- before it in its sentence, up to ``BEFORE_SCOPE`` words: "I gather there's some
  tracing tool", "no idea".

Words only unsure in tone ("maybe", "probably", "I guess", "I think") are not admissions:
candidates say them about points they make ("maybe rate limit per key").
"""

from __future__ import annotations

from voiceprep.textnorm import Token

AFTER_SCOPE = 8
OPENING_WORDS = 3  # "I'd have to look": "have" is the third word
SOMEHOW_SCOPE = 2
BEFORE_SCOPE = 5
# As tokenized: "don't" is "don not", "can't" is "can not", "I'd" is "i d".
ADMISSIONS_AFTER = (("have", "to", "look"), ("not", "remember"), ("not", "recall"), ("no", "idea"))
ADMISSIONS_BEFORE = (("i", "gather"), ("no", "idea"))
SOMEHOW = ("somehow",)


class Hedges:
    """Where one transcript's speaker admits not knowing, prepared once and asked for every match."""

    def __init__(self, tokens: list[Token], sentence: list[int], sentence_starts: list[int]) -> None:
        self.sentence = sentence  # each token's sentence number
        self.sentence_starts = sentence_starts  # the index of each sentence's first token
        words = [token.word for token in tokens]
        self._after = _starts(words, ADMISSIONS_AFTER)
        self._before = _starts(words, ADMISSIONS_BEFORE)
        self._somehow = _starts(words, (SOMEHOW,))

    def is_vague(self, first: int, last: int) -> bool:
        """Whether the words first..last are said with an admission of not knowing them."""
        return (
            any(last < i <= last + AFTER_SCOPE and self._admits_after(last, i) for i in self._after)
            or any(last < i <= last + SOMEHOW_SCOPE for i in self._somehow)
            or any(first - BEFORE_SCOPE <= i < first and self.sentence[i] == self.sentence[first] for i in self._before)
        )

    def _admits_after(self, last: int, admission: int) -> bool:
        sentences_on = self.sentence[admission] - self.sentence[last]
        opens_next = admission - self.sentence_starts[self.sentence[admission]] < OPENING_WORDS
        return sentences_on == 0 or (sentences_on == 1 and opens_next)


def _starts(words: list[str], phrases: tuple[tuple[str, ...], ...]) -> list[int]:
    """Indexes where any of the phrases begins."""
    by_first: dict[str, list[tuple[str, ...]]] = {}
    for phrase in phrases:
        by_first.setdefault(phrase[0], []).append(phrase)
    return [
        i
        for i, word in enumerate(words)
        if word in by_first and any(tuple(words[i : i + len(phrase)]) == phrase for phrase in by_first[word])
    ]
