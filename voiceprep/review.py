"""Looking back at archived answers: what was said and scored, hearing it again, forgetting it.

The reviews are built from store rows alone (no bank needed), so an answer stays reviewable
after its bank changed or was removed. Playback imports the audio libraries only when asked.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from voiceprep.errors import VoiceprepError
from voiceprep.store import AnswerRow, SessionRow, Store

NOT_CREDITED = ("denied", "near_miss", "doubtful")  # a stored point's flags for words heard but not credited


@dataclass(frozen=True)
class PointEvidence:
    """A key point found in the transcript: credited, or mentioned only in a denial."""

    label: str
    evidence: str | None  # the transcript words that matched
    span: tuple[int, int] | None  # character offsets of the evidence in the transcript
    time_span: tuple[float, float] | None  # seconds into the recording
    confidence: float


@dataclass(frozen=True)
class Segment:
    """A piece of a transcript: plain text, or the evidence for the key point `label`."""

    text: str
    label: str | None = None


@dataclass(frozen=True)
class AnswerReview:
    id: int
    session_id: int | None
    question_id: str
    section: str
    prompt: str
    started_at: str
    status: str
    audio_path: str | None
    audio_seconds: float | None
    audio_bytes: int | None  # size of the recording on disk; None when it is missing
    transcript: str | None
    coverage: float | None
    covered: tuple[PointEvidence, ...]
    missed: tuple[str, ...]  # labels never mentioned
    denied: tuple[PointEvidence, ...]  # mentioned only in a negated clause, so not credited
    near_misses: tuple[PointEvidence, ...]  # its words said only for another idea ("DNS poisoning"), so not credited
    doubtful: tuple[PointEvidence, ...]  # its words heard where the point is seldom meant (the plausibility check)
    skipped_steps: tuple[str, ...]
    out_of_order: tuple[str, ...]
    metrics: dict[str, Any] | None

    @property
    def points(self) -> int:
        return len(self.covered) + len(self.missed) + sum(len(points) for _, points in self.not_credited)

    @property
    def not_credited(self) -> tuple[tuple[str, tuple[PointEvidence, ...]], ...]:
        """Points mentioned yet not credited, under the heading each kind is listed with."""
        return (
            ("Denied, not credited", self.denied),
            ("Another idea, not credited", self.near_misses),
            ("Unclear, not credited", self.doubtful),
        )

    def segments(self) -> list[Segment]:
        """The transcript cut into plain text and the covered points' evidence, in order."""
        return highlight(self.transcript or "", self.covered)


@dataclass(frozen=True)
class SessionReview:
    session: SessionRow
    answers: tuple[AnswerReview, ...]


@dataclass(frozen=True)
class Forgotten:
    """What `forget` removed."""

    sessions: int
    answers: int
    files_removed: tuple[str, ...]
    files_kept: tuple[str, ...] = ()  # recordings outside the archive's folder: never deleted, listed for the user


def review_answer(row: AnswerRow) -> AnswerReview:
    """An archived answer with its score split into covered and missed points, and those heard but not credited."""
    result = row.result or {}
    points = result.get("points", [])
    path = Path(row.audio_path) if row.audio_path else None
    return AnswerReview(
        id=row.id, session_id=row.session_id, question_id=row.question_id, section=row.section, prompt=row.prompt,
        started_at=row.started_at, status=row.status, audio_path=row.audio_path, audio_seconds=row.audio_seconds,
        audio_bytes=path.stat().st_size if path and path.is_file() else None,
        transcript=row.transcript, coverage=row.coverage,
        covered=tuple(_evidence(p) for p in points if p["covered"]),
        missed=tuple(p["label"] for p in points if not p["covered"] and not any(p.get(k) for k in NOT_CREDITED)),
        denied=tuple(_evidence(p) for p in points if not p["covered"] and p.get("denied")),
        near_misses=tuple(_evidence(p) for p in points if not p["covered"] and p.get("near_miss")),
        doubtful=tuple(_evidence(p) for p in points if not p["covered"] and p.get("doubtful")),
        skipped_steps=tuple(result.get("skipped_steps", ())),
        out_of_order=tuple(result.get("out_of_order", ())),
        metrics=row.metrics,
    )


