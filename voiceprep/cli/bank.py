"""`voiceprep bank`: list, show, check and import question banks."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from voiceprep.cli.common import add_bank_option, load_bank, print_json
from voiceprep.errors import VoiceprepError


def register(commands: argparse._SubParsersAction) -> None:
    bank = commands.add_parser("bank", help="List, show, check and import question banks.")
    bank_commands = bank.add_subparsers(dest="bank_command", required=True, metavar="ACTION")
    bank_list = bank_commands.add_parser("list", help="List a bank's questions.")
    add_bank_option(bank_list)
    bank_list.add_argument("--section", help="only this section")
    bank_list.add_argument("--json", action="store_true", help="print JSON")
    bank_list.set_defaults(run=_bank_list)
    bank_show = bank_commands.add_parser("show", help="Show one question with its hint and key points.")
    bank_show.add_argument("id", help="question id")
    add_bank_option(bank_show)
    bank_show.set_defaults(run=_bank_show)
    bank_check = bank_commands.add_parser("check", help="Validate bank files; errors name the line.")
    bank_check.add_argument("paths", nargs="+", type=Path, help="bank .toml files")
    bank_check.set_defaults(run=_bank_check)
    bank_import = bank_commands.add_parser("import", help="Draft a bank from an interview guide (.csv, .md or .txt) to edit.")
    bank_import.add_argument("guide", type=Path, help="the guide: questions with hints")
    bank_import.add_argument("-o", "--output", type=Path, help="where to write the bank (default: <data dir>/banks/<id>.toml)")
    bank_import.add_argument("--id", dest="bank_id", help="the bank's id (default: from the guide's file name)")
    bank_import.add_argument("--title", help="the bank's title (default: from the guide)")
    bank_import.add_argument("--force", action="store_true", help="overwrite an existing bank file")
    bank_import.set_defaults(run=_bank_import)



def _bank_list(args: argparse.Namespace) -> int:
    bank = load_bank(args)
    questions = bank.in_section(args.section) if args.section else bank.questions
    if args.json:
        print_json([
            {"id": q.id, "section": q.section, "prompt": q.prompt, "points": [p.label for p in q.points]}
            for q in questions
        ])
        return 0
    print(f"{bank.title} ({bank.id}): {len(questions)} questions")
    for section in bank.sections:
        in_section = [q for q in questions if q.section == section]
        if in_section:
            print(f"\n{section} ({len(in_section)})")
            for q in in_section:
                print(f"  {q.id:8s} {q.prompt}")
    return 0


def _bank_show(args: argparse.Namespace) -> int:
    q = load_bank(args).question(args.id)
    print(f"{q.id} [{q.section}]\n\n{q.prompt}\n\nHint: {q.hint}\n")
    print("Key points" + (" (in order):" if q.ordered else ":"))
    for number, p in enumerate(q.points, start=1):
        aliases = f"  (also: {', '.join(p.aliases)})" if p.aliases else ""
        weight = f" x{p.weight:g}" if p.weight != 1 else ""
        print(f"  {number}. {p.label}{weight}{aliases}")
    if q.follow_up:
        print(f"\nFollow-up: {q.follow_up}")
    return 0


def _bank_check(args: argparse.Namespace) -> int:
    from voiceprep.bank import load_bank

    failures = 0
    for path in args.paths:
        try:
            bank = load_bank(path)
        except VoiceprepError as error:
            print(f"error: {error}", file=sys.stderr)
            failures += 1
        else:
            points = sum(len(q.points) for q in bank.questions)
            print(f"{path}: ok, {len(bank.questions)} questions, {points} key points")
    return 1 if failures else 0


def _bank_import(args: argparse.Namespace) -> int:
    from voiceprep.bank_import import import_guide_to_file

    result = import_guide_to_file(args.guide, args.output, args.bank_id, args.title, args.force, args.data_dir)
    draft = result.bank
    drafted = len(draft.drafted_prompts)
    for warning in draft.warnings:
        print(f"warning: {args.guide.name} {warning}", file=sys.stderr)
    print(f"Wrote {result.path}: {len(draft.questions)} questions in {len(draft.sections)} sections, {draft.point_count} key points.")
    if drafted:
        print(f"{drafted} prompts were drafted from their hints (marked '# drafted: edit the prompt').")
    print(f"Review and edit it, then run `voiceprep bank check {result.path}`; practise with `--bank {draft.id}`.")
    return 0
