"""What a session says after each answer (the points covered and missed, speaking metrics,
the model answer) and, in a mock interview, only at the end; the hint on request; run for
real through the virtual microphone and speaker."""

from __future__ import annotations

import os
import random
import sqlite3
from dataclasses import replace

import numpy as np
import pytest
from archives import INCIDENT, archive_answer
from rapidfuzz import fuzz

from voiceprep import session
from voiceprep.bank import KeyPoint, Question, find_bank
from voiceprep.capture import EndOfAnswer, Recording
from voiceprep.hands_free import KeyPress
from voiceprep.paths import data_dir
from voiceprep.review import point_lines, review_answer
from voiceprep.schedule import mock_interview
from voiceprep.scoring import feedback_sentence, score_answer
from voiceprep.session import Keyboard, PracticeOptions, practice, sound_loss_notice
from voiceprep.store import Store, now
from voiceprep.textnorm import fold

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


# int-05 (model extraction) has six points: one said, one denied, four never mentioned.
PARTLY_DENIED = "I would throttle the queries from every account. We would not add noise to the outputs."


def test_the_screen_lists_every_point_and_the_voice_names_only_the_first_three_missed(
    virtual_audio, speech, transcriber, private_data_dir,
):
    bank = find_bank(None, data_dir(None))
    virtual_audio.say_into_mic(speech(PARTLY_DENIED), lead=0.5, tail=3.0)
    shown: list[str] = []
    store = Store(private_data_dir)
    practice(bank, [bank.question("int-05")], store, replace(OPTIONS, speak_feedback=True), show=shown.append)
    store.close()

    said = next(i for i, line in enumerate(shown) if line.startswith("You said: "))
    assert shown[said + 1].startswith("Coverage: ") and shown[said + 1].endswith("(1 of 6 points)")
    assert shown[said + 2 : said + 5] == [
        "Covered: rate limiting",
        "Missed: replicating via queries, watermarking, prediction logging, API abuse detection",  # in the bank's order
        'Denied, not credited: output perturbation ("add noise")',
    ]
    brief = "You covered 1 of 6 points. You missed: replicating via queries, output perturbation, watermarking, and 2 more."
    assert shown[said + 5] == brief
    spoken = fold(transcriber.transcribe(virtual_audio.heard_by_speaker()).text)
    assert "you covered 1 of 6 points" in spoken.replace("one", "1").replace("six", "6"), spoken
    assert "2 more" in spoken.replace("two", "2") and "prediction" not in spoken  # the rest is on screen only


def test_for_a_procedure_the_missed_steps_come_in_order_and_the_skipped_step_is_named(private_data_dir):
    said = "First I would contain it, then notify the users."
    store = Store(private_data_dir)
    answer_id = archive_answer(store, INCIDENT, said, now(), np.zeros(16000, np.float32))
    assert point_lines(review_answer(store.answer(answer_id))) == [
        "Covered: contain, notify", "Missed: investigate", "Skipped steps: investigate",
    ]
    assert feedback_sentence(score_answer(INCIDENT, said), spoken=True) == "You covered 2 of 3 points. You missed: investigate."
    store.close()


FIVE_POINTS = Question(
    "t-01", "Beginner", "Name five things.", "...", tuple(KeyPoint(label) for label in ("alpha", "bravo", "charlie", "delta", "echo")),
)


@pytest.mark.parametrize(
    ("said", "spoken"),
    [
        ("alpha and bravo", "You covered 2 of 5 points. You missed: charlie, delta, and echo."),
        ("alpha", "You covered 1 of 5 points. You missed: bravo, charlie, delta, and 1 more."),
        ("nothing useful", "You covered 0 of 5 points. You missed: alpha, bravo, charlie, and 2 more."),
        ("alpha bravo charlie delta echo", "You covered 5 of 5 points."),
    ],
)
def test_the_spoken_feedback_names_at_most_three_missed_points(said, spoken):
    assert feedback_sentence(score_answer(FIVE_POINTS, said), spoken=True) == spoken


HINT_ANSWER = "I would throttle the queries from every account and add noise to the outputs."


