"""Text to speech, offline: pyttsx3 (espeak-ng on Linux, SAPI5 on Windows, NSSpeech on macOS).

pyttsx3's own playback on Linux shells out to `aplay` and, where that is missing, prints
an error and returns as if it had spoken. So speech is synthesized to a WAV file and
played through sounddevice: one audio path on every platform, and errors you can see.
"""

from __future__ import annotations

import contextlib
import io
import tempfile
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from voiceprep.errors import VoiceprepError

DEFAULT_RATE = 175  # words per minute: a calm interviewer
# pyttsx3's espeak loop once returned without writing the file while another process was
# synthesizing too; trying again is cheap (10 ms a sentence) and has always worked.
SYNTHESIS_ATTEMPTS = 3


@dataclass(frozen=True)
class Speech:
    samples: np.ndarray  # float32 mono
    samplerate: int

    @property
    def seconds(self) -> float:
        return len(self.samples) / self.samplerate


class Synthesizer:
    """A pyttsx3 engine that renders text to samples."""

    def __init__(self, voice: str | None = None, rate: int = DEFAULT_RATE) -> None:
        try:
            import pyttsx3

            self._engine = pyttsx3.init()
        except (ImportError, RuntimeError, OSError) as error:
            raise VoiceprepError(
                f"no text-to-speech engine ({error}); install espeak-ng "
                "(Debian/Ubuntu: `sudo apt-get install espeak-ng`)"
            ) from None
        self._engine.setProperty("rate", rate)
        self._engine.setProperty("voice", self._pick_voice(voice))
        self._workdir = Path(tempfile.mkdtemp(prefix="voiceprep-tts-"))

    def _pick_voice(self, wanted: str | None) -> str:
        voices = self._engine.getProperty("voices")
        def english_first(v: object) -> tuple[bool, bool]:
            text = f"{v.id} {v.name}".casefold()
            return ("en-us" not in text and "america" not in text, "en" not in text)
        if wanted:
            for v in voices:
                if wanted.casefold() in (v.id.casefold(), v.name.casefold()) or wanted.casefold() in v.name.casefold():
                    return v.id
            names = ", ".join(sorted({v.name for v in voices})[:12])
            raise VoiceprepError(f"no voice '{wanted}'; some available voices: {names}")
        return sorted(voices, key=english_first)[0].id if voices else self._engine.getProperty("voice")

    def synthesize(self, text: str) -> Speech:
        """Render text to audio samples."""
        target = self._workdir / "utterance.wav"
        for _attempt in range(SYNTHESIS_ATTEMPTS):
            target.unlink(missing_ok=True)
            with contextlib.redirect_stdout(io.StringIO()):  # the espeak driver prints "Audio saved to ..."
                self._engine.save_to_file(text, str(target))
                self._engine.runAndWait()
            if target.is_file() and target.stat().st_size > 44:
                return read_wav(target)
        raise VoiceprepError("the text-to-speech engine produced no audio; reinstall espeak-ng (`sudo apt-get install espeak-ng`)")


def read_wav(path: Path) -> Speech:
    """A 16-bit PCM WAV file as float32 mono samples."""
    with wave.open(str(path), "rb") as handle:
        rate = handle.getframerate()
        channels = handle.getnchannels()
        width = handle.getsampwidth()
        raw = handle.readframes(handle.getnframes())
    if width != 2:
        raise VoiceprepError(f"{path} is not 16-bit PCM audio")
    samples = np.frombuffer(raw, dtype="<i2").astype(np.float32) / 32768
    if channels > 1:
        samples = samples.reshape(-1, channels).mean(axis=1)
    return Speech(samples, rate)
