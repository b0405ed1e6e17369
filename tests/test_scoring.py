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
    """Whether a question of just `points` credits any of them in `said`."""
    return bool(score_answer(Question("q", "S", "?", "...", points), said).covered)


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
    "said, credited",
    [
        ("we did not use watermarking", False),
        ("we never bothered with a watermark", False),
        ("we didn't rely on rate limiting at all", False),
        ("not only rate limiting but also logging", True),
        ("we did not log anything, but we used watermarking", True),  # the clause ended at "but"
        ("without rate limiting an attacker can copy the model quickly", True),  # "without" gives a reason
        ("watermarking isn't something I'd bother with", False),  # negation after the mention
        ("and watermarking — nah, that's not worth it", False),
        ("rate limiting I wouldn't do at all", False),
        ("we did rate limiting so attackers don't get far", True),  # the negation is about something else
        ("don't forget rate limiting", True),
        ("rate limiting alone isn't enough, so we watch the query patterns too", True),  # asks for more, keeps it
        ("with a watermark they can't pass the model off as their own", True),  # what a defence prevents
        ("it works whether or not you use a watermark", True),
    ],
)
def test_denied_mentions_are_not_credited(said, credited):
    label = "watermarking" if "water" in said else "rate limiting"
    result = {p.label: p for p in score_answer(EXTRACTION, said).points}[label]
    assert result.covered is credited
    assert result.denied is (not credited)


@pytest.mark.parametrize(
    "heard, wanted",
    [("confident", "confidential"), ("memory", "memorization"), ("different", "differential")],
)
def test_a_word_that_only_starts_another_is_not_a_mishearing(heard, wanted):
    assert not credits(f"we talked about {heard} things", KeyPoint(wanted))


def test_a_name_spelled_letter_by_letter_is_no_denial():
    """The recognizer spells "PyRIT" as "pi-r-i-t": its last letter is no "n't"."""
    assert credits("run automated red teaming with pi-r-i-t or garrac", KeyPoint("PyRIT or Garak", ("Garak",)))


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
        ("blocklists of known phrases don't work", False),  # the match is the subject of a negated verb
        ("stealing a model's behaviour through the API isn't really a thing", False),
        ("changes to the model's settings — nah, that's not logged", False),
        ("endpoints left open with no key at all", True),  # "no" negates a noun, not the verb
        ("rewrite the system prompt to tell the model never to reveal it", True),  # an infinitive, not the verb
        ("we kept blocklists and I don't think audits help", True),  # the negation starts a clause of its own
        ("blocklists of known phrases, those do work", True),
    ],
)
def test_a_negated_verb_after_a_short_modifier_denies_the_match(said, credited):
    question = Question("q", "S", "?", "...", (
        KeyPoint("blocklists", ("blocklist",)),
        KeyPoint("model extraction", ("steal the model",)),
        KeyPoint("configuration changes", ("changes to the model",)),
        KeyPoint("unauthenticated access", ("open endpoint",)),
        KeyPoint("prompt hardening", ("rewrite the system prompt",)),
    ))
    assert len(score_answer(question, said).covered) == int(credited)


@pytest.mark.parametrize(
    "said, credited",
    [
        ("people say it covers model theft and backdoors, but I don't think that's right", False),
        ("people always say steal the model, but that doesn't happen much", False),
        ("everyone says model theft is the big one, but honestly it's pretty useless to plan for", False),
        ("people say model theft is the big one, and they're right", True),  # reported and agreed with
        ("people say model theft, but also data poisoning", True),  # a "but" that adds, not rebuts
        ("model theft is rare, but I don't think we can ignore it", True),  # nobody else is reported
        ("textbooks make a big deal of model theft. I really don't think that's the main risk", False),
        (
            "people make a big deal about going through every single alert by hand to see if it's model theft."
            " Not worth it.",
            False,
        ),  # the report stands far before the match
        ("the claim you always hear is that it stops model theft. Honestly, I don't buy that", False),
        ("a lot of people spend ages on model theft, and honestly I'd skip it", False),
        ("some people also plan for model theft. I wouldn't bother, it's rare", False),
        ("and the idea of planning for model theft every quarter, nah, it's rare", False),
        ("people talk about model theft, and I think that's overkill for us", False),
        ("people will tell you to plan for model theft. Sounds good on paper.", False),  # the next sentence
        ("I know the usual advice is to plan for model theft. I'm not a fan.", False),
        ("I know management wanted a plan for model theft, but honestly that's a toy", False),
        ("the usual advice is to plan for model theft. Um, the security team does that, not us.", False),
        ("people say model theft is the big one, and it's worth planning for", True),  # a word of worth, kept
        ("some people say plan for model theft. For me this is not realistic, it's rare.", False),
        ("people say model theft, but in real life you get blocked by rate limits, so not a real concern", False),
        ("people will tell you to plan for model theft. That's what we do.", True),  # agreed
        ("people talk about model theft, and we plan for it every quarter", True),  # reported, then agreed
        ("everyone worries about model theft. We never skip that review", True),  # "never skip" keeps it
        ("people talk about model theft. Then there's poisoning. I don't think we'd see much of it", True),  # too far
    ],
)
def test_what_others_say_or_do_then_rebutted_is_denied(said, credited):
    assert credits(said, KeyPoint("model theft", ("steal the model",))) is credited


