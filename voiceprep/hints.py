"""Key points drafted from a hint: the hint's enumerations cut into short labels.

Interview guides give each question a hint listing what a strong answer covers:
"Cover containment (rate-limit or disable the endpoint), assessment, and root cause
analysis - essential for ...". Each enumerated item becomes a draft key point:

1. The hint is cut into sentences; a dash clause or "to ensure ..." clause that only
   justifies the list ("- essential for detecting abuse") is dropped.
2. A sentence is split at commas, semicolons, colons and dashes, at words that introduce
   examples ("such as", "like", "e.g.", "including", "based on"), and at "and", "or" and
   "but", except where the word after "and" only shares the words before it
   ("training data and prompts", "detection and redaction in the pipeline"). A short
   header before a colon or "include" ("Defenses:", "Techniques include") is dropped.
3. A parenthesis holding one phrase, or a list of single words, gives aliases of the item
   before it ("(Kafka/Kinesis)", "(hate, violence, sexual)"); one listing phrases gives
   points of its own ("(prompt length, token entropy, topic drift)").
4. Lead-ins that tell the candidate what to do ("Discuss", "Explain how", "Implement") and
   leading articles are dropped; a label longer than ``MAX_LABEL_WORDS`` is cut before its
   first qualifier ("in the data pipeline", "that ...") and then to that many words.

A hint is a sequence of steps (``ordered``) when at least ``MIN_STEPS`` of its items start
with an action verb ("Isolate the endpoint, review recent changes, ...") and they make up
most of its items.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from voiceprep.bank import KeyPoint
from voiceprep.textnorm import STOPWORDS

MAX_LABEL_WORDS = 5
MIN_STEPS = 3
MAX_PROMPT_WORDS = 12

_OPEN, _CLOSE = "\ue000", "\ue001"  # private-use marks standing in for a parenthesis
_PARENTHESIS = re.compile(r"\(([^()]*)\)")
_MARK = re.compile(f"{_OPEN}(\\d+){_CLOSE}")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(])")
_ABBREVIATIONS = ((re.compile(r"\b(e\.g|i\.e)\.,?", re.IGNORECASE), " such as "), (re.compile(r"\bvs\.", re.IGNORECASE), "versus"),
                  (re.compile(r",?\s*\betc\.?", re.IGNORECASE), ""))
_DASH = re.compile(r"\s+[-\u2013\u2014]+\s+|\s*[\u2013\u2014]\s*")
_LIST_SEPARATOR = re.compile(r"\s*[,;]\s*")
_COLON = re.compile(r":\s+")
_INTRODUCER = re.compile(r"\s+(?:such as|like|including|for example|for instance|namely|based on)\s+", re.IGNORECASE)
_HEADER_VERB = re.compile(r"^(?P<head>.{1,40}?)\s+(?:includes?|involves?|are|is)\s*:?\s+(?P<rest>.+)$", re.IGNORECASE)
_JUSTIFICATION = re.compile(
    r"^(?:(?:essential|critical|crucial|important|necessary|vital|key|useful)\s+(?:for|to|when|in)\b"
    r"|to ensure\b|ensuring\b|so that\b|in order to\b|because\b|since\b|handling\b|with\s+[\w-]+\s+examples?\b)",
    re.IGNORECASE,
)
# "To detect it, ...", "For example, ...": a lead into the list, not an item of it
_PURPOSE_HEADER = re.compile(r"^(?:to\s+\w+(?:\s+(?:it|one|them))?|for (?:example|instance))$", re.IGNORECASE)
_TRAILING_PURPOSE = re.compile(r"\s+(?:to ensure|so that|in order to)\s.*$", re.IGNORECASE)
_SLASH_GROUP = re.compile(r"[\w.-]+(?:/[\w.-]+)+")
_CONJUNCTIONS = frozenset({"and", "or", "but"})
_ARTICLES = frozenset({"the", "a", "an"})
_DETERMINERS = _ARTICLES | frozenset({"all", "any", "each", "every", "your", "their", "its", "our", "both"})
_HEDGES = frozenset({"and", "or", "but", "then", "also", "typically", "ideally", "potentially", "usually",
                     "finally", "first", "next", "always", "either", "plus", "like", "e.g.", "namely"})
_DEFINITION = re.compile(r"^(?:\S+\s+){1,3}?(?:is|are)\s+(?P<rest>(?:\S+\s+){2,}\S+)$", re.IGNORECASE)
# Words that start a qualifier: a long label is cut before the first one.
_QUALIFIERS = frozenset({
    "in", "on", "for", "with", "via", "during", "before", "after", "against", "from", "across", "per",
    "to", "into", "through", "within", "under", "using", "that", "which", "who", "where", "when",
    "so", "because", "while", "without", "as", "rather", "instead", "than", "over",
})
_LEAD_INS = tuple(re.compile(rf"^{p}\b\s*", re.IGNORECASE) for p in (
    r"(?:explain|describe|discuss|show|mention|note|state) (?:how|why|what|that|when|whether)",
    r"show (?:your |the )?ability to", r"(?:be able|the ability) to", r"give an example of", r"point to",
    r"focus on", r"set up", r"reach for", r"put in place", r"make sure", r"talk about",
    r"discuss", r"cover", r"explain", r"describe", r"use", r"include", r"implement", r"reference",
    r"demonstrate", r"articulate", r"mention", r"add", r"introduce", r"apply", r"conduct", r"perform",
    r"enable", r"establish", r"maintain", r"require", r"create", r"define", r"build", r"configure",
    r"employ", r"leverage", r"provide", r"consider", r"propose", r"run", r"check", r"emphasize",
    r"highlight", r"outline", r"name", r"list", r"take",
))
# Verbs that make an item a step to take; a hint mostly made of them is a procedure.
_STEP_VERBS = frozenset({
    "isolate", "halt", "stop", "contain", "check", "classify", "document", "configure", "build", "define",
    "embed", "implement", "add", "apply", "assess", "audit", "analyze", "analyse", "block", "alert",
    "notify", "review", "reproduce", "identify", "test", "deploy", "redeploy", "verify", "scan", "run",
    "require", "establish", "compare", "roll", "revert", "conduct", "prepare", "secure", "log", "track",
    "visualize", "monitor", "export", "enable", "create", "set", "integrate", "select", "interpret",
    "execute", "generate", "maintain", "query", "use", "color-code", "annotate", "update", "iterate",
    "validate", "gate", "coordinate", "escalate", "rotate", "patch", "remediate", "harden", "design",
    "produce", "enumerate", "investigate", "collect", "evaluate", "measure", "train", "retrain", "filter",
    "sanitize", "encrypt", "restrict", "limit", "introduce", "enforce", "write", "plant", "send", "keep",
    "probe", "confirm", "trace", "start", "finish", "capture", "store", "disable", "revoke", "suspend",
    "ban", "pin", "rewrite", "trigger", "look",
})


@dataclass(frozen=True)
class HintItem:
    """One enumerated item of a hint."""

    text: str  # the item as the hint words it, with any parenthesis
    label: str  # short enough to say as "You missed: <label>"
    aliases: tuple[str, ...] = ()
    is_step: bool = False  # starts with an action verb
    nested: bool = False  # listed inside another item's parenthesis


@dataclass(frozen=True)
class DraftPoints:
    points: tuple[KeyPoint, ...]
    ordered: bool


def draft_points(hint: str) -> DraftPoints:
    """Key points for a hint, one per enumerated item, and whether they are steps in order."""
    items = split_hint(hint)
    points: list[KeyPoint] = []
    seen: set[str] = set()
    for item in items:
        key = item.label.strip().casefold()
        if key and key not in seen:
            seen.add(key)
            aliases = tuple(dict.fromkeys(a for a in item.aliases if a.strip() and a.strip().casefold() != key))
            points.append(KeyPoint(item.label, aliases))
    if not points:
        points.append(KeyPoint(" ".join(hint.split()[:MAX_LABEL_WORDS])))
    top_level = [item for item in items if not item.nested]
    steps = sum(item.is_step for item in top_level)
    return DraftPoints(tuple(points), steps >= MIN_STEPS and steps * 3 >= len(top_level) * 2)


def draft_prompt(hint: str) -> str:
    """A spoken question drafted from a hint's first clause, for guides that give only hints."""
    first = _split_sentences(hint)[0] if hint.strip() else hint
    clause = re.split(r"[,;:(]|\s[-\u2013\u2014]\s", first, maxsplit=1)[0]
    words = _drop_lead_in(clause.split()) or clause.split() or hint.split()
    text = _shorten(words, MAX_PROMPT_WORDS, first_cut=4).rstrip(".!?;:,")
    return f"Can you walk me through: {text}?"


