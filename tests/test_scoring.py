"""Key-point detection rules, one behaviour per test (pure: no audio, no model)."""

from __future__ import annotations

import time

import pytest

from voiceprep.bank import KeyPoint, Question
from voiceprep.scoring import WordTime, feedback_sentence, score_answer

EXTRACTION = Question(
    id="int-05", section="Intermediate", prompt="What is model extraction?", hint="...",
    points=(
        KeyPoint("model extraction", ("stealing the model", "copy the model")),
        KeyPoint("rate limiting", ("throttle queries", "limit requests", "rate limit")),
        KeyPoint("output perturbation", ("add noise to the outputs", "perturb the outputs")),
        KeyPoint("watermarking", ("watermark",)),
        KeyPoint("Garak scans", ("garak",)),
        KeyPoint("differential privacy", ("DP",), weight=2.0),
    ),
)


def covered(text: str, question: Question = EXTRACTION) -> set[str]:
    return {p.label for p in score_answer(question, text).covered}


def credits(said: str, *points: KeyPoint) -> bool:
    """Whether the matching rules credit any of `points` in `said`, in a question of just those points.

    Read before the plausibility check (``PointResult.doubtful``): a question with no prompt
    or hint to speak of gives the check nothing to judge an answer's topic by, and
    tests/test_plausibility.py tests the check on the bank's questions.
    """
    return any(p.covered or p.doubtful for p in score_answer(Question("q", "S", "?", "...", points), said).points)


@pytest.mark.parametrize(
    "said, label",
    [
        ("we use rate limiting", "rate limiting"),
        ("I'd throttle how many queries each account gets", "rate limiting"),  # alias, words apart
        ("the queries get throttled", "rate limiting"),  # reordered and inflected
        ("we rate-limited every client", "rate limiting"),  # hyphen and tense
        ("um, uh, we'd — well, we'd add, you know, noise to the outputs", "output perturbation"),  # fillers, restart
        ("Model X traction is the attack", "model extraction"),  # ASR split a word
        ("we add water marking to responses", "watermarking"),  # ASR split a word
        ("run a garrick scan nightly", "Garak scans"),  # sound-alike mis-hearing
        ("outputs are perterbed slightly", "output perturbation"),  # misspelled by the recognizer
        ("train it with DP", "differential privacy"),  # short abbreviation, exact
        ("use differential privacy", "differential privacy"),
    ],
)
def test_points_said_in_other_words_or_misheard_are_credited(said, label):
    assert label in covered(said)


@pytest.mark.parametrize(
    "said, label",
    [
        ("store it in a DB", "differential privacy"),  # "db" is not "dp": short words match exactly only
        ("model execution was slow", "model extraction"),  # a different in-domain phrase
        ("the rate was fine, the team was limited", "rate limiting"),  # words too far apart
        ("we track the error rate. Access is limited to admins.", "rate limiting"),  # not one sentence
        ("we talked about water and marketing", "watermarking"),
        ("the output is confident", "output perturbation"),
        ("activation of the model, and then some perturbation", "model extraction"),
        ("we add noise — to the outputs of our thinking", "rate limiting"),
        ("security matters for every model", "output perturbation"),
        ("", "rate limiting"),
    ],
)
def test_points_not_said_are_not_credited(said, label):
    assert label not in covered(said)


@pytest.mark.parametrize(
    "heard, wanted",
    [("confident", "confidential"), ("memory", "memorization"), ("different", "differential")],
)
def test_a_word_that_only_starts_another_is_not_a_mishearing(heard, wanted):
    assert not credits(f"we talked about {heard} things", KeyPoint(wanted))


@pytest.mark.parametrize(
    "said, point",
    [
        ("I'd take the end point offline right away", KeyPoint("containment", ("take it offline",))),  # intruder split
        ("first I'd take the chat off line", KeyPoint("containment", ("take it offline",))),  # phrasing word split
        ("knowing someone was in the data set leaks it", KeyPoint("privacy violations", ("reveals someone",))),
    ],
)
def test_a_compound_split_in_two_counts_as_one_word(said, point):
    assert credits(said, point)


def test_an_intruding_word_may_not_sit_across_a_dash_or_comma():
    point = KeyPoint("activation clustering")
    assert not credits("look at the activation on the model, and do some clustering", point)
    assert credits("look at the activation, um, clustering", point)  # only fillers between


@pytest.mark.parametrize(
    "said, alias, credited",
    [
        ("we test for SQL injection on every release", "injection", False),  # the head noun alone: any injection
        ("we test for prompt injection attempts", "injection", True),  # another word of the point beside it
        ("we compare the hash before loading the model", "hash", True),  # a modifier, in its AI sense
        ("we'd put an ensemble of models in front of it", "ensemble", True),
    ],
)
def test_the_head_word_of_a_label_alone_needs_another_word_of_the_point(said, alias, credited):
    label = {"injection": "prompt injection", "hash": "weight hash verification", "ensemble": "ensemble defenses"}[alias]
    assert credits(said, KeyPoint(label, (alias,))) is credited