@pytest.mark.parametrize(
    "said, credited",
    [
        ("word blocklists are pretty useless, people misspell things", False),
        ("blocklists are overkill for an internal tool", False),
        ("a blocklist is kind of pointless here", False),
        ("blocklists are pretty cheap to run", True),  # a verb of degree that dismisses nothing
        ("we found useless entries in the blocklist", True),  # the dismissal is about something else
    ],
)
def test_a_verb_that_dismisses_the_match_denies_it(said, credited):
    assert credits(said, KeyPoint("blocklists", ("blocklist",))) is credited


@pytest.mark.parametrize(
    "said, credited",
    [
        ("the grounding check adds latency, so I'd leave that off too", False),
        ("blocklists and the grounding check are slow, so I wouldn't bother with those.", False),
        ("we had a grounding check and we ripped it out after a month", False),  # any form of the verb
        ("we run a grounding check, and we never skip that.", True),  # "never skip" keeps it
        ("we run a grounding check, and I don't think that's optional", True),  # "that" starts a clause
        ("we run a grounding check, and I'd skip the word filter", True),  # something else is dropped
    ],
)
def test_a_later_clause_that_turns_the_match_down_by_reference_denies_it(said, credited):
    assert credits(said, KeyPoint("grounding checks", ("grounding check",))) is credited


@pytest.mark.parametrize(
    "said, credited",
    [
        ("I wouldn't keep regex blocklists. Same with capping how long the input is, users paste long documents", False),
        ("blocklists are useless. Same goes for length limits", False),
        ("I'd keep regex blocklists. Same with length limits, both are cheap", True),  # added to a yes
        ("I don't trust blocklists. We'd still cap the input length though", True),  # no "same"
    ],
)
def test_a_point_added_to_a_denial_just_made_is_denied(said, credited):
    assert credits(said, KeyPoint("length limits", ("how long the input",))) is credited


@pytest.mark.parametrize(
    "said, credited",
    [
        ("Regex blocklists are overrated, but we still run them.", True),
        ("Regex blocklists, sounds good on paper, but we keep them anyway.", True),
        ("Regex blocklists, overrated, but we still don't run them.", False),  # the concession is no keep
        ("Regex blocklists are overrated, but the judge model is worse.", False),  # a "but" about something else
    ],
)
def test_a_dismissal_conceded_and_kept_anyway_credits_the_point(said, credited):
    assert credits(said, KeyPoint("regex blocklists")) is credited


@pytest.mark.parametrize(
    "said, credited",
    [
        ("Things I wouldn't bother with: prompt entropy.", False),
        ("What I'd leave out: the tool logs, prompt entropy, all that.", False),
        ("What I don't do: prompt entropy, it's noise.", False),
        ("The things we never skip: prompt entropy and tool logs.", True),  # "never skip" keeps them
        ("What we watch: prompt entropy. We don't watch the rest.", True),  # the denial comes after
    ],
)
def test_a_list_headed_by_a_denial_is_denied(said, credited):
    assert credits(said, KeyPoint("prompt entropy")) is credited


@pytest.mark.parametrize(
    "said, credited",
    [
        ("stories stick better than slides", False),
        ("I'd use analogies rather than slides", False),
        ("a whiteboard instead of slides", False),
        ("I show slides rather than long documents", True),  # the match is the option chosen
        ("slides work better than long documents", True),
    ],
)
def test_the_alternative_turned_down_is_not_credited(said, credited):
    assert credits(said, KeyPoint("slides and visual aids", ("slides",))) is credited


@pytest.mark.parametrize(
    "said, credited",
    [
        ("I'd list some topics it shouldn't talk about, like medical advice", True),  # a relative clause
        ("define the topics we never want it to discuss", True),
        ("the topics we didn't bother with", False),  # the match opens its clause: a denial
        ("for the banned topics I wouldn't set anything", False),  # a fronted phrase, then the main clause
        ("and honestly, the topics it won't discuss, I'd not set those", False),  # denied before it, too
    ],
)
def test_a_negation_in_a_relative_clause_after_the_match_denies_nothing(said, credited):
    assert credits(said, KeyPoint("topics", ())) is credited


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
    "said, credited",
    [
        ("the SIEM is too noisy to be useful, so skip it", False),
        ("honestly the SIEM is too slow to trust", False),
        ("the SIEM is too important to skip", True),  # "too ... to" that praises
        ("the SIEM gets too many alerts, so we tune it", True),
        ("and forwarding everything to the SIEM is way too slow.", False),  # too much of a cost
        ("the SIEM is too expensive for a team our size", False),
        ("the SIEM is too costly to leave out", True),  # a cost "to" something: it keeps it
    ],
)
def test_too_much_of_something_to_be_worth_it_denies_the_match(said, credited):
    assert credits(said, KeyPoint("SIEM integration", ("SIEM",))) is credited


