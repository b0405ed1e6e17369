"""Reviewing archived answers (`sessions show`, `--play`) and forgetting them (`forget`)."""

from __future__ import annotations

import io
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from archives import EXTRACTION, INCIDENT, archive_answer
from conftest import REPO

from voiceprep.bank import KeyPoint, Question, load_bank
from voiceprep.cli import main
from voiceprep.report import render, session_report
from voiceprep.review import (
    PointEvidence,
    forget_answer,
    forget_session,
    format_session,
    highlight,
    review_session,
)
from voiceprep.store import Store

SAID = "I would throttle queries and use watermarking, but we did not use output perturbation."
SAID_OUT_OF_ORDER = "First notify the users, then contain it."
SPOKEN = "Rate limiting and watermarking."


@pytest.fixture
def archive(private_data_dir, speech):
    """One session with two answers (one to an ordered question), each with a real espeak recording."""
    store = Store(private_data_dir)
    first = archive_answer(store, EXTRACTION, SAID, "2026-03-02T09:00:00+00:00", speech(SPOKEN),
                           metrics={"words_per_minute": 131.0, "fillers": {"um": 2}})
    session_id = store.answer(first).session_id
    second = archive_answer(store, INCIDENT, SAID_OUT_OF_ORDER, "2026-03-02T09:02:00+00:00", speech(SPOKEN), session_id)
    yield store, session_id, (first, second)
    store.close()


def test_review_splits_points_into_covered_missed_and_denied(archive):
    store, session_id, _ = archive
    first, second = review_session(store, session_id).answers
    assert [p.label for p in first.covered] == ["rate limiting", "watermarking"]
    assert first.missed == ("prediction logging",)
    assert [(p.label, p.evidence) for p in first.denied] == [("output perturbation", "output perturbation")]
    assert (first.coverage, first.points) == (0.5, 4)
    assert first.audio_bytes and first.audio_bytes > 16000  # the espeak recording, on disk
    assert first.metrics == {"words_per_minute": 131.0, "fillers": {"um": 2}}
    assert second.skipped_steps == ("investigate",) and second.out_of_order == ("notify",)


def test_on_a_terminal_the_evidence_is_bold_instead_of_bracketed(archive):
    store, session_id, _ = archive
    shown = format_session(review_session(store, session_id), bold=True)
    assert "I would \033[1mthrottle queries\033[0m and use \033[1mwatermarking\033[0m, but" in shown


def test_show_brackets_the_evidence_and_lists_every_finding(archive, capsys):
    _, session_id, (first_id, _) = archive
    assert main(["sessions", "show", str(session_id)]) == 0
    out = capsys.readouterr().out
    assert "I would [throttle queries] and use [watermarking], but we did not use output perturbation." in out
    assert "Missed: prediction logging" in out
    assert 'Denied, not credited: output perturbation ("output perturbation")' in out
    assert "Skipped steps: investigate" in out and "Out of order: notify" in out
    assert "Coverage: 50% (2 of 4 points)" in out and f"(id {first_id})" in out
    assert "words per minute: 131.0; fillers: um x2" in out
    assert "session-" in out and ".wav (" in out  # the recording's path and size


