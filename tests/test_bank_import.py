"""`voiceprep bank import`: guides in CSV, Markdown and plain text drafted into banks that load,
compared with the hand-written bank, written by the CLI and found by name."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from voiceprep.bank import load_bank
from voiceprep.bank_import import (
    DRAFTED_PROMPT_NOTE,
    GuideEntry,
    draft_bank,
    draft_bank_toml,
    import_guide,
    import_guide_to_file,
    save_draft,
)
from voiceprep.cli import main
from voiceprep.errors import VoiceprepError
from voiceprep.paths import SHIPPED_BANKS_DIR
from voiceprep.scoring import score_answer

REPO = Path(__file__).resolve().parent.parent
# A copy of the guide's own text, kept in the repo so these tests run on a clean clone.
SEED_GUIDE = REPO / "tests" / "data" / "ai-cybersecurity-analyst-interview-questions.txt"
HAND_WRITTEN = SHIPPED_BANKS_DIR / "ai-cybersecurity-analyst.toml"
GUIDE_COUNTS = {
    "Beginner": 5, "Intermediate": 10, "Advanced": 10,
    "Scenario-Based": 10, "AI Workflow & Tools": 10, "Behavioral": 5,
}
# Measured on the guide when this was last checked: 266 of 315 hand-written points (0.844)
# are matched by a drafted label, 275 of 310 drafted labels (0.887) match a hand-written
# point, and `ordered` agrees on 43 of 50 questions. The floors leave a margin for rule changes.
MIN_HAND_POINTS_MATCHED = 0.80
MIN_DRAFTED_POINTS_MATCHING = 0.85
MIN_ORDERED_AGREEMENT = 40

CSV_GUIDE = """\
Hint,QUESTION,Section
"Cover rate limiting, output perturbation, and watermarking.",How would you stop model extraction?,Intermediate
"Isolate the endpoint, review recent changes, reproduce the leak, and deploy with monitoring.",,Scenario-Based
"Discuss ""jailbreak"" prompts (DAN, roleplay) and refusal training.",What is a jailbreak?,
"""

MARKDOWN_GUIDE = """\
# Data Engineer

Questions for a data engineering interview.

## Fundamentals

### What is idempotency in a pipeline?
Explain how retries must not duplicate rows; cover upserts and deduplication keys.

1. How do you handle late data? Discuss watermarks, allowed lateness, and reprocessing.
2. What makes a good partition key?
   Cover cardinality, skew, and query patterns.

## Scenarios

- Backfill a year of events without downtime
- Why would a nightly job suddenly double its runtime?
  - data volume growth
  - a missing index
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def drafted_and_loaded(draft, tmp_path: Path):
    return load_bank(save_draft(draft, tmp_path / f"{draft.id}.toml"))


def test_the_guides_own_text_imports_as_its_fifty_questions_in_six_sections(tmp_path):
    draft = import_guide(SEED_GUIDE)
    assert draft.title == "AI Cybersecurity Analyst"
    assert draft.warnings == ()
    bank = drafted_and_loaded(draft, tmp_path)
    assert {s: sum(q.section == s for q in bank.questions) for s in bank.sections} == GUIDE_COUNTS
    assert [q.id for q in bank.questions][:6] == ["beg-01", "beg-02", "beg-03", "beg-04", "beg-05", "int-01"]
    assert all(q.prompt.startswith("Can you walk me through: ") and q.prompt.endswith("?") for q in bank.questions)
    assert all(1 <= len(p.label.split()) for q in bank.questions for p in q.points)
    assert bank.question("beg-01").hint.startswith("Cover confidentiality of training data and prompts")


def test_drafted_points_overlap_the_hand_written_bank(tmp_path):
    drafted = drafted_and_loaded(import_guide(SEED_GUIDE), tmp_path)
    hand = load_bank(HAND_WRITTEN)
    hand_matched = hand_total = drafted_matching = drafted_total = ordered_agree = 0
    for mine, theirs in zip(drafted.questions, hand.questions, strict=True):
        covered: set[str] = set()
        for point in mine.points:
            # A drafted label matches a hand-written point when the scorer finds that point's
            # label or an alias in it, as it would in a spoken answer.
            found = {p.label for p in score_answer(theirs, point.label).points if p.covered}
            covered |= found
            drafted_matching += bool(found)
        drafted_total += len(mine.points)
        hand_matched += len(covered)
        hand_total += len(theirs.points)
        ordered_agree += mine.ordered == theirs.ordered
    recall, precision = hand_matched / hand_total, drafted_matching / drafted_total
    print(f"\nhand-written points matched by a drafted label: {hand_matched}/{hand_total} = {recall:.3f}")
    print(f"drafted labels matching a hand-written point: {drafted_matching}/{drafted_total} = {precision:.3f}")
    print(f"ordered agrees: {ordered_agree}/{len(hand.questions)}")
    assert recall >= MIN_HAND_POINTS_MATCHED
    assert precision >= MIN_DRAFTED_POINTS_MATCHING
    assert ordered_agree >= MIN_ORDERED_AGREEMENT