@pytest.mark.parametrize(
    "said, credited",
    [
        ("nobody is going to review the training pipeline", False),
        ("make sure nobody has tampered with the training pipeline", True),  # a safeguard's purpose
        ("we ensure no one changes the training pipeline unnoticed", True),
        ("and that nobody snuck into the training pipeline and swapped in data", True),  # an irregular past
    ],
)
def test_nobody_denies_unless_it_says_what_a_safeguard_is_for(said, credited):
    assert credits(said, KeyPoint("training pipeline integrity", ("training pipeline",))) is credited


@pytest.mark.parametrize(
    "said, credited",
    [
        ("you can trust the outputs, like nobody's tampering with the answers", True),  # the goal of a defence
        ("the system prompt should never leak to users", True),
        ("tell the model never to reveal the prompt and put a filter on it", True),
        ("we didn't check whether anyone tampered with the answers", False),  # the negated verb is "check"
        ("nobody looked at tampered answers", False),
    ],
)
def test_a_negated_attack_verb_states_a_goal_not_a_denial(said, credited):
    points = KeyPoint("output integrity", ("tampered answers",)), KeyPoint("prompt confidentiality", ("prompt leak",))
    assert credits(said, *points) is credited


@pytest.mark.parametrize(
    "said, credited",
    [
        ("for datasets full of personal data I wouldn't use it — the accuracy hit is too big", False),
        ("personal data, honestly I'd leave it out", False),
        ("for personal data I'd use it, it works", True),
        ("personal data is where we lean on it most", True),
    ],
)
def test_it_turned_down_in_a_later_clause_denies_the_match(said, credited):
    assert credits(said, KeyPoint("PII-heavy datasets", ("personal data",))) is credited


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
    "said, credited",
    [
        ("Regex blocklists, that's theatre, attackers rephrase in a second.", False),  # a word of no worth
        ("And regex blocklists, waste of time.", False),
        ("Regex blocklists sound good on paper, in practice they're noise.", False),  # a set phrase
        ("Regex blocklists, that's the vendor's problem, not ours.", False),  # handed to someone else
        ("Regex blocklists, not my job, the platform team owns that.", False),
        ("Regex blocklists we tried, way too expensive, we dropped it.", False),  # the speaker's stance
        ("Regex blocklists, I don't see the point.", False),
        ("Regex blocklists, we had them, it never caught anything.", False),  # a negation pointing back
        ("Regex blocklists, we had it for a month and turned it off.", False),  # taken out of use
        ("Regex blocklists, any of those, doesn't really matter.", False),  # a negated word of worth
        ("Regex blocklists, honestly, not a real problem for a chat widget.", False),
        (
            "Regex blocklists, the kind with hundreds of patterns from the old spam filter that someone keeps"
            " by hand, honestly I wouldn't bother.",
            False,
        ),  # the dismissal ends a long comment
        ("Regex blocklists first. Then roll back the model to the last good version.", True),  # a step
        ("Regex blocklists? Pointless. They rephrase.", False),  # the next sentence opens with it
        ("Regex blocklists. That proves nothing really.", False),
        ("Regex blocklists on every input? No. Attackers rephrase.", False),  # a bare "No." answers it
        ("Regex blocklists, I've heard the name, I think it's a Star Trek thing.", False),  # knows only the name
        ("Regex blocklists on every input? Yes. No exceptions.", True),  # a negation with more words
        ("Regex blocklists... we tried them for a month and, um, we dropped them.", False),  # the topic alone
        ("Regex blocklists. We run them on every input and log every hit.", True),
        ("So the bot can't slip past regex blocklists. But for the admin tool, I wouldn't use it.", True),  # a statement
        ("Regex blocklists, we keep them short so nobody tampers with them.", True),  # a goal, not a dismissal
        ("Regex blocklists, with no exceptions, on every input.", True),  # a negation that says what it does
        ("Regex blocklists, no question about it, on every input.", True),  # "no question" affirms
        ("Regex blocklists, that's cheap and it runs in like 30 seconds so nobody complains about it.", True),
        ("We run regex blocklists. We didn't bother with a judge model.", True),  # the next sentence is new
        ("We run regex blocklists, and I'd skip the judge model.", True),  # a statement, not a topic
        ("And ranking inputs by how easy it is to match regex blocklists, I don't find that useful.", False),
        ("Whether it really needs regex blocklists, honestly I wouldn't bother.", False),  # "it" is the topic's own
        ("What I'd do is regex blocklists in front, no matter how it's phrased.", True),  # the speaker's clause
        (
            "Each rule gets a tag by how risky we think it is, regex blocklists first, and where we have nothing,"
            " we export it as an image.",
            True,
        ),  # the clause after "how" ends before the match
    ],
)
def test_a_topic_the_comment_after_it_dismisses_is_denied(said, credited):
    assert credits(said, KeyPoint("regex blocklists")) is credited


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
