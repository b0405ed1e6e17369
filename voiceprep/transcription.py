"""Speech to text on this machine with faster-whisper; nothing is sent anywhere."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import numpy as np

from voiceprep.errors import VoiceprepError
from voiceprep.models import (
    DEFAULT_MODEL,
    embedded_model_dir,
    registry,
    require_model_files,
    verify_model_dir,
)
from voiceprep.scoring import WordTime

SAMPLE_RATE = 16000  # what Whisper models take
Result = TypeVar("Result")


@dataclass(frozen=True)
class Transcript:
    text: str
    words: tuple[WordTime, ...]  # character offsets into text, and seconds into the audio
    audio_seconds: float
    decode_seconds: float  # how long transcription took


@dataclass(frozen=True)
class DecodeOptions:
    beam_size: int = 5  # tiny.en is fast enough for beam search, and it fixes many slips
    word_timestamps: bool = True  # lets reports say where in the recording a point was made
    vad_filter: bool = True  # skip silence: Whisper invents text ("Thank you.") on silence
    initial_prompt: str | None = None  # text the speech continues; biases spelling
    hotwords: str | None = None
    # Whisper's fallback when a decode looks like a loop or nonsense: decode again, sampling
    # at each temperature in turn (faster-whisper's default list).
    temperature: tuple[float, ...] = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)
    max_new_tokens: int | None = None  # per 30 s window; caps what a looping decode costs


def resolve_model(name: str, data_dir: Path | None = None, checksums: bool = True) -> str:
    """A model name, directory or registry entry, as the string WhisperModel loads.

    Registered models are checked against their SHA-256 first (only that their files are
    there, with `checksums` off); a directory that is not registered is used as given;
    any other name is left to faster-whisper to download.
    """
    known = registry()
    if name == DEFAULT_MODEL:
        directory = embedded_model_dir()
        if checksums:
            verify_model_dir(known[name], directory, data_dir / "model-checksums.json" if data_dir else None)
        else:
            require_model_files(known[name], directory)
        return str(directory)
    as_path = Path(name).expanduser()
    if as_path.is_dir():
        if not (as_path / "model.bin").is_file():
            raise VoiceprepError(f"{as_path} has no model.bin: give a CTranslate2 Whisper model directory")
        return str(as_path)
    return name


class Transcriber:
    """A loaded Whisper model. Load once, transcribe many answers."""

    def __init__(
        self,
        model: str = DEFAULT_MODEL,
        device: str = "cpu",
        compute_type: str = "int8",
        data_dir: Path | None = None,
        cpu_threads: int = 0,
    ) -> None:
        source = resolve_model(model, data_dir)
        try:
            from faster_whisper import WhisperModel

            self._model = WhisperModel(source, device=device, compute_type=compute_type, cpu_threads=cpu_threads)
        except (OSError, RuntimeError, ValueError) as error:
            raise VoiceprepError(
                f"could not load speech model '{model}' ({_first_line(error)}); "
                "use --model tiny.en (embedded) or a CTranslate2 model directory"
            ) from None
        self.name = model

    def transcribe(self, audio: np.ndarray | str | Path, options: DecodeOptions = DecodeOptions()) -> Transcript:
        """Transcribe 16 kHz mono float32 samples, or any audio file ffmpeg can decode."""
        started = time.perf_counter()
        source = str(audio) if isinstance(audio, (str, Path)) else np.asarray(audio, dtype=np.float32)
        try:
            segments, info = self._model.transcribe(
                source,
                language="en",
                beam_size=options.beam_size,
                word_timestamps=options.word_timestamps,
                vad_filter=options.vad_filter,
                initial_prompt=options.initial_prompt,
                hotwords=options.hotwords,
                temperature=list(options.temperature),
                max_new_tokens=options.max_new_tokens,
                condition_on_previous_text=False,  # stops one mis-heard stretch from derailing the rest
            )
            text, words = _assemble(list(segments), float(info.duration))  # the generator runs the model
        except (OSError, ValueError, RuntimeError) as error:
            name = audio if isinstance(audio, (str, Path)) else "the recording"
            raise VoiceprepError(f"could not read audio from {name} ({_first_line(error)}); give a WAV, MP3, M4A or FLAC file") from None
        return Transcript(text, words, float(info.duration), time.perf_counter() - started)


class BackgroundTranscriber:
    """A Transcriber that loads and runs in one worker thread of its own.

    Loading starts at once, so a session can speak its first question meanwhile. All
    calls run on the thread that loaded the model: CTranslate2 run from another thread
    than the one that created it was 5 to 25 times slower here (its OpenMP workers spin
    against the new ones on a 2-core machine).
    """

    def __init__(self, model: str = DEFAULT_MODEL, device: str = "cpu", compute_type: str = "int8", data_dir: Path | None = None) -> None:
        # A missing model must stop a session before its first question, not after the
        # first answer. Only the files' presence is checked here: hashing them takes a
        # quarter of a second on a first run, which the first spoken word would wait for;
        # the checksums are verified as the model loads, before anything is transcribed.
        resolve_model(model, data_dir, checksums=False)
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="voiceprep-transcriber")
        self._loaded: Future[Transcriber] = self._worker.submit(Transcriber, model, device, compute_type, data_dir)

    def ready(self) -> Transcriber:
        """Wait for the model; re-raises the loading error (a VoiceprepError) if it failed."""
        return self._loaded.result()

    def submit(self, audio: np.ndarray | str | Path, options: DecodeOptions = DecodeOptions()) -> Future[Transcript]:
        return self.run(lambda model: model.transcribe(audio, options))

    def run(self, task: Callable[[Transcriber], Result]) -> Future[Result]:
        """Run `task(transcriber)` on the worker thread, after everything submitted before it."""
        return self._worker.submit(lambda: task(self._loaded.result()))

    def transcribe(self, audio: np.ndarray | str | Path, options: DecodeOptions = DecodeOptions()) -> Transcript:
        return self.submit(audio, options).result()

    def close(self) -> None:
        self._worker.shutdown(wait=False, cancel_futures=True)


def _assemble(segments: list, duration: float) -> tuple[str, tuple[WordTime, ...]]:
    """One text from the segments, with each word's character span and time."""
    text = ""
    words: list[WordTime] = []
    for segment in segments:
        if segment.words:
            for word in segment.words:
                piece = word.word if text else word.word.lstrip()
                start_char = len(text) + (len(piece) - len(piece.lstrip()))
                text += piece
                words.append(WordTime(start_char, len(text), float(word.start), float(word.end)))
        else:
            piece = segment.text if text else segment.text.lstrip()
            words.extend(_spread_over(piece, len(text), segment.start, min(segment.end, duration)))
            text += piece
    return text.strip(), tuple(words)


def _spread_over(piece: str, offset: int, start: float, end: float) -> list[WordTime]:
    """Word times estimated from the segment's own: decoded without word timestamps, Whisper
    times only its segments (a sentence or so), so each word gets the share of the segment
    its characters take. Good to a second or so: enough to find a point in the recording."""
    per_char = (end - start) / max(len(piece.strip()), 1)
    lead = len(piece) - len(piece.lstrip())
    return [
        WordTime(offset + match.start(), offset + match.end(),
                 start + (match.start() - lead) * per_char, start + (match.end() - lead) * per_char)
        for match in re.finditer(r"\S+", piece)
    ]


def _first_line(error: BaseException) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0]
