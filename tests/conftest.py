"""Shared fixtures: a private data dir per test, one model load and one TTS cache per run,
and a virtual ALSA microphone and speaker backed by files (no sound card needed).

PortAudio reads the ALSA configuration once, when sounddevice is first imported, so the
virtual devices are set up here, at import time, before any test module imports it.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import tempfile
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

REPO = Path(__file__).resolve().parent.parent
STARTER_BANK = REPO / "tests" / "data" / "starter.toml"
SAMPLE_RATE = 16000


def load_script(name: str) -> ModuleType:
    """scripts/<name>.py as a module: the scripts are tools, not part of the package."""
    spec = importlib.util.spec_from_file_location(name, REPO / "scripts" / f"{name}.py")
    module = sys.modules[name] = importlib.util.module_from_spec(spec)  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


_AUDIO_ROOT = Path(tempfile.mkdtemp(prefix="voiceprep-test-audio-"))


class VirtualAudio:
    """Files behind the default ALSA device: what the microphone hears and what the speaker got."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.home = root / "home"
        self.mic = root / "mic.raw"
        self.speaker = root / "speaker.raw"
        self.home.mkdir(parents=True, exist_ok=True)
        self.mic.write_bytes(b"")
        # The file plugin's output truncates on every open; piping through `cat >>` keeps
        # everything the tool said during a session.
        (self.home / ".asoundrc").write_text(
            'pcm.!default { type asym; playback.pcm "vspk"; capture.pcm "vmic" }\n'
            'pcm.vmic { type plug; slave { pcm "vmicraw"; format S16_LE; rate 16000; channels 1 } }\n'
            f'pcm.vmicraw {{ type file; slave.pcm "null"; file "/dev/null"; infile "{self.mic}"; format "raw" }}\n'
            'pcm.vspk { type plug; slave { pcm "vspkraw"; format S16_LE; rate 16000; channels 1 } }\n'
            f'pcm.vspkraw {{ type file; slave.pcm "null"; file "|cat >> {self.speaker}"; format "raw" }}\n'
        )

    def say_into_mic(self, samples: np.ndarray, lead: float = 0.5, tail: float = 4.0) -> None:
        """What the microphone will hear, from the start, each time a stream opens on it."""
        padded = np.concatenate([
            np.zeros(int(lead * SAMPLE_RATE), np.float32), samples, np.zeros(int(tail * SAMPLE_RATE), np.float32)
        ])
        self.mic.write_bytes((np.clip(padded, -1, 1) * 32767).astype("<i2").tobytes())
        self.speaker.unlink(missing_ok=True)

    def heard_by_speaker(self) -> np.ndarray:
        if not self.speaker.exists():
            return np.zeros(0, np.float32)
        return np.frombuffer(self.speaker.read_bytes(), "<i2").astype(np.float32) / 32768

    def env(self) -> dict[str, str]:
        return {**os.environ, "HOME": str(self.home)}


VIRTUAL_AUDIO = VirtualAudio(_AUDIO_ROOT)
os.environ["HOME"] = str(VIRTUAL_AUDIO.home)


@pytest.fixture
def virtual_audio() -> VirtualAudio:
    return VIRTUAL_AUDIO


@pytest.fixture(autouse=True)
def private_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own archive; none touches the user's."""
    path = tmp_path / "data"
    monkeypatch.setenv("VOICEPREP_DATA_DIR", str(path))
    return path


@pytest.fixture(scope="session")
def transcriber(tmp_path_factory: pytest.TempPathFactory):
    """The real embedded tiny.en model, loaded once per test run."""
    from voiceprep.transcription import Transcriber

    return Transcriber(data_dir=tmp_path_factory.mktemp("models"))


class SpeechCache:
    """Synthesized speech (real pyttsx3/espeak-ng), 16 kHz, made once per text and rate per run."""

    def __init__(self) -> None:
        self._synths: dict[int, object] = {}
        self._made: dict[tuple[str, int], np.ndarray] = {}

    def __call__(self, text: str, rate: int = 160) -> np.ndarray:
        from voiceprep.resample import Resampler
        from voiceprep.speech import Synthesizer

        key = (text, rate)
        if key not in self._made:
            synth = self._synths.setdefault(rate, Synthesizer(rate=rate))
            speech = synth.synthesize(text)
            self._made[key] = Resampler(speech.samplerate, SAMPLE_RATE)(speech.samples)
        return self._made[key]


