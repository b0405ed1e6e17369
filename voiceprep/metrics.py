"""How an answer was spoken: pace, filler words, pauses, time to the first word, STAR.

Pure: works on the transcript's text and word times and on the recorder's speech runs,
never on audio.

Rules (all documented here, tested in tests/test_metrics.py):

- Speaking time runs from the first word to the last, less every silence between words
  of PAUSE_SECONDS or more (thinking pauses are not speaking). Words per minute are the
  transcript's words over that time.
- Longest pause: the longest silence between two speech runs the recorder's voice
  detector heard; between two words of the transcript only when there are no runs (an
  answer scored from a file). The detector hears the audio itself; Whisper's word times
  are unreliable at the edges (on an espeak answer it placed two invented words 2.3 s
  after the speech had ended) and it stretches words over short silences.
- Time to first word: when the recorder's voice detector first heard speech (sample
  accurate), else the first word's time in the transcript.
- Filler words, counted on the transcript's words and punctuation:
  * um, uh, er, hmm and their spellings (umm, uhm, erm, hm, mm): always.
  * basically, actually: always (in a spoken answer they are nearly always padding).
  * so: only as the first word of a sentence ("So, the first thing..."), or straight
    after another filler ("Um, so, ...").
  * like: only when punctuation sets it off (a comma straight after it, "like, we", or
    commas on both sides), or when it follows another filler or a sentence-start
    "and/but/so" ("and like we"). "I like", "things like rate limits" and "it looks like"
    are not fillers.
  * you know, I mean: unless they are part of the sentence: after "do/did/if/as..."
    ("as you know, ...", "what I mean"), or followed by a clause word ("you know that...",
    "I mean that..."); a comma straight after them ("you know, what we did") overrides
    the clause word.
  * kind of, sort of: unless a determiner comes before ("a kind of attack", "what sort
    of data"): "it's kind of hard" is a filler, "this kind of attack" is not.
  Whisper drops many fillers, so the count is usually low; it is not a strict floor, as
  the decoder also writes a few fillers that were never said. Measured by
  scripts/measure_fillers.py on 40 spoken-style answers holding 111 fillers, spoken by
  TTS voices (Piper's "joe" and espeak), not by people: tiny.en's plain decode caught 42
  (Piper) and 66 (espeak) of them and wrote 11 and 8 that were not in the text; "um" and
  "uh" were mostly lost (Piper um 6/36, uh 4/30; espeak um 14/36, uh 14/30). Key point
  F1 was 0.951 (Piper) and 0.903 (espeak). An initial prompt full of fillers caught 91
  and 100, but wrote 27 and 21 that were not said, and F1 became 0.969 and 0.874; the
  session does not use it: about one filler in every two answers would be invented, and
  the gain in F1 on Piper is smaller than the loss on espeak.
- STAR (behavioral questions): each part counts when one of its cue phrases appears, as
  whole words; the cue found is kept as evidence. The cue lists are STAR_CUES below,
  plus, for Action, "I" or "we" followed (within one word) by a past-tense verb.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from itertools import pairwise
from typing import Any

from voiceprep.scoring import WordTime

PAUSE_SECONDS = 1.0  # a silence this long between words is a pause, not speaking time
NOTABLE_FILLERS = 5  # spoken feedback mentions fillers from this many on
NOTABLE_PAUSE_SECONDS = 5.0
SLOW_WPM, FAST_WPM = 100, 190  # outside this range the pace is worth saying aloud

_ALWAYS_FILLERS = {
    "um": "um", "umm": "um", "uhm": "um", "uh": "uh", "uhh": "uh", "er": "er", "erm": "er",
    "hmm": "hmm", "hm": "hmm", "mm": "hmm", "basically": "basically", "actually": "actually",
}
_SENTENCE_JOINERS = {"and", "but", "so"}
_DETERMINERS = {
    "a", "an", "the", "what", "which", "this", "that", "these", "those", "some", "any", "every",
    "each", "one", "same", "another", "no", "different", "other", "right", "wrong", "first", "whatever",
}
_BEFORE_REAL_YOU_KNOW = {"do", "did", "don't", "didn't", "if", "as", "would", "will", "to", "let", "may", "might", "what"}
_BEFORE_REAL_I_MEAN = {"what", "do", "did", "don't", "didn't"}
_CLAUSE_WORDS = {"that", "what", "how", "why", "where", "when", "who", "whether", "if", "it", "to", "this", "by"}
_WORD = re.compile(r"[A-Za-z]+(?:'[A-Za-z]+)?")

STAR_PARTS = ("situation", "task", "action", "result")
STAR_CUES: dict[str, tuple[str, ...]] = {
    "situation": (
        "a time when", "at my last", "at my previous", "at my current", "in my last", "in my previous",
        "when i was", "while i was", "while testing", "i was working", "we were", "we had a", "there was",
        "the situation", "the context", "background", "last year", "a few months ago", "our team", "our company",
    ),
    "task": (
        "my task", "my role", "my job was", "my responsibility", "i was responsible", "responsible for",
        "i was asked", "i was tasked", "i had to", "we had to", "i needed to", "we needed to", "the goal",
        "our goal", "my goal", "the objective", "needed to", "assigned", "the challenge was", "it was up to me",
    ),
    "action": (
        "i decided", "i proposed", "i started", "i set up", "i reached out", "i worked", "i built", "i wrote",
        "i made", "i took", "i led", "i met", "i ran", "i explained", "i framed", "i showed", "i added",
        "i asked", "i brought", "i organized", "i escalated", "we decided", "we built", "we added",
        "first i", "then i", "so i", "what i did",
    ),
    "result": (
        "as a result", "the result", "in the end", "ended up", "eventually", "the outcome", "which meant",
        "reduced", "increased", "improved", "saved", "cut", "percent", "approved", "shipped", "fixed",
        "resolved", "prevented", "caught", "since then", "afterwards", "i learned", "we learned",
        "the lesson", "the impact", "on time",
    ),
}
_IRREGULAR_PAST = {
    "took", "made", "built", "wrote", "ran", "led", "met", "brought", "set", "sent", "told", "spoke", "gave",
    "found", "got", "went", "began", "put", "held", "kept", "chose", "drew", "sat", "threw", "did", "caught",
}
_NOT_ACTIONS = {"was", "were", "had", "needed", "wanted", "used", "supposed"}  # state, not what was done


@dataclass(frozen=True)
class StarPart:
    name: str  # situation, task, action, result
    present: bool
    cue: str | None = None  # the words that showed it


@dataclass(frozen=True)
class SpeakingMetrics:
    duration: float  # seconds of the recording
    speaking_seconds: float  # first word to last, less pauses
    words: int
    words_per_minute: float | None  # None when nothing was said
    fillers: dict[str, int]  # filler -> how many times
    longest_pause: float  # seconds
    time_to_first_word: float | None
    star: tuple[StarPart, ...] | None = None  # behavioral questions only

    @property
    def filler_count(self) -> int:
        return sum(self.fillers.values())

    def as_json(self) -> dict[str, Any]:
        """What the archive keeps (store's metrics_json)."""
        return asdict(self) | {"filler_count": self.filler_count}

    def summary_line(self) -> str:
        """One compact line for the screen."""
        pace = f"{self.words_per_minute:.0f} wpm" if self.words_per_minute is not None else "no words"
        fillers = ", ".join(f"{word} x{n}" for word, n in sorted(self.fillers.items(), key=lambda kv: -kv[1]))
        first = f"{self.time_to_first_word:.1f} s" if self.time_to_first_word is not None else "-"
        return (
            f"{self.duration:.0f} s, {pace}, {self.filler_count} filler(s)"
            + (f" ({fillers})" if fillers else "")
            + f", longest pause {self.longest_pause:.1f} s, first word after {first}"
        )

    def star_line(self) -> str | None:
        if self.star is None:
            return None
        marks = "  ".join(f"[{'x' if p.present else ' '}] {p.name.capitalize()}" for p in self.star)
        return f"STAR: {marks}"

    def spoken_note(self) -> str | None:
        """A brief remark worth saying aloud, or None when nothing stands out."""
        notes = []
        if self.filler_count >= NOTABLE_FILLERS:
            notes.append(f"You used {self.filler_count} filler words.")
        if self.words_per_minute is not None and self.words >= 20:
            if self.words_per_minute < SLOW_WPM:
                notes.append("You spoke quite slowly.")
            elif self.words_per_minute > FAST_WPM:
                notes.append("You spoke quite fast.")
        if self.longest_pause >= NOTABLE_PAUSE_SECONDS:
            notes.append(f"Your longest pause was {self.longest_pause:.0f} seconds.")
        if self.star is not None:
            missing = [p.name for p in self.star if not p.present]
            if missing:
                notes.append(f"Your story had no clear {' or '.join(missing)}.")
        return " ".join(notes) or None


def speaking_metrics(
    text: str,
    words: Sequence[WordTime] = (),
    duration: float = 0.0,
    first_speech_at: float | None = None,
    speech_runs: Sequence[tuple[float, float]] = (),
    behavioral: bool = False,
) -> SpeakingMetrics:
    """Metrics of one answer: its transcript (text and word times) and what the recorder heard."""
    count = len(_WORD.findall(text))
    speaking = speaking_seconds(words)
    wpm = count / speaking * 60 if count and speaking > 0 else None
    first = first_speech_at if first_speech_at is not None else (words[0].start if words else None)
    return SpeakingMetrics(
        duration=round(duration, 2),
        speaking_seconds=round(speaking, 2),
        words=count,
        words_per_minute=round(wpm, 1) if wpm is not None else None,
        fillers=count_fillers(text),
        longest_pause=round(longest_pause(words, speech_runs), 2),
        time_to_first_word=round(first, 2) if first is not None else None,
        star=star_parts(text) if behavioral else None,
    )


def speaking_seconds(words: Sequence[WordTime]) -> float:
    """First word's start to last word's end, less the silences of PAUSE_SECONDS or more."""
    if not words:
        return 0.0
    span = words[-1].end - words[0].start
    return max(0.0, span - sum(g for g in _gaps([(w.start, w.end) for w in words]) if g >= PAUSE_SECONDS))


def longest_pause(words: Sequence[WordTime] = (), speech_runs: Sequence[tuple[float, float]] = ()) -> float:
    """The longest silence between speech runs, else between words (0 with fewer than two)."""
    spans = list(speech_runs) or [(w.start, w.end) for w in words]
    return max(_gaps(spans), default=0.0)


def _gaps(spans: list[tuple[float, float]]) -> list[float]:
    return [max(0.0, later[0] - earlier[1]) for earlier, later in pairwise(spans)]


@dataclass(frozen=True)
class _Word:
    word: str  # lowercase
    sentence_start: bool  # first word of the text or after . ? ! ;
    comma_before: bool
    comma_after: bool


def _words_with_punctuation(text: str) -> list[_Word]:
    matches = list(_WORD.finditer(text))
    found = []
    for i, match in enumerate(matches):
        before = text[matches[i - 1].end() : match.start()] if i else ""
        after = text[match.end() : matches[i + 1].start()] if i + 1 < len(matches) else ""
        found.append(_Word(
            match.group().lower(),
            sentence_start=i == 0 or any(mark in before for mark in ".?!;"),
            comma_before=_is_break(before),
            comma_after=_is_break(after),
        ))
    return found


def _is_break(between: str) -> bool:
    """A comma or a dash between two words (a hyphen inside a word is not one)."""
    return any(mark in between for mark in (",", "\u2014", "\u2013", " - ", "..."))


def count_fillers(text: str) -> dict[str, int]:
    """Filler words and phrases in a transcript, by the rules in this module's docstring."""
    words = _words_with_punctuation(text)
    counts: dict[str, int] = {}
    previous_filler = False
    for i, word in enumerate(words):
        filler = _filler_at(words, i, previous_filler)
        if filler:
            counts[filler] = counts.get(filler, 0) + 1
        previous_filler = filler is not None
    return counts


def _filler_at(words: list[_Word], i: int, previous_filler: bool) -> str | None:
    word = words[i]
    before = words[i - 1].word if i else ""
    after = words[i + 1].word if i + 1 < len(words) else ""
    set_off_after = word.comma_after or i + 1 == len(words)
    if word.word in _ALWAYS_FILLERS:
        return _ALWAYS_FILLERS[word.word]
    if word.word == "so":
        return "so" if word.sentence_start or previous_filler else None
    if word.word == "like":
        joined_at_start = before in _SENTENCE_JOINERS and i >= 1 and words[i - 1].sentence_start
        if word.comma_after or (word.comma_before and set_off_after) or previous_filler or joined_at_start:
            return "like"
        return None
    # Two-word fillers are counted on their second word, so "you know" is seen whole.
    if i == 0:
        return None
    pair = f"{before} {word.word}"
    two_back = words[i - 2].word if i >= 2 else ""
    if pair in ("you know", "i mean"):
        real_before = _BEFORE_REAL_YOU_KNOW if pair == "you know" else _BEFORE_REAL_I_MEAN
        return pair if two_back not in real_before and (word.comma_after or after not in _CLAUSE_WORDS) else None
    if pair in ("kind of", "sort of"):
        return pair if two_back not in _DETERMINERS or words[i - 1].sentence_start else None
    return None


def star_parts(text: str) -> tuple[StarPart, ...]:
    """Situation, Task, Action and Result, each with the cue that showed it (if any)."""
    plain = " " + " ".join(w.lower() for w in _WORD.findall(text)) + " "
    return tuple(StarPart(name, cue is not None, cue) for name in STAR_PARTS for cue in [_star_cue(name, plain)])


def _star_cue(part: str, plain: str) -> str | None:
    for cue in STAR_CUES[part]:
        if f" {cue} " in plain:
            return cue
    if part == "action":
        return _past_action(plain)
    return None


def _past_action(plain: str) -> str | None:
    """ "I/we" then, within one word, a past-tense verb that is not a state ("I was")."""
    words = plain.split()
    for i, word in enumerate(words):
        if word not in ("i", "we"):
            continue
        for verb in words[i + 1 : i + 3]:
            if verb in _NOT_ACTIONS:
                break
            if verb in _IRREGULAR_PAST or (verb.endswith("ed") and len(verb) > 4):
                return " ".join(words[i : words.index(verb, i) + 1])
    return None


def is_behavioral(section: str) -> bool:
    """Behavioral questions get the STAR check (either spelling of the section's name)."""
    return section.casefold() in ("behavioral", "behavioural")
