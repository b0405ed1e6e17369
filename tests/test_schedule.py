"""Choosing questions: spaced repetition on a simulated history of several weeks, retrying
what the last session missed (through the real archive), and mock interviews."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from itertools import pairwise

import pytest

from voiceprep.bank import find_bank
from voiceprep.errors import VoiceprepError
from voiceprep.paths import data_dir
from voiceprep.schedule import (
    Attempt,
    Selection,
    attempts_from_rows,
    choose_questions,
    due_at,
    due_questions,
    interval_days,
    missed_in_last_session,
    mock_interview,
    next_due,
)
from voiceprep.scoring import score_answer
from voiceprep.store import Store

START = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def bank():
    return find_bank(None, data_dir(None))


def attempt(question_id: str, day: float, coverage: float, session: int = 1) -> Attempt:
    return Attempt(question_id, session, START + timedelta(days=day), coverage)


@pytest.mark.parametrize(
    ("coverage", "streak", "days"),
    [(0.0, 0, 1), (0.49, 0, 1), (0.5, 0, 3), (0.79, 0, 3), (0.8, 1, 7), (1.0, 2, 14), (0.9, 3, 28), (1.0, 9, 60)],
)
def test_interval_grows_with_coverage_and_with_a_streak_of_good_answers(coverage, streak, days):
    assert interval_days(coverage, streak) == days


def test_one_weak_answer_breaks_the_streak():
    history = [attempt("beg-01", 0, 0.9), attempt("beg-01", 7, 0.9), attempt("beg-01", 21, 0.3)]
    assert due_at(history) == START + timedelta(days=22)
    history.append(attempt("beg-01", 22, 0.9))
    assert due_at(history) == START + timedelta(days=29)  # the streak starts again at one


def test_simulated_eight_weeks_bring_weak_answers_back_within_days_and_strong_ones_later(bank):
    # A candidate who always answers beg-01 poorly, beg-02 half well and the rest well,
    # practising three --due questions every morning for eight weeks.
    skill = {"beg-01": 0.3, "beg-02": 0.6}
    asked: dict[str, list[int]] = {}
    history: list[Attempt] = []
    for day in range(56):
        now = START + timedelta(days=day)
        for question in due_questions(bank, history, now, count=3, section="Beginner"):
            history.append(Attempt(question.id, day + 1, now, skill.get(question.id, 0.9)))
            asked.setdefault(question.id, []).append(day)

    def gaps(question_id: str) -> list[int]:
        days = asked[question_id]
        return [later - earlier for earlier, later in pairwise(days)]

    assert set(gaps("beg-01")) == {1}  # back every next day
    assert set(gaps("beg-02")) == {3}
    strong = gaps("beg-03")
    assert strong == [7, 14, 28]  # doubling while the answers stay good
    assert len(asked["beg-01"]) == 56 and len(asked["beg-03"]) == 4


def test_due_reviews_come_before_new_questions_and_not_due_ones_wait(bank):
    history = [attempt("beg-03", 0, 0.9), attempt("beg-02", 0, 0.2), attempt("int-01", -5, 0.6)]
    chosen = [q.id for q in due_questions(bank, history, START + timedelta(days=2), count=4)]
    assert chosen == ["int-01", "beg-02", "beg-01", "beg-04"]  # most overdue first, then new in bank order


def test_nothing_due_says_when_the_next_review_is(bank):
    history = [attempt(q.id, 0, 1.0) for q in bank.in_section("Beginner")]
    assert due_questions(bank, history, START + timedelta(days=1), section="Beginner") == []
    question, when = next_due(bank, history, section="Beginner")
    assert question.id == "beg-01"  # all answered at once: the first in bank order
    assert when == START + timedelta(days=7)
    with pytest.raises(VoiceprepError, match="nothing is due until 2025-03-10"):
        choose_questions(bank, Selection("due", section="Beginner"), history, START + timedelta(days=1))


def save_answer(store: Store, bank, session_id: int, question_id: str, text: str, day: int) -> None:
    question = bank.question(question_id)
    started = (START + timedelta(days=day)).isoformat(timespec="seconds")
    answer_id = store.add_answer(session_id, bank.id, question.id, question.section, question.prompt, started, None, 5.0)
    store.save_score(answer_id, score_answer(question, text))


def every_label(bank, question_id: str) -> str:
    return ". ".join(p.label for p in bank.question(question_id).points)


def test_retry_missed_picks_the_last_sessions_questions_with_missed_points(bank, private_data_dir):
    store = Store(private_data_dir)
    first = store.start_session(bank.id)
    save_answer(store, bank, first, "beg-01", "", 0)  # missed everything, but in an older session
    second = store.start_session(bank.id)
    save_answer(store, bank, second, "int-05", every_label(bank, "int-05"), 1)  # all covered
    save_answer(store, bank, second, "adv-02", "I am not sure.", 1)
    save_answer(store, bank, second, "beg-02", "Attackers abuse the API with too many requests.", 1)
    store.add_answer(second, bank.id, "beg-03", "Beginner", "?", "2025-03-04T09:05:00+00:00", None, 1.0, status="partial")

    attempts = attempts_from_rows(store.scored_answers(bank.id))
    assert [a.question_id for a in attempts] == ["beg-01", "int-05", "adv-02", "beg-02"]  # the unscored one is not history
    assert attempts[1].missed == ()
    assert [q.id for q in missed_in_last_session(bank, attempts)] == ["adv-02", "beg-02"]
    assert [q.id for q in choose_questions(bank, Selection("retry-missed", count=1), attempts, START)] == ["adv-02"]
    store.close()


def test_retry_missed_without_any_session_is_a_clear_error(bank):
    with pytest.raises(VoiceprepError, match="practise first"):
        choose_questions(bank, Selection("retry-missed"), [], START)


@pytest.mark.parametrize(
    ("count", "sections"),
    [
        (6, ["Beginner", "Intermediate", "Advanced", "Scenario-Based", "AI Workflow & Tools", "Behavioral"]),
        (3, ["Beginner", "Advanced", "Behavioral"]),
        (2, ["Beginner", "Behavioral"]),
        # a second round takes its two from the ends again
        (8, ["Beginner", "Beginner", "Intermediate", "Advanced", "Scenario-Based", "AI Workflow & Tools",
             "Behavioral", "Behavioral"]),
    ],
)
def test_mock_interview_mixes_sections_in_the_guides_order(bank, count, sections):
    chosen = mock_interview(bank, [], count, random.Random(7))
    assert [q.section for q in chosen] == sections
    assert len({q.id for q in chosen}) == count


def test_mock_interview_prefers_questions_never_practised_then_longest_ago(bank):
    beginner = [q.id for q in bank.in_section("Beginner")]
    history = [attempt(qid, day, 0.9) for day, qid in enumerate(beginner[:4])]
    for seed in range(5):
        assert mock_interview(bank, history, 6, random.Random(seed))[0].id == beginner[4]
    history.append(attempt(beginner[4], 9, 0.9))
    assert mock_interview(bank, history, 6, random.Random(0))[0].id == beginner[0]


def test_mock_interview_refuses_a_section(bank):
    with pytest.raises(VoiceprepError, match="--mock mixes every section"):
        choose_questions(bank, Selection("mock", section="Beginner"), [], START)


def test_by_hand_selection_still_takes_ids_then_sections(bank):
    assert [q.id for q in choose_questions(bank, Selection(ids=("int-05", "beg-01")), [], START)] == ["int-05", "beg-01"]
    assert len(choose_questions(bank, Selection(section="Behavioral"), [], START)) == 3
    five = ("beg-01", "beg-02", "int-05", "scn-03", "wf-01")
    assert [q.id for q in choose_questions(bank, Selection(ids=five), [], START)] == list(five)  # every id named
    assert len(choose_questions(bank, Selection(ids=five, count=2), [], START)) == 2
    with pytest.raises(VoiceprepError, match="--count must be at least 1"):
        choose_questions(bank, Selection(count=0), [], START)


def test_shuffle_asks_every_chosen_question_once_in_an_order_its_seed_repeats(bank):
    everything = Selection(count=len(bank.questions), shuffle=True)
    shuffled = [q.id for q in choose_questions(bank, everything, [], START, random.Random(7))]
    assert sorted(shuffled) == sorted(q.id for q in bank.questions)  # a permutation: none lost, none twice
    assert shuffled != [q.id for q in bank.questions]
    assert [q.id for q in choose_questions(bank, everything, [], START, random.Random(7))] == shuffled
    assert [q.id for q in choose_questions(bank, everything, [], START, random.Random(8))] != shuffled


def test_shuffle_with_a_count_draws_from_the_whole_section_not_its_first_questions(bank):
    section = [q.id for q in bank.questions if q.section == "Intermediate"]
    drawn = {
        q.id
        for seed in range(10)
        for q in choose_questions(bank, Selection(section="Intermediate", count=2, shuffle=True), [], START, random.Random(seed))
    }
    assert drawn <= set(section) and not drawn <= set(section[:2])


def test_ids_given_with_shuffle_are_all_asked_in_another_order(bank):
    ids = ("int-05", "beg-01", "beg-02")
    orders = {
        tuple(q.id for q in choose_questions(bank, Selection(ids=ids, shuffle=True), [], START, random.Random(seed)))
        for seed in range(10)
    }
    assert all(sorted(order) == sorted(ids) for order in orders)
    assert len(orders) > 1


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--retry-missed"], "no practice session of bank 'ai-cybersecurity-analyst' has been scored yet"),
        (["--mock", "--section", "Beginner"], "--mock mixes every section"),
        (["--due", "--count", "0"], "--count must be at least 1"),
    ],
)
def test_practice_command_reports_a_selection_it_cannot_make_in_one_line(flags, message, capsys):
    from voiceprep.cli import main

    assert main(["practice", *flags]) == 2  # before any microphone or speech is touched
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err