def _evidence(point: dict[str, Any]) -> PointEvidence:
    span, time_span = point.get("span"), point.get("time_span")
    return PointEvidence(
        label=point["label"], evidence=point.get("evidence"), span=tuple(span) if span else None,
        time_span=tuple(time_span) if time_span else None, confidence=point.get("confidence", 0.0),
    )


def review_session(store: Store, session_id: int) -> SessionReview:
    """A session and every answer in it, or a clear error when there is no such session."""
    session = store.session(session_id)
    if session is None:
        raise VoiceprepError(f"no session {session_id}; `voiceprep sessions list` shows the sessions there are")
    return SessionReview(session, tuple(review_answer(a) for a in store.answers(session_id=session_id)))


def highlight(transcript: str, points: tuple[PointEvidence, ...]) -> list[Segment]:
    """Cut a transcript at the points' evidence spans; overlapping spans merge into the first one."""
    spans = sorted((p.span, p.label) for p in points if p.span and 0 <= p.span[0] < p.span[1] <= len(transcript))
    segments: list[Segment] = []
    position = 0
    for (start, end), label in spans:
        if end <= position:
            continue
        start = max(start, position)
        if start > position:
            segments.append(Segment(transcript[position:start]))
        segments.append(Segment(transcript[start:end], label))
        position = end
    if position < len(transcript):
        segments.append(Segment(transcript[position:]))
    return segments


def format_metric(name: str, value: Any) -> str:
    """One speaking metric as 'name: value' for people (the archive keeps them as JSON)."""
    label = name.replace("_", " ")
    if isinstance(value, float):
        return f"{label}: {value:.1f}"
    if isinstance(value, dict):
        return f"{label}: " + (", ".join(f"{k} x{v}" for k, v in value.items()) or "none")
    if isinstance(value, list) and all(isinstance(v, dict) and "name" in v for v in value):
        return f"{label}: " + ", ".join(f"{v['name']} {'yes' if v.get('present') else 'no'}" for v in value)
    return f"{label}: {value if value is not None else '-'}"


def format_session(review: SessionReview, bold: bool = False) -> str:
    """A session for the terminal: evidence in ANSI bold when `bold`, else in [brackets]."""
    s = review.session
    coverage = f"{s.mean_coverage:.0%}" if s.mean_coverage is not None else "-"
    lines = [f"Session {s.id}  {s.started_at}  {s.bank_id}  {s.answers} answer(s)  coverage {coverage}"]
    for number, answer in enumerate(review.answers, start=1):
        lines += ["", *_answer_lines(number, answer, bold)]
    return "\n".join(lines)


def _answer_lines(number: int, answer: AnswerReview, bold: bool) -> list[str]:
    open_mark, close_mark = ("\033[1m", "\033[0m") if bold else ("[", "]")
    said = "".join(f"{open_mark}{s.text}{close_mark}" if s.label else s.text for s in answer.segments())
    lines = [
        f"Answer {number} (id {answer.id}) {answer.question_id} [{answer.section}]: {answer.prompt}",
        f"  Coverage: {coverage_text(answer)}; status {answer.status}",
        f"  Said: {said or '(nothing heard)'}",
        *(f"  {line}" for line in point_lines(answer)),
    ]
    if answer.metrics:
        lines.append("  Speaking: " + "; ".join(format_metric(k, v) for k, v in answer.metrics.items()))
    lines.append(f"  Audio: {_audio_note(answer)}")
    return lines


def coverage_text(answer: AnswerReview) -> str:
    """'50% (2 of 4 points)', or 'not scored'."""
    if answer.coverage is None:
        return "not scored"
    return f"{answer.coverage:.0%} ({len(answer.covered)} of {answer.points} points)"