def test_a_csv_guide_gives_its_questions_in_any_column_order_and_case(tmp_path):
    bank = drafted_and_loaded(import_guide(write(tmp_path, "ml-guide.csv", CSV_GUIDE)), tmp_path)
    assert (bank.id, bank.title, bank.sections) == ("ml-guide", "ml guide", ("Intermediate", "Scenario-Based"))
    extraction, incident, jailbreak = bank.questions
    assert (extraction.id, extraction.prompt) == ("int-01", "How would you stop model extraction?")
    assert [p.label for p in extraction.points] == ["rate limiting", "output perturbation", "watermarking"]
    assert not extraction.ordered
    assert incident.prompt == "Can you walk me through: Isolate the endpoint?"
    assert [p.label for p in incident.points] == [
        "Isolate the endpoint", "review recent changes", "reproduce the leak", "deploy with monitoring",
    ]
    assert incident.ordered
    # An empty section cell repeats the row above, as merged spreadsheet cells export.
    assert (jailbreak.id, jailbreak.section) == ("sb-02", "Scenario-Based")
    assert [(p.label, p.aliases) for p in jailbreak.points] == [
        ("jailbreak prompts", ("DAN", "roleplay")), ("refusal training", ()),
    ]
    assert jailbreak.hint == 'Discuss "jailbreak" prompts (DAN, roleplay) and refusal training.'


def test_a_markdown_guide_reads_headings_and_list_items_as_questions(tmp_path):
    draft = import_guide(write(tmp_path, "data-eng.md", MARKDOWN_GUIDE))
    bank = drafted_and_loaded(draft, tmp_path)
    assert (bank.title, bank.sections) == ("Data Engineer", ("Fundamentals", "Scenarios"))
    found = {q.id: (q.prompt, [p.label for p in q.points]) for q in bank.questions}
    assert found == {
        "fun-01": ("What is idempotency in a pipeline?",
                   ["retries must not duplicate rows", "upserts", "deduplication keys"]),
        "fun-02": ("How do you handle late data?", ["watermarks", "allowed lateness", "reprocessing"]),
        "fun-03": ("What makes a good partition key?", ["cardinality", "skew", "query patterns"]),
        "sce-01": ("Can you walk me through: Backfill a year of events without downtime?",
                   ["Backfill a year of events"]),
        "sce-02": ("Why would a nightly job suddenly double its runtime?", ["data volume growth", "missing index"]),
    }
    assert draft.drafted_prompts == {"sce-01"}


def test_a_drafted_prompt_is_marked_for_editing_in_the_file(tmp_path):
    text = draft_bank_toml(import_guide(write(tmp_path, "data-eng.md", MARKDOWN_GUIDE)))
    lines = text.splitlines()
    marked = [lines[i + 1] for i, line in enumerate(lines) if line == DRAFTED_PROMPT_NOTE]
    assert marked == ['prompt = "Can you walk me through: Backfill a year of events without downtime?"']


