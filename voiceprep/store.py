"""The archive: one SQLite database in the data dir, recordings beside it.

Schema changes are small numbered functions applied in order on every open and recorded
in `migrations`, so an old archive is brought up to date and applying twice is harmless.
Every answer is committed the moment it is recorded, then updated once scored, so a crash
or Ctrl-C never loses an answer that was already spoken.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from voiceprep.errors import VoiceprepError

DATABASE_NAME = "voiceprep.db"
RECORDINGS_DIR = "recordings"
BUSY_SECONDS = 10  # how long a session waits for another one that is writing


def _run_script(db: sqlite3.Connection, script: str) -> None:
    """Statements one by one: executescript() would commit the migration's transaction early."""
    for statement in script.split(";"):
        if statement.strip():
            db.execute(statement)


def _m001_initial(db: sqlite3.Connection) -> None:
    _run_script(
        db,
        """
        CREATE TABLE sessions (
            id INTEGER PRIMARY KEY,
            started_at TEXT NOT NULL,
            ended_at TEXT,
            bank_id TEXT NOT NULL,
            mode TEXT NOT NULL DEFAULT 'practice'
        );
        CREATE TABLE answers (
            id INTEGER PRIMARY KEY,
            session_id INTEGER REFERENCES sessions(id) ON DELETE CASCADE,
            bank_id TEXT NOT NULL,
            question_id TEXT NOT NULL,
            section TEXT NOT NULL,
            prompt TEXT NOT NULL,
            started_at TEXT NOT NULL,
            status TEXT NOT NULL,
            audio_path TEXT,
            audio_seconds REAL,
            transcript TEXT,
            coverage REAL,
            result_json TEXT,
            metrics_json TEXT
        );
        CREATE INDEX answers_by_question ON answers(bank_id, question_id, started_at);
        CREATE TABLE answer_points (
            answer_id INTEGER REFERENCES answers(id) ON DELETE CASCADE,
            label TEXT NOT NULL,
            covered INTEGER NOT NULL,
            confidence REAL NOT NULL
        );
        """
    )


def _m002_recordings_relative_to_the_data_dir(db: sqlite3.Connection) -> None:
    # Absolute paths broke every recording of an archive that was moved, restored from a
    # backup or reached under another mount point; recordings always live in recordings/.
    for separator in ("/", "\\"):
        marker = f"{separator}{RECORDINGS_DIR}{separator}"
        db.execute(
            "UPDATE answers SET audio_path = substr(audio_path, instr(audio_path, ?) + 1) WHERE instr(audio_path, ?) > 0",
            (marker, marker),
        )


MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [_m001_initial, _m002_recordings_relative_to_the_data_dir]


@dataclass(frozen=True)
class AnswerRow:
    id: int
    session_id: int | None
    bank_id: str
    question_id: str
    section: str
    prompt: str
    started_at: str
    status: str
    audio_path: str | None
    audio_seconds: float | None
    transcript: str | None
    coverage: float | None
    result: dict[str, Any] | None
    metrics: dict[str, Any] | None


