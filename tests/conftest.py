"""Shared fixtures: a private data dir per test, one model load and one TTS cache per run,
and a virtual ALSA microphone and speaker backed by files (no sound card needed).

PortAudio reads the ALSA configuration once, when sounddevice is first imported, so the
virtual devices are set up here, at import time, before any test module imports it.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parent.parent
STARTER_BANK = REPO / "tests" / "data" / "starter.toml"
SAMPLE_RATE = 16000

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