def test_asking_for_a_hint_aloud_gets_the_hint_spoken_and_the_real_answer_scored_once(mic_script, speech, transcriber, tmp_path):
    hint = find_bank(None, data_dir(None)).question("int-05").hint
    data = tmp_path / "archive"
    code, lines, stderr, streams = mic_script.run(
        ["--data-dir", str(data), "practice", "--ids", "int-05", "--silence", "1.5", "--quiet-feedback"],
        [speech("Can you give me a hint?", rate=175), speech(HINT_ANSWER)],  # espeak's "have a hint" comes back "hammer in"
    )
    assert code == 0, (stderr, lines)
    assert streams == 2, lines
    assert f"Hint: {hint} Go ahead." in lines
    assert sum(line.startswith("You said: ") for line in lines) == 1
    db = sqlite3.connect(data / "voiceprep.db")
    rows = db.execute("SELECT status, coverage, audio_path FROM answers ORDER BY id").fetchall()
    assert [status for status, _, _ in rows] == ["hint_request", "scored"]
    assert rows[0][1] is None and (data / rows[0][2]).is_file()  # kept as what it was, never scored
    assert rows[1][1] > 0
    spoken = fold(transcriber.transcribe(mic_script.audio.heard_by_speaker()).text)
    assert fuzz.partial_ratio(fold(hint.split(".")[0]), spoken) >= 85, spoken


def test_typing_h_during_an_answer_asks_for_the_hint(virtual_audio, speech, private_data_dir, monkeypatch):
    question = find_bank(None, data_dir(None)).question("int-05")
    virtual_audio.say_into_mic(speech(HINT_ANSWER), lead=0.5, tail=3.0)  # every listen hears the answer
    monkeypatch.setattr(session, "Keyboard", lambda: TypesOnce("h"))
    shown: list[str] = []
    store = Store(private_data_dir)
    summary = practice(find_bank(None, data_dir(None)), [question], store, OPTIONS, show=shown.append)

    assert f"Hint: {question.hint} Go ahead." in shown
    assert [a.status for a in store.answers(session_id=summary.session_id)] == ["hint_request", "scored"]
    assert sum(line.startswith("You said: ") for line in shown) == 1
    store.close()


class TypesOnce(Keyboard):
    """A keyboard on which `line` and Enter are typed once, as soon as the first answer listens."""

    def __init__(self, line: str) -> None:
        read_fd, self._write_fd = os.pipe()
        super().__init__(lines=os.fdopen(read_fd, "r"))
        self._line = line

    def next_press(self) -> KeyPress:
        press = super().next_press()
        if self._line:
            os.write(self._write_fd, f"{self._line}\n".encode())
            self._line = ""
        return press


def test_a_mock_interview_refuses_a_hint_and_cuts_an_answer_at_its_time_limit(virtual_audio, speech, private_data_dir, monkeypatch):
    # One utterance that every listen hears, and the hint asked for by typing h: driving
    # the session through two staged utterances failed now and then on this test alone.
    virtual_audio.say_into_mic(speech(" ".join([HINT_ANSWER] * 3)), lead=0.5, tail=3.0)
    monkeypatch.setattr(session, "Keyboard", lambda: TypesOnce("h"))
    question = find_bank(None, data_dir(None)).question("int-05")
    mock = replace(OPTIONS, mock=True, end_of_answer=EndOfAnswer(trailing_silence=1.5, max_duration=5.0))
    shown: list[str] = []
    store = Store(private_data_dir)
    summary = practice(find_bank(None, data_dir(None)), [question], store, mock, show=shown.append)

    assert "Hints are not part of a mock interview. Go ahead." in shown, "\n".join(shown)
    assert not any(line.startswith("Hint: ") for line in shown)
    assert shown.count("Time is up; answer saved.") == 1
    answers = store.answers(session_id=summary.session_id)
    assert [a.status for a in answers] == ["hint_request", "scored"]
    assert answers[1].audio_seconds == pytest.approx(5.0, abs=0.2)  # cut at the limit, though the answer went on
    store.close()
