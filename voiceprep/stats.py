"""Progress over the archive: coverage per section per week, weakest questions, points most
often missed, the practice streak. Pure: works on store rows, never opens the database.

Days and weeks are the user's local calendar (answers are stored in UTC); a week starts on
Monday. The streak counts consecutive days with at least one answer, up to today, or up to
yesterday when nothing was practised yet today (the streak is not broken before the day ends).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from statistics import fmean

from voiceprep.store import AnswerRow

RECENT_ATTEMPTS = 3  # a question's "recent coverage" is the mean of its last few scored answers
TREND_WEEKS = 12
TOP = 5
SPARK_LEVELS = "▁▂▃▄▅▆▇█"
BAR_WIDTH = 20


@dataclass(frozen=True)
class WeekCoverage:
    week: str  # ISO date of the week's Monday
    coverage: float | None  # mean coverage of the week's scored answers; None when there were none
    answers: int


@dataclass(frozen=True)
class SectionTrend:
    section: str
    weeks: tuple[WeekCoverage, ...]  # oldest first, one per week of the trend, empty weeks included
    latest: float | None  # coverage in the most recent week with answers


@dataclass(frozen=True)
class QuestionCoverage:
    question_id: str
    section: str
    prompt: str
    recent_coverage: float
    attempts: int  # scored answers to it, ever
    last_answered: str


@dataclass(frozen=True)
class MissedPoint:
    label: str
    missed: int
    asked: int
    question_ids: tuple[str, ...]


@dataclass(frozen=True)
class Streak:
    current: int  # days
    longest: int
    last_day: str | None


@dataclass(frozen=True)
class Stats:
    answers: int
    sessions: int
    minutes: float  # of recorded answers
    days_practised: int
    streak: Streak
    sections: tuple[SectionTrend, ...]
    weakest: tuple[QuestionCoverage, ...]
    most_missed: tuple[MissedPoint, ...]


def compute_stats(
    answers: Sequence[AnswerRow], today: date, tz: tzinfo | None = None, weeks: int = TREND_WEEKS, top: int = TOP
) -> Stats:
    """Everything `voiceprep stats` shows, from the archive's answers; `tz` None is the local zone."""
    days = {_local_day(a.started_at, tz) for a in answers}
    return Stats(
        answers=len(answers),
        sessions=len({a.session_id for a in answers if a.session_id is not None}),
        minutes=round(sum(a.audio_seconds or 0.0 for a in answers) / 60, 2),
        days_practised=len(days),
        streak=practice_streak(days, today),
        sections=section_trends(answers, today, tz, weeks),
        weakest=weakest_questions(answers, top),
        most_missed=most_missed_points(answers, top),
    )


def _local_day(timestamp: str, tz: tzinfo | None) -> date:
    return datetime.fromisoformat(timestamp).astimezone(tz).date()


def _week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def practice_streak(days: set[date], today: date) -> Streak:
    """Consecutive practice days: the run reaching today (or yesterday), and the longest run."""
    longest = run = 0
    previous: date | None = None
    for day in sorted(days):
        run = run + 1 if previous is not None and day - previous == timedelta(days=1) else 1
        longest = max(longest, run)
        previous = day
    current = 0
    day = today if today in days else today - timedelta(days=1)
    while day in days:
        current += 1
        day -= timedelta(days=1)
    return Streak(current, longest, max(days).isoformat() if days else None)


