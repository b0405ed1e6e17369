"""scripts/setup.sh on a fresh machine, its functions run against stand-in apt, dpkg and Python commands.

The script is sourced (which only defines its functions) in a temporary directory, with
stand-ins first on PATH: nothing is installed and the project's .venv is never touched.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from conftest import REPO

SETUP = REPO / "scripts" / "setup.sh"


def stand_in(bin_dir: Path, name: str, body: str) -> None:
    """A command on PATH that appends its arguments to calls.log, then runs `body`."""
    script = bin_dir / name
    script.write_text(f'#!/bin/sh\necho "{name} $*" >> "{bin_dir / "calls.log"}"\n{body}\n')
    script.chmod(0o755)


def run_setup_function(tmp_path: Path, bin_dir: Path, call: str, python: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "-c", f'source "{SETUP}" && {call}'],
        cwd=tmp_path, capture_output=True, text=True, timeout=30, check=False,
        env={"PATH": f"{bin_dir}:/usr/bin:/bin", "PYTHON": str(python), "HOME": str(tmp_path)},
    )


def fake_python(bin_dir: Path, version: str) -> Path:
    """An interpreter that reports `version` and has venv and ensurepip (every call succeeds)."""
    stand_in(bin_dir, "python", f'case "$*" in *version_info*) echo {version} ;; esac')
    return bin_dir / "python"


def calls(bin_dir: Path) -> list[str]:
    log = bin_dir / "calls.log"
    return log.read_text().splitlines() if log.exists() else []


def setup_on_ubuntu_without_snapd(tmp_path: Path, installed: str) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    """`setup.sh --test`'s system step as root, with the packages matching the shell pattern
    `installed` in place. Only the snap wrapper chromium-browser is known, and installing it
    fails (no snapd in a container). Returns the run and the apt commands it ran."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    stand_in(bin_dir, "id", "echo 0")
    stand_in(bin_dir, "dpkg-query", f'case "$3" in {installed}) echo "install ok installed" ;; *) exit 1 ;; esac')
    stand_in(bin_dir, "apt-cache", '[ "$2" = chromium-browser ] && echo "Package: chromium-browser"; exit 0')
    stand_in(bin_dir, "apt-get", 'case "$*" in *chromium*) exit 100 ;; esac')
    done = run_setup_function(tmp_path, bin_dir, "want_test=1; install_system_packages", fake_python(bin_dir, "3.12"))
    assert done.returncode == 0, done.stderr
    return done, [line for line in calls(bin_dir) if line.startswith("apt-")]


def test_a_browser_that_cannot_be_installed_does_not_block_the_required_packages(tmp_path):
    done, apt = setup_on_ubuntu_without_snapd(tmp_path, installed="nothing")

    installs = [line for line in apt if " install " in line]
    assert installs[0].endswith("install -y -qq espeak-ng libportaudio2 alsa-utils")
    assert installs[1:] == ["apt-get install -y -qq chromium-browser"]  # chromium is unknown here: not tried
    last_line = done.stderr.strip().splitlines()[-1]
    assert "tests/test_report.py" in last_line and "`chromium` command" in last_line
    assert last_line.count(". ") == 0  # one sentence


def test_the_package_lists_are_refreshed_before_looking_for_a_browser_when_nothing_else_is_missing(tmp_path):
    _, apt = setup_on_ubuntu_without_snapd(tmp_path, installed="espeak-ng|libportaudio2|alsa-utils")

    assert not any("espeak-ng" in line for line in apt)  # already there
    assert apt[0] == "apt-get update -qq"  # a fresh image has no lists: apt-cache would know no browser
    assert "apt-get install -y -qq chromium-browser" in apt


def test_python_older_than_3_11_stops_with_one_sentence_before_making_the_venv(tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    python = fake_python(bin_dir, "3.9")

    done = run_setup_function(tmp_path, bin_dir, "install_python_packages", python)

    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        f"voiceprep setup: voiceprep needs Python 3.11 or newer ({python} is 3.9): install it "
        "(apt-get install python3.11 python3.11-venv) and run this again with PYTHON=python3.11 "
        "(or PYTHON=/path/to/your/python3.11)"
    ]
    assert not (tmp_path / ".venv").exists()
    assert not any("venv" in line for line in calls(bin_dir))