@dataclass(frozen=True)
class SessionRow:
    id: int
    started_at: str
    ended_at: str | None
    bank_id: str
    mode: str
    answers: int
    mean_coverage: float | None


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class Store:
    """The archive in one data dir."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.path = data_dir / DATABASE_NAME
        self.recordings = data_dir / RECORDINGS_DIR
        self.notices: list[str] = []  # things the user should hear about, e.g. a damaged archive set aside
        self._prepare_dirs()
        self.db = self._open()

    def _prepare_dirs(self) -> None:
        try:
            self.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
            self.recordings.mkdir(exist_ok=True, mode=0o700)
        except OSError as error:
            raise VoiceprepError(
                f"cannot create the data dir {self.data_dir} ({error.strerror}); "
                "choose a writable one with --data-dir or VOICEPREP_DATA_DIR"
            ) from None

    def _open(self) -> sqlite3.Connection:
        try:
            return self._connect()
        except sqlite3.DatabaseError as error:
            if not _is_corruption(error):
                raise VoiceprepError(
                    f"cannot write the archive {self.path} ({error}); check that the data dir is writable "
                    "and has free space, or choose another with --data-dir"
                ) from None
            kept = self._set_aside()
        self.notices.append(
            f"the archive {self.path.name} was damaged; it is kept as {kept.name} and a new one was started"
        )
        return self._connect()

    def _connect(self) -> sqlite3.Connection:
        old_umask = os.umask(0o077)  # recordings and transcripts are the user's alone
        try:
            db = sqlite3.connect(self.path, timeout=BUSY_SECONDS, isolation_level=None)
            try:
                db.row_factory = sqlite3.Row
                db.execute("PRAGMA foreign_keys = ON")
                _use_wal(db)
                if db.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                    raise sqlite3.DatabaseError("database disk image is malformed")
                self._migrate(db)
            except BaseException:
                db.close()
                raise
        finally:
            os.umask(old_umask)
        return db

    def _set_aside(self) -> Path:
        """Rename a damaged database (and its journal files) so nothing overwrites it."""
        name = f"{self.path.stem}.damaged-{datetime.now(timezone.utc).strftime('%Y%m%dT%H%M%S')}"
        kept, copy = self.path.with_name(name + self.path.suffix), 1
        while kept.exists():  # one set aside in the same second: rename() would replace it
            copy += 1
            kept = self.path.with_name(f"{name}-{copy}{self.path.suffix}")
        self.path.rename(kept)
        for suffix in ("-wal", "-shm"):
            journal = self.path.with_name(self.path.name + suffix)
            if journal.exists():
                journal.rename(kept.with_name(kept.name + suffix))
        return kept

    def check_room(self, needed_bytes: int) -> None:
        """Fail before recording, not after, when the data dir cannot take an answer."""
        probe = self.recordings / ".write-test"
        try:
            probe.write_bytes(b"")
            probe.unlink()
        except OSError as error:
            raise VoiceprepError(
                f"cannot write recordings to {self.recordings} ({error.strerror}); "
                "make it writable or choose another data dir with --data-dir"
            ) from None
        free = shutil.disk_usage(self.recordings).free
        if free < needed_bytes:
            raise VoiceprepError(
                f"only {free / 1e6:.1f} MB free in {self.recordings}, an answer needs up to "
                f"{needed_bytes / 1e6:.0f} MB; free some space or choose another data dir with --data-dir"
            )

    def _migrate(self, db: sqlite3.Connection) -> None:
        # Checked and applied under one write lock: two sessions opening a new archive at
        # once would otherwise both try to create its tables.
        with _transaction(db):
            db.execute("CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
            applied = {row[0] for row in db.execute("SELECT name FROM migrations")}
            for migration in MIGRATIONS:
                if migration.__name__ not in applied:
                    migration(db)
                    db.execute("INSERT INTO migrations VALUES (?, ?)", (migration.__name__, now()))

    def close(self) -> None:
        self.db.close()

    def start_session(self, bank_id: str, mode: str = "practice") -> int:
        with _transaction(self.db):
            cursor = self.db.execute(
                "INSERT INTO sessions (started_at, bank_id, mode) VALUES (?, ?, ?)", (now(), bank_id, mode)
            )
        return int(cursor.lastrowid)

    def end_session(self, session_id: int) -> None:
        with _transaction(self.db):
            self.db.execute("UPDATE sessions SET ended_at = ? WHERE id = ?", (now(), session_id))

    def recording_path(self, session_id: int | None, question_id: str, started_at: str) -> Path:
        """Where an answer's audio goes; question ids are validated, so this stays inside the data dir."""
        stamp = started_at.replace(":", "").replace("+0000", "").replace("-", "")
        folder = self.recordings / (f"session-{session_id}" if session_id else "scored")
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        path = folder / f"{question_id}-{stamp}.wav"
        path.touch(mode=0o600)  # created private; the recorder then writes into it
        return path

    def add_answer(
        self, session_id: int | None, bank_id: str, question_id: str, section: str, prompt: str,
        started_at: str, audio_path: Path | None, audio_seconds: float | None, status: str = "recorded",
    ) -> int:
        """Commit an answer as soon as its recording exists, before it is transcribed."""
        with _transaction(self.db):
            cursor = self.db.execute(
                """INSERT INTO answers (session_id, bank_id, question_id, section, prompt, started_at,
                   status, audio_path, audio_seconds) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                (session_id, bank_id, question_id, section, prompt, started_at, status,
                 self._stored_path(audio_path), audio_seconds),
            )
        return int(cursor.lastrowid)

    def _stored_path(self, audio_path: Path | None) -> str | None:
        """Relative to the data dir when inside it, so the archive can be moved whole."""
        if audio_path is None:
            return None
        try:
            return audio_path.resolve().relative_to(self.data_dir.resolve()).as_posix()
        except ValueError:
            return str(audio_path)

    def _answer_row(self, row: sqlite3.Row) -> AnswerRow:
        answer = _row_to_answer(row)
        if answer.audio_path and not Path(answer.audio_path).is_absolute():
            return replace(answer, audio_path=str(self.data_dir / answer.audio_path))
        return answer

    def save_score(self, answer_id: int, result: Any, metrics: dict[str, Any] | None = None, status: str = "scored") -> None:
        """Store an answer's transcript and score (a scoring.ScoreResult)."""
        with _transaction(self.db):
            self.db.execute(
                "UPDATE answers SET status = ?, transcript = ?, coverage = ?, result_json = ?, metrics_json = ? WHERE id = ?",
                (status, result.transcript, result.coverage, json.dumps(asdict(result)),
                 json.dumps(metrics) if metrics is not None else None, answer_id),
            )
            self.db.execute("DELETE FROM answer_points WHERE answer_id = ?", (answer_id,))
            self.db.executemany(
                "INSERT INTO answer_points VALUES (?, ?, ?, ?)",
                [(answer_id, p.label, int(p.covered), p.confidence) for p in result.points],
            )

    def set_status(self, answer_id: int, status: str) -> None:
        with _transaction(self.db):
            self.db.execute("UPDATE answers SET status = ? WHERE id = ?", (status, answer_id))

    def answers(self, session_id: int | None = None, question_id: str | None = None) -> list[AnswerRow]:
        clauses, params = [], []
        if session_id is not None:
            clauses.append("session_id = ?")
            params.append(session_id)
        if question_id is not None:
            clauses.append("question_id = ?")
            params.append(question_id)
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        rows = self.db.execute(f"SELECT * FROM answers {where} ORDER BY id", params)
        return [self._answer_row(r) for r in rows]

    def answer(self, answer_id: int) -> AnswerRow | None:
        row = self.db.execute("SELECT * FROM answers WHERE id = ?", (answer_id,)).fetchone()
        return self._answer_row(row) if row else None

    def sessions(self, limit: int | None = None) -> list[SessionRow]:
        rows = self.db.execute(
            """SELECT s.*, COUNT(a.id) AS answers, AVG(a.coverage) AS mean_coverage
               FROM sessions s LEFT JOIN answers a ON a.session_id = s.id
               GROUP BY s.id ORDER BY s.id DESC LIMIT ?""",
            (limit if limit is not None else -1,),
        )
        return [
            SessionRow(r["id"], r["started_at"], r["ended_at"], r["bank_id"], r["mode"], r["answers"], r["mean_coverage"])
            for r in rows
        ]

    def session(self, session_id: int) -> SessionRow | None:
        """One session with its answer count and mean coverage, or None."""
        return next((s for s in self.sessions() if s.id == session_id), None)

    def answers_between(self, start: str | None = None, end: str | None = None) -> list[AnswerRow]:
        """Answers started at or after `start` and before `end` (ISO timestamps; None is open), oldest first."""
        rows = self.db.execute(
            "SELECT * FROM answers WHERE started_at >= ? AND started_at < ? ORDER BY started_at, id",
            (start or "", end or "\uffff"),
        )
        return [self._answer_row(r) for r in rows]

    def delete_session(self, session_id: int) -> list[Path]:
        """Delete a session and its answers; returns their recordings, for the caller to remove."""
        paths = [Path(a.audio_path) for a in self.answers(session_id=session_id) if a.audio_path]
        with _erasing(self.db):
            self.db.execute("DELETE FROM sessions WHERE id = ?", (session_id,))  # answers and points cascade
        return paths

    def delete_answer(self, answer_id: int) -> Path | None:
        """Delete one answer; returns its recording, for the caller to remove."""
        row = self.answer(answer_id)
        with _erasing(self.db):
            self.db.execute("DELETE FROM answers WHERE id = ?", (answer_id,))
        return Path(row.audio_path) if row and row.audio_path else None

    def scored_answers(self, bank_id: str) -> list[AnswerRow]:
        """Every answer to this bank that has a coverage, oldest first: the history schedule.py works from."""
        rows = self.db.execute(
            "SELECT * FROM answers WHERE bank_id = ? AND coverage IS NOT NULL ORDER BY started_at, id", (bank_id,)
        )
        return [self._answer_row(r) for r in rows]


def _is_corruption(error: sqlite3.DatabaseError) -> bool:
    """A damaged file, as opposed to one we may not write (read-only, disk full, locked)."""
    message = str(error).lower()
    return "not a database" in message or "malformed" in message


def _row_to_answer(row: sqlite3.Row) -> AnswerRow:
    return AnswerRow(
        id=row["id"], session_id=row["session_id"], bank_id=row["bank_id"], question_id=row["question_id"],
        section=row["section"], prompt=row["prompt"], started_at=row["started_at"], status=row["status"],
        audio_path=row["audio_path"], audio_seconds=row["audio_seconds"], transcript=row["transcript"],
        coverage=row["coverage"],
        result=json.loads(row["result_json"]) if row["result_json"] else None,
        metrics=json.loads(row["metrics_json"]) if row["metrics_json"] else None,
    )


def _use_wal(db: sqlite3.Connection) -> None:
    """Write-ahead logging, so a second session reads while one writes.

    Switching to it needs the file to itself, and SQLite fails that at once rather than
    waiting, so a session opening at the same moment as another tries again.
    """
    deadline = time.monotonic() + BUSY_SECONDS
    while True:
        try:
            db.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


@contextmanager
def _transaction(db: sqlite3.Connection) -> Iterator[None]:
    db.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


@contextmanager
def _erasing(db: sqlite3.Connection) -> Iterator[None]:
    """A deleting transaction that leaves nothing readable behind: freed pages are zeroed, the WAL emptied."""
    db.execute("PRAGMA secure_delete = ON")
    with _transaction(db):
        yield
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
