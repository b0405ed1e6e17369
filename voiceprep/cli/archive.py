"""`voiceprep sessions`: the archive of past answers."""

from __future__ import annotations

import argparse
from dataclasses import asdict

from voiceprep.cli.common import print_json
from voiceprep.paths import data_dir


def register(commands: argparse._SubParsersAction) -> None:
    sessions = commands.add_parser("sessions", help="Review past sessions.")
    session_commands = sessions.add_subparsers(dest="sessions_command", required=True, metavar="ACTION")
    sessions_list = session_commands.add_parser("list", help="List recent sessions.")
    sessions_list.add_argument("-n", type=int, default=10, help="how many (default 10)")
    sessions_list.add_argument("--json", action="store_true", help="print JSON")
    sessions_list.set_defaults(run=_sessions_list)
    sessions_path = session_commands.add_parser("path", help="Print where the archive is.")
    sessions_path.set_defaults(run=_sessions_path)


def _sessions_list(args: argparse.Namespace) -> int:
    from voiceprep.store import Store

    store = Store(data_dir(args.data_dir))
    try:
        rows = store.sessions(args.n)
    finally:
        store.close()
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
