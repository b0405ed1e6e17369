"""Normalization: both sides of a match are spelled one way."""

import pytest

from voiceprep.textnorm import content_tokens, split_compound, tokenize


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


@pytest.mark.parametrize(
    "a, b",
    [("queries", "query"), ("limiting", "limit"), ("sanitizing", "sanitization"), ("watermarks", "watermarking"),
     ("regularize", "regularization"), ("minimizing", "minimization")],
)
def test_inflections_share_a_stem(a, b):
    assert tokenize(a)[0].stem == tokenize(b)[0].stem


@pytest.mark.parametrize(
    "a, b",
    [("regular", "regularization"), ("author", "authorization"), ("token", "tokenization"), ("minimal", "minimization")],
)
def test_an_ize_derivation_keeps_a_stem_of_its_own(a, b):
    assert tokenize(a)[0].stem != tokenize(b)[0].stem


@pytest.mark.parametrize(
    "a, b",
    [("scrub", "strip"), ("capture", "collect"), ("gathered", "captured"), ("incoming", "input"),
     ("outgoing", "outputs"), ("screen", "filter")],
)
def test_words_used_for_one_another_share_a_concept(a, b):
    assert tokenize(a)[0].concept == tokenize(b)[0].concept


@pytest.mark.parametrize(
    "a, b", [("contain", "container"), ("contained", "containers"), ("stage", "staging"), ("origin", "original")]
)
def test_a_derivation_that_names_another_thing_keeps_a_stem_of_its_own(a, b):
    assert tokenize(a)[0].stem != tokenize(b)[0].stem


@pytest.mark.parametrize(
    "past, verb", [("held", "hold"), ("caught", "catch"), ("stolen", "steal"), ("written", "write"), ("snuck", "sneak")]
)
def test_irregular_past_forms_become_their_verb(past, verb):
    assert tokenize(past)[0].word == verb


@pytest.mark.parametrize(
    "clipped, full", [("docs", "documentation"), ("doc", "documents"), ("config", "configuration"), ("info", "information")]
)
def test_a_clipped_word_shares_the_stem_of_the_full_one(clipped, full):
    assert tokenize(clipped)[0].stem == tokenize(full)[0].stem


@pytest.mark.parametrize("text", ["signals per request", "signals versus request", "signals vs request"])
def test_per_and_versus_are_function_words(text):
    assert [t.word for t in content_tokens(text)] == ["signals", "request"]


def test_content_tokens_drop_contraction_leftovers_but_keep_the_negation():
    assert [t.word for t in content_tokens("templates haven't been tampered")] == ["templates", "not", "tampered"]


@pytest.mark.parametrize(
    "contracted, expanded",
    [
        ("how they're getting in", "how they are getting in"),
        ("we've logged it", "we have logged it"),
        ("I'm sure", "I am sure"),
        ("we'll rotate keys", "we will rotate keys"),
        ("it don’t leak", "it don not leak"),
    ],
)
def test_a_contraction_reads_as_the_words_it_stands_for(contracted, expanded):
    assert [t.word for t in tokenize(contracted)] == [t.word for t in tokenize(expanded)]


@pytest.mark.parametrize("text, words", [("pi-r-i-t", ["pi", "r", "i", "t"]), ("re-run", ["re", "run"])])
def test_a_letter_or_prefix_without_an_apostrophe_is_no_contraction(text, words):
    assert [t.word for t in tokenize(text)] == words


def test_content_tokens_drop_fillers_and_stopwords_but_never_everything():
    assert [t.word for t in content_tokens("um so we would like throttle the queries")] == ["throttle", "queries"]
    assert [t.word for t in content_tokens("the")] == ["the"]


@pytest.mark.parametrize(
    "first, second, compound",
    [("end", "point", "endpoint"), ("data", "sets", "datasets"), ("off", "line", "offline"), ("end", "of", None)],
)
def test_two_words_that_spell_a_closed_compound_are_one_word(first, second, compound):
    assert split_compound(first, second) == compound