@pytest.fixture(scope="session")
def speech() -> SpeechCache:
    return SpeechCache()


def write_wav(path: Path, samples: np.ndarray, rate: int = SAMPLE_RATE) -> Path:
    import wave

    with wave.open(str(path), "wb") as handle:
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(rate)
        handle.writeframes((np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes())
    return path



class MicScript:
    """Drives a `voiceprep` subprocess by voice: the k-th microphone stream hears the k-th utterance.

    The virtual microphone replays `mic.raw` from its start at every stream open, and a
    session opens a stream for every answer and every command. So the test watches the
    file with inotify (Linux): the first read of the current file means a stream has
    started on it, and the next utterance is put in place at once, by a rename, which the
    open stream does not see (it keeps reading the old file). PortAudio's device probes
    open the file without reading it, so they do not count. The next stream opens only
    after the coach has spoken again, hundreds of milliseconds later. Tried first: waiting
    for the line the coach prints before it speaks left only the synthesis time (about
    10 ms) as margin; a named pipe as `infile` was unreliable (FIELD-NOTES).
    """

    IN_ACCESS = 0x1

    def __init__(self, audio: VirtualAudio) -> None:
        self.audio = audio

    def put(self, samples: np.ndarray, lead: float = 0.5, tail: float = 3.0) -> None:
        padded = np.concatenate([
            np.zeros(int(lead * SAMPLE_RATE), np.float32), samples, np.zeros(int(tail * SAMPLE_RATE), np.float32)
        ])
        staged = self.audio.mic.with_suffix(".next")
        staged.write_bytes((np.clip(padded, -1, 1) * 32767).astype("<i2").tobytes())
        os.replace(staged, self.audio.mic)

    def run(self, args: list[str], utterances: list[np.ndarray], timeout: float = 240) -> tuple[int, list[str], str, int]:
        """Run `python -m voiceprep.cli ARGS` with stdin closed; streams after the last utterance hear silence.

        Returns (exit code, printed lines, stderr, how many streams started).
        """
        import ctypes
        import select
        import struct
        import subprocess
        import sys
        import threading

        libc = ctypes.CDLL(None, use_errno=True)
        inotify = libc.inotify_init1(os.O_NONBLOCK | os.O_CLOEXEC)
        queue = [*utterances, np.zeros(0, np.float32)]
        streams = 0

        def stage_next() -> int:
            self.put(queue[min(streams, len(queue) - 1)])
            return libc.inotify_add_watch(inotify, str(self.audio.mic).encode(), self.IN_ACCESS)

        def follow(process: subprocess.Popen) -> None:
            nonlocal streams
            watch = stage_next()
            while process.poll() is None:
                if not select.select([inotify], [], [], 0.05)[0]:
                    continue
                data = os.read(inotify, 65536)
                watches = {struct.unpack_from("iIII", data, i)[0] for i in _event_offsets(data)}
                if watch in watches:
                    libc.inotify_rm_watch(inotify, watch)
                    streams += 1
                    watch = stage_next()

        self.audio.speaker.unlink(missing_ok=True)
        process = subprocess.Popen(
            [sys.executable, "-m", "voiceprep.cli", *args], env=self.audio.env(), stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        follower = threading.Thread(target=follow, args=(process,), daemon=True)
        follower.start()
        try:
            out, err = process.communicate(timeout=timeout)
        finally:
            process.kill()
            follower.join()
            os.close(inotify)
        return process.returncode, out.splitlines(), err, streams


def _event_offsets(data: bytes) -> list[int]:
    """Where each inotify_event (int wd, uint32 mask, cookie, len, name[len]) starts in a read."""
    import struct

    offsets, at = [], 0
    while at < len(data):
        offsets.append(at)
        at += 16 + struct.unpack_from("iIII", data, at)[3]
    return offsets


@pytest.fixture
def mic_script(virtual_audio: VirtualAudio) -> MicScript:
    return MicScript(virtual_audio)
