"""What every command module shares: the data dir, the bank option, JSON output."""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import TYPE_CHECKING, Any

from voiceprep.bank import Bank
from voiceprep.paths import data_dir

if TYPE_CHECKING:
    from voiceprep.store import Store

STARTED = time.perf_counter()  # --timings counts from here: the imports above are light


def add_bank_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--bank", help="bank name (from the data dir's banks/ or the shipped ones) or a .toml path")


def load_bank(args: argparse.Namespace) -> Bank:
    from voiceprep.bank import find_bank

    return find_bank(args.bank, data_dir(args.data_dir))


def open_store(args: argparse.Namespace) -> Store:
    """The archive in the data dir, telling the user on stderr about anything it had to repair."""
    from voiceprep.store import Store

    store = Store(data_dir(args.data_dir))
    for notice in store.notices:
        print(f"voiceprep: {notice}", file=sys.stderr)
    return store


def print_json(value: Any) -> None:
    print(json.dumps(value, indent=2, default=str))
