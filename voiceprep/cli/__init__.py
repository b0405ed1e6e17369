"""The `voiceprep` command: parses arguments and calls the library, nothing more.

Each command group lives in a module of its own with a `register(commands)` function.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from voiceprep import __version__
from voiceprep.cli import archive, bank, practice
from voiceprep.errors import VoiceprepError


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="voiceprep", description="Offline, voice-driven mock-interview coach.")
    parser.add_argument("--version", action="version", version=f"voiceprep {__version__}")
    parser.add_argument("--data-dir", help="where the archive lives (default: $VOICEPREP_DATA_DIR or the platform's data dir)")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for group in (practice, bank, archive):
        group.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; errors are one line on stderr and exit status 2."""
    args = _parser().parse_args(argv)
    try:
        return args.run(args)
    except VoiceprepError as error:
        print(f"voiceprep: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\nvoiceprep: stopped; everything recorded so far is saved.", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # Output piped into `head` and the like: stop quietly, as other commands do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
