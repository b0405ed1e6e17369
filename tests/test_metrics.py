"""Speaking metrics: pace, fillers, pauses, time to first word and STAR cues; pure rules first,
then a real answer said into the virtual microphone and transcribed by the real model."""

from __future__ import annotations

import pytest

from voiceprep.metrics import (
    count_fillers,
    is_behavioral,
    longest_pause,
    speaking_metrics,
    speaking_seconds,
    star_parts,
)
from voiceprep.scoring import WordTime


def timed(*spans: tuple[float, float]) -> list[WordTime]:
    """Word times for consecutive one-character words (the text offsets do not matter here)."""
    return [WordTime(i * 2, i * 2 + 1, start, end) for i, (start, end) in enumerate(spans)]


def evenly(words: int, per_word: float, start: float = 0.0) -> list[WordTime]:
    return timed(*[(start + i * per_word, start + (i + 1) * per_word) for i in range(words)])


@pytest.mark.parametrize(
    ("words", "per_word", "wpm"),
    [(20, 0.4, 150.0), (30, 0.5, 120.0), (10, 0.3, 200.0)],
)
def test_words_per_minute_is_words_over_speaking_time(words, per_word, wpm):
    text = " ".join(["word"] * words)
    metrics = speaking_metrics(text, evenly(words, per_word, start=1.0), duration=words * per_word + 3)
    assert metrics.words == words
    assert metrics.words_per_minute == pytest.approx(wpm)


def test_a_thinking_pause_does_not_count_as_speaking_time():
    # 10 words in 4 s, a 5 s pause, 10 more words in 4 s: 20 words in 8 s of speaking.
    words = evenly(10, 0.4) + [WordTime(0, 1, 9 + i * 0.4, 9.4 + i * 0.4) for i in range(10)]
    assert speaking_seconds(words) == pytest.approx(8.0)
    assert speaking_metrics(" ".join(["w"] * 20), words).words_per_minute == pytest.approx(150.0)


def test_short_gaps_between_words_are_still_speaking():
    words = timed((0.0, 0.4), (0.9, 1.3), (1.8, 2.2))  # 0.5 s gaps: breathing, not pausing
    assert speaking_seconds(words) == pytest.approx(2.2)


def test_nothing_said_has_no_pace_and_no_pause():
    metrics = speaking_metrics("", (), duration=12.0, speech_runs=())
    assert metrics.words == 0 and metrics.words_per_minute is None
    assert metrics.longest_pause == 0.0 and metrics.time_to_first_word is None


@pytest.mark.parametrize(
    ("words", "runs", "expected"),
    [
        (timed((0, 1), (1.2, 2), (5.5, 6)), (), 3.5),  # from word times, when there are no runs
        ((), [(0.5, 3.0), (7.0, 9.0), (9.5, 10.0)], 4.0),  # from the detector's speech runs
        # Whisper put invented words in the trailing silence: the detector's runs win.
        (timed((0, 1), (1.1, 4.0), (6.5, 6.5)), [(0.0, 4.1)], 0.0),
    ],
)
def test_longest_pause_comes_from_the_detector_when_it_heard_the_answer(words, runs, expected):
    assert longest_pause(words, runs) == pytest.approx(expected)


def test_time_to_first_word_prefers_the_detector_and_falls_back_to_word_times():
    words = timed((1.4, 1.8), (1.9, 2.3))
    assert speaking_metrics("a b", words, first_speech_at=1.25).time_to_first_word == 1.25
    assert speaking_metrics("a b", words).time_to_first_word == 1.4


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Um, I would, uh, rate limit it. Erm, hmm.", {"um": 1, "uh": 1, "er": 1, "hmm": 1}),
        ("Umm, uhh, uhm.", {"um": 2, "uh": 1}),
        ("So, the first thing is logging.", {"so": 1}),
        ("It is so slow. I did it so that it works.", {}),
        ("We basically, actually, patched it.", {"basically": 1, "actually": 1}),
        # "like": a filler only when set off, or after a sentence-start joiner or another filler
        ("I like rate limiting.", {}),
        ("Tools like Garak and things like that help.", {}),
        ("It looks like noise, and it felt like a leak.", {}),
        ("It was, like, really slow.", {"like": 1}),
        ("Like, we had no logs.", {"like": 1}),
        ("And like we never checked.", {"like": 1}),
        ("Um like the model leaked.", {"um": 1, "like": 1}),
        ("Attacks, like prompt injection, are common.", {}),
        # "you know" and "I mean": fillers unless they are the sentence's own words
        ("You know, we should log it.", {"you know": 1}),
        ("We should, you know, log it.", {"you know": 1}),
        ("Do you know what it does? As you know, it leaks.", {}),
        ("You know that it leaks.", {}),
        ("I mean, it leaked. That's what I mean.", {"i mean": 1}),
        ("I mean that the key leaked.", {}),
        # "kind of" / "sort of": not after a determiner
        ("It was kind of hard and we sort of fixed it.", {"kind of": 1, "sort of": 1}),
        ("This kind of attack needs a different sort of fix.", {}),
        ("Kind of. What kind of data?", {"kind of": 1}),
    ],
)
def test_filler_rules(text, expected):
    assert count_fillers(text) == expected