@pytest.mark.parametrize(
    "said, label, alias, credited",
    [
        ("backdoors, a hidden admin account left in router firmware", "backdoor evaluation", "backdoor", False),
        ("we scan the weights for a backdoor", "backdoor evaluation", "backdoor", True),  # a word of the AI sense
        ("the liveness probe restarts the pod when it hangs", "probe selection", "probe", False),
        ("pick the probes that fit the chatbot", "probe selection", "probe", True),
        ("Guardrails, we have AWS guardrails on the org accounts", "guardrail test suites", "guardrails", False),
        ("a guardrail test in the nightly suite", "guardrail test suites", "guardrails", True),  # words of its point
        ("I use analogies a lot with finance", "analogies and examples", "analogies", True),  # an idea of its own
    ],
)
def test_a_modifier_of_the_label_alone_needs_a_word_of_its_point_or_of_the_ai_sense(said, label, alias, credited):
    assert credits(said, KeyPoint(label, (alias,))) is credited


@pytest.mark.parametrize(
    "said, credited",
    [
        ("access control is number one now, then injection, SQL and command", False),  # "one" is any number
        ("number one is injection, you hijack the model with it", True),  # a word of the point's idea
    ],
)
def test_a_number_does_not_support_a_lone_word(said, credited):
    point = KeyPoint("LLM01 prompt injection", ("injection", "LLM zero one", "hijack the model"))
    assert credits(said, point) is credited


ALLOW_LISTS = KeyPoint("tool-call allow-lists", ("allow list", "allowlist", "approved tools"))
AGENT_LOGS = KeyPoint("log all agent actions", ("log tool calls",))


@pytest.mark.parametrize(
    "said, credited",
    [
        ("an allow-list, only our office IP ranges can reach the admin dashboard", False),  # another allow list
        ("an allowlist for the office IP ranges", False),  # run together, the same
        ("it can only call tools on an allow list", True),  # the qualifier's word beside it
        ("keep an allow list of approved tools", True),  # an alias of the point tells it apart
    ],
)
def test_an_alias_that_drops_the_labels_qualifier_needs_a_word_that_tells_the_point_apart(said, credited):
    assert credits(said, ALLOW_LISTS, AGENT_LOGS) is credited


@pytest.mark.parametrize(
    "said, point",
    [
        ("we pick the tools, then Garak", KeyPoint("PyRIT or Garak", ("Garak",))),  # one of two ideas, not a head
        ("we look for data poisoning", KeyPoint("check for data poisoning", ("data poisoning",))),  # verb, no qualifier
        ("add a pipeline stage for it", KeyPoint("dedicated pipeline stage", ("pipeline stage",))),  # how, not what
        ("prompt injection comes first", KeyPoint("LLM01 prompt injection", ("prompt injection",))),  # a catalogue number
    ],
)
def test_an_alias_that_keeps_the_labels_idea_needs_no_support(said, point):
    assert credits(said, point)


def test_a_word_of_a_point_shared_with_the_questions_other_points_does_not_tell_it_apart():
    said = "rate limits on the public chat widget, so many per minute"
    rate_limits = KeyPoint("database rate limits", ("rate limit", "queries per minute"))
    widget = KeyPoint("chat widget hardening", ("chat widget", "per minute"))
    assert "database rate limits" not in covered(said, Question("q", "S", "?", "...", (rate_limits, widget)))
    assert credits(said, rate_limits)  # alone in its question, "minute" tells it apart


@pytest.mark.parametrize(
    "said, credited",
    [
        ("I follow a lot of researchers on Twitter", False),  # a lone alias, none of the point's other words
        ("I fix the criticals and highs, then read research", False),
        ("I read the research papers from NeurIPS", True),  # another of the point's words beside it
        ("most weeks I skim new research on arXiv", True),
        ("I read a few papers a week", False),  # the label's head word alone: papers of any kind
        ("I read arXiv every morning", True),  # a name is no ordinary word
    ],
)
def test_a_lone_ordinary_word_alias_needs_another_word_of_the_point_beside_it(said, credited):
    assert credits(said, KeyPoint("academic papers", ("papers", "research", "arXiv", "NeurIPS"))) is credited


@pytest.mark.parametrize(
    "said, alias",
    [
        ("a feature step pulls signals out of each request", "signals per request"),  # "per" is a function word
        ("write up the technical docs", "technical documentation"),  # a clipped word
        ("they screen the incoming prompts and the outgoing answers", "filter inputs and outputs"),
    ],
)
def test_function_words_clipped_words_and_synonyms_do_not_stop_a_phrase(said, alias):
    assert credits(said, KeyPoint("the point", (alias,)))


@pytest.mark.parametrize(
    "said, alias, credited",
    [
        ("an admin signs off on the release", "sign in", False),  # "sign" alone is any sign
        ("users sign in with their badge", "sign in", True),
        ("they signed in twice", "sign in", True),  # still by stem
        ("the model's accuracy is a trade secret", "trade-off", False),
        ("we plot the trade-off between them", "trade-off", True),
        ("the trade off is accuracy", "trade-off", True),
    ],
)
def test_one_word_with_function_words_matches_only_as_written(said, alias, credited):
    assert credits(said, KeyPoint("the point", (alias,))) is credited


