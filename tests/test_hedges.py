"""Vague gestures: a point's words said with an admission of not knowing are not credited (pure: no audio, no model)."""

from __future__ import annotations

import pytest
from test_scoring import EXTRACTION

from voiceprep.scoring import score_answer


def _result(said: str, label: str):
    return {p.label: p for p in score_answer(EXTRACTION, said).points}[label]


@pytest.mark.parametrize(
    "said, label",
    [
        ("after that I guess you'd add noise to the outputs somehow", "output perturbation"),
        ("there's a way to throttle queries, I'd have to look it up", "rate limiting"),
        ("you rate limit it. I don't remember exactly how that works", "rate limiting"),
        ("I gather there's a watermark you can put in", "watermarking"),
        ("no idea really, some watermark maybe", "watermarking"),
    ],
)
def test_a_point_said_with_an_admission_of_not_knowing_it_is_not_credited(said, label):
    result = _result(said, label)
    assert not result.covered
    assert not result.denied  # nothing was turned down: it is missed, not denied


@pytest.mark.parametrize(
    "said, label",
    [
        ("maybe rate limit each key, probably per minute", "rate limiting"),  # unsure in tone, the point is made
        ("I guess I'd add noise to the outputs", "output perturbation"),
        ("we watermark the outputs. Later on, I'd have to look up the exact library", "watermarking"),  # too far
        ("rate limiting somewhere in the gateway, and somehow we also log", "rate limiting"),  # "somehow" not next to it
        ("I gather the logs. Then we rate limit every client", "rate limiting"),  # another sentence
    ],
)
def test_words_only_unsure_in_tone_or_far_from_the_point_still_credit_it(said, label):
    assert _result(said, label).covered