def test_show_json_carries_the_same_review(archive, capsys):
    _, session_id, _ = archive
    assert main(["sessions", "show", str(session_id), "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["session"]["id"] == session_id
    first = shown["answers"][0]
    assert [p["label"] for p in first["covered"]] == ["rate limiting", "watermarking"]
    assert first["covered"][0]["span"] == [SAID.index("throttle"), SAID.index(" and use")]
    assert first["denied"][0]["label"] == "output perturbation"


def test_highlight_cuts_the_transcript_at_evidence_and_merges_overlaps():
    text = "we throttle queries and watermark"
    points = (
        PointEvidence("rate limiting", "throttle queries", (3, 19), None, 1.0),
        PointEvidence("queries", "queries", (12, 19), None, 1.0),  # inside the first: merged away
        PointEvidence("watermarking", "watermark", (24, 33), None, 0.9),
    )
    assert [(s.text, s.label) for s in highlight(text, points)] == [
        ("we ", None), ("throttle queries", "rate limiting"), (" and ", None), ("watermark", "watermarking"),
    ]


def test_an_unknown_session_is_a_one_line_error(capsys):
    assert main(["sessions", "show", "99"]) == 2
    assert capsys.readouterr().err.strip() == (
        "voiceprep: no session 99; `voiceprep sessions list` shows the sessions there are"
    )


@pytest.mark.audio
def test_play_sends_the_recording_to_the_speaker(archive, virtual_audio, transcriber, capsys):
    _, session_id, (first_id, _) = archive
    virtual_audio.speaker.unlink(missing_ok=True)
    assert main(["sessions", "show", str(session_id), "--play", "--answer", "1"]) == 0
    assert f"Played answer {first_id}" in capsys.readouterr().out
    heard = transcriber.transcribe(virtual_audio.heard_by_speaker()).text.lower()
    assert "watermarking" in heard


def test_play_without_a_speaker_says_so(archive, tmp_path):
    _, session_id, _ = archive
    no_sound_card = {**os.environ, "HOME": str(tmp_path)}  # no .asoundrc: no devices at all
    done = subprocess.run(
        [sys.executable, "-m", "voiceprep.cli", "sessions", "show", str(session_id), "--play"],
        env=no_sound_card, capture_output=True, text=True, timeout=60, check=False,
    )
    assert done.returncode == 2
    assert done.stderr.startswith("voiceprep: no speaker or headphones found") and done.stderr.count("\n") == 1


def test_play_of_an_answer_that_is_not_there_names_the_range(archive, capsys):
    _, session_id, _ = archive
    assert main(["sessions", "show", str(session_id), "--play", "--answer", "3"]) == 2
    assert "has 2 answer(s); pick --answer between 1 and 2" in capsys.readouterr().err


def test_forget_a_session_leaves_no_row_no_recording_and_no_trace_in_the_database(archive):
    store, session_id, _ = archive
    store.close()
    store = Store(store.data_dir)  # a later run, as `voiceprep forget` is: the answers are in the main file now
    folder = store.recordings / f"session-{session_id}"
    left_by_a_crash = folder / "int-05-partial.wav"  # a recording whose row was never written
    left_by_a_crash.write_bytes(b"RIFF")
    assert len(list(folder.iterdir())) == 3

    forgotten = forget_session(store, session_id)

    assert (forgotten.sessions, forgotten.answers, len(forgotten.files_removed)) == (1, 2, 3)
    assert not folder.exists()
    assert list(store.recordings.rglob("*")) == []
    on_disk = b"".join(p.read_bytes() for p in store.data_dir.glob("voiceprep.db*"))
    assert b"watermarking, but we did not" not in on_disk  # the freed pages were zeroed, not just unlinked
    store.close()
    reopened = sqlite3.connect(store.path)
    assert reopened.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert [reopened.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in ("sessions", "answers", "answer_points")] == [0, 0, 0]
    reopened.close()
    assert Store(store.data_dir).answers() == []


def test_forget_one_answer_keeps_the_rest_of_the_session(archive):
    store, session_id, (first_id, second_id) = archive
    recording = store.answer(first_id).audio_path
    forgotten = forget_answer(store, first_id)
    assert forgotten.files_removed == (recording,)
    assert [a.id for a in store.answers(session_id=session_id)] == [second_id]
    assert store.db.execute("SELECT COUNT(*) FROM answer_points WHERE answer_id = ?", (first_id,)).fetchone()[0] == 0
    assert Path(store.answer(second_id).audio_path).is_file()


def test_forget_asks_first_and_keeps_everything_unless_confirmed(archive, monkeypatch, capsys):
    store, session_id, _ = archive
    monkeypatch.setattr(sys, "stdin", io.StringIO("n\n"))
    assert main(["forget", str(session_id)]) == 1
    assert "Nothing forgotten." in capsys.readouterr().out
    assert len(store.answers(session_id=session_id)) == 2

    monkeypatch.setattr(sys, "stdin", io.StringIO(""))  # no one to answer: never delete
    assert main(["forget", str(session_id)]) == 1
    assert len(store.answers(session_id=session_id)) == 2

    monkeypatch.setattr(sys, "stdin", io.StringIO("y\n"))
    assert main(["forget", str(session_id)]) == 0
    assert "Forgot 2 answer(s) and removed 2 recording file(s)." in capsys.readouterr().out
    assert store.session(session_id) is None


def test_forget_answer_by_id_with_yes(archive, capsys):
    store, _, (first_id, _) = archive
    assert main(["forget", "--answer", str(first_id), "--yes"]) == 0
    assert store.answer(first_id) is None
    assert main(["forget", "--answer", str(first_id), "--yes"]) == 2
    assert f"no answer {first_id}" in capsys.readouterr().err


def test_forget_never_deletes_a_file_outside_the_archive(archive, tmp_path):
    store, _, (first_id, _) = archive
    elsewhere = tmp_path / "my-own-take.wav"
    elsewhere.write_bytes(b"RIFF")
    store.db.execute("UPDATE answers SET audio_path = ? WHERE id = ?", (str(elsewhere), first_id))
    forgotten = forget_answer(store, first_id)
    assert elsewhere.is_file()
    assert (forgotten.files_removed, forgotten.files_kept) == ((), (str(elsewhere),))


def test_a_point_heard_in_an_answer_about_something_else_is_listed_as_unclear(private_data_dir, speech):
    store = Store(private_data_dir)
    question = load_bank(REPO / "questions" / "ai-cybersecurity-analyst.toml").question("int-05")
    said = "Our photographers watermark every picture before it goes on the website, and the brochures too."
    answer_id = archive_answer(store, question, said, "2026-03-02T09:00:00+00:00", speech(SPOKEN))
    review = review_session(store, store.answer(answer_id).session_id)
    store.close()
    answer = review.answers[0]
    assert [(p.label, p.evidence) for p in answer.doubtful] == [("watermarking", "watermark")]
    assert "watermarking" not in answer.missed and answer.points == len(question.points)
    assert 'Unclear, not credited: watermarking ("watermark")' in format_session(review)


def test_a_point_said_only_for_another_idea_is_listed_apart_from_the_missed(private_data_dir, speech):
    store = Store(private_data_dir)
    question = Question("int-05", "Intermediate", "How do you defend a model API?", "...", (
        KeyPoint("watermarking", near_misses=("watermark PDFs",)), KeyPoint("rate limiting"),
    ))
    answer_id = archive_answer(store, question, "We watermark the PDFs we send out.", "2026-03-02T09:00:00+00:00",
                               speech(SPOKEN))
    session_id = store.answer(answer_id).session_id
    review = review_session(store, session_id)
    markdown, page = (render(session_report(store, session_id), fmt, embed_audio=False) for fmt in ("md", "html"))
    store.close()
    answer = review.answers[0]
    assert answer.missed == ("rate limiting",) and not answer.covered and not answer.denied
    assert [(p.label, p.evidence) for p in answer.near_misses] == [("watermarking", "watermark")]
    assert 'Another idea, not credited: watermarking ("watermark")' in format_session(review)
    assert answer.points == 2
    assert "- Another idea, not credited: watermarking (“watermark”)" in markdown
    assert "Another idea, not credited: watermarking (“watermark”)" in page
