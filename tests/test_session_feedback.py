"""What a session says after each answer (speaking metrics, the model answer) and, in a mock
interview, only at the end; run for real through the virtual microphone and speaker."""

from __future__ import annotations

import random
from dataclasses import replace

import numpy as np
import pytest

from voiceprep.bank import find_bank
from voiceprep.capture import EndOfAnswer, Recording
from voiceprep.paths import data_dir
from voiceprep.schedule import mock_interview
from voiceprep.session import PracticeOptions, practice, sound_loss_notice
from voiceprep.store import Store

pytestmark = pytest.mark.audio

ANSWER = "Um, so, I would rate limit the queries. You know, I would also add noise to the outputs."
OPTIONS = PracticeOptions(end_of_answer=EndOfAnswer(trailing_silence=2.0), speak_feedback=False)


def test_each_answer_gets_its_delivery_line_and_the_model_answer_and_keeps_its_metrics(virtual_audio, speech, private_data_dir):
    bank = find_bank(None, data_dir(None))
    virtual_audio.say_into_mic(speech(ANSWER), lead=1.0, tail=3.0)
    shown: list[str] = []
    store = Store(private_data_dir)
    summary = practice(bank, [bank.question("int-05")], store, OPTIONS, show=shown.append)

    delivery = next(line for line in shown if line.startswith("Delivery: "))
    assert "wpm" in delivery and "first word after 1." in delivery
    assert f"Model answer: {bank.question('int-05').model_answer}" in shown
    assert shown.index(delivery) < shown.index(f"Model answer: {bank.question('int-05').model_answer}")
    stored = store.answers(session_id=summary.session_id)[0].metrics
    assert stored["time_to_first_word"] == pytest.approx(1.0, abs=0.3)
    assert 100 < stored["words_per_minute"] < 250
    assert stored["star"] is None  # not a behavioral question
    store.close()


def test_a_mock_interview_keeps_feedback_for_the_end(virtual_audio, speech, private_data_dir):
    bank = find_bank(None, data_dir(None))
    questions = mock_interview(bank, [], 2, random.Random(1))  # one Beginner, one Behavioral
    virtual_audio.say_into_mic(speech(ANSWER), lead=0.5, tail=3.0)
    shown: list[str] = []
    store = Store(private_data_dir)
    summary = practice(bank, questions, store, replace(OPTIONS, mock=True), show=shown.append)

    verdict = next(i for i, line in enumerate(shown) if line.startswith("Interview over."))
    asked = [i for i, line in enumerate(shown) if line.startswith("Question ")]
    assert len(asked) == 2 and shown.count("Answer saved.") == 2
    # Nothing about coverage, delivery or model answers until every question was asked.
    early = shown[: asked[-1] + 1]
    assert not any(line.startswith(("You covered", "Delivery:", "Model answer:")) for line in early)
    per_question = [line for line in shown[asked[-1]:verdict] if line[:3] in ("1. ", "2. ")]
    assert [line.split()[1] for line in per_question] == [q.id for q in questions]
    assert any(line.strip().startswith("STAR: ") for line in shown[asked[-1]:verdict])  # the behavioral one
    assert "filler words in all" in shown[verdict]
    assert store.sessions()[0].mode == "mock"
    assert all(a.metrics is not None for a in store.answers(session_id=summary.session_id))
    store.close()


def test_an_answer_nobody_heard_gets_its_question_once_more_then_the_session_moves_on(virtual_audio, private_data_dir):
    bank = find_bank(None, data_dir(None))
    virtual_audio.say_into_mic(np.zeros(16000, np.float32), lead=0, tail=0)  # a microphone that hears nothing
    shown: list[str] = []
    store = Store(private_data_dir)
    options = replace(OPTIONS, end_of_answer=EndOfAnswer(no_speech_timeout=1.0))
    summary = practice(bank, [bank.question("int-05"), bank.question("beg-01")], store, options, show=shown.append)

    asked = [line.split(".")[0] for line in shown if line.startswith("Question ")]
    assert asked == ["Question 1", "Question 1", "Question 2", "Question 2"]
    assert shown.count("I didn't hear anything.") == 4
    assert [a.status for a in store.answers(session_id=summary.session_id)] == ["no_speech"] * 4  # each attempt kept
    store.close()


@pytest.mark.parametrize(
    ("dropped", "error", "notice"),
    [
        (0.0, None, None),
        (1.5, None, "Note: 1.5 s of this answer were lost because the computer fell behind"),
        (0.0, "input overflow", "Note: the microphone reported a problem (input overflow)"),
    ],
)
def test_sound_lost_while_recording_is_told_to_the_candidate(dropped, error, notice, tmp_path):
    # Losing sound needs a machine too slow to keep up, which these tests cannot arrange.
    recording = Recording(tmp_path / "a.wav", seconds=30.0, dropped_seconds=dropped, error=error)
    told = sound_loss_notice(recording)
    assert (told is None) if notice is None else told.startswith(notice)
