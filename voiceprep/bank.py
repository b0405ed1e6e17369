"""Question banks: loading, validating and finding them.

A bank is a TOML file (format in questions/README.md). tomllib gives no line numbers, so
errors are located by walking the file's table headers in order: the k-th
`[[questions]]` header belongs to the k-th question, and so on for its points.
"""

from __future__ import annotations

import json
import math
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from voiceprep.errors import VoiceprepError
from voiceprep.paths import SHIPPED_BANKS_DIR

# \Z, not $: "$" also matches before a final newline, so "q-1\n" would pass and put a
# newline into a recording's file name.
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]*\Z")
MAX_WEIGHT = 10.0
DEFAULT_BANK = "ai-cybersecurity-analyst"

BANK_KEYS = {"id": True, "title": True, "sections": True, "description": False}
QUESTION_KEYS = {
    "id": True,
    "section": True,
    "prompt": True,
    "hint": True,
    "points": True,
    "ordered": False,
    "follow_up": False,
    "model_answer": False,
}
POINT_KEYS = {"label": True, "aliases": False, "near_misses": False, "weight": False}


@dataclass(frozen=True)
class KeyPoint:
    """One concept a strong answer covers."""

    label: str  # what feedback says: "You missed: <label>"
    aliases: tuple[str, ...] = ()  # other ways a candidate says it
    weight: float = 1.0
    near_misses: tuple[str, ...] = ()  # its words used for another idea: "DNS poisoning" for data poisoning

    @property
    def phrasings(self) -> tuple[str, ...]:
        """The label and every alias: each one, said in the answer, covers the point."""
        return (self.label, *self.aliases)


@dataclass(frozen=True)
class Question:
    id: str
    section: str
    prompt: str  # as an interviewer says it aloud
    hint: str
    points: tuple[KeyPoint, ...]
    ordered: bool = False  # points are steps whose order matters
    follow_up: str | None = None
    model_answer: str | None = None


@dataclass(frozen=True)
class Bank:
    id: str
    title: str
    sections: tuple[str, ...]
    questions: tuple[Question, ...]
    path: Path
    description: str = ""
    _by_id: dict[str, Question] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._by_id.update({q.id: q for q in self.questions})

    def question(self, question_id: str) -> Question:
        """The question with this id; a VoiceprepError naming the bank if there is none."""
        try:
            return self._by_id[question_id]
        except KeyError:
            raise VoiceprepError(
                f"no question '{question_id}' in bank '{self.id}'; "
                f"see `voiceprep bank list --bank {self.id}`"
            ) from None

    def in_section(self, section: str) -> tuple[Question, ...]:
        """Questions of one section, matched case-insensitively."""
        wanted = section.casefold()
        matches = tuple(q for q in self.questions if q.section.casefold() == wanted)
        if not matches:
            raise VoiceprepError(
                f"no section '{section}' in bank '{self.id}'; sections: {', '.join(self.sections)}"
            )
        return matches


class BankError(VoiceprepError):
    """A mistake in a bank file, located at a line."""

    def __init__(self, path: Path, line: int, message: str) -> None:
        super().__init__(f"{path.name}:{line}: {message}")
        self.path = path
        self.line = line


