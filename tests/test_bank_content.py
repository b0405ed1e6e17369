"""The shipped bank's content: its key points and its hints say the same things.

A key point the hint never mentions is feedback the candidate was never told to give; an
item of the hint that no key point covers is a concept the scorer never credits.
"""

from __future__ import annotations

from collections import Counter

import pytest

from voiceprep.bank import Question, load_bank
from voiceprep.hints import split_hint
from voiceprep.paths import SHIPPED_BANKS_DIR
from voiceprep.scoring import score_answer

SHIPPED = load_bank(SHIPPED_BANKS_DIR / "ai-cybersecurity-analyst.toml")

# Hint items that name no concept of their own, as the importer splits the hint's prose:
# framing ("Go through ..."), a lead into the list that follows ("Monitor metrics"), the
# examples of an item already covered ("the model", "the data and the prompts" are the
# assets of "identify assets"), and halves of a phrase the splitter cuts apart
# ("Put input" | "output rails in place"). Any item not listed here must be covered.
NOT_CONCEPTS = {
    ("beg-01", "Go through all three properties with an AI example for each."),
    ("beg-02", "cover the risks"),
    ("beg-05", "unusual"),  # "unusual or anomalous prompt patterns"
    ("int-01", "techniques aimed at machine learning systems."),  # "tactics and techniques aimed at ..."
    ("int-10", "the model"),
    ("int-10", "injection"),  # "enumerate the threats, such as injection, poisoning and exfiltration"
    ("int-10", "the data and the prompts"),
    ("adv-04", "Work through it phase by phase."),
    ("scn-03", "accounts you've identified as the attacker's"),  # "block the IP addresses and accounts ..."
    ("scn-04", "that it's intact"),  # "that it's intact, by verifying checksums"
    ("wf-02", "toxicity"),  # "select the relevant probes, such as prompt injection, DAN, toxicity ..."
    ("wf-04", "Monitor metrics"),
    ("wf-06", "violence"),  # "content filters for hate, violence, ..."
    ("wf-05", "comparing clean"),  # "comparing clean and adversarial test sets"
    ("wf-08", "Put input"),  # "Put input and output rails in place"
    ("wf-09", "During training"),
    ("wf-09", "From time to time"),
    ("beh-02", "Explain the issue clearly to technical"),  # "... to technical and non-technical people alike"
    ("beh-03", "Point to specific sources"),
    ("beh-03", "now called X."),
}


def mentioned(question: Question, text: str) -> set[str]:
    """Labels of the points the scorer finds in the text, denied mentions included: a hint
    may name a point in a negative ("no individual record can be reverse-engineered")."""
    return {p.label for p in score_answer(question, text).points if p.covered or p.denied}


@pytest.mark.parametrize("question", SHIPPED.questions, ids=lambda q: q.id)
def test_every_key_point_is_found_in_its_hint(question):
    missing = {p.label for p in question.points} - mentioned(question, question.hint)
    assert not missing, f"{question.id}: the hint never says {sorted(missing)}"


def test_every_item_of_every_hint_is_covered_by_a_key_point():
    uncovered = {
        (q.id, item.text)
        for q in SHIPPED.questions
        for item in split_hint(q.hint)
        if not mentioned(q, item.text)
    }
    assert uncovered - NOT_CONCEPTS == set(), "hint items no key point covers"
    assert NOT_CONCEPTS - uncovered == set(), "listed as not concepts, but now covered or gone: remove them"


def test_key_points_per_section():
    per_section = Counter()
    for q in SHIPPED.questions:
        per_section[q.section] += len(q.points)
    print("\nkey points per section: " + ", ".join(f"{s} {per_section[s]}" for s in SHIPPED.sections))
    assert all(per_section[s] >= 4 * sum(q.section == s for q in SHIPPED.questions) for s in SHIPPED.sections)



@pytest.mark.parametrize(
    "question_id, said, label",
    [
        ("wf-08", "That's a good question. I'd start with the flows.", "false-positive iteration"),
        ("beh-01", "The product owner was fine with the risk.", "risk in business terms"),
        ("beh-05", "Second, the developers didn't like the delay.", "minimal slowdown"),
    ],
)
def test_everyday_asides_do_not_credit_the_point_their_words_resemble(question_id, said, label):
    """Things candidates say in passing, which once matched an alias ("good questions", "fines", "didn't delay")."""
    result = {p.label: p for p in score_answer(SHIPPED.question(question_id), said).points}
    assert not result[label].covered
