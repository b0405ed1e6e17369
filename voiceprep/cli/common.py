"""What every command module shares: the data dir, the bank option, JSON output."""

from __future__ import annotations

import argparse
import json
import time
from typing import Any

from voiceprep.bank import Bank
from voiceprep.paths import data_dir

STARTED = time.perf_counter()  # --timings counts from here: the imports above are light


def add_bank_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--bank", help="bank name (from the data dir's banks/ or the shipped ones) or a .toml path")


def load_bank(args: argparse.Namespace) -> Bank:
    from voiceprep.bank import find_bank

    return find_bank(args.bank, data_dir(args.data_dir))


def print_json(value: Any) -> None:
    print(json.dumps(value, indent=2, default=str))
