"""The archive of past answers: `voiceprep sessions`, `forget`, `stats`, `report`."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from datetime import date
from pathlib import Path

from voiceprep.cli.common import open_store, print_json
from voiceprep.errors import VoiceprepError
from voiceprep.paths import data_dir
from voiceprep.store import Store


def register(commands: argparse._SubParsersAction) -> None:
    sessions = commands.add_parser("sessions", help="Review past sessions.")
    session_commands = sessions.add_subparsers(dest="sessions_command", required=True, metavar="ACTION")
    sessions_list = session_commands.add_parser("list", help="List recent sessions.")
    sessions_list.add_argument("-n", type=int, default=10, help="how many (default 10)")
    sessions_list.add_argument("--json", action="store_true", help="print JSON")
    sessions_list.set_defaults(run=_sessions_list)
    sessions_path = session_commands.add_parser("path", help="Print where the archive is.")
    sessions_path.set_defaults(run=_sessions_path)
    sessions_show = session_commands.add_parser("show", help="Show a session: transcripts, points covered and missed.")
    sessions_show.add_argument("id", type=int, help="session id (see `voiceprep sessions list`)")
    sessions_show.add_argument("--json", action="store_true", help="print JSON")
    sessions_show.add_argument("--play", action="store_true", help="play the recordings again")
    sessions_show.add_argument("--answer", type=int, metavar="N", help="with --play: only the N-th answer (from 1)")
    sessions_show.add_argument("--output-device", help="speaker, by index or name")
    sessions_show.set_defaults(run=_sessions_show)

    forget = commands.add_parser("forget", help="Delete a session (or one answer) and its recordings for good.")
    forget.add_argument("id", type=int, nargs="?", help="session id")
    forget.add_argument("--answer", type=int, metavar="ID", help="forget only this answer (ids in `voiceprep sessions show`)")
    forget.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    forget.set_defaults(run=_forget)

    stats = commands.add_parser("stats", help="Progress: coverage per section by week, weakest questions, streak.")
    stats.add_argument("--weeks", type=int, default=12, help="weeks in the coverage trend (default 12)")
    stats.add_argument("--json", action="store_true", help="print JSON")
    stats.set_defaults(run=_stats)

    report = commands.add_parser("report", help="Write a session (or the archive) as a self-contained HTML page, Markdown or JSON.")
    report.add_argument("id", type=int, nargs="?", help="session id")
    report.add_argument("--all", action="store_true", help="every session (narrow with --since/--until)")
    report.add_argument("--since", help="with --all: answers from this date (YYYY-MM-DD, UTC)")
    report.add_argument("--until", help="with --all: answers before this date")
    report.add_argument("--format", choices=("html", "md", "json"), default="html", help="default html")
    report.add_argument("-o", "--output", type=Path, help="file to write (default: print)")
    report.add_argument("--no-audio", action="store_true", help="HTML: link the recordings instead of embedding them")
    report.set_defaults(run=_report)


def _sessions_list(args: argparse.Namespace) -> int:
    with _open_store(args) as store:
        rows = store.sessions(args.n)
    if args.json:
        print_json([asdict(r) for r in rows])
        return 0
    if not rows:
        print("No sessions yet: start one with `voiceprep practice`.")
    for r in rows:
        coverage = f"{r.mean_coverage:.0%}" if r.mean_coverage is not None else "-"
        print(f"{r.id:4d}  {r.started_at}  {r.bank_id}  {r.answers} answer(s)  coverage {coverage}")
    return 0


def _sessions_path(args: argparse.Namespace) -> int:
    from voiceprep.store import DATABASE_NAME

    print(data_dir(args.data_dir) / DATABASE_NAME)
    return 0


def _sessions_show(args: argparse.Namespace) -> int:
    from voiceprep.review import format_session, play_answers, review_session

    with _open_store(args) as store:
        review = review_session(store, args.id)
    if args.play:
        for answer in play_answers(review, args.answer, args.output_device):
            print(f"Played answer {answer.id}: {answer.question_id} ({answer.audio_seconds or 0:.1f} s)")
    elif args.json:
        print_json(asdict(review))
    else:
        print(format_session(review, bold=sys.stdout.isatty()))
    return 0


def _forget(args: argparse.Namespace) -> int:
    from voiceprep.review import forget_answer, forget_session

    if (args.id is None) == (args.answer is None):
        raise VoiceprepError("name a session id or --answer ID (one of them) to forget")
    what = f"answer {args.answer}" if args.answer is not None else f"session {args.id} with all its answers"
    if not args.yes and not _confirm(f"Forget {what} and the recordings, for good?"):
        print("Nothing forgotten.")
        return 1
    with _open_store(args) as store:
        done = forget_answer(store, args.answer) if args.answer is not None else forget_session(store, args.id)
    print(f"Forgot {done.answers} answer(s) and removed {len(done.files_removed)} recording file(s).")
    for path in done.files_kept:
        print(f"Not removed, outside the archive: {path}")
    return 0


def _confirm(question: str) -> bool:
    try:
        return input(f"{question} [y/N] ").strip().casefold() in ("y", "yes")
    except EOFError:  # no terminal to ask: the safe answer is no
        print()
        return False


def _stats(args: argparse.Namespace) -> int:
    from voiceprep.stats import compute_stats, format_stats

    with _open_store(args) as store:
        stats = compute_stats(store.answers(), date.today(), weeks=args.weeks)
    if args.json:
        print_json(asdict(stats))
    else:
        print(format_stats(stats))
    return 0


def _report(args: argparse.Namespace) -> int:
    from voiceprep.report import archive_report, render, session_report, write_report
    from voiceprep.review import format_size

    if (args.id is None) == (not args.all):
        raise VoiceprepError("name one session id or pass --all")
    with _open_store(args) as store:
        report = archive_report(store, args.since, args.until) if args.all else session_report(store, args.id)
    text = render(report, args.format, embed_audio=not args.no_audio)
    if args.output is None:
        sys.stdout.write(text)
        return 0
    size = write_report(text, args.output)
    print(f"Wrote {args.output} ({format_size(size)}, {len(report.answers)} answer(s)).")
    return 0


@contextmanager
def _open_store(args: argparse.Namespace) -> Iterator[Store]:
    store = open_store(args)  # prints what the store had to repair
    try:
        yield store
    finally:
        store.close()