@pytest.mark.parametrize(
    "heard, alias, credited",
    [
        ("rules", "roles", False),  # a lone ordinary word heard as another real word
        ("garrick", "Garak", True),  # a name mis-heard
        ("the user roles", "user roles", True),
        ("the user rules", "user roles", True),  # in a phrase, the other words confirm the mishearing
    ],
)
def test_a_lone_ordinary_word_is_matched_by_its_spelling_only(heard, alias, credited):
    assert credits(f"we set up {heard} for it", KeyPoint("the point", (alias,))) is credited


@pytest.mark.parametrize(
    "said, label, credited",
    [
        ("they check the prompt templates haven't been tampered with", "templates tampered", True),  # "haven" is no word between
        ("we held the line on encryption", "hold the line", True),  # irregular past
        ("they stole the model", "steal the model", True),
        ("it uses regular expressions", "regularization", False),  # "-ization" is another idea than its base word
        ("authors of the paper", "authorization", False),
        ("we regularize the weights", "regularization", True),
    ],
)
def test_word_forms_match_only_where_they_mean_the_same(said, label, credited):
    assert credits(said, KeyPoint(label)) is credited


@pytest.mark.parametrize(
    "said",
    [
        "we did not use watermarking at first. Later we added a watermark.",  # another phrasing
        "we did not use watermarking at first. Later we added watermarking.",  # the same words again
        "watermarking is overkill for a demo. For the product we rely on watermarking.",
    ],
)
def test_a_denied_mention_does_not_cancel_a_plain_one(said):
    assert "watermarking" in covered(said)


def test_evidence_and_span_point_at_the_words_that_matched():
    text = "First, um, we throttle the queries per user."
    point = {p.label: p for p in score_answer(EXTRACTION, text).points}["rate limiting"]
    assert point.evidence == "throttle the queries"
    assert text[point.span[0] : point.span[1]] == point.evidence
    assert point.matched_phrase == "throttle queries"
    assert 0.8 <= point.confidence <= 1.0


def test_word_timestamps_give_the_time_span_of_the_evidence():
    text = "we use watermarking"
    times = [WordTime(0, 2, 0.0, 0.2), WordTime(3, 6, 0.2, 0.5), WordTime(7, 19, 0.6, 1.4)]
    point = {p.label: p for p in score_answer(EXTRACTION, text, times).points}["watermarking"]
    assert point.time_span == (0.6, 1.4)


def test_coverage_is_weighted():
    result = score_answer(EXTRACTION, "differential privacy")
    assert result.coverage == pytest.approx(2.0 / 7.0, abs=1e-4)


STEPS = Question(
    id="scn-01", section="Scenario-Based", prompt="...", hint="...", ordered=True,
    points=(KeyPoint("isolate the endpoint"), KeyPoint("review recent changes"), KeyPoint("reproduce the leak"), KeyPoint("deploy with monitoring")),
)


def test_ordered_questions_report_skipped_and_out_of_order_steps():
    result = score_answer(STEPS, "First I would reproduce the leak, then isolate the endpoint, and deploy with monitoring.")
    assert result.skipped_steps == ("review recent changes",)
    assert result.out_of_order == ("reproduce the leak",)


def test_feedback_names_the_missed_points():
    result = score_answer(EXTRACTION, "We would rate limit and watermark, and use DP, and garak. It is stealing the model.")
    assert feedback_sentence(result) == "You covered 5 of 6 points. You missed: output perturbation."
    assert feedback_sentence(score_answer(EXTRACTION, "")).startswith("I didn't hear an answer")


def test_scoring_a_long_answer_is_fast_enough_to_feel_instant():
    # Not a timing gate (benchmarks live in scripts/): a guard against a 100x slowdown.
    text = " ".join(["so the attacker sends many queries to the API and we watch them"] * 25)
    started = time.perf_counter()
    score_answer(EXTRACTION, text)
    assert time.perf_counter() - started < 0.5


POISONING = KeyPoint("poisoning", ("poisoned training data",), near_misses=("DNS poisoning", "ARP poisoning"))


@pytest.mark.parametrize(
    "said, credited",
    [
        ("poisoning, think ARP poisoning on the local network", False),
        ("attackers redirect traffic with DNS cache poisoning", False),  # one other word among a near miss's words
        ("they slip poisoned training data into the pipeline", True),
        ("DNS poisoning is the classic one. For models, the training data gets poisoned", True),  # made elsewhere
        ("DNS poisoning is the classic one. Then there's poisoning, where they corrupt what it learns", True),  # said again
        ("Unlike DNS poisoning, poisoned training data targets the model", True),  # says more than the near miss
    ],
)
def test_a_match_inside_a_near_miss_of_its_point_is_not_credited(said, credited):
    assert credits(said, POISONING) is credited
