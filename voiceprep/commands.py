"""Spoken control words and closing phrases, recognized in short transcripts.

Pure text: the session records and transcribes; this module only decides what was meant.

Commands. A command utterance is short ("next", "repeat the question", "okay, skip"), and
the speech recognizer mishears short words ("next" -> "necks", "skip" -> "skipped", "stop"
-> "top"), so each phrasing is compared with every run of as many words in the utterance:
words are stemmed ("skipped" -> "skip") and joined without spaces ("re-tried" -> "retri")
before a rapidfuzz ratio, and mishearings too far for a ratio ("necks") are listed as
phrasings of their own at a lower weight. Words outside the matched run lower the
confidence (``EXTRA_WORD_FACTOR`` each), so ordinary sentences that contain a command-like
word ("the weather is nice today") are rejected. Fillers and politeness ("um", "please",
"can you") are dropped first.

Closing phrases ("that's my answer", "I'm done") end an answer; they are found only at the
very end of a transcript and cut off before scoring, so they are never scored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from rapidfuzz import fuzz

from voiceprep.textnorm import fold, stem

COMMAND_THRESHOLD = 0.8  # below this confidence an utterance is "not understood"
EXTRA_WORD_FACTOR = 0.85  # confidence kept per word outside the matched phrasing
MAX_COMMAND_WORDS = 6  # longer utterances are speech, not commands
MISHEARD_WEIGHT = 0.9  # confidence of a listed mishearing heard exactly
CLOSING_SIMILARITY = 85  # rapidfuzz ratio for a closing phrase, spaces removed


class Command(StrEnum):
    START = "start"  # begin the session
    NEXT = "next"
    REPEAT = "repeat"  # say the question again
    RETRY = "again"  # answer the same question again
    SKIP = "skip"
    HINT = "hint"
    PAUSE = "pause"
    RESUME = "resume"
    STOP = "stop"


PHRASINGS: dict[Command, tuple[str, ...]] = {
    Command.START: ("start", "begin", "i'm ready", "let's go", "let's start", "start the interview"),
    Command.NEXT: ("next", "next question", "next one", "move on"),
    Command.REPEAT: ("repeat", "repeat the question", "say that again", "say it again", "pardon", "what was the question"),
    Command.RETRY: ("again", "retry", "try again", "let me try again", "one more time"),
    Command.SKIP: ("skip", "skip it", "skip this one", "skip this question", "pass"),
    Command.HINT: ("hint", "give me a hint", "a hint please", "can i have a hint", "can i get a hint", "i need a hint",
                   "do you have any hints", "any hints", "give me a clue"),
    Command.PAUSE: ("pause", "wait", "hold on", "take a break"),
    Command.RESUME: ("resume", "continue", "i'm back", "go on", "carry on"),
    Command.STOP: ("stop", "quit", "end session", "end the session", "exit", "finish", "that's enough"),
}

# What tiny.en was seen (or is known) to write for a command spoken alone; too far from the
# word for a ratio to find it, too unusual as a whole utterance to mean anything else.
MISHEARINGS: dict[Command, tuple[str, ...]] = {
    Command.NEXT: ("necks", "text", "nex", "nexed", "neck"),
    Command.REPEAT: ("take that again", "say now come again", "say it now again", "we peat"),
    Command.RETRY: ("re tried", "a gain"),
    Command.HINT: ("kint", "hinted"),
    Command.PAUSE: ("paws", "pose", "pours"),
    Command.RESUME: ("rizzoom", "re zoom", "re boom", "remove", "presume"),
    Command.STOP: ("and session", "and passion", "and fashion", "and action", "top"),
}

# Keys typed on the keyboard (then Enter) instead of speaking.
KEYS: dict[str, Command] = {
    "n": Command.NEXT, "r": Command.REPEAT, "a": Command.RETRY, "s": Command.SKIP,
    "h": Command.HINT, "p": Command.PAUSE, "c": Command.RESUME, "q": Command.STOP,
}

FILLERS = frozenset({
    "um", "uh", "er", "ah", "hmm", "mm", "okay", "ok", "so", "well", "oh", "please", "now", "the", "a", "an",
    "can", "could", "would", "will", "you", "me", "let", "lets", "i", "d", "like", "to", "just", "yes", "yeah",
    "alright", "right",
})

CLOSING_PHRASES = (
    "that's my answer", "that is my answer", "that's all", "that is all", "i'm done", "i am done",
    "end of answer", "end of my answer",
)

_WORD = re.compile(r"[a-z0-9]+(?:['\u2019][a-z]+)*")


@dataclass(frozen=True)
class Recognized:
    """What an utterance was taken to mean."""

    command: Command | None  # None: not understood
    confidence: float  # 0..1, of the best command even when below the threshold
    phrasing: str = ""  # the phrasing it matched

    @property
    def understood(self) -> bool:
        return self.command is not None


@dataclass(frozen=True)
class _Word:
    text: str  # lowercase, apostrophes removed
    start: int  # character offsets into the original text
    end: int


def _words(text: str) -> list[_Word]:
    folded = fold(text)
    if len(folded) != len(text):
        folded = text.lower()  # keep spans on the original's scale
    return [_Word(re.sub("['\u2019]", "", m.group()), m.start(), m.end()) for m in _WORD.finditer(folded)]


def _key(words: list[str]) -> str:
    """Content words stemmed and joined: "re-tried" and "retry" both give "retri"."""
    return "".join(stem(w) for w in words)


def _content(text: str) -> list[str]:
    words = [w.text for w in _words(text)]
    kept = [w for w in words if w not in FILLERS]
    return kept or words


def _phrasings() -> list[tuple[Command, str, list[str], float]]:
    table = [(c, p, _content(p), 1.0) for c, ps in PHRASINGS.items() for p in ps]
    return table + [(c, p, _content(p), MISHEARD_WEIGHT) for c, ps in MISHEARINGS.items() for p in ps]


_PHRASINGS = _phrasings()


def _match(utterance: list[str], phrasing: list[str]) -> float:
    """Best ratio of the phrasing against any run of as many words, less the words left over."""
    width = min(len(phrasing), len(utterance))
    target = _key(phrasing)
    best = max(
        fuzz.ratio(_key(utterance[i : i + width]), target) / 100 for i in range(len(utterance) - width + 1)
    )
    return best * EXTRA_WORD_FACTOR ** (len(utterance) - width)


def recognize_command(transcript: str) -> Recognized:
    """The control command a short transcript asks for, or Recognized(None, ...) if none."""
    utterance = _content(transcript)
    if not utterance or len(utterance) > MAX_COMMAND_WORDS:
        return Recognized(None, 0.0)
    best = max(
        ((_match(utterance, words) * weight, command, phrasing) for command, phrasing, words, weight in _PHRASINGS),
        key=lambda found: found[0],
    )
    confidence, command, phrasing = round(best[0], 3), best[1], best[2]
    return Recognized(command if confidence >= COMMAND_THRESHOLD else None, confidence, phrasing)


def asks_for_hint(transcript: str) -> bool:
    """True when a whole transcript only asks for the hint ("hint", "can I have a hint?")."""
    return recognize_command(transcript).command is Command.HINT


def command_from_key(line: str) -> Recognized:
    """A typed line: one of the KEYS letters, or a command word typed out."""
    typed = line.strip().casefold()
    if typed in KEYS:
        return Recognized(KEYS[typed], 1.0, typed)
    return recognize_command(typed)


def closing_phrase_start(transcript: str) -> int | None:
    """Where a closing phrase that ENDS the transcript begins (a character offset), else None."""
    words = _words(transcript)
    for phrase in CLOSING_PHRASES:
        wanted = [w.text for w in _words(phrase)]
        if len(words) < len(wanted):
            continue
        tail = words[-len(wanted) :]
        if fuzz.ratio("".join(w.text for w in tail), "".join(wanted)) >= CLOSING_SIMILARITY:
            return tail[0].start
    return None


def ends_with_closing_phrase(transcript: str) -> bool:
    """True when the (partial) transcript ends with "that's my answer", "I'm done" and the like."""
    return closing_phrase_start(transcript) is not None


def strip_closing_phrase(transcript: str) -> str:
    """The answer without its closing phrase, so the phrase is never scored."""
    start = closing_phrase_start(transcript)
    return transcript if start is None else transcript[:start].rstrip(" ,;:-\u2014")