def split_hint(hint: str) -> tuple[HintItem, ...]:
    """The hint's enumerated items, in order (see the module docstring for the rules)."""
    items: list[HintItem] = []
    for sentence in _split_sentences(hint):
        marked, groups = _mark_parentheses(_clean(sentence))
        for piece in _pieces(marked):
            items.extend(_items_of_piece(piece, groups))
    return tuple(items)


def _clean(sentence: str) -> str:
    sentence = sentence.replace(_OPEN, " ").replace(_CLOSE, " ")
    for pattern, replacement in _ABBREVIATIONS:
        sentence = pattern.sub(replacement, sentence)
    return sentence


def _mark_parentheses(sentence: str) -> tuple[str, list[str]]:
    """The sentence with each parenthesis replaced by a numbered mark, and their contents."""
    groups: list[str] = []

    def mark(match: re.Match[str]) -> str:
        groups.append(match.group(1))
        return f" {_OPEN}{len(groups) - 1}{_CLOSE} "

    return _PARENTHESIS.sub(mark, sentence), groups


def _split_sentences(text: str) -> list[str]:
    protected = re.sub(r"\b(e\.g|i\.e|vs|etc)\.", lambda m: m.group(1) + "\0", text, flags=re.IGNORECASE)
    return [s.replace("\0", ".") for s in _SENTENCE_END.split(protected.strip()) if s.strip()]


