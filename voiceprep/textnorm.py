"""Text normalization shared by key points and transcripts.

Both sides go through the same steps, so a rule that maps two spellings together (British
and American, "10" and "ten", "LLM01" and "LLM 1") helps matching whichever side uses which.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import jellyfish
import snowballstemmer

_STEMMER = snowballstemmer.stemmer("english")

# Split on anything that is not a letter or digit, and between letters and digits, so
# "LLM01" -> "llm 01", "FGSM/PGD" -> "fgsm pgd", "re-indexing" -> "re indexing".
_WORD = re.compile(r"[a-z]+|[0-9]+")
_COMBINING_MARKS = re.compile("[\u0300-\u036f]")

NUMBER_WORDS = {
    "zero": "0", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5",
    "six": "6", "seven": "7", "eight": "8", "nine": "9", "ten": "10", "eleven": "11",
    "twelve": "12", "thirteen": "13", "fourteen": "14", "fifteen": "15", "sixteen": "16",
    "seventeen": "17", "eighteen": "18", "nineteen": "19", "twenty": "20", "thirty": "30",
    "forty": "40", "fifty": "50", "hundred": "100", "first": "1", "second": "2", "third": "3",
}

# Whole-word British -> American spellings whose suffix rules below would get wrong.
BRITISH_WORDS = {
    "defence": "defense", "defences": "defenses", "licence": "license", "offence": "offense",
    "behaviour": "behavior", "behaviours": "behaviors", "behavioural": "behavioral",
    "colour": "color", "favour": "favor", "honour": "honor", "labour": "labor",
    "neighbour": "neighbor", "catalogue": "catalog", "centre": "center", "programme": "program",
    "modelling": "modeling", "modelled": "modeled", "labelled": "labeled", "labelling": "labeling",
    "travelled": "traveled", "cancelled": "canceled", "signalling": "signaling",
    "judgement": "judgment", "grey": "gray",
    # A homophone the recognizer writes for the word that matters here: "weather or not".
    "weather": "whether",
}
# Irregular past forms to their verb, which no stemmer relates: "held the line" is
# "hold the line", "stole the model" "steal the model". Forms that are also ordinary
# words of another meaning ("left", "found", "lead") are left alone.
IRREGULAR_VERBS = {
    "held": "hold", "caught": "catch", "stole": "steal", "stolen": "steal", "broke": "break",
    "broken": "break", "took": "take", "taken": "take", "gave": "give", "given": "give",
    "wrote": "write", "written": "write", "ran": "run", "built": "build", "sent": "send",
    "kept": "keep", "told": "tell", "brought": "bring", "chose": "choose", "chosen": "choose",
    "hid": "hide", "hidden": "hide", "stood": "stand", "taught": "teach", "understood": "understand",
    "began": "begin", "begun": "begin", "shown": "show", "drew": "draw", "drawn": "draw",
    "fought": "fight", "sought": "seek", "spent": "spend", "threw": "throw", "thrown": "throw",
    "snuck": "sneak",
}
# Clipped words people say for the full one: "the technical docs", "the config".
CLIPPED_WORDS = {
    "doc": "document", "docs": "documents", "info": "information", "config": "configuration",
    "configs": "configurations", "repo": "repository", "repos": "repositories", "stats": "statistics",
    "spec": "specification", "specs": "specifications",
}
# Derivations that name another thing than the word they are built on, which the stemmer
# would merge: a container is not containment ("contain the incident"), a staging area
# is not a pipeline stage, findings (a report's) are not finding something, the original
# (the first version: "the original authors") is not an origin (where a thing came from).
LEXICALIZED_DERIVATIONS = {
    "container": "container", "containers": "container", "staging": "staging",
    "finding": "finding", "findings": "finding", "original": "original", "originally": "original",
}
# What a contraction's tail stands for after an apostrophe: "they're" is "they are", as the
# recognizer often writes it, and only "n't" negates ("pi-r-i-t" spells a name). "'s" and
# "'d" stay: each stands for two words ("is"/"has", "would"/"had").
CONTRACTION_TAILS = {"t": "not", "re": "are", "ve": "have", "m": "am", "ll": "will"}
APOSTROPHES = "'\u2019"
# -ise/-yse spellings (organise, analyse) -> -ize/-yze; applied to both sides, so a word
# that merely ends in "ise" (noise, promise) is changed identically everywhere.
_BRITISH_SUFFIXES = (
    ("isation", "ization"), ("isations", "izations"), ("ising", "izing"), ("ised", "ized"),
    ("ises", "izes"), ("ise", "ize"), ("yse", "yze"), ("ysed", "yzed"), ("ysing", "yzing"),
)

STOPWORDS = frozenset(
    """a an the and or of to in on at by for with from into onto as is are was were be been
    being am do does did doing have has had having it its it's this that these those there
    their they them we our us you your i me my he she his her so then than such very just
    really basically actually like um uh er ah hmm okay ok well also would could should can
    will may might must shall about over under up down out off some any each every all both
    more most much many what which who whom whose when where why how if else because while
    what's that's there's let's i'd i'm we'd we're you're they're kind sort thing things
    way ways get got make makes made go going know mean yeah yes right per versus vs""".split()
    # What the tokenizer leaves of contractions written without an apostrophe ("we ll",
    # "haven t"), which would otherwise count as words between a phrasing's words.
    + "s ll d re ve m don doesn didn isn aren wasn weren haven hasn hadn wouldn couldn shouldn".split()
)


# Words that people use for one another when they explain security work aloud. Within a
# phrase of two words or more, their stems count as one, so "scrub the names" meets
# "strip the names" and "a person signs off" meets "human approval" (a one-word alias
# must match itself: "copy" alone is not "replicate"). Kept to general usage, no
# question's own wording: a group that is too broad would credit what was not said.
SYNONYMS = (
    ("check", "verify", "validate", "vet"),
    ("human", "person", "people", "someone", "somebody", "manual", "manually"),
    ("approve", "approval", "greenlight"),
    ("remove", "strip", "scrub", "delete"),
    ("redact", "mask", "anonymize"),
    ("limit", "cap", "throttle", "restrict"),
    ("track", "trace"),
    ("monitor", "watch", "observe"),
    ("detect", "spot", "catch", "flag", "notice"),
    ("copy", "clone", "replicate", "duplicate"),
    ("block", "ban"),
    ("unusual", "odd", "strange", "weird", "abnormal", "anomalous"),
    ("output", "response", "reply", "outgoing"),
    ("input", "incoming"),
    ("filter", "screen"),
    ("query", "request"),
    ("database", "db"),
    ("fix", "patch", "remediate"),
    ("attacker", "adversary", "hacker"),
    ("isolate", "quarantine"),
    ("revert", "rollback"),
    ("alert", "notify"),
    ("large", "big", "huge"),
    ("prevent", "stop"),
    ("deep", "depth"),
    ("leak", "reveal", "disclose", "expose", "exfiltrate"),
    ("malicious", "hostile"),
    ("fool", "trick", "deceive"),
    ("collect", "gather", "capture"),
)


@dataclass(frozen=True)
class Token:
    """One word of a text, normalized, with where it stood in the original."""

    word: str  # lowercase, ASCII, American spelling, number words as digits
    stem: str
    start: int  # character offsets into the original text
    end: int
    concept: str  # the stem shared with its synonyms

    @property
    def is_stopword(self) -> bool:
        return self.word in STOPWORDS


def fold(text: str) -> str:
    """Lowercase ASCII: accents stripped, curly quotes and dashes made plain."""
    if text.isascii():
        return text.lower()
    return _COMBINING_MARKS.sub("", unicodedata.normalize("NFKD", text)).lower()


@lru_cache(maxsize=65536)
def normalize_word(word: str) -> str:
    """One lowercase word to its canonical spelling."""
    if word in NUMBER_WORDS:
        return NUMBER_WORDS[word]
    if word.isdigit():
        return str(int(word))
    if word in BRITISH_WORDS:
        return BRITISH_WORDS[word]
    if word in IRREGULAR_VERBS:
        return IRREGULAR_VERBS[word]
    if word in CLIPPED_WORDS:
        return CLIPPED_WORDS[word]
    for british, american in _BRITISH_SUFFIXES:
        if word.endswith(british) and len(word) > len(british) + 2:
            return word[: -len(british)] + american
    return word


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """The Snowball (Porter 2) stem of a normalized word, keeping an "-ize" derivation.

    Porter 2 strips "-ization" down to the word it was built on, so "regularization"
    would meet "regular", "authorization" "author" and "tokenization" "token": different
    ideas. The stem keeps the suffix up to its "iz", so "regularize", "regularizing"
    and "regularization" still share one stem, apart from "regular". A few derivations
    that name something else (``LEXICALIZED_DERIVATIONS``) keep their own stem.
    """
    if word in LEXICALIZED_DERIVATIONS:
        return LEXICALIZED_DERIVATIONS[word]
    base = _STEMMER.stemWord(word)
    if word.startswith(base):
        derivation = word.find("iz", len(base))
        if derivation >= 0:
            return word[: derivation + 2]
    return base


_CANONICAL_STEM = {stem(normalize_word(word)): stem(group[0]) for group in SYNONYMS for word in group}


# Closed compounds that writers and the recognizer also write as two words ("end point",
# "data set", "off line", "chat bot"): split, the two words are still the one word.
SPLIT_COMPOUNDS = frozenset(stem(word) for word in (
    "endpoint", "offline", "online", "dataset", "database", "backdoor", "chatbot", "guardrail", "jailbreak",
    "namespace", "workflow", "lifecycle", "uptime", "timestamp", "filesystem", "codebase", "heatmap",
    "postmortem", "tabletop", "cybersecurity", "sandbox", "watermark", "blocklist", "allowlist", "denylist",
    "password", "keyword", "redteam", "pentest", "whitebox", "blackbox", "graybox",
))
# Every word a split compound may start with: most words are none, and need no joining.
_COMPOUND_HEADS = frozenset(compound[:end] for compound in SPLIT_COMPOUNDS for end in range(2, len(compound)))


def split_compound(first: str, second: str) -> str | None:
    """The compound two neighbouring words spell when joined ("end", "point" -> "endpoint"), if any."""
    if first not in _COMPOUND_HEADS:
        return None
    joined = first + second
    return joined if stem(joined) in SPLIT_COMPOUNDS else None


def concept(word_stem: str) -> str:
    """One stem for a group of synonyms ("scrub" and "strip" give the same)."""
    return _CANONICAL_STEM.get(word_stem, word_stem)


@lru_cache(maxsize=65536)
def sound_key(word: str) -> str:
    """A Metaphone code: ASR confusions ("garrick" for "garak") often keep it."""
    return jellyfish.metaphone(word) if word.isalpha() else word


def tokenize(text: str) -> list[Token]:
    """Split text into normalized tokens that remember their character spans."""
    folded = fold(text)
    if len(folded) != len(text):
        # Folding changed the length (a ligature, say): keep spans on the folded text's
        # own scale by tokenizing the original lowercased instead.
        folded = text.lower()
    tokens = []
    for match in _WORD.finditer(folded):
        word = normalize_word(match.group())
        if word in CONTRACTION_TAILS and _follows_apostrophe(folded, match.start()):
            word = CONTRACTION_TAILS[word]
        word_stem = stem(word)
        tokens.append(Token(word, word_stem, match.start(), match.end(), concept(word_stem)))
    return tokens


def _follows_apostrophe(text: str, start: int) -> bool:
    """Whether the word at `start` is a contraction's tail: "they're", not "'re-run'" or "pi-r-i-t"."""
    return start >= 2 and text[start - 1] in APOSTROPHES and text[start - 2].isalpha()


def content_tokens(text: str) -> list[Token]:
    """Tokens that carry meaning: stopwords dropped, unless nothing else is left."""
    tokens = tokenize(text)
    content = [t for t in tokens if not t.is_stopword]
    return content or tokens
