"""The archive: migrations, answers committed before scoring, privacy of the files."""

from __future__ import annotations

import sqlite3
import stat
from pathlib import Path

import pytest

from voiceprep.bank import KeyPoint, Question
from voiceprep.errors import VoiceprepError
from voiceprep.scoring import score_answer
from voiceprep.store import MIGRATIONS, Store

QUESTION = Question("q-1", "Beginner", "What is rate limiting?", "...", (KeyPoint("rate limiting"), KeyPoint("logging")))


def test_migrations_apply_once_and_reopening_is_harmless(tmp_path):
    Store(tmp_path).close()
    store = Store(tmp_path)
    names = [r[0] for r in store.db.execute("SELECT name FROM migrations")]
    assert names == [m.__name__ for m in MIGRATIONS]


def test_an_answer_is_kept_before_it_is_scored_then_updated(tmp_path):
    store = Store(tmp_path)
    session = store.start_session("bank")
    answer_id = store.add_answer(session, "bank", "q-1", "Beginner", QUESTION.prompt, "2026-01-01T00:00:00+00:00", tmp_path / "a.wav", 3.0)
    assert Store(tmp_path).answer(answer_id).status == "recorded"  # visible to another connection at once
    store.save_score(answer_id, score_answer(QUESTION, "we use rate limiting"))
    row = store.answer(answer_id)
    assert (row.status, row.coverage, row.transcript) == ("scored", 0.5, "we use rate limiting")
    assert [p["label"] for p in row.result["points"] if p["covered"]] == ["rate limiting"]
    covered = store.db.execute("SELECT label FROM answer_points WHERE covered = 1").fetchall()
    assert [r[0] for r in covered] == ["rate limiting"]
    assert store.sessions()[0].answers == 1


def test_the_database_and_recordings_are_private_to_the_user(tmp_path):
    store = Store(tmp_path / "data")
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(store.recordings.stat().st_mode) == 0o700


def test_a_corrupt_database_is_set_aside_not_overwritten(tmp_path):
    (tmp_path / "voiceprep.db").write_bytes(b"this is not a database" * 100)
    store = Store(tmp_path)
    assert store.notices and "was damaged; it is kept as voiceprep.damaged-" in store.notices[0]
    (kept,) = tmp_path.glob("voiceprep.damaged-*.db")
    assert kept.read_bytes().startswith(b"this is not a database")
    assert store.sessions() == []


def test_an_unwritable_data_dir_is_a_clear_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(VoiceprepError, match="cannot create the data dir .* --data-dir"):
        Store(blocker / "data")


def test_recording_paths_stay_inside_the_data_dir(tmp_path):
    store = Store(tmp_path)
    path = store.recording_path(3, "int-05", "2026-01-01T10:00:00+00:00")
    assert path.parent == tmp_path / "recordings" / "session-3"
    assert sqlite3.connect(store.path).execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_an_archive_moved_elsewhere_still_finds_its_recordings(tmp_path):
    store = Store(tmp_path / "old")
    session = store.start_session("bank")
    path = store.recording_path(session, "int-05", "2026-01-01T00:00:00+00:00")
    path.write_bytes(b"RIFF")
    store.add_answer(session, "bank", "int-05", "S", "?", "2026-01-01T00:00:00+00:00", path, 1.0)
    store.close()
    (tmp_path / "old").rename(tmp_path / "new")

    moved = Store(tmp_path / "new").answers()[0]
    assert moved.audio_path == str(tmp_path / "new" / "recordings" / f"session-{session}" / path.name)
    assert Path(moved.audio_path).read_bytes() == b"RIFF"


def test_recordings_stored_with_absolute_paths_are_made_relative_by_a_migration(tmp_path):
    store = Store(tmp_path / "old")
    session = store.start_session("bank")
    store.close()
    # What an archive made before the migration holds: the data dir's absolute path.
    db = sqlite3.connect(tmp_path / "old" / "voiceprep.db")
    db.execute(
        "INSERT INTO answers (session_id, bank_id, question_id, section, prompt, started_at, status, audio_path) "
        "VALUES (?, 'bank', 'q', 'S', '?', 'now', 'scored', ?)",
        (session, str(tmp_path / "old" / "recordings" / "session-1" / "q.wav")),
    )
    db.execute("DELETE FROM migrations WHERE name = '_m002_recordings_relative_to_the_data_dir'")
    db.commit()
    db.close()
    (tmp_path / "old").rename(tmp_path / "new")

    assert Store(tmp_path / "new").answers()[0].audio_path == str(tmp_path / "new" / "recordings" / "session-1" / "q.wav")