def test_a_plain_text_guide_warns_when_a_section_miscounts_its_hints(tmp_path):
    guide = write(tmp_path, "short.txt", "Intro\nBasics\n2 questionsCover A, B and C.\nAdvanced\n1 questionsDescribe D and E.\nF, G.\n")
    draft = import_guide(guide)
    assert [(q.id, q.section, q.hint) for q in draft.questions] == [
        ("bas-01", "Basics", "Cover A, B and C."), ("adv-01", "Advanced", "Describe D and E."), ("adv-02", "Advanced", "F, G."),
    ]
    assert draft.warnings == (
        "line 3: section 'Basics' announces 2 questions but has 1 hints",
        "line 5: section 'Advanced' announces 1 questions but has 2 hints",
    )


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("guide.docx", "x", "guide.docx: cannot read '.docx' guides; give a .csv, .md or .txt file"),
        ("guide.csv", "section,question\nA,Why?\n", "guide.csv:1: no 'hint' column"),
        ("guide.csv", "section,question,hint\nA,Why?,Because.\nA,How?,\n", "guide.csv:3: the row has no hint"),
        ("guide.csv", 'section,question,hint\nA,"Why?,x\n', "guide.csv:2: not valid CSV"),
        ("guide.md", "## A\n\n### Why?\n\n### How?\nBecause.\n", "guide.md:3: question 'Why?' has no hint below it"),
        ("guide.md", "Just some notes.\n", "guide.md: no questions found"),
        ("guide.txt", b"## A\n- ok\n- caf\xe9\n", "guide.txt:3: not UTF-8 text"),
    ],
    ids=["suffix", "csv-no-hint-column", "csv-empty-hint", "csv-broken-quote", "md-question-without-hint",
         "md-nothing", "not-utf8"],
)
def test_an_unreadable_guide_is_one_error_naming_the_file_and_line(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    with pytest.raises(VoiceprepError) as caught:
        import_guide(path)
    assert str(caught.value).startswith(message), str(caught.value)
    assert "\n" not in str(caught.value)


def test_a_missing_guide_says_so(tmp_path):
    with pytest.raises(VoiceprepError, match="guide file not found"):
        import_guide(tmp_path / "nope.csv")


def test_the_cli_writes_to_the_data_dir_refuses_to_overwrite_and_the_bank_is_found_by_name(
    tmp_path, private_data_dir, capsys
):
    guide = write(tmp_path, "data-eng.md", MARKDOWN_GUIDE)
    assert main(["bank", "import", str(guide), "--id", "dataeng", "--title", "Data Engineering"]) == 0
    out = capsys.readouterr().out
    written = private_data_dir / "banks" / "dataeng.toml"
    assert f"Wrote {written}: 5 questions in 2 sections, 12 key points." in out
    assert "1 prompts were drafted" in out and f"voiceprep bank check {written}" in out

    assert main(["bank", "check", str(written)]) == 0
    assert "ok, 5 questions, 12 key points" in capsys.readouterr().out

    edited = written.read_text() + "\n# my edits\n"
    written.write_text(edited)
    assert main(["bank", "import", str(guide), "--id", "dataeng"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "already exists; pass --force to overwrite it" in err
    assert written.read_text() == edited  # the user's edits are kept
    assert main(["bank", "import", str(guide), "--id", "dataeng", "--force"]) == 0
    assert "# my edits" not in written.read_text()
    capsys.readouterr()

    assert main(["bank", "list", "--bank", "dataeng", "--json"]) == 0
    assert [q["id"] for q in json.loads(capsys.readouterr().out)] == ["fun-01", "fun-02", "fun-03", "sce-01", "sce-02"]
    # practice resolves the bank by name before it opens any sound device: asking for a
    # section the imported bank lacks names the bank and its sections.
    assert main(["practice", "--bank", "dataeng", "--section", "Nope"]) == 2
    assert "no section 'Nope' in bank 'dataeng'; sections: Fundamentals, Scenarios" in capsys.readouterr().err


def test_the_cli_writes_where_it_is_told(tmp_path, capsys):
    out = tmp_path / "elsewhere" / "mine.toml"
    assert main(["bank", "import", str(write(tmp_path, "g.csv", CSV_GUIDE)), "-o", str(out)]) == 0
    assert load_bank(out).id == "g"
    assert main(["bank", "import", str(tmp_path / "g.csv"), "--id", "Bad Id", "-o", str(tmp_path / "x.toml")]) == 2
    assert "bank id 'Bad Id' must be lowercase letters, digits and hyphens" in capsys.readouterr().err


def test_import_guide_to_file_is_the_library_call_behind_the_command(tmp_path, private_data_dir):
    result = import_guide_to_file(write(tmp_path, "g.csv", CSV_GUIDE))
    assert result.path == private_data_dir / "banks" / "g.toml"
    assert (len(result.bank.questions), result.bank.point_count) == (3, 9)


# Text a guide may hold: any printable or control character, quotes, backslashes, newlines.
ANY_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=60)
SOME_TEXT = ANY_TEXT.filter(str.strip)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    entries=st.lists(st.tuples(SOME_TEXT, ANY_TEXT, SOME_TEXT), min_size=1, max_size=4),
    title=SOME_TEXT,
)
def test_any_drafted_bank_parses_and_loads(tmp_path, entries, title):
    draft = draft_bank([GuideEntry(section, question, hint, 1) for section, question, hint in entries], "any", title)
    text = draft_bank_toml(draft)
    parsed = tomllib.loads(text)
    assert [q["hint"] for q in parsed["questions"]] == [hint.strip() for _, _, hint in entries]
    path = tmp_path / "any.toml"
    path.write_text(text, encoding="utf-8")
    bank = load_bank(path)
    assert len(bank.questions) == len(entries)
    assert bank.sections == tuple(dict.fromkeys(section for section, _, _ in entries))
