"""Privacy and security: nothing leaves the machine, the archive is the user's alone, and a
bank cannot make voiceprep write outside its data dir."""

from __future__ import annotations

import json
import socket
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import write_wav

from voiceprep.bank import BankError, load_bank
from voiceprep.cli import main

ANSWER = "Model extraction is when an attacker sends lots of queries to copy the model. I would throttle the queries."

# Installed in a child Python through sitecustomize: any attempt to reach the network is
# written down (and refused), so a test can tell that none was made.
NETWORK_GUARD = """
import os, socket
_log = os.environ["VOICEPREP_NETWORK_LOG"]
_real_connect = socket.socket.connect
def _guarded_connect(self, address):
    if self.family in (socket.AF_INET, socket.AF_INET6):
        with open(_log, "a") as handle:
            handle.write(repr(address) + "\\n")
        raise OSError("network access refused by the test")
    return _real_connect(self, address)
socket.socket.connect = _guarded_connect
"""


@pytest.fixture
def network_guard(tmp_path: Path, virtual_audio) -> tuple[dict[str, str], Path]:
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(NETWORK_GUARD)
    log = tmp_path / "network.log"
    env = virtual_audio.env()
    env.update({"PYTHONPATH": str(site), "VOICEPREP_NETWORK_LOG": str(log)})
    for proxy in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
        env.pop(proxy, None)
    return env, log


@pytest.mark.audio
def test_a_practice_session_makes_no_network_connection(network_guard, virtual_audio, speech, tmp_path):
    env, log = network_guard
    virtual_audio.say_into_mic(speech(ANSWER), tail=3.0)
    data = tmp_path / "archive"
    done = subprocess.run(
        [sys.executable, "-m", "voiceprep.cli", "--data-dir", str(data), "practice", "--ids", "int-05",
         "--silence", "1.5", "--quiet-feedback"],
        env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert not log.exists(), f"connections attempted: {log.read_text()}"
    assert sqlite3.connect(data / "voiceprep.db").execute("SELECT status FROM answers").fetchone()[0] == "scored"


@pytest.mark.audio
def test_scoring_a_recording_makes_no_network_connection(network_guard, speech, tmp_path):
    env, log = network_guard
    path = write_wav(tmp_path / "answer.wav", speech(ANSWER))
    done = subprocess.run(
        [sys.executable, "-m", "voiceprep.cli", "--data-dir", str(tmp_path / "d"), "score", str(path),
         "--question", "int-05", "--json"],
        env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["covered"] >= 2
    assert not log.exists(), f"connections attempted: {log.read_text()}"


def test_the_guard_itself_catches_a_connection(network_guard):
    env, log = network_guard
    subprocess.run([sys.executable, "-c", "import socket; socket.create_connection(('127.0.0.1', 9), 1)"],
                   env=env, capture_output=True, timeout=30)
    assert "127.0.0.1" in log.read_text()


@pytest.mark.audio
def test_recordings_and_the_database_are_readable_by_the_user_alone(virtual_audio, speech, tmp_path):
    virtual_audio.say_into_mic(speech(ANSWER), tail=3.0)
    data = tmp_path / "archive"
    done = subprocess.run(
        [sys.executable, "-m", "voiceprep.cli", "--data-dir", str(data), "practice", "--ids", "int-05",
         "--silence", "1.5", "--quiet-feedback"],
        env=virtual_audio.env(), stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr
    files = [p for p in data.rglob("*") if p.is_file()]
    assert any(p.suffix == ".wav" for p in files)
    for path in files:
        assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0, f"{path} is readable by others"
    for folder in [data, *[p for p in data.rglob("*") if p.is_dir()]]:
        assert stat.S_IMODE(folder.stat().st_mode) & 0o077 == 0, f"{folder} is open to others"


# "q-1\n": a pattern ending in "$" lets a final newline through into a recording's file name.
@pytest.mark.parametrize("bad_id", ["../../etc/passwd", "a/b", "..", "x\\y", "/abs", "q-1\n"])
def test_a_question_id_cannot_name_a_path(tmp_path, bad_id):
    bank = tmp_path / "evil.toml"
    bank.write_text(
        '[bank]\nid = "evil"\ntitle = "E"\nsections = ["S"]\n\n[[questions]]\n'
        f'id = {json.dumps(bad_id)}\nsection = "S"\nprompt = "P?"\nhint = "H"\n\n'
        '[[questions.points]]\nlabel = "x"\n'
    )
    with pytest.raises(BankError, match="must be lowercase letters, digits and hyphens") as refused:
        load_bank(bank)
    assert "\n" not in str(refused.value)  # the id is quoted escaped: the error stays one line


def test_no_socket_is_opened_while_scoring_text(monkeypatch, capsys):
    def refuse(*args, **kwargs):
        raise AssertionError("network access attempted")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    assert main(["score", "--question", "int-05", "--text", "I would throttle the queries per account."]) == 0
    assert "[x] rate limiting" in capsys.readouterr().out