def section_trends(answers: Sequence[AnswerRow], today: date, tz: tzinfo | None = None, weeks: int = TREND_WEEKS) -> tuple[SectionTrend, ...]:
    """Mean coverage per section for each of the last `weeks` weeks (or since the first answer)."""
    scored = [a for a in answers if a.coverage is not None]
    if not scored:
        return ()
    last = _week_start(today)
    first = max(min(_week_start(_local_day(a.started_at, tz)) for a in scored), last - timedelta(weeks=weeks - 1))
    week_starts = [first + timedelta(weeks=i) for i in range((last - first).days // 7 + 1)]
    by_section: dict[str, dict[date, list[float]]] = defaultdict(lambda: defaultdict(list))
    for a in scored:
        by_section[a.section][_week_start(_local_day(a.started_at, tz))].append(a.coverage)  # type: ignore[arg-type]
    trends = []
    for section, by_week in by_section.items():
        cells = tuple(
            WeekCoverage(w.isoformat(), round(fmean(by_week[w]), 4) if by_week.get(w) else None, len(by_week.get(w, [])))
            for w in week_starts
        )
        latest = by_week[max(by_week)]
        trends.append(SectionTrend(section, cells, round(fmean(latest), 4)))
    return tuple(sorted(trends, key=lambda t: t.section))


def weakest_questions(answers: Sequence[AnswerRow], top: int = TOP) -> tuple[QuestionCoverage, ...]:
    """The questions with the lowest mean coverage over their last RECENT_ATTEMPTS scored answers."""
    by_question: dict[tuple[str, str], list[AnswerRow]] = defaultdict(list)
    for a in sorted(answers, key=lambda a: (a.started_at, a.id)):
        if a.coverage is not None:
            by_question[(a.bank_id, a.question_id)].append(a)
    ranked = [
        QuestionCoverage(
            question_id=rows[-1].question_id, section=rows[-1].section, prompt=rows[-1].prompt,
            recent_coverage=round(fmean(r.coverage for r in rows[-RECENT_ATTEMPTS:]), 4),  # type: ignore[misc]
            attempts=len(rows), last_answered=rows[-1].started_at,
        )
        for rows in by_question.values()
    ]
    return tuple(sorted(ranked, key=lambda q: (q.recent_coverage, q.last_answered))[:top])


def most_missed_points(answers: Sequence[AnswerRow], top: int = TOP) -> tuple[MissedPoint, ...]:
    """Key points by how often scored answers left them out (a denied mention counts as missed)."""
    missed: Counter[str] = Counter()
    asked: Counter[str] = Counter()
    questions: dict[str, dict[str, None]] = defaultdict(dict)
    for a in answers:
        for point in (a.result or {}).get("points", []):
            asked[point["label"]] += 1
            if not point["covered"]:
                missed[point["label"]] += 1
                questions[point["label"]][a.question_id] = None
    ranked = sorted(missed, key=lambda label: (-missed[label], -missed[label] / asked[label], label))
    return tuple(MissedPoint(label, missed[label], asked[label], tuple(questions[label])) for label in ranked[:top])


def sparkline(values: Sequence[float | None]) -> str:
    """Coverage values (0..1) as block characters on a fixed scale; a gap where there is no value."""
    top = len(SPARK_LEVELS) - 1
    return "".join(" " if v is None else SPARK_LEVELS[round(min(max(v, 0.0), 1.0) * top)] for v in values)


def bar(value: float, width: int = BAR_WIDTH) -> str:
    filled = round(min(max(value, 0.0), 1.0) * width)
    return "█" * filled + "░" * (width - filled)


def format_stats(stats: Stats) -> str:
    """The stats for the terminal, with a sparkline and a bar per section."""
    if not stats.answers:
        return "No answers yet: start with `voiceprep practice`."
    streak = stats.streak
    lines = [
        f"{stats.answers} answer(s) in {stats.sessions} session(s) on {stats.days_practised} day(s), "
        + f"{stats.minutes:.1f} minute(s) of answers.",
        f"Streak: {streak.current} day(s) in a row (longest {streak.longest}; last practised {streak.last_day}).",
    ]
    if stats.sections:
        weeks = stats.sections[0].weeks
        lines += ["", f"Coverage by section, week by week ({weeks[0].week} to {weeks[-1].week}), and the latest:"]
        width = max(len(t.section) for t in stats.sections)
        for t in stats.sections:
            latest = f"{t.latest:4.0%} {bar(t.latest)}" if t.latest is not None else "   -"
            lines.append(f"  {t.section:<{width}}  {sparkline([w.coverage for w in t.weeks])}  {latest}")
    if stats.weakest:
        lines += ["", f"Weakest questions (mean of the last {RECENT_ATTEMPTS} answers):"]
        lines += [
            f"  {q.question_id:<8} {q.recent_coverage:4.0%}  {q.attempts} answer(s)  {q.prompt}" for q in stats.weakest
        ]
    if stats.most_missed:
        lines += ["", "Points most often missed:"]
        lines += [
            f"  {p.label}: missed {p.missed} of {p.asked} ({', '.join(p.question_ids)})" for p in stats.most_missed
        ]
    return "\n".join(lines)


@dataclass(frozen=True)
class SessionCoverage:
    session_id: int
    started_at: str  # the session's first answer
    coverage: float  # mean over its scored answers
    answers: int


def coverage_by_session(answers: Sequence[AnswerRow]) -> tuple[SessionCoverage, ...]:
    """Mean coverage of each session's scored answers, oldest session first: the progress line."""
    by_session: dict[int, list[AnswerRow]] = defaultdict(list)
    for a in answers:
        if a.session_id is not None and a.coverage is not None:
            by_session[a.session_id].append(a)
    points = [
        SessionCoverage(sid, min(r.started_at for r in rows), round(fmean(r.coverage for r in rows), 4), len(rows))  # type: ignore[misc]
        for sid, rows in by_session.items()
    ]
    return tuple(sorted(points, key=lambda p: (p.started_at, p.session_id)))