STAR_STORY = (
    "At my previous company we had a chatbot that leaked ticket summaries. "
    "I was responsible for the fix. I reproduced it, checked the logs and briefed the engineers. "
    "As a result the leak was closed within a day."
)


@pytest.mark.parametrize(
    ("text", "present"),
    [
        (STAR_STORY, {"situation", "task", "action", "result"}),
        ("I would add rate limiting and watermarking.", set()),
        ("When I was at a bank, I had to secure a model. I decided to red-team it.", {"situation", "task", "action"}),
        ("We built a filter and it reduced the leaks by half.", {"action", "result"}),
        ("I was tired and I needed to rest.", {"task"}),  # states are not actions
    ],
)
def test_star_parts_are_found_by_their_cues(text, present):
    parts = {part.name: part for part in star_parts(text)}
    assert list(parts) == ["situation", "task", "action", "result"]
    assert {name for name, part in parts.items() if part.present} == present
    assert all((part.cue is not None) == part.present for part in parts.values())
    for part in parts.values():
        if part.cue:
            assert part.cue in text.lower().replace(",", "").replace(".", "")


def test_star_is_checked_only_for_behavioral_questions():
    assert is_behavioral("Behavioral") and is_behavioral("behavioural") and not is_behavioral("Advanced")
    assert speaking_metrics(STAR_STORY).star is None
    assert speaking_metrics(STAR_STORY, behavioral=True).star_line() == (
        "STAR: [x] Situation  [x] Task  [x] Action  [x] Result"
    )


def test_summary_line_and_spoken_note_say_what_stands_out():
    text = "Um, so, uh, I would, um, like, rate limit it, uh, basically. " + " ".join(["fine"] * 20)
    metrics = speaking_metrics(text, evenly(32, 0.4, start=0.8), duration=15.0, first_speech_at=0.8)
    assert metrics.filler_count == 7
    line = metrics.summary_line()
    assert line.startswith("15 s, 150 wpm, 7 filler(s) (")
    assert "um x2" in line and "first word after 0.8 s" in line
    assert metrics.spoken_note() == "You used 7 filler words."
    calm = speaking_metrics(" ".join(["fine"] * 25), evenly(25, 0.4))
    assert calm.spoken_note() is None
    assert calm.as_json()["filler_count"] == 0


FILLER_ANSWER = (
    "Um, so, I would rate limit the API for each account. "
    "You know, I would also add noise to the outputs. Basically, I would watermark the model."
)


@pytest.mark.audio
def test_metrics_of_a_real_recorded_answer_are_plausible(virtual_audio, speech, transcriber, tmp_path):
    from voiceprep.audio import resolve_device
    from voiceprep.capture import EndOfAnswer, record_answer

    rate = 160
    spoken = speech(FILLER_ANSWER, rate)
    virtual_audio.say_into_mic(spoken, lead=1.5, tail=3.0)
    recording = record_answer(tmp_path / "a.wav", resolve_device(None, "input"), EndOfAnswer(trailing_silence=2.0))
    transcript = transcriber.transcribe(recording.path)
    metrics = speaking_metrics(
        transcript.text, transcript.words, recording.seconds, recording.first_speech_at, recording.speech_runs,
    )
    assert metrics.time_to_first_word == pytest.approx(1.5, abs=0.3)
    # espeak's rate is nominal; its speech lands within a third of it, by word count and time.
    assert rate * 0.67 < metrics.words_per_minute < rate * 1.33
    assert metrics.duration == pytest.approx(recording.seconds, abs=0.01)
    assert metrics.longest_pause < 2.0  # espeak pauses only at sentence ends
    present = count_fillers(FILLER_ANSWER)
    assert sum(present.values()) == 4
    # Whisper drops some fillers; it must not invent them, and it keeps the word "basically".
    assert metrics.filler_count <= 4
    assert metrics.fillers.get("basically") == 1
