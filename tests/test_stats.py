"""Progress statistics over a simulated four-week history, built through the real Store and scoring."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta, timezone

import numpy as np
import pytest
from archives import EXTRACTION, INJECTION, archive_answer

from voiceprep.cli import main
from voiceprep.stats import bar, compute_stats, format_stats, practice_streak, sparkline
from voiceprep.store import Store

TODAY = date(2026, 3, 27)  # a Friday; the weeks start on Mondays 2, 9, 16 and 23 March
ANSWER_SECONDS = 15.0
# (day, question, what was said): Intermediate climbs 25% -> 50% -> (no practice) -> 100% and 50%;
# Beginner goes 0% -> (none) -> 50% and 100%.
HISTORY = [
    (date(2026, 3, 2), EXTRACTION, "I would throttle queries."),  # 1 of 4 points
    (date(2026, 3, 3), INJECTION, "It is a kind of attack."),  # 0 of 2
    (date(2026, 3, 10), EXTRACTION, "I would throttle queries and add noise to the outputs."),  # 2 of 4
    (date(2026, 3, 18), INJECTION, "The user says ignore previous instructions."),  # 1 of 2
    (date(2026, 3, 19), INJECTION, "It can ignore previous instructions and it leaks the system prompt."),  # 2 of 2
    (date(2026, 3, 25), EXTRACTION, "Throttle queries, add noise to the outputs, use watermarking and log predictions."),
    (date(2026, 3, 26), EXTRACTION, "I would throttle queries and use watermarking."),  # 2 of 4
]


def build_history(store: Store, speech, history=HISTORY) -> None:
    """One session a day at 09:00 UTC, each answer a 15 s recording of real speech."""
    clip = speech("I would throttle queries.")
    recording = np.pad(clip, (0, int(ANSWER_SECONDS * 16000) - len(clip)))
    for day, question, said in history:
        archive_answer(store, question, said, f"{day.isoformat()}T09:00:00+00:00", recording)


@pytest.fixture
def history_stats(private_data_dir, speech):
    store = Store(private_data_dir)
    build_history(store, speech)
    yield compute_stats(store.answers(), TODAY, tz=UTC)
    store.close()


def test_totals_count_answers_sessions_days_and_minutes(history_stats):
    s = history_stats
    assert (s.answers, s.sessions, s.days_practised) == (7, 7, 7)
    assert s.minutes == 7 * ANSWER_SECONDS / 60


def test_coverage_per_section_per_week_keeps_the_weeks_without_practice(history_stats):
    trends = {t.section: t for t in history_stats.sections}
    assert [w.week for w in trends["Intermediate"].weeks] == ["2026-03-02", "2026-03-09", "2026-03-16", "2026-03-23"]
    assert [w.coverage for w in trends["Intermediate"].weeks] == [0.25, 0.5, None, 0.75]
    assert [w.coverage for w in trends["Beginner"].weeks] == [0.0, None, 0.75, None]
    assert [w.answers for w in trends["Beginner"].weeks] == [1, 0, 2, 0]
    assert (trends["Intermediate"].latest, trends["Beginner"].latest) == (0.75, 0.75)


def test_the_trend_window_keeps_only_the_latest_weeks(private_data_dir, speech):
    store = Store(private_data_dir)
    build_history(store, speech)
    trend = compute_stats(store.answers(), TODAY, tz=UTC, weeks=2).sections[0]
    assert [w.week for w in trend.weeks] == ["2026-03-16", "2026-03-23"]


def test_weakest_questions_rank_by_their_last_three_answers(history_stats):
    weakest = history_stats.weakest
    # beg-04: 0%, 50%, 100% -> 50%; int-05's last three: 50%, 100%, 50% -> 67% (its first, 25%, is old news)
    assert [(q.question_id, q.recent_coverage, q.attempts) for q in weakest] == [
        ("beg-04", 0.5, 3), ("int-05", pytest.approx(0.6667, abs=1e-4), 4),
    ]


def test_points_most_often_missed_come_first(history_stats):
    assert [(p.label, p.missed, p.asked) for p in history_stats.most_missed] == [
        ("prediction logging", 3, 4),
        ("leaks the system prompt", 2, 3),  # missed as often as the next two, but in fewer answers
        ("output perturbation", 2, 4),
        ("watermarking", 2, 4),
        ("overrides system instructions", 1, 3),
    ]
    assert history_stats.most_missed[0].question_ids == ("int-05",)


def test_the_streak_counts_up_to_yesterday_until_today_is_practised(history_stats):
    assert history_stats.streak.current == 2  # 25 and 26 March; nothing yet on the 27th
    assert history_stats.streak.longest == 2
    assert history_stats.streak.last_day == "2026-03-26"


@pytest.mark.parametrize(
    ("days", "current", "longest"),
    [
        ({TODAY, TODAY - timedelta(1), TODAY - timedelta(2)}, 3, 3),
        ({TODAY - timedelta(2), TODAY - timedelta(3)}, 0, 2),  # missed yesterday: the streak is broken
        ({TODAY - timedelta(d) for d in (0, 5, 6, 7, 8)}, 1, 4),
        (set(), 0, 0),
    ],
)
def test_practice_streak(days, current, longest):
    streak = practice_streak(days, TODAY)
    assert (streak.current, streak.longest) == (current, longest)


def test_days_follow_the_users_time_zone(private_data_dir, speech):
    store = Store(private_data_dir)
    build_history(store, speech, [(date(2026, 3, 26), EXTRACTION, "I would throttle queries.")])
    store.db.execute("UPDATE answers SET started_at = '2026-03-26T23:30:00+00:00'")
    in_utc = compute_stats(store.answers(), TODAY, tz=UTC)
    east = compute_stats(store.answers(), TODAY, tz=timezone(timedelta(hours=2)))  # already the 27th there
    assert (in_utc.streak.last_day, east.streak.last_day) == ("2026-03-26", "2026-03-27")


def test_charts_use_a_fixed_scale_and_show_gaps():
    assert sparkline([0.0, 0.5, None, 1.0]) == "▁▅ █"
    assert sparkline([1.5, -1]) == "█▁"  # clamped
    assert bar(0.25, width=8) == "██░░░░░░"


def test_the_terminal_view_draws_a_sparkline_and_a_bar_per_section(history_stats):
    text = format_stats(history_stats)
    assert "7 answer(s) in 7 session(s) on 7 day(s), 1.8 minute(s) of answers." in text
    assert "Streak: 2 day(s) in a row (longest 2; last practised 2026-03-26)." in text
    assert "  Beginner      ▁ ▆    75% ███████████████░░░░░" in text
    assert "  Intermediate  ▃▅ ▆   75% ███████████████░░░░░" in text
    assert "  beg-04    50%  3 answer(s)  What is prompt injection?" in text
    assert "  prediction logging: missed 3 of 4 (int-05)" in text


def test_stats_command_prints_the_view_and_json(private_data_dir, speech, capsys):
    today = datetime.now().astimezone().date()
    store = Store(private_data_dir)
    build_history(store, speech, [
        (today, EXTRACTION, "I would throttle queries."),
        (today, EXTRACTION, "I would throttle queries and add noise to the outputs."),
    ])
    store.db.execute("UPDATE answers SET started_at = replace(started_at, 'T09:00:00+00:00', 'T12:00:00+00:00')")
    assert main(["stats"]) == 0
    out = capsys.readouterr().out
    assert "2 answer(s) in 2 session(s) on 1 day(s)" in out and "Streak: 1 day(s) in a row" in out
    assert "Intermediate" in out and "38% ████████░░░░" in out and "Weakest questions" in out
    assert main(["stats", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["answers"] == 2 and shown["sections"][0]["latest"] == 0.375
    assert shown["most_missed"][0] == {"label": "prediction logging", "missed": 2, "asked": 2, "question_ids": ["int-05"]}


def test_an_empty_archive_says_how_to_start(capsys):
    assert main(["stats"]) == 0
    assert "No answers yet" in capsys.readouterr().out
