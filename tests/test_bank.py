"""The bank loader: the shipped bank, finding banks, and every kind of mistake named at its line."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from voiceprep.bank import BANK_KEYS, DEFAULT_BANK, POINT_KEYS, QUESTION_KEYS, BankError, find_bank, load_bank
from voiceprep.errors import VoiceprepError
from voiceprep.paths import SHIPPED_BANKS_DIR
from voiceprep.schedule import select_questions

SHIPPED = SHIPPED_BANKS_DIR / "ai-cybersecurity-analyst.toml"
FORMAT_README = SHIPPED_BANKS_DIR / "README.md"
GUIDE_COUNTS = {
    "Beginner": 5, "Intermediate": 10, "Advanced": 10,
    "Scenario-Based": 10, "AI Workflow & Tools": 10, "Behavioral": 5,
}

VALID = """\
[bank]
id = "mini"
title = "Mini"
sections = ["Beginner"]

[[questions]]
id = "q-1"
section = "Beginner"
prompt = "What is rate limiting?"
hint = "Capping requests per client."

[[questions.points]]
label = "rate limiting"
aliases = ["throttle requests"]
"""


def write_bank(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "mini.toml"
    path.write_text(text)
    return path


def test_shipped_bank_has_the_guides_fifty_questions_in_six_sections():
    bank = load_bank(SHIPPED)
    counts = {s: sum(q.section == s for q in bank.questions) for s in bank.sections}
    assert counts == GUIDE_COUNTS
    assert len({q.id for q in bank.questions}) == 50


def test_every_shipped_question_has_a_spoken_prompt_a_hint_and_key_points():
    for q in load_bank(SHIPPED).questions:
        assert q.prompt.endswith(("?", ".")), q.id
        assert len(q.prompt.split()) <= 50, f"{q.id} prompt too long to say in ~20 s"
        assert q.hint and q.points, q.id
        assert all(p.label and p.aliases for p in q.points), q.id


def test_a_valid_bank_loads_with_defaults(tmp_path):
    bank = load_bank(write_bank(tmp_path, VALID))
    point = bank.question("q-1").points[0]
    assert (point.label, point.aliases, point.weight, point.near_misses) == ("rate limiting", ("throttle requests",), 1.0, ())
    assert bank.question("q-1").ordered is False


@pytest.mark.parametrize(
    "change, line, message",
    [
        (lambda t: t.replace('label = "rate limiting"\naliases = ["throttle requests"]\n', ""), 12, "key point is missing 'label'"),
        (lambda t: t.split("[[questions.points]]")[0], 6, "question 'q-1' has no key points"),
        (lambda t: t.replace('section = "Beginner"', 'section = "Expert"'), 8, "unknown section 'Expert'"),
        (lambda t: t.replace('hint = "Capping', 'colour = "red"\nhint = "Capping'), 10, "unknown key 'colour'"),
        (lambda t: t + 'weight = 0\n', 15, "weight must be a number above 0"),
        (lambda t: t + 'weight = "heavy"\n', 15, "weight must be a number above 0"),
        (lambda t: t.replace('label = "rate limiting"', 'label = "  "'), 13, "empty or non-text 'label'"),
        (lambda t: t.replace('["throttle requests"]', '["throttle requests", ""]'), 14, "aliases must be a list of non-empty"),
        (lambda t: t + VALID.split("\n\n", 1)[1], 15, "duplicate question id 'q-1' (first at line 6)"),
        (lambda t: t.replace('id = "q-1"', 'id = "Q 1"'), 7, "must be lowercase letters"),
        (lambda t: t.replace('prompt = "What is rate limiting?"\n', ""), 6, "is missing 'prompt'"),
        (lambda t: t.replace('title = "Mini"', 'title = "Mini'), 3, "not valid TOML"),
        (lambda t: t + '\n[extra]\nnote = "x"\n', 16, "unknown top-level key 'extra'"),
        # The value is quoted as the author wrote it in TOML, not as Python prints it (True).
        (lambda t: t + 'weight = true\n', 15, "weight must be a number above 0 and at most 10, not true"),
        (lambda t: t + 'near_misses = "DNS throttling"\n', 15, "near_misses must be a list of non-empty strings"),
        # A near miss that is also a phrasing of the point would both credit it and block it.
        (lambda t: t + 'near_misses = ["Throttle requests"]\n', 15, "near miss 'Throttle requests' is also one of its phrasings"),
    ],
    ids=["point-without-label", "no-points", "unknown-section", "unknown-key", "zero-weight", "text-weight",
         "empty-label", "empty-alias", "duplicate-id", "bad-id", "missing-prompt", "toml-syntax",
         "unknown-table", "bool-weight", "near-misses-not-a-list", "near-miss-is-a-phrasing"],
)
def test_each_mistake_is_named_at_its_line(tmp_path, change, line, message):
    path = write_bank(tmp_path, change(VALID))
    with pytest.raises(BankError) as caught:
        load_bank(path)
    assert str(caught.value).startswith(f"mini.toml:{line}: "), str(caught.value)
    assert message in str(caught.value)


def documented_section(heading: str) -> str:
    """The text of one `## heading` section of questions/README.md."""
    return FORMAT_README.read_text(encoding="utf-8").split(f"\n## {heading}\n", 1)[1].split("\n## ", 1)[0]


def test_the_documented_fields_are_the_keys_the_loader_accepts():
    rows = [line.strip("|").split("|") for line in documented_section("Fields").splitlines() if line.startswith("|")]
    header, _rule, *fields = rows
    assert [cell.strip() for cell in header][:4] == ["table", "key", "type", "required"]
    documented = {
        (table.strip(" `"), key.strip(" `"), required.strip() == "yes")
        for table, key, _type, required, *_meaning in fields
    }
    # A question's `points` key is its [[questions.points]] tables, which the README
    # documents by their own rows rather than as a key of `questions`.
    assert QUESTION_KEYS["points"] and any(table == "questions.points" for table, _, _ in documented)
    loader = {
        *(("bank", key, required) for key, required in BANK_KEYS.items()),
        *(("questions", key, required) for key, required in QUESTION_KEYS.items() if key != "points"),
        *(("questions.points", key, required) for key, required in POINT_KEYS.items()),
    }
    assert documented == loader


def test_the_documented_example_loads(tmp_path):
    example = documented_section("Example").split("```toml\n", 1)[1].split("```", 1)[0]
    bank = load_bank(write_bank(tmp_path, example))
    assert [q.id for q in bank.questions] == ["beg-02"]


def test_a_second_point_with_the_same_label_is_an_error(tmp_path):
    text = VALID + '\n[[questions.points]]\nlabel = "Rate Limiting"\n'
    with pytest.raises(BankError, match=r"mini.toml:16: .*two points labelled 'Rate Limiting'"):
        load_bank(write_bank(tmp_path, text))


def test_banks_are_found_by_path_by_name_in_the_data_dir_and_shipped(tmp_path):
    assert find_bank(None, tmp_path).id == DEFAULT_BANK
    assert find_bank(str(write_bank(tmp_path, VALID)), tmp_path).id == "mini"
    (tmp_path / "banks").mkdir()
    (tmp_path / "banks" / "mine.toml").write_text(VALID)
    assert find_bank("mine", tmp_path).id == "mini"
    with pytest.raises(VoiceprepError, match="no bank named 'nope'; known banks: .*ai-cybersecurity-analyst"):
        find_bank("nope", tmp_path)


def test_unknown_question_and_section_say_where_to_look():
    bank = load_bank(SHIPPED)
    with pytest.raises(VoiceprepError, match=re.escape("see `voiceprep bank list")):
        bank.question("zzz-99")
    with pytest.raises(VoiceprepError, match="sections: Beginner, Intermediate"):
        bank.in_section("Expert")


def test_questions_are_selected_by_ids_in_order_by_section_and_counted():
    bank = load_bank(SHIPPED)
    assert [q.id for q in select_questions(bank, ids=["int-05", "beg-01"])] == ["int-05", "beg-01"]
    assert {q.section for q in select_questions(bank, section="behavioral")} == {"Behavioral"}
    assert len(select_questions(bank, count=3)) == 3
    with pytest.raises(VoiceprepError, match="--count must be at least 1"):
        select_questions(bank, count=0)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=400))
def test_any_text_as_a_bank_loads_or_gives_a_located_error(tmp_path, text):
    path = tmp_path / "fuzz.toml"
    path.write_text(text, encoding="utf-8")
    try:
        load_bank(path)
    except BankError as error:
        assert re.match(r"fuzz\.toml:\d+: ", str(error))


TOML_VALUES = st.one_of(
    st.text(max_size=30), st.integers(), st.floats(allow_nan=False, allow_infinity=False), st.booleans(),
    st.lists(st.text(max_size=10), max_size=3), st.just([]), st.just(""),
)
FIELD_LINES = {
    "section": 'section = "Beginner"',
    "prompt": 'prompt = "What is rate limiting?"',
    "hint": 'hint = "Capping requests per client."',
    "label": 'label = "rate limiting"',
    "aliases": 'aliases = ["throttle requests"]',
}


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from([*FIELD_LINES, "weight", "ordered"]), TOML_VALUES)
def test_odd_values_in_any_field_give_a_located_error_or_load(tmp_path, field, odd):
    line = f"{field} = {json.dumps(odd)}"
    if field in FIELD_LINES:
        text = VALID.replace(FIELD_LINES[field], line)
    elif field == "weight":
        text = VALID + line + "\n"
    else:
        text = VALID.replace('hint = "Capping', line + '\nhint = "Capping')
    try:
        load_bank(write_bank(tmp_path, text))
    except BankError as error:
        assert re.match(r"mini\.toml:\d+: ", str(error))
