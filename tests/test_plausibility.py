"""The plausibility check: a point's words heard where the point is seldom meant are doubtful, not credited (pure)."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest
from conftest import load_script

from voiceprep.bank import KeyPoint, Question, load_bank
from voiceprep.plausibility import (
    FEATURES, PRIOR_SHARE, AnswerContext, Mention, PlausibilityModel, model_for, model_key, question_vocabulary,
)
from voiceprep.scoring import feedback_sentence, score_answer
from voiceprep.textnorm import tokenize

ev = load_script("eval_scoring")
train = load_script("train_plausibility")


@pytest.fixture(scope="module")
def bank():
    return load_bank(ev.BANK)


def point_of(bank, question_id: str, label: str, said: str):
    return {p.label: p for p in score_answer(bank.question(question_id), said).points}[label]


@pytest.mark.parametrize(
    "question_id, label, said",
    [
        ("int-05", "watermarking", "We watermark our PDF invoices and the marketing photos, and the office wifi password gets rotated every quarter."),
        ("int-05", "watermarking", "Our photographers watermark every picture before it goes on the website, and the brochures too."),
        ("int-01", "model evasion", "Honestly my background is networking: VLANs, firewalls, BGP, the office VPN. Evasion, sure, malware slips past the antivirus sometimes."),
    ],
)
def test_a_points_words_in_an_answer_about_something_else_are_doubtful(bank, question_id, label, said):
    point = point_of(bank, question_id, label, said)
    assert point.doubtful and not point.covered
    assert point.plausibility < model_for(bank.question(question_id)).threshold
    assert point.evidence  # the words heard are kept, to be shown


@pytest.mark.parametrize(
    "question_id, label, said",
    [
        ("int-05", "watermarking", "We watermark the model's outputs so that a stolen copy can be traced back to us."),
        ("int-05", "rate limiting", "We rate limit the API."),  # short: judged by its words, not its length
        ("int-01", "model evasion", "ATLAS lists evasion, where crafted inputs fool a classifier, and data poisoning."),
    ],
)
def test_a_point_made_about_the_question_stays_credited(bank, question_id, label, said):
    point = point_of(bank, question_id, label, said)
    assert point.covered and not point.doubtful
    assert point.plausibility >= model_for(bank.question(question_id)).threshold


def test_no_model_answer_in_the_bank_loses_a_credit_to_the_check(bank):
    doubtful = {
        q.id: [p.label for p in score_answer(q, q.model_answer).points if p.doubtful]
        for q in bank.questions if q.model_answer
    }
    assert {q: labels for q, labels in doubtful.items() if labels} == {}


def test_the_unclear_points_are_said_apart_from_the_missed(bank):
    said = "We watermark our PDF invoices and the marketing photos, and the office wifi password gets rotated every quarter."
    sentence = feedback_sentence(score_answer(bank.question("int-05"), said), spoken=True)
    assert sentence.endswith(" and 2 more. Unclear: watermarking.")
    assert "watermarking" not in sentence.split("Unclear:")[0]


def test_a_question_without_a_model_answer_is_read_by_the_model_trained_without_one(bank):
    question = bank.question("int-05")
    assert model_key(question) == "with_model_answer"
    assert model_key(replace(question, model_answer=None)) == "without_model_answer"
    assert question_vocabulary(replace(question, model_answer=None)) < question_vocabulary(question)


def test_a_questions_words_do_not_depend_on_its_aliases(bank):
    """A bank with few aliases is read as on topic as one with many: the vocabulary is prompt, hint, answer, labels."""
    question = bank.question("int-05")
    bare = replace(question, points=tuple(replace(p, aliases=(), near_misses=()) for p in question.points))
    assert question_vocabulary(bare) == question_vocabulary(question)
    said = "We rate limit the API and watermark the outputs of the model."
    assert {p.label for p in score_answer(bare, said).covered} == {"rate limiting", "watermarking"}


def _features(said: str, vocabulary: str, first: int, last: int, point: str = "", near_misses: str = "") -> dict[str, float]:
    tokens = tokenize(said)
    sentence, number = [], 0
    for i, token in enumerate(tokens):
        number += i > 0 and "." in said[tokens[i - 1].end : token.start]
        sentence.append(number)
    concepts = lambda text: frozenset(t.concept for t in tokenize(text) if not t.is_stopword)  # noqa: E731
    mention = Mention(first, last, True, 1, None, concepts(said.split()[first]), concepts(point), concepts(near_misses))
    return AnswerContext(tokens, sentence, concepts(vocabulary)).features(mention)


def test_support_counts_the_points_other_words_in_the_mentions_sentence_only():
    point = "watermark outputs trace copies"
    in_sentence = _features("we watermark outputs to trace copies", "model", 1, 1, point)
    next_sentence = _features("we watermark. outputs trace copies", "model", 1, 1, point)
    assert (in_sentence["support"], next_sentence["support"]) == (3.0, 0.0)


def test_other_sense_counts_near_miss_words_that_are_not_the_points():
    features = _features("we watermark the PDF invoices", "model", 1, 1, "watermark outputs", "watermark PDF documents")
    assert features["other_sense"] == 1.0  # "PDF"; "watermark" is the point's own word


def test_a_few_words_say_little_about_an_answers_topic():
    short = _features("we watermark", "model outputs", 1, 1)
    long = _features("we watermark " + "invoices photos brochures " * 10, "model outputs", 1, 1)
    assert short["answer_on_topic"] == pytest.approx(PRIOR_SHARE * 10 / 11)  # one word, none on topic
    assert long["answer_on_topic"] < short["answer_on_topic"]


def test_more_of_the_questions_words_make_a_mention_more_plausible(bank):
    model = model_for(bank.question("int-05"))
    base = dict.fromkeys(FEATURES, 0.0) | {"exact": 1.0, "phrase_words": 1.0}
    shares = [model.probability(base | {"answer_on_topic": s, "context_on_topic": s}) for s in (0.1, 0.3, 0.5)]
    assert shares == sorted(shares) and shares[0] < model.threshold < shares[-1]


def test_probability_is_the_logistic_of_the_weighted_features():
    model = PlausibilityModel(weights=dict.fromkeys(FEATURES, 0.0) | {"support": 2.0}, bias=-1.0, threshold=0.5)
    features = dict.fromkeys(FEATURES, 0.0) | {"support": 1.0}
    assert model.probability(features) == pytest.approx(1 / (1 + math.exp(-1.0)))


def test_a_question_of_one_point_with_no_prompt_still_scores():
    question = Question("q", "S", "?", "...", (KeyPoint("watermarking"),))
    assert score_answer(question, "watermarking").points[0].plausibility is not None


def test_the_shipped_model_is_the_one_training_gives_now(bank):
    """After a change to the scorer, the bank or the answers: run scripts/train_plausibility.py."""
    trained = train.train(ev.load_answers(), ev.load_transcripts(), bank, out=open("/dev/null", "w"))
    shipped = {key: model_for(question) for key, question in (
        ("with_model_answer", bank.question("int-05")),
        ("without_model_answer", replace(bank.question("int-05"), model_answer=None)),
    )}
    for key, model in shipped.items():
        assert model.threshold == trained["threshold"]
        assert model.bias == pytest.approx(trained["models"][key]["bias"], abs=1e-6)
        assert model.weights == pytest.approx(trained["models"][key]["weights"], abs=1e-6)
