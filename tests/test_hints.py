"""Drafting key points from a hint: each splitting rule on the kind of sentence guides use."""

from __future__ import annotations

import pytest

from voiceprep.hints import MAX_LABEL_WORDS, draft_points, draft_prompt, split_hint


def labels(hint: str) -> list[str]:
    return [p.label for p in draft_points(hint).points]


@pytest.mark.parametrize(
    "hint, expected",
    [
        ("Discuss rate limiting, output perturbation, and watermarking.",
         ["rate limiting", "output perturbation", "watermarking"]),
        ("Explain how attackers rotate keys; cover audit logging or alert routing.",
         ["attackers rotate keys", "audit logging", "alert routing"]),
        ("Log requests, auth events and config changes - essential for detecting abuse and forensics.",
         ["Log requests", "auth events", "config changes"]),
        ("Use PII detection and redaction in the data pipeline and data minimization.",
         ["PII detection and redaction", "data minimization"]),
        ("Cover confidentiality of data and prompts.", ["confidentiality of data and prompts"]),
        ("Defenses: regularization, differential privacy, confidence calibration.",
         ["regularization", "differential privacy", "confidence calibration"]),
        ("Countermeasures include query rate limiting and output perturbation.",
         ["query rate limiting", "output perturbation"]),
        ("Monitor metrics like tool-call frequency, e.g. prompt entropy.",
         ["Monitor metrics", "tool-call frequency", "prompt entropy"]),
        ("Compare decision boundaries before and after the update.", ["Compare decision boundaries"]),
    ],
    ids=["lead-in-and-commas", "semicolon-or", "justification-dropped", "shared-head-and-qualifier-cut",
         "shared-head-kept", "colon-header", "include-header", "introducers", "with-and-without"],
)
def test_enumerations_split_into_short_labels(hint, expected):
    assert labels(hint) == expected


def test_a_parenthesis_of_one_phrase_or_single_words_gives_aliases_of_the_item_before():
    points = draft_points("Cover streaming ingestion (Kafka/Kinesis), content filters (hate, violence, sexual), "
                          "and containment (rate-limit or disable the endpoint).").points
    assert [(p.label, p.aliases) for p in points] == [
        ("streaming ingestion", ("Kafka", "Kinesis")),
        ("content filters", ("hate", "violence", "sexual")),
        ("containment", ("rate-limit", "disable the endpoint")),
    ]


def test_a_parenthesis_listing_phrases_gives_points_of_their_own():
    assert labels("Discuss feature extraction (prompt length, token entropy, topic drift) and alerting thresholds.") == [
        "feature extraction", "prompt length", "token entropy", "topic drift", "alerting thresholds",
    ]


def test_slashes_are_alternatives_alone_and_spelled_out_inside_a_phrase():
    points = draft_points("Run attacks like FGSM/PGD, log requests/responses, and check accuracy/robustness/security testing.").points
    assert [(p.label, p.aliases) for p in points] == [
        ("attacks", ()),
        ("FGSM and PGD", ("FGSM", "PGD")),
        ("log requests and responses", ()),
        ("accuracy, robustness and security testing", ()),
    ]


def test_long_items_are_cut_before_a_qualifier_and_to_five_words():
    hint = ("Add a pipeline stage that runs scanners against a staging deployment, and require human approval "
            "for every single write operation the agent performs on production databases.")
    assert labels(hint) == ["pipeline stage", "human approval"]
    long_without_qualifier = "Mention alpha beta gamma delta epsilon zeta eta theta."
    assert all(len(label.split()) <= MAX_LABEL_WORDS for label in labels(long_without_qualifier))


def test_a_list_of_actions_is_ordered_and_a_list_of_concepts_is_not():
    steps = ("Isolate the endpoint, review recent changes, reproduce the leak with controlled inputs, "
             "identify the injection vector, and deploy with monitoring.")
    concepts = "Discuss prevalence, impact, exploitability and the full list."
    assert draft_points(steps).ordered is True
    assert draft_points(concepts).ordered is False
    gerund_steps = "Describe setting up the tool, defining seed prompts, executing the campaign, and analyzing outputs."
    assert draft_points(gerund_steps).ordered is True


def test_items_keep_the_hint_wording_with_their_parenthesis():
    items = split_hint("Cover containment (rate-limit or disable the endpoint), and post-incident hardening.")
    assert [i.text for i in items] == ["Cover containment (rate-limit or disable the endpoint)", "post-incident hardening."]


def test_a_prompt_is_drafted_from_the_first_clause_without_its_lead_in():
    assert draft_prompt("Discuss REST APIs as the interface to LLM services, risks like rate-limit bypass.") == (
        "Can you walk me through: REST APIs as the interface to LLM services?"
    )


def test_a_hint_with_nothing_to_split_still_gives_one_point():
    assert labels("(,)") == ["(,)"]
    assert labels("Security.") == ["Security"]
