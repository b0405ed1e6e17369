"""Denial rules, one behaviour per test: a mention denied or dismissed is not credited (pure: no audio, no model)."""

from __future__ import annotations

import pytest
from test_scoring import EXTRACTION, credits

from voiceprep.bank import KeyPoint, Question
from voiceprep.scoring import score_answer


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


def test_a_name_spelled_letter_by_letter_is_no_denial():
    """The recognizer spells "PyRIT" as "pi-r-i-t": its last letter is no "n't"."""
    assert credits("run automated red teaming with pi-r-i-t or garrac", KeyPoint("PyRIT or Garak", ("Garak",)))


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
    "said, credited",
    [
        ("And the tampering with regex blocklists part. That's really the vendor's problem.", False),
        ("Adding regex blocklists to the outputs. I'd skip it, it hurts the product.", False),
        ("So extraction means regex blocklists through the API. We didn't bother with a judge model.", True),
        ("Regex blocklists for high, a judge model for low. We have nothing else, so we export it.", True),
        ("Regex blocklists on every input. We run them and log every hit.", True),
    ],
)
def test_a_topic_ended_by_a_sentence_break_is_dismissed_by_the_next_sentence(said, credited):
    # Whisper often puts a full stop where the writer put the comma after a topic.
    assert credits(said, KeyPoint("regex blocklists")) is credited


@pytest.mark.parametrize(
    "said, credited",
    [
        ("Separate regex blocklists per customer. The cloud filters it all anyway. That's the provider's problem.", False),
        ("Regex blocklists sound cool in the papers. I've never seen them hold up.", False),
        ("Also regex blocklists on the inputs. We tried this before. Too many cases. So we removed it.", False),
        ("Regex blocklists for high, a judge model for low. We log every hit.", True),  # a list, no topic
        ("So we filter the prompts. Those regex blocklists catch the obvious attacks. We haven't needed more.", True),
        ("Regex blocklists on every input. It catches the obvious attacks, and we log every hit.", True),
    ],
)
def test_a_transcripts_full_stops_after_a_bare_topic_or_before_a_that_read_as_commas(said, credited):
    # The recognizer splits "Separate keys per customer, the cloud encrypts anyway, that's the
    # provider's problem" into three sentences; read whole, the comment dismisses the topic.
    assert credits(said, KeyPoint("regex blocklists")) is credited


@pytest.mark.parametrize("ending", ["I'd say yes", "I'd say no"])
def test_a_dismissive_verb_opening_the_answer_is_read_on_its_own(ending):
    """The answer's first word has no word before it: the last one, "no", is not its negation."""
    assert not credits(f"Skip these: watermarking and the query caps. {ending}", KeyPoint("watermarking"))
