"""Word error rate between two transcripts of the same speech."""

from __future__ import annotations

from rapidfuzz.distance import Levenshtein

from voiceprep.textnorm import tokenize


def word_error_rate(reference: str, hypothesis: str) -> float:
    """Word edits (substitutions, insertions, deletions) per reference word.

    Words are compared normalized (case, punctuation, British spelling, number words), so
    "Ten percent." and "10 percent" agree. An empty reference gives 0.0 for an empty
    hypothesis and 1.0 otherwise.
    """
    expected = [token.word for token in tokenize(reference)]
    heard = [token.word for token in tokenize(hypothesis)]
    if not expected:
        return 0.0 if not heard else 1.0
    return Levenshtein.distance(expected, heard) / len(expected)
