"""Spoken control words and closing phrases, recognized from transcripts (pure: no audio)."""

from __future__ import annotations

import pytest

from voiceprep.commands import (
    COMMAND_THRESHOLD,
    Command,
    asks_for_hint,
    command_from_key,
    ends_with_closing_phrase,
    recognize_command,
    strip_closing_phrase,
)


@pytest.mark.parametrize(
    ("transcript", "expected"),
    [
        ("Start.", Command.START),
        ("Okay, let's go.", Command.START),
        ("I'm ready.", Command.START),
        ("Next.", Command.NEXT),
        ("Okay, next please.", Command.NEXT),
        ("next question", Command.NEXT),
        ("Repeat.", Command.REPEAT),
        ("Can you repeat the question?", Command.REPEAT),
        ("Say that again.", Command.REPEAT),
        ("Again.", Command.RETRY),
        ("Retry", Command.RETRY),
        ("Let me try again.", Command.RETRY),
        ("Skip.", Command.SKIP),
        ("skip this one", Command.SKIP),
        ("Hint.", Command.HINT),
        ("Give me a hint, please.", Command.HINT),
        ("Pause.", Command.PAUSE),
        ("Resume.", Command.RESUME),
        ("Continue.", Command.RESUME),
        ("Stop.", Command.STOP),
        ("Quit", Command.STOP),
        ("End session.", Command.STOP),
        ("Stop the session.", Command.STOP),
    ],
)
def test_each_command_is_recognized_in_its_usual_phrasings(transcript, expected):
    recognized = recognize_command(transcript)
    assert recognized.command is expected
    assert recognized.confidence >= COMMAND_THRESHOLD


@pytest.mark.parametrize(
    ("transcript", "expected"),
    [
        # What tiny.en wrote for espeak saying the command alone (seen on this machine), and
        # slips of the same kind: inflections, a lost first consonant, split words.
        ("necks", Command.NEXT),
        ("Text.", Command.NEXT),
        ("Skipped.", Command.SKIP),
        ("skips", Command.SKIP),
        ("Stopped.", Command.STOP),
        ("Top.", Command.STOP),
        ("re-tried", Command.RETRY),
        ("a gain", Command.RETRY),
        ("Kint.", Command.HINT),
        ("Rizzoom.", Command.RESUME),
        ("Re-zoom.", Command.RESUME),
        ("Remove.", Command.RESUME),
        ("And the fashion.", Command.STOP),
        ("And action.", Command.STOP),
        ("and session", Command.STOP),
        ("Take that again.", Command.REPEAT),
        ("Say, now come again.", Command.REPEAT),
        ("paws", Command.PAUSE),
        ("Repeat the questions.", Command.REPEAT),
    ],
)
def test_speech_recognizer_mishearings_still_give_the_command(transcript, expected):
    assert recognize_command(transcript).command is expected


@pytest.mark.parametrize(
    "transcript",
    [
        "the weather is nice today",
        "But whenever is ice today?",
        "I would rate limit the queries from every account.",
        "I think the answer is to stop the attacker early",
        "Thank you.",
        "you",
        "yes",
        "",
        "   ",
    ],
)
def test_unrelated_speech_is_not_taken_for_a_command(transcript):
    recognized = recognize_command(transcript)
    assert recognized.command is None
    assert not recognized.understood
    assert recognized.confidence < COMMAND_THRESHOLD


@pytest.mark.parametrize(
    "transcript",
    ["Hint.", "Can I have a hint?", "Give me a hint, please.", "Could I get a hint?", "I need a hint.",
     "Do you have any hints?", "Any hints?", "Um, can you give me a clue?"],
)
def test_an_answer_that_only_asks_for_the_hint_is_a_hint_request(transcript):
    assert asks_for_hint(transcript)


@pytest.mark.parametrize(
    "transcript",
    ["I would hint at the answer.", "It hints at model extraction.", "A hint of noise in the outputs.",
     "Rate limiting.", "Next.", "I would rate limit the queries and give a clue to nobody."],
)
def test_an_answer_that_mentions_a_hint_is_still_an_answer(transcript):
    assert not asks_for_hint(transcript)


def test_extra_words_lower_the_confidence():
    assert recognize_command("skip").confidence > recognize_command("skip it now then").confidence


@pytest.mark.parametrize(
    ("line", "expected"),
    [("n", Command.NEXT), ("r", Command.REPEAT), ("a", Command.RETRY), ("s", Command.SKIP),
     ("h", Command.HINT), ("p", Command.PAUSE), ("c", Command.RESUME), ("q\n", Command.STOP),
     (" Q ", Command.STOP), ("skip", Command.SKIP)],
)
def test_typed_keys_map_to_commands(line, expected):
    assert command_from_key(line).command is expected


def test_an_unknown_typed_key_is_not_understood():
    assert command_from_key("x").command is None


@pytest.mark.parametrize(
    ("transcript", "answer"),
    [
        ("I would add noise. That's my answer.", "I would add noise."),
        ("I would add noise, that is all", "I would add noise"),
        ("Rate limiting and watermarking. I'm done.", "Rate limiting and watermarking."),
        ("Rate limiting and watermarking, I am done", "Rate limiting and watermarking"),
        ("Throttle queries. End of answer.", "Throttle queries."),
        ("Throttle queries. Thats my answer", "Throttle queries."),
        ("Throttle queries. That's all.", "Throttle queries."),
        ("I'm done.", ""),
    ],
)
def test_a_closing_phrase_at_the_end_is_found_and_cut_before_scoring(transcript, answer):
    assert ends_with_closing_phrase(transcript)
    assert strip_closing_phrase(transcript) == answer


@pytest.mark.parametrize(
    "transcript",
    [
        "That is all I know about model extraction.",
        "I'm done with the first step, then I would rate limit.",
        "My answer is rate limiting.",
        "",
    ],
)
def test_a_closing_phrase_that_does_not_end_the_transcript_is_kept(transcript):
    assert not ends_with_closing_phrase(transcript)
    assert strip_closing_phrase(transcript) == transcript
