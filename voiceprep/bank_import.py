"""Drafting a bank from an interview guide: a list of questions with hints, as guides come.

Guides come as:

- CSV (``.csv``): a header row naming the columns ``section``, ``question`` and ``hint`` in
  any order and case; ``question`` may be empty, and an empty ``section`` repeats the row
  above (as merged spreadsheet cells export).
- Markdown (``.md``, ``.txt``): ``## Section`` headings, then per question a ``### question``
  heading or a numbered or bulleted item, its hint on the lines below (a list item that
  holds a hint and no question mark is a hint without its question).
- Plain text (``.txt``) as web guides copy out: a section name line, an "N questions" line
  with the section's first hint glued on, then one hint per line.

Key points are drafted from each hint by `voiceprep.hints`. A question the guide does not
give is drafted from its hint and marked in the file with ``# drafted: edit the prompt``.
The drafted file loads with `voiceprep.bank.load_bank` as it is; it is meant to be edited.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from voiceprep.bank import ID_PATTERN, Question, _line_of_offset, bank_dirs
from voiceprep.errors import VoiceprepError
from voiceprep.hints import draft_points, draft_prompt
from voiceprep.paths import data_dir
from voiceprep.textnorm import fold

GUIDE_SUFFIXES = (".csv", ".md", ".txt")
DEFAULT_SECTION = "General"
DRAFTED_PROMPT_NOTE = "# drafted: edit the prompt"

_COUNT_LINE = re.compile(r"^\s*(\d+)\s+[Qq]uestions?(?![a-z])\s*(.*)$")  # "5 questionsCover ...": glued
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_LIST_ITEM = re.compile(r"^(\s*)(?:\d+[.)]|[-*+])\s+(.*)$")
_GUIDE_TITLE = re.compile(r"^(.+?)\s+interview questions\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class GuideEntry:
    """One question as the guide gives it."""

    section: str
    question: str  # "" when the guide gives only the hint
    hint: str
    line: int  # where it starts in the guide


@dataclass(frozen=True)
class Guide:
    title: str  # "" when the guide does not name itself
    entries: tuple[GuideEntry, ...]
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class DraftBank:
    id: str
    title: str
    sections: tuple[str, ...]
    questions: tuple[Question, ...]
    drafted_prompts: frozenset[str] = frozenset()  # ids of questions the guide did not give
    source: str = ""  # the guide's file name, for the file's header comment
    warnings: tuple[str, ...] = ()

    @property
    def point_count(self) -> int:
        return sum(len(q.points) for q in self.questions)


@dataclass(frozen=True)
class ImportResult:
    path: Path
    bank: DraftBank


def import_guide(path: str | Path, bank_id: str | None = None, title: str | None = None) -> DraftBank:
    """Read a guide (.csv, .md or .txt) and draft a bank from it."""
    path = Path(path)
    guide = read_guide(path)
    return draft_bank(
        guide.entries,
        bank_id=bank_id or _slug(path.stem),
        title=title or guide.title or path.stem.replace("-", " ").replace("_", " "),
        source=path.name,
        warnings=guide.warnings,
    )


def import_guide_to_file(
    guide: str | Path, out: str | Path | None = None, bank_id: str | None = None, title: str | None = None,
    force: bool = False, data: str | Path | None = None,
) -> ImportResult:
    """Draft a bank from a guide and write it to `out` (default: the data dir's banks/<id>.toml).

    An existing file is kept unless `force`: it may hold a bank the user has edited.
    """
    draft = import_guide(guide, bank_id, title)
    path = Path(out) if out else bank_dirs(data_dir(data))[0] / f"{draft.id}.toml"
    return ImportResult(save_draft(draft, path, force), draft)


def read_guide(path: Path) -> Guide:
    """The questions and hints of a guide file, by its suffix."""
    if path.suffix.lower() not in GUIDE_SUFFIXES:
        raise VoiceprepError(f"{path.name}: cannot read '{path.suffix or 'no suffix'}' guides; give a .csv, .md or .txt file")
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise VoiceprepError(f"guide file not found: {path}") from None
    except OSError as error:
        raise VoiceprepError(f"cannot read {path}: {error.strerror}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise VoiceprepError(f"{path.name}:{_line_of_offset(raw, error.start)}: not UTF-8 text; save the guide as UTF-8") from None
    if path.suffix.lower() == ".csv":
        guide = _read_csv(path, text)
    elif any(_COUNT_LINE.match(line) for line in text.splitlines()[1:]):
        guide = _read_plain(text)
    else:
        guide = _read_markdown(path, text)
    if not guide.entries:
        raise VoiceprepError(
            f"{path.name}: no questions found; see questions/README.md for the guide formats `bank import` reads"
        )
    return guide


def _read_csv(path: Path, text: str) -> Guide:
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    columns: dict[str, int] | None = None
    entries: list[GuideEntry] = []
    section = DEFAULT_SECTION
    line = 1
    try:
        for row in reader:
            start, line = line, reader.line_num + 1
            if not any(cell.strip() for cell in row):
                continue
            if columns is None:
                columns = {name.strip().casefold(): i for i, name in enumerate(row)}
                if "hint" not in columns:
                    raise VoiceprepError(
                        f"{path.name}:{start}: no 'hint' column; the header row must name the columns section, question and hint"
                    )
                continue
            cell = {name: row[i].strip() if i < len(row) else "" for name, i in columns.items()}
            section = cell.get("section") or section
            if not cell["hint"]:
                raise VoiceprepError(f"{path.name}:{start}: the row has no hint; write what a strong answer covers")
            entries.append(GuideEntry(section, cell.get("question", ""), cell["hint"], start))
    except csv.Error as error:
        raise VoiceprepError(f"{path.name}:{line}: not valid CSV ({error})") from None
    return Guide("", tuple(entries))


def _read_plain(text: str) -> Guide:
    """A section name line, an "N questions" line with the first hint glued on, one hint a line."""
    lines = text.splitlines()
    title, entries, warnings = "", [], []
    counts: dict[str, tuple[int, int]] = {}  # section -> (announced count, line)
    section: str | None = None
    for number, line in enumerate(lines, start=1):
        following = lines[number] if number < len(lines) else ""
        if _COUNT_LINE.match(following) and line.strip():
            section = line.strip()
            continue
        if section is None:
            title = title or (m.group(1).strip() if (m := _GUIDE_TITLE.match(line.strip())) else "")
            continue
        if count := _COUNT_LINE.match(line):
            counts[section] = (int(count.group(1)), number)
            line = count.group(2)
        if line.strip():
            entries.append(GuideEntry(section, "", line.strip(), number))
    for name, (announced, number) in counts.items():
        found = sum(e.section == name for e in entries)
        if found != announced:
            warnings.append(f"line {number}: section '{name}' announces {announced} questions but has {found} hints")
    return Guide(title, tuple(entries), tuple(warnings))


@dataclass
class _OpenQuestion:
    section: str
    question: str
    line: int
    from_heading: bool
    hint_lines: list[str]


def _read_markdown(path: Path, text: str) -> Guide:
    title = ""
    section = DEFAULT_SECTION
    current: _OpenQuestion | None = None
    entries: list[GuideEntry] = []

    def close() -> None:
        if current is not None:
            entries.append(_markdown_entry(path, current))

    for number, line in enumerate(text.splitlines(), start=1):
        if heading := _HEADING.match(line):
            level, words = len(heading.group(1)), heading.group(2)
            if level == 1:
                title = title or words
            elif level == 2:
                close()
                current, section = None, words
            else:
                close()
                current = _OpenQuestion(section, words, number, True, [])
            continue
        item = _LIST_ITEM.match(line)
        # Under a "### question" heading, list items without a question mark are its hint.
        if item and len(item.group(1)) < 2 and ("?" in line or not (current and current.from_heading)):
            close()
            current = _OpenQuestion(section, item.group(2).strip(), number, False, [])
        elif current is not None and line.strip():
            current.hint_lines.append(item.group(2).strip() + ";" if item else line.strip())
    close()
    return Guide(title, tuple(entries))


def _markdown_entry(path: Path, found: _OpenQuestion) -> GuideEntry:
    question, hint = found.question, " ".join(found.hint_lines).strip().rstrip(";")
    if not found.from_heading and "?" in question:
        question, _, rest = question.partition("?")
        question, hint = question.strip() + "?", " ".join(part for part in (rest.strip(), hint) if part)
    elif not found.from_heading and not hint:
        question, hint = "", question  # a list of hints without their questions
    if not hint:
        raise VoiceprepError(
            f"{path.name}:{found.line}: question '{question}' has no hint below it; write what a strong answer covers"
        )
    return GuideEntry(found.section, question, hint, found.line)


def draft_bank(
    entries: tuple[GuideEntry, ...] | list[GuideEntry], bank_id: str, title: str, source: str = "",
    warnings: tuple[str, ...] = (),
) -> DraftBank:
    """A bank drafted from a guide's questions: ids by section, key points from the hints."""
    if not ID_PATTERN.match(bank_id):
        raise VoiceprepError(f"bank id '{bank_id}' must be lowercase letters, digits and hyphens; pass --id")
    if not title.strip():
        raise VoiceprepError("the bank needs a title; pass --title")
    sections = tuple(dict.fromkeys(e.section for e in entries))
    prefixes = _section_prefixes(sections)
    numbers = dict.fromkeys(sections, 0)
    sizes = Counter(e.section for e in entries)
    questions = []
    drafted_prompts = set()
    for entry in entries:
        if not entry.hint.strip():
            raise VoiceprepError(f"{source or 'guide'}:{entry.line}: a question has no hint; write what a strong answer covers")
        numbers[entry.section] += 1
        drafted = draft_points(entry.hint)
        width = max(2, len(str(sizes[entry.section])))
        question_id = f"{prefixes[entry.section]}-{numbers[entry.section]:0{width}d}"
        if not entry.question.strip():
            drafted_prompts.add(question_id)
        questions.append(Question(
            id=question_id,
            section=entry.section,
            prompt=entry.question.strip() or draft_prompt(entry.hint),
            hint=entry.hint.strip(),
            points=drafted.points,
            ordered=drafted.ordered,
        ))
    return DraftBank(bank_id, title.strip(), sections, tuple(questions), frozenset(drafted_prompts), source, warnings)


def _section_prefixes(sections: tuple[str, ...]) -> dict[str, str]:
    """Id prefixes from section names: "Beginner" -> "beg", "AI Workflow & Tools" -> "awt"."""
    prefixes: dict[str, str] = {}
    for section in sections:
        words = re.findall(r"[a-z0-9]+", fold(section))
        base = (words[0][:3] if len(words) == 1 else "".join(w[0] for w in words if w != "and")[:4]) or "q"
        prefix, n = base, 2
        while prefix in prefixes.values():
            prefix, n = f"{base}{n}", n + 1
        prefixes[section] = prefix
    return prefixes


def _slug(text: str) -> str:
    return "-".join(re.findall(r"[a-z0-9]+", fold(text))) or "imported"


def draft_bank_toml(draft: DraftBank) -> str:
    """The draft as a bank file, with a comment on every prompt drafted from a hint."""
    source = f" from {_comment(draft.source)}" if draft.source else ""
    lines = [
        f"# Drafted by `voiceprep bank import`{source}.",
        "# Review every question: key points are cut from the hints; add aliases (the other ways",
        "# people say them), then run `voiceprep bank check` on this file.",
        "",
        "[bank]",
        f"id = {_string(draft.id)}",
        f"title = {_string(draft.title)}",
        f"sections = [{', '.join(_string(s) for s in draft.sections)}]",
    ]
    for q in draft.questions:
        lines += ["", "[[questions]]", f"id = {_string(q.id)}", f"section = {_string(q.section)}"]
        lines += [DRAFTED_PROMPT_NOTE] if q.id in draft.drafted_prompts else []
        lines += [f"prompt = {_string(q.prompt)}", f"hint = {_string(q.hint)}", f"ordered = {str(q.ordered).lower()}"]
        for point in q.points:
            lines += ["", "[[questions.points]]", f"label = {_string(point.label)}"]
            if point.aliases:
                lines.append(f"aliases = [{', '.join(_string(a) for a in point.aliases)}]")
    return "\n".join(lines) + "\n"


def _string(value: str) -> str:
    """A TOML basic string: JSON's escapes are TOML's, except that TOML also escapes DEL."""
    return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")


def _comment(text: str) -> str:
    return "".join(c if c.isprintable() else " " for c in text)


def save_draft(draft: DraftBank, path: str | Path, force: bool = False) -> Path:
    """Write the draft's TOML to `path` in one step; an existing file is kept unless `force`."""
    path = Path(path)
    if path.exists() and not force:
        raise VoiceprepError(f"{path} already exists; pass --force to overwrite it, or -o to write elsewhere")
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as out:
            out.write(draft_bank_toml(draft))
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path
