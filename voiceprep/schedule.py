"""Choosing which questions a session asks: by hand, spaced repetition, retries, mock interviews.

Pure: the history comes in as Attempts (from Store.scored_answers), the clock as an argument.

Spaced repetition (`due_questions`): after each answer a question waits a number of days
that grows with how well it went:

    last coverage below 50%        1 day
    50% up to 80%                  3 days
    80% or more                    7 days x 2^(good streak - 1), at most 60 days

where the good streak counts the question's latest answers in a row at 80% or more. So a
weak answer comes back the next day, a half-good one within the week, and a question
answered well three times running waits four weeks. A session asks the due questions
first (longest overdue first, then lowest coverage), then questions never answered, in
bank order: reviews protect what was learned before new material is added.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from voiceprep.bank import Bank, Question
from voiceprep.errors import VoiceprepError
from voiceprep.store import AnswerRow

POOR_COVERAGE = 0.5
GOOD_COVERAGE = 0.8
POOR_INTERVAL_DAYS = 1
PARTIAL_INTERVAL_DAYS = 3
GOOD_INTERVAL_DAYS = 7
MAX_INTERVAL_DAYS = 60


@dataclass(frozen=True)
class Attempt:
    """One scored answer, as the scheduler needs it."""

    question_id: str
    session_id: int | None
    answered_at: datetime
    coverage: float
    missed: tuple[str, ...] = ()  # labels of the key points not covered


def attempts_from_rows(rows: Iterable[AnswerRow]) -> list[Attempt]:
    """Attempts from the archive's AnswerRows (those without a coverage are skipped)."""
    attempts = []
    for row in rows:
        if row.coverage is None:
            continue
        points = (row.result or {}).get("points", [])
        attempts.append(Attempt(
            row.question_id, row.session_id, datetime.fromisoformat(row.started_at), row.coverage,
            tuple(p["label"] for p in points if not p["covered"]),
        ))
    return attempts


def select_questions(
    bank: Bank,
    ids: Sequence[str] = (),
    section: str | None = None,
    count: int | None = None,
    shuffle: bool = False,
    rng: random.Random | None = None,
) -> list[Question]:
    """Questions by id (in the order given), else by section, else the whole bank; then shuffled and cut to `count`."""
    _check_count(count)
    if ids:
        chosen = [bank.question(i) for i in ids]
    else:
        chosen = _pool(bank, section)
    if shuffle:
        (rng or random.Random()).shuffle(chosen)
    return chosen[:count] if count else chosen


@dataclass(frozen=True)
class Selection:
    """Which questions a session asks: the practice command's selection options."""

    how: str = "pick"  # pick (ids, else section, else all), due, retry-missed, mock
    ids: Sequence[str] = ()
    section: str | None = None
    count: int | None = None
    shuffle: bool = False


DEFAULT_COUNT = 3
MOCK_COUNT = 6  # one question per section of the shipped bank


def choose_questions(
    bank: Bank, selection: Selection, attempts: Sequence[Attempt], now: datetime, rng: random.Random | None = None,
) -> list[Question]:
    """The session's questions; a VoiceprepError saying why when there are none to ask."""
    if selection.how == "mock":
        if selection.section or selection.ids:
            raise VoiceprepError("--mock mixes every section; leave out --section and --ids")
        return mock_interview(bank, attempts, MOCK_COUNT if selection.count is None else selection.count, rng)
    # Ids named one by one are all asked unless --count says otherwise.
    default = len(selection.ids) if selection.ids and selection.how == "pick" else DEFAULT_COUNT
    count = default if selection.count is None else selection.count
    if selection.how == "retry-missed":
        chosen = missed_in_last_session(bank, attempts, count, selection.section)
        if not chosen:
            raise VoiceprepError("nothing to retry: your last session covered every key point; try --due")
        return chosen
    if selection.how == "due":
        chosen = due_questions(bank, attempts, now, count, selection.section)
        if not chosen:
            question, when = next_due(bank, attempts, selection.section)
            raise VoiceprepError(f"nothing is due until {when:%Y-%m-%d} ({question.id}); practise others with --section or --ids")
        return chosen
    return select_questions(bank, selection.ids, selection.section, count, selection.shuffle, rng)


def interval_days(coverage: float, good_streak: int) -> int:
    """Days until a question is due again, after an answer with this coverage (rule above)."""
    if coverage < POOR_COVERAGE:
        return POOR_INTERVAL_DAYS
    if coverage < GOOD_COVERAGE:
        return PARTIAL_INTERVAL_DAYS
    return min(MAX_INTERVAL_DAYS, GOOD_INTERVAL_DAYS * 2 ** max(0, good_streak - 1))