def _pieces(sentence: str) -> list[str]:
    """A sentence's list pieces: justification clauses dropped, headers removed, split at separators."""
    clauses = _DASH.split(sentence)
    kept = [clauses[0]] + [c for c in clauses[1:] if not _JUSTIFICATION.match(_strip_hedges(c))]
    pieces: list[str] = []
    for clause in kept:
        clause = _TRAILING_PURPOSE.sub("", clause)
        parts = _COLON.split(clause)
        if len(parts) > 1 and len(parts[0].split()) <= 3:
            parts = parts[1:]
        for part in parts:
            for piece in _LIST_SEPARATOR.split(part):
                header = _HEADER_VERB.match(piece.strip())
                if header and len(header["head"].split()) <= 3 and re.search(r"includ|involv", piece, re.IGNORECASE):
                    piece = header["rest"]
                pieces.extend(_INTRODUCER.split(" " + piece))
    return [p for p in pieces if p.strip() and not _PURPOSE_HEADER.match(p.strip())]


def _items_of_piece(piece: str, groups: list[str]) -> list[HintItem]:
    items: list[HintItem] = []
    for phrase in _split_conjunctions(piece):
        marks = [groups[int(n)] for n in _MARK.findall(phrase)]
        head = " ".join(_MARK.sub(" ", phrase).split())
        aliases: list[str] = []
        listed: list[HintItem] = []
        for content in marks:
            as_aliases, as_points = _parenthesis(content)
            aliases.extend(as_aliases)
            listed.extend(as_points)
        item = _item(head, aliases, " ".join(phrase.replace(_OPEN, "(").replace(_CLOSE, ")").split()))
        if item:
            text = _strip_hedges(head) + "".join(f" ({c})" for c in marks)
            items.append(HintItem(text, item.label, item.aliases, item.is_step))
        items.extend(listed)
    return items


def _parenthesis(content: str) -> tuple[list[str], list[HintItem]]:
    """Aliases from a parenthesis of one phrase or single words; points from a list of phrases."""
    content = _INTRODUCER.sub(" ", " " + _clean(content)).strip()
    content = re.sub(r"^such as\s+", "", content, flags=re.IGNORECASE)
    listed = [p for p in _LIST_SEPARATOR.split(content) if p.strip()]
    alternatives = listed if len(listed) > 1 else [a for p in listed for a in _split_conjunctions(p)]
    if len(listed) > 1 and any(len(_words(p)) > 1 for p in listed):
        return [], [HintItem(i.text, i.label, i.aliases, nested=True) for p in listed if (i := _item(p))]
    labels = [_labels(a) for a in alternatives]
    return [alias for found in labels for alias in (found[1:] or found)], []  # "Kafka/Kinesis": each alone


def _split_conjunctions(piece: str) -> list[str]:
    """Split at "and", "or" and "but", unless the word after only shares the words before."""
    words = piece.split()
    phrases: list[list[str]] = [[]]
    for i, word in enumerate(words):
        if word.lower() in _CONJUNCTIONS and phrases[-1] and _starts_new_item(words, i):
            phrases.append([])
        else:
            phrases[-1].append(word)
    return [" ".join(p) for p in phrases if p]