def load_bank(path: str | Path) -> Bank:
    """Load and validate a bank file; raises BankError at the first mistake."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise VoiceprepError(f"bank file not found: {path}") from None
    except UnicodeDecodeError as error:
        raise BankError(path, _line_of_offset(path.read_bytes(), error.start), "not UTF-8 text") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        line = int(m.group(1)) if (m := re.search(r"line (\d+)", str(error))) else 1
        raise BankError(path, line, f"not valid TOML ({str(error).split(' (at')[0]})") from None
    return _BankReader(path, text).read(data)


def _line_of_offset(raw: bytes, offset: int) -> int:
    return raw[:offset].count(b"\n") + 1


def _as_toml(value: Any) -> str:
    """A value spelled as TOML writes it (true, not Python's True), to quote the author back."""
    if isinstance(value, float) and not math.isfinite(value):
        return repr(value)  # inf and nan: JSON would say Infinity and NaN
    try:
        return json.dumps(value, ensure_ascii=False)  # booleans, numbers, strings and lists
    except TypeError:
        return str(value)  # dates and times, which JSON cannot write


class _TableLines:
    """Line numbers of a TOML file's table headers and keys, for error messages."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()
        self.headers: list[tuple[str, int]] = []  # (header name, 1-based line)
        for number, line in enumerate(self.lines, start=1):
            if m := re.match(r"\s*\[\[?\s*([^\]]+?)\s*\]\]?", line):
                self.headers.append((m.group(1), number))

    def header(self, name: str, index: int, after: int = 0) -> int:
        """Line of the index-th `[[name]]` header at or after line `after`."""
        found = [n for header, n in self.headers if header == name and n >= after]
        return found[index] if index < len(found) else max(after, 1)

    def top_level(self, name: str) -> int:
        """Line of a top-level `name = ...`, or of the first `[name]` or `[name.sub]` header."""
        for header, number in self.headers:
            if header == name or header.startswith(f"{name}."):
                return number
        return self.key(name, 0) or 1

    def key(self, key: str, start: int) -> int:
        """Line of `key = ...` in the table that starts at `start` (the header line if absent)."""
        pattern = re.compile(rf"\s*\"?{re.escape(key)}\"?\s*=")
        for number in range(start + 1, len(self.lines) + 1):
            line = self.lines[number - 1]
            if re.match(r"\s*\[", line):
                break
            if pattern.match(line):
                return number
        return start


class _BankReader:
    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.where = _TableLines(text)

    def fail(self, line: int, message: str) -> BankError:
        return BankError(self.path, line, message)

    def read(self, data: dict[str, Any]) -> Bank:
        unknown_top = [key for key in data if key not in ("bank", "questions")]
        if unknown_top:
            line = self.where.top_level(unknown_top[0])
            raise self.fail(line, f"unknown top-level key '{unknown_top[0]}' (expected [bank] and [[questions]])")
        if not isinstance(data.get("bank"), dict):
            raise self.fail(1, "missing the [bank] table (id, title, sections)")
        bank_line = self.where.header("bank", 0)
        meta = data["bank"]
        self.check_keys(meta, BANK_KEYS, "[bank]", bank_line)
        bank_id = self.identifier(meta, "id", "[bank]", bank_line)
        title = self.text(meta, "title", "[bank]", bank_line)
        sections = meta["sections"]
        if not (isinstance(sections, list) and sections and all(isinstance(s, str) and s.strip() for s in sections)):
            raise self.fail(self.where.key("sections", bank_line), "[bank] sections must be a non-empty list of names")
        description = self.optional_text(meta, "description", "[bank]", bank_line) or ""
        questions = data.get("questions")
        if not isinstance(questions, list) or not questions:
            raise self.fail(bank_line, f"bank '{bank_id}' has no [[questions]]")
        read = []
        seen: dict[str, int] = {}
        for index, raw in enumerate(questions):
            line = self.where.header("questions", index)
            question = self.question(raw, line, tuple(sections))
            if question.id in seen:
                raise self.fail(line, f"duplicate question id '{question.id}' (first at line {seen[question.id]})")
            seen[question.id] = line
            read.append(question)
        return Bank(bank_id, title.strip(), tuple(sections), tuple(read), self.path, description.strip())

    def question(self, raw: Any, line: int, sections: tuple[str, ...]) -> Question:
        if not isinstance(raw, dict):
            raise self.fail(line, "each [[questions]] entry must be a table")
        label = f"question '{raw.get('id', '?')}'"
        if "points" not in raw:
            raise self.fail(line, f"{label} has no key points")
        self.check_keys(raw, QUESTION_KEYS, label, line)
        question_id = self.identifier(raw, "id", "question", line)
        label = f"question '{question_id}'"
        section = self.text(raw, "section", label, line)
        if section not in sections:
            raise self.fail(self.where.key("section", line), f"{label} has unknown section '{section}' (sections: {', '.join(sections)})")
        ordered = raw.get("ordered", False)
        if not isinstance(ordered, bool):
            raise self.fail(self.where.key("ordered", line), f"{label}: ordered must be true or false")
        raw_points = raw["points"]
        if not isinstance(raw_points, list) or not raw_points:
            raise self.fail(line, f"{label} has no key points")
        points = tuple(
            self.point(p, self.where.header("questions.points", i, after=line), label)
            for i, p in enumerate(raw_points)
        )
        labels = [p.label.casefold() for p in points]
        for i, point_label in enumerate(labels):
            if point_label in labels[:i]:
                raise self.fail(self.where.header("questions.points", i, after=line), f"{label} has two points labelled '{points[i].label}'")
        return Question(
            id=question_id,
            section=section,
            prompt=self.text(raw, "prompt", label, line).strip(),
            hint=self.text(raw, "hint", label, line).strip(),
            points=points,
            ordered=ordered,
            follow_up=self.optional_text(raw, "follow_up", label, line),
            model_answer=self.optional_text(raw, "model_answer", label, line),
        )

    def point(self, raw: Any, line: int, owner: str) -> KeyPoint:
        if not isinstance(raw, dict):
            raise self.fail(line, f"{owner}: each key point must be a table with a label")
        self.check_keys(raw, POINT_KEYS, f"{owner} key point", line)
        label = self.text(raw, "label", f"{owner} key point", line).strip()
        aliases = self.phrase_list(raw, "aliases", f"{owner} point '{label}'", line)
        near_misses = self.phrase_list(raw, "near_misses", f"{owner} point '{label}'", line)
        own = {phrase.casefold() for phrase in (label, *aliases)}
        if clash := next((n for n in near_misses if n.casefold() in own), None):
            raise self.fail(self.where.key("near_misses", line), f"{owner} point '{label}': near miss '{clash}' is also one of its phrasings")
        weight = raw.get("weight", 1.0)
        if isinstance(weight, bool) or not isinstance(weight, (int, float)) or not 0 < weight <= MAX_WEIGHT:
            raise self.fail(self.where.key("weight", line), f"{owner} point '{label}': weight must be a number above 0 and at most {MAX_WEIGHT:g}, not {_as_toml(weight)}")
        return KeyPoint(label, aliases, float(weight), near_misses)

    def phrase_list(self, raw: dict[str, Any], key: str, owner: str, line: int) -> tuple[str, ...]:
        phrases = raw.get(key, [])
        if not isinstance(phrases, list) or not all(isinstance(p, str) and p.strip() for p in phrases):
            raise self.fail(self.where.key(key, line), f"{owner}: {key} must be a list of non-empty strings")
        return tuple(p.strip() for p in phrases)

    def check_keys(self, table: dict[str, Any], allowed: dict[str, bool], owner: str, line: int) -> None:
        for key in table:
            if key not in allowed:
                raise self.fail(self.where.key(key, line), f"{owner} has unknown key '{key}' (allowed: {', '.join(allowed)})")
        for key, required in allowed.items():
            if required and key not in table:
                raise self.fail(line, f"{owner} is missing '{key}'")

    def text(self, table: dict[str, Any], key: str, owner: str, line: int) -> str:
        value = table.get(key)
        if not isinstance(value, str) or not value.strip():
            raise self.fail(self.where.key(key, line), f"{owner} has an empty or non-text '{key}'")
        return value

    def optional_text(self, table: dict[str, Any], key: str, owner: str, line: int) -> str | None:
        return self.text(table, key, owner, line).strip() if key in table else None

    def identifier(self, table: dict[str, Any], key: str, owner: str, line: int) -> str:
        value = self.text(table, key, owner, line)
        if not ID_PATTERN.match(value):
            # Quoted as TOML, so an id holding a newline is shown escaped, on the error's one line.
            raise self.fail(self.where.key(key, line), f"{owner} id {_as_toml(value)} must be lowercase letters, digits and hyphens")
        return value


def bank_dirs(data_dir: Path) -> tuple[Path, ...]:
    """Where banks are found by name: the user's own first, then the shipped ones."""
    return (data_dir / "banks", SHIPPED_BANKS_DIR)


def find_bank(name_or_path: str | None, data_dir: Path) -> Bank:
    """Load a bank given as a path, or by name from the user's banks or the shipped ones."""
    wanted = name_or_path or DEFAULT_BANK
    as_path = Path(wanted).expanduser()
    if as_path.suffix == ".toml" or as_path.is_file():
        return load_bank(as_path)
    for folder in bank_dirs(data_dir):
        candidate = folder / f"{wanted}.toml"
        if candidate.is_file():
            return load_bank(candidate)
    known = sorted({p.stem for folder in bank_dirs(data_dir) if folder.is_dir() for p in folder.glob("*.toml")})
    raise VoiceprepError(f"no bank named '{wanted}'; known banks: {', '.join(known) or 'none'} (or pass a .toml path)")
