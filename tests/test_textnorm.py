"""Normalization: both sides of a match are spelled one way."""

import pytest

from voiceprep.textnorm import content_tokens, tokenize


@pytest.mark.parametrize(
    "text, words",
    [
        ("Rate-Limiting", ["rate", "limiting"]),
        ("OWASP Top Ten", ["owasp", "top", "10"]),
        ("LLM01", ["llm", "1"]),
        ("FGSM/PGD", ["fgsm", "pgd"]),
        ("Sanitise the inputs", ["sanitize", "the", "inputs"]),
        ("analyse behaviour", ["analyze", "behavior"]),
        ("defence modelling", ["defense", "modeling"]),
        ("naïve café", ["naive", "cafe"]),
        ("It’s “quoted”", ["it", "s", "quoted"]),
        ("weather or not", ["whether", "or", "not"]),  # how the recognizer often writes "whether"
    ],
)
def test_words_are_lowercase_american_with_digits(text, words):
    assert [t.word for t in tokenize(text)] == words


def test_tokens_keep_their_place_in_the_original_text():
    text = "We use Rate-Limiting."
    assert [text[t.start : t.end] for t in tokenize(text)] == ["We", "use", "Rate", "Limiting"]


@pytest.mark.parametrize("a, b", [("queries", "query"), ("limiting", "limit"), ("sanitizing", "sanitization"), ("watermarks", "watermarking")])
def test_inflections_share_a_stem(a, b):
    assert tokenize(a)[0].stem == tokenize(b)[0].stem


def test_content_tokens_drop_fillers_and_stopwords_but_never_everything():
    assert [t.word for t in content_tokens("um so we would like throttle the queries")] == ["throttle", "queries"]
    assert [t.word for t in content_tokens("the")] == ["the"]
