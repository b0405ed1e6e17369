"""Peak resident memory of a command, measured by a launcher process.

Used by bench_latency.py and by the memory test in tests/test_faults.py.
"""

from __future__ import annotations

import sys


def with_peak_rss(command: list[str]) -> list[str]:
    """`command` run by a small Python launcher that prints the peak RSS of what it ran.

    Measured from a launcher, not from the caller: a child forked from a process with the
    model loaded (500 MB) would count that process's pages as its own.
    """
    launcher = ("import resource, subprocess, sys; code = subprocess.call(sys.argv[1:]); "
                "print(f'peak-rss-kb {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}', flush=True); "
                "sys.exit(code)")
    return [sys.executable, "-c", launcher, *command]


def peak_rss_mb(lines: list[str]) -> float:
    """The launcher's figure, in MB, from the command's output lines."""
    return next(float(line.split()[1]) / 1024 for line in lines if line.startswith("peak-rss-kb"))
