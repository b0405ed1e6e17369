"""The scoring evaluation: labeled answers stay consistent with the bank, and point
detection stays above measured floors on written answers and on their transcripts.

The full report is `python scripts/eval_scoring.py`; these tests run its `evaluate()` on
the splits tuned on: dev, the first holdout (whose errors were looked into in issue 4's
second round) and holdout2 (looked into in the third), and the denied and trap answers
written to tune the denial and near-miss rules on; test, holdout3 and fresh to fresh6 are
reported by the script, and fresh2, fresh3 and fresh6 are never tuned against.
"""

from __future__ import annotations

import io
from collections import Counter

import pytest
from conftest import load_script

from voiceprep.bank import load_bank

ev = load_script("eval_scoring")

# Floors sit a little below the figures measured when they were set; raise them when the
# scorer or the bank's aliases get better. Measured on dev, holdout and holdout2 pooled,
# micro-averaged over answer x key point pairs, after issue 4's fourth round (plain-language
# aliases; the head word of a label needs support; rebutted reports; negated attacks):
#   written answers                P 0.98  R 0.99  F1 0.99
#   joe-1.0 transcripts, no bias   P 0.98  R 0.94  F1 0.96
# (test, holdout3 and fresh to fresh6, not used here, are reported by scripts/eval_scoring.py)
TUNED_SPLITS = ("dev", "holdout", "holdout2")
WRITTEN_FLOORS = {"precision": 0.97, "f1": 0.98}
SPOKEN_VOICE = "joe-1.0"
SPOKEN_FLOORS = {"precision": 0.97, "f1": 0.95}
# The denied and trap answers written in the fifth round to tune the denial and near-miss
# rules on (written, all 50 each): measured P 0.742 (denials) and 0.201 (traps) after the
# sixth round's near misses, up from 0.40 and 0.13 before the fifth. A trap answer's words
# are another idea's, which words alone rarely tell.
HARD_KIND_PRECISION_FLOORS = {"denials": 0.72, "traps": 0.19}
SECTIONS_PER_QUESTION_MIN = {"Beginner": 3, "Intermediate": 4, "Advanced": 4, "Scenario-Based": 4,
                             "AI Workflow & Tools": 4, "Behavioral": 3}


@pytest.fixture(scope="module")
def bank():
    return load_bank(ev.BANK)


@pytest.fixture(scope="module")
def answers():
    return ev.load_answers()


@pytest.fixture(scope="module")
def transcripts():
    return ev.load_transcripts()


def test_answer_labels_exist_in_the_bank(answers, bank):
    assert ev.check_answers(answers, bank) == []


def test_every_question_has_complete_partial_and_off_topic_answers(answers, bank):
    by_question: dict[str, list[dict]] = {}
    for answer in answers:
        by_question.setdefault(answer["question"], []).append(answer)
    for question_id, given in by_question.items():
        kinds = {a["kind"] for a in given}
        assert len(given) >= 3, question_id
        assert {"complete", "partial"} <= kinds, question_id
        assert kinds & {"off-topic", "wrong", "trap"}, question_id
    sections = Counter(bank.question(q).section for q in by_question)
    for section, least in SECTIONS_PER_QUESTION_MIN.items():
        assert sections[section] >= least, section


def test_answers_are_well_formed(answers):
    kinds = Counter(a["kind"] for a in answers)
    assert set(kinds) <= {"complete", "partial", "off-topic", "wrong", "denied", "trap"}
    assert kinds["trap"] >= 8 and kinds["denied"] >= 8
    for answer in answers:
        assert answer["split"] in ("dev", *ev.HELD_OUT), answer["id"]
        assert 40 <= len(answer["text"].split()) <= 200, answer["id"]
        if answer["kind"] == "off-topic":
            assert answer["covers"] == [], answer["id"]
        if answer["kind"] in ("wrong", "trap"):  # may get one point right among the misconceptions
            assert len(answer["covers"]) <= 1, answer["id"]


def test_transcripts_match_the_current_answers(answers, transcripts):
    """transcripts.json was made from these texts: re-run scripts/make_eval_audio.py after editing answers."""
    import hashlib

    hashes = transcripts["_meta"]["text_sha1"]
    stale = [a["id"] for a in answers if hashes.get(a["id"]) != hashlib.sha1(a["text"].encode()).hexdigest()[:10]]
    assert stale == []
    for answer in answers:
        # The decoder-bias variants were measured on the by-question splits; later answers need only plain.
        wanted = {"plain"} if answer["split"] in ev.BY_ANSWER else set(ev.VARIANTS)
        assert wanted <= set(transcripts[answer["id"]][SPOKEN_VOICE]) <= set(ev.VARIANTS), answer["id"]


@pytest.fixture(scope="module")
def tuned(answers):
    return [a for a in answers if a["split"] in TUNED_SPLITS]


def test_written_tuned_answers_stay_above_floors(tuned, bank):
    figures = ev.evaluate(tuned, {}, bank)["written"]["split"]["all"]["scorer"]
    for name, floor in WRITTEN_FLOORS.items():
        assert figures[name] >= floor, (name, figures)


def test_spoken_tuned_answers_stay_above_floors(tuned, transcripts, bank):
    result = ev.evaluate(tuned, transcripts, bank, voices=[SPOKEN_VOICE], variants=("plain",))
    figures = result["spoken"][SPOKEN_VOICE]["plain"]["split"]["all"]["scorer"]
    assert result["spoken"][SPOKEN_VOICE]["plain"]["answers"] == len(tuned)
    for name, floor in SPOKEN_FLOORS.items():
        assert figures[name] >= floor, (name, figures)


@pytest.mark.parametrize("split, floor", HARD_KIND_PRECISION_FLOORS.items())
def test_dismissed_and_near_miss_points_stay_uncredited(answers, bank, split, floor):
    chosen = [a for a in answers if a["split"] == split]
    figures = ev.evaluate(chosen, {}, bank)["written"]["split"]["all"]["scorer"]
    assert len(chosen) == 50 and figures["precision"] >= floor, figures


def test_the_scorer_beats_the_substring_baseline(answers, bank):
    dev = [a for a in answers if a["split"] == "dev"]
    written = ev.evaluate(dev, {}, bank)["written"]["split"]["all"]
    assert written["scorer"]["f1"] > written["baseline"]["f1"] + 0.3


def test_the_report_compares_each_bias_only_on_splits_it_was_tried_on_whole(answers, transcripts, bank):
    chosen = [a for a in answers if a["split"] in ("dev", "fresh")]  # dev: every bias; fresh: plain
    report = io.StringIO()
    ev.print_report(ev.evaluate(chosen, transcripts, bank), "all", speed=None, out=report)
    rows = [line.split()[:2] for line in report.getvalue().splitlines() if line.split()[:1] in (["plain"], ["prompt"], ["hotwords"])]
    assert ["hotwords", "dev"] in rows and ["plain", "dev"] in rows
    assert not [row for row in rows if row[1] == "fresh"], rows  # a few fresh answers have every bias


def test_silence_gets_no_credit_with_the_bias_on(answers, transcripts, bank):
    """With voiceprep's voice activity filter on, biased decoding of silence credits nothing."""
    silence = ev._silence_credit(transcripts, bank, {a["question"] for a in answers})
    for variant in ev.VARIANTS:
        assert silence[variant]["clips"] > 0
        assert silence[variant]["false_credit"] == 0, silence[variant]["examples"]