def point_lines(answer: AnswerReview) -> list[str]:
    """The key points in full, a line each: covered, missed, those heard but not credited (with the words said), steps skipped or out of order.

    Points keep the question's order, so a procedure's missed steps come in step order.
    """
    lines = []
    if answer.covered:
        lines.append("Covered: " + ", ".join(p.label for p in answer.covered))
    if answer.missed:
        lines.append("Missed: " + ", ".join(answer.missed))
    for heading, points in answer.not_credited:
        if points:
            lines.append(f"{heading}: " + ", ".join(f'{p.label} ("{p.evidence}")' for p in points))
    if answer.skipped_steps:
        lines.append("Skipped steps: " + ", ".join(answer.skipped_steps))
    if answer.out_of_order:
        lines.append("Out of order: " + ", ".join(answer.out_of_order))
    return lines


def _audio_note(answer: AnswerReview) -> str:
    if not answer.audio_path:
        return "none"
    if answer.audio_bytes is None:
        return f"{answer.audio_path} (missing)"
    seconds = f"{answer.audio_seconds:.1f} s, " if answer.audio_seconds is not None else ""
    return f"{answer.audio_path} ({seconds}{format_size(answer.audio_bytes)})"


def format_size(size: int) -> str:
    """Bytes for people: '840 KB', '3.2 MB'."""
    return f"{size / 1e6:.1f} MB" if size >= 1e6 else f"{max(size / 1e3, 1):.0f} KB"


def play_answers(review: SessionReview, answer_number: int | None = None, device: str | None = None) -> list[AnswerReview]:
    """Play a session's recordings (or only its `answer_number`-th, counting from 1) on a speaker."""
    chosen = _chosen_answers(review, answer_number)
    playable = [a for a in chosen if a.audio_bytes is not None]
    if not playable:
        raise VoiceprepError(f"session {review.session.id} has no recording left to play; `voiceprep sessions show {review.session.id}` lists them")
    from voiceprep.audio import play, resolve_device
    from voiceprep.speech import read_wav

    speaker = resolve_device(device, "output")
    for answer in playable:
        audio = read_wav(Path(answer.audio_path))  # type: ignore[arg-type]  # playable answers have a path
        play(audio.samples, audio.samplerate, speaker)
    return playable


def _chosen_answers(review: SessionReview, answer_number: int | None) -> tuple[AnswerReview, ...]:
    if answer_number is None:
        return review.answers
    if not 1 <= answer_number <= len(review.answers):
        raise VoiceprepError(
            f"session {review.session.id} has {len(review.answers)} answer(s); pick --answer between 1 and {len(review.answers)}"
        )
    return (review.answers[answer_number - 1],)


def forget_session(store: Store, session_id: int) -> Forgotten:
    """Delete a session's rows, its recordings and its recordings folder."""
    session = store.session(session_id)
    if session is None:
        raise VoiceprepError(f"no session {session_id}; `voiceprep sessions list` shows the sessions there are")
    removed, kept = _remove_recordings(store, store.delete_session(session_id))
    folder = store.recordings / f"session-{session_id}"
    if folder.is_dir():  # also what an interrupted recording left without a row
        removed += [str(p) for p in folder.rglob("*") if p.is_file()]
        shutil.rmtree(folder)
    return Forgotten(1, session.answers, tuple(removed), tuple(kept))


def forget_answer(store: Store, answer_id: int) -> Forgotten:
    """Delete one answer's rows and its recording."""
    if store.answer(answer_id) is None:
        raise VoiceprepError(f"no answer {answer_id}; `voiceprep sessions show SESSION` shows answer ids")
    path = store.delete_answer(answer_id)
    removed, kept = _remove_recordings(store, [path] if path else [])
    return Forgotten(0, 1, tuple(removed), tuple(kept))


def _remove_recordings(store: Store, paths: list[Path]) -> tuple[list[str], list[str]]:
    """Unlink the recordings inside the archive's recordings folder; (removed, kept elsewhere)."""
    removed, kept = [], []
    for path in paths:
        if not path.resolve().is_relative_to(store.recordings.resolve()):
            kept += [str(path)] if path.exists() else []  # a row pointing elsewhere must not delete others' files
        elif path.is_file():
            path.unlink()
            removed.append(str(path))
    return removed, kept