def _starts_new_item(words: list[str], conjunction: int) -> bool:
    before = [w.lower() for w in words[max(0, conjunction - 3) : conjunction]]
    if "both" in before or "between" in before or (before and before[-1] in _QUALIFIERS):
        return False  # "both A and B", "before and after the update"
    after = _without_leading(words[conjunction + 1 :], _DETERMINERS)
    return len(after) > 1 and after[1].lower() not in _QUALIFIERS | {"of"} and not after[1].startswith(_OPEN)


def _item(text: str, aliases: list[str] | None = None, full_text: str | None = None) -> HintItem | None:
    words = _strip_hedges(text).split()
    is_step = any(_is_step_verb(w[0]) for w in (words, _drop_lead_in(words)) if w)
    labels = _labels(text)
    if not labels:
        return None
    alternatives = labels[1:] if len(labels) > 1 else []
    return HintItem(full_text or text, labels[0], tuple(alternatives + (aliases or [])), is_step)


def _labels(text: str) -> list[str]:
    """A label for the text; a whole "A/B" item gives "A and B" followed by A and B as aliases."""
    words = _drop_lead_in(_words(text))
    words = _without_leading(words, _DETERMINERS)
    if not words:
        return []
    if len(words) == 1 and _SLASH_GROUP.fullmatch(words[0]):
        parts = [p for p in words[0].split("/") if p.strip(".-")]
        return [_spell_out(words[0]), *parts] if len(parts) > 1 else parts
    if len(words) > MAX_LABEL_WORDS and (definition := _DEFINITION.match(" ".join(words))):
        words = _without_leading(definition["rest"].split(), _DETERMINERS)
    short = _shorten(words, MAX_LABEL_WORDS).split()
    return [" ".join(_spell_out(w) if _SLASH_GROUP.fullmatch(w) else w for w in short)]


def _spell_out(slash_group: str) -> str:
    """"a/b/c" as "a, b and c": said aloud, a slash is read out as "slash"."""
    parts = [p for p in slash_group.split("/") if p.strip(".-")] or [slash_group]
    return " and ".join(parts) if len(parts) < 3 else ", ".join(parts[:-1]) + " and " + parts[-1]


def _words(text: str) -> list[str]:
    cleaned = re.sub(r"[()\[\]{}*`\"]|\u201c|\u201d", " ", text.replace(_OPEN, " ").replace(_CLOSE, " "))
    return [w.strip(".,;:!?'") or w for w in _strip_hedges(cleaned).split() if w.strip(".,;:!?'-")]


def _strip_hedges(text: str) -> str:
    words = text.split()
    while words and words[0].lower().strip(",") in _HEDGES:
        words = words[1:]
    return " ".join(words)


def _drop_lead_in(words: list[str]) -> list[str]:
    text = " ".join(words)
    for _ in range(3):  # "Show ability to communicate" is two lead-ins deep at most
        shorter = next((p.sub("", text, count=1) for p in _LEAD_INS if p.match(text)), text)
        if shorter == text or not shorter.strip():
            break
        text = shorter
    return _without_leading(text.split(), _DETERMINERS | {"for", "of", "on", "with", "to", "in", "by", "via"})


def _without_leading(words: list[str], drop: frozenset[str]) -> list[str]:
    start = 0
    while start < len(words) - 1 and words[start].lower() in drop:
        start += 1
    return words[start:]


def _shorten(words: list[str], limit: int, first_cut: int = 1) -> str:
    """At most `limit` words: cut before the first qualifier, then at the limit (a slash group is one word)."""
    if len(words) > limit:
        cut = next((i for i, w in enumerate(words) if i >= first_cut and w.lower() in _QUALIFIERS), len(words))
        words = words[:cut][:limit]
        while len(words) > 1 and words[-1].lower() in _QUALIFIERS | STOPWORDS:
            words = words[:-1]
    return " ".join(words)


def _is_step_verb(word: str) -> bool:
    word = word.lower().strip(".,;:")
    if word in _STEP_VERBS:
        return True
    if word.endswith("ing") and len(word) > 5:  # "setting up", "defining": steps named as gerunds
        base = word[:-3]
        return base in _STEP_VERBS or base + "e" in _STEP_VERBS or base[:-1] in _STEP_VERBS
    return False