def due_at(history: Sequence[Attempt]) -> datetime:
    """When a question with this (non-empty) history is due again."""
    ordered = sorted(history, key=lambda a: a.answered_at)
    streak = 0
    for attempt in reversed(ordered):
        if attempt.coverage < GOOD_COVERAGE:
            break
        streak += 1
    last = ordered[-1]
    return last.answered_at + timedelta(days=interval_days(last.coverage, streak))


def due_questions(
    bank: Bank, attempts: Sequence[Attempt], now: datetime, count: int | None = None, section: str | None = None,
) -> list[Question]:
    """Questions due for review (most overdue first), then new ones in bank order; cut to `count`."""
    _check_count(count)
    history = _by_question(attempts)
    pool = _pool(bank, section)
    reviews = [q for q in pool if q.id in history and due_at(history[q.id]) <= now]
    reviews.sort(key=lambda q: (due_at(history[q.id]), _last(history[q.id]).coverage))
    new = [q for q in pool if q.id not in history]
    chosen = reviews + new
    return chosen[:count] if count else chosen


def next_due(bank: Bank, attempts: Sequence[Attempt], section: str | None = None) -> tuple[Question, datetime] | None:
    """The question that falls due first, and when (None if none was ever answered)."""
    history = _by_question(attempts)
    answered = [(q, due_at(history[q.id])) for q in _pool(bank, section) if q.id in history]
    return min(answered, key=lambda pair: pair[1], default=None)


def missed_in_last_session(
    bank: Bank, attempts: Sequence[Attempt], count: int | None = None, section: str | None = None,
) -> list[Question]:
    """Questions of the latest session that left key points uncovered, in the order asked."""
    _check_count(count)
    sessions = [a.session_id for a in attempts if a.session_id is not None]
    if not sessions:
        raise VoiceprepError(f"no practice session of bank '{bank.id}' has been scored yet; practise first, then use --retry-missed")
    last = max(sessions)
    known = {q.id for q in _pool(bank, section)}
    chosen: list[Question] = []
    for attempt in sorted((a for a in attempts if a.session_id == last), key=lambda a: a.answered_at):
        if attempt.missed and attempt.question_id in known and all(q.id != attempt.question_id for q in chosen):
            chosen.append(bank.question(attempt.question_id))
    return chosen[:count] if count else chosen


def mock_interview(
    bank: Bank, attempts: Sequence[Attempt], count: int, rng: random.Random | None = None,
) -> list[Question]:
    """`count` questions spread over the sections, asked in the bank's order of sections.

    Sections are taken evenly from first (easiest) to last, so three questions of six
    sections come from the first, a middle and the last one; more questions than
    sections take further rounds. Within a section, questions practised least (never,
    then longest ago) come first, ties broken at random.
    """
    _check_count(count)
    rng = rng or random.Random()
    history = _by_question(attempts)
    sections = [s for s in bank.sections if any(q.section == s for q in bank.questions)]
    queues = {s: _least_practised([q for q in bank.questions if q.section == s], history, rng) for s in sections}
    picks: dict[str, int] = defaultdict(int)
    for section in _spread(sections, min(count, len(bank.questions)), queues):
        picks[section] += 1
    return [q for s in sections for q in queues[s][: picks[s]]]


def _spread(sections: list[str], count: int, queues: dict[str, list[Question]]) -> list[str]:
    """Which section each of `count` questions comes from: evenly spaced, round after round."""
    chosen: list[str] = []
    remaining = {s: len(queues[s]) for s in sections}
    while len(chosen) < count:
        open_sections = [s for s in sections if remaining[s]]
        take = min(count - len(chosen), len(open_sections))
        step = (len(open_sections) - 1) / (take - 1) if take > 1 else 0
        for i in range(take):
            section = open_sections[round(i * step)]
            chosen.append(section)
            remaining[section] -= 1
    return chosen


def _least_practised(questions: list[Question], history: dict[str, list[Attempt]], rng: random.Random) -> list[Question]:
    shuffled = list(questions)
    rng.shuffle(shuffled)
    return sorted(shuffled, key=lambda q: (q.id in history, _last(history[q.id]).answered_at if q.id in history else None))


def _pool(bank: Bank, section: str | None) -> list[Question]:
    return list(bank.in_section(section)) if section else list(bank.questions)


def _by_question(attempts: Sequence[Attempt]) -> dict[str, list[Attempt]]:
    history: dict[str, list[Attempt]] = defaultdict(list)
    for attempt in attempts:
        history[attempt.question_id].append(attempt)
    return history


def _last(history: Sequence[Attempt]) -> Attempt:
    return max(history, key=lambda a: a.answered_at)


def _check_count(count: int | None) -> None:
    if count is not None and count < 1:
        raise VoiceprepError("--count must be at least 1")
