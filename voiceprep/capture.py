"""Recording one spoken answer from the microphone, to disk, until the candidate is done.

Frames arrive in a PortAudio callback and go through a bounded queue to this thread, which
writes them to a WAV file as they come (memory stays flat however long the answer) and
runs voice activity detection on them. The answer ends at the first of: enough trailing
silence after speech, the maximum duration, no speech at all within a time-out, or a stop
request (Enter, a closing phrase). Time is counted in samples, not on the wall clock, so
the same audio ends the same way on a slow machine or a virtual device. While the tool
itself speaks (a time warning), the microphone is muted: its sound is recorded as silence,
and that time counts neither as speech nor as the silence that ends an answer.
"""

from __future__ import annotations

import queue
import threading
import time
import wave
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from voiceprep.audio import NO_INPUT_HELP, Device, sounddevice
from voiceprep.errors import VoiceprepError
from voiceprep.resample import Resampler
from voiceprep.vad import SAMPLE_RATE, WINDOW, StreamingVad

BLOCK_SECONDS = 0.1
BYTES_PER_SECOND = SAMPLE_RATE * 2  # what a recording takes on disk: 16-bit mono WAV
QUEUE_SECONDS = 120  # how far the writer may fall behind before new sound is dropped


@dataclass(frozen=True)
class EndOfAnswer:
    """When an answer is over; defaults suit an interview, where people pause to think."""

    trailing_silence: float = 2.5  # seconds of silence after speech
    max_duration: float = 180.0
    no_speech_timeout: float = 12.0  # seconds with no speech at all
    speech_threshold: float = 0.5  # VAD probability that counts as speech
    min_speech: float = 0.25  # seconds of speech before an answer has started


@dataclass
class Recording:
    path: Path
    seconds: float = 0.0
    first_speech_at: float | None = None  # seconds from the start of recording
    ended_by: str = ""  # "silence", "max_duration", "no_speech", "stop", "interrupted", "device_error"
    error: str | None = None
    dropped_seconds: float = 0.0  # sound that arrived while the writer was two minutes behind
    speech_runs: list[tuple[float, float]] = field(default_factory=list)  # (start, end) seconds of speech
    decided_at: float | None = None  # time.perf_counter() when the answer was judged over: latency counts from here

    @property
    def heard_speech(self) -> bool:
        return self.first_speech_at is not None


class _WavWriter:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._file = wave.open(str(path), "wb")
        self._file.setnchannels(1)
        self._file.setsampwidth(2)
        self._file.setframerate(SAMPLE_RATE)

    def write(self, samples: np.ndarray) -> None:
        self._file.writeframes((np.clip(samples, -1.0, 1.0) * 32767).astype("<i2").tobytes())

    def close(self) -> None:
        self._file.close()


class _SpeechTracker:
    """Turns VAD probabilities into speech runs and the end-of-answer decision."""

    def __init__(self, rules: EndOfAnswer) -> None:
        self.rules = rules
        self.windows = 0
        self.speech_windows = 0
        self.silent_windows = 0
        self.run_start: int | None = None
        self.runs: list[tuple[float, float]] = []
        self.first_speech: float | None = None

    def feed(self, probabilities: np.ndarray) -> None:
        seconds = WINDOW / SAMPLE_RATE
        for p in probabilities:
            if p >= self.rules.speech_threshold:
                self.speech_windows += 1
                self.silent_windows = 0
                if self.run_start is None:
                    self.run_start = self.windows
                if self.first_speech is None and self.speech_windows * seconds >= self.rules.min_speech:
                    self.first_speech = self.run_start * seconds
            else:
                self.silent_windows += 1
                if self.run_start is not None and self.silent_windows * seconds >= 0.3:
                    self.runs.append((self.run_start * seconds, (self.windows - self.silent_windows + 1) * seconds))
                    self.run_start = None
            self.windows += 1

    def skip(self, windows: int) -> None:
        """Let muted time pass: it neither continues the speech nor adds to the silence."""
        self.windows += windows

    def verdict(self, elapsed: float) -> str | None:
        silence = self.silent_windows * WINDOW / SAMPLE_RATE
        if self.first_speech is not None and silence >= self.rules.trailing_silence:
            return "silence"
        if elapsed >= self.rules.max_duration:
            return "max_duration"
        if self.first_speech is None and elapsed >= self.rules.no_speech_timeout:
            return "no_speech"
        return None

    def close(self) -> None:
        if self.run_start is not None:
            self.runs.append((self.run_start * WINDOW / SAMPLE_RATE, (self.windows - self.silent_windows) * WINDOW / SAMPLE_RATE))
            self.run_start = None


def record_answer(
    path: Path,
    device: Device,
    rules: EndOfAnswer = EndOfAnswer(),
    stop: threading.Event | None = None,
    on_block: Callable[[np.ndarray, float], None] | None = None,
    vad: StreamingVad | None = None,
    muted: threading.Event | None = None,
) -> Recording:
    """Record from `device` into a 16 kHz mono WAV at `path` until the answer ends.

    `on_block(samples, elapsed)` sees every 16 kHz block as it is written (for live
    transcription). While `muted` is set, blocks are taken as silence that does not end the
    answer. Ctrl-C stops the recording and keeps what was said so far: the Recording comes
    back with ended_by "interrupted", for the caller to save and stop.
    """
    sd = sounddevice()
    vad = vad or StreamingVad()
    vad.reset()
    stop = stop or threading.Event()
    rate = _input_rate(sd, device)
    resample = Resampler(rate, SAMPLE_RATE)
    frames: queue.Queue[np.ndarray | None] = queue.Queue(maxsize=int(QUEUE_SECONDS / BLOCK_SECONDS))
    status_errors: list[str] = []

    closing = threading.Event()
    dropped_blocks = 0

    def callback(indata: np.ndarray, _frames: int, _time: object, status: object) -> None:
        nonlocal dropped_blocks
        if status and getattr(status, "input_overflow", False):
            status_errors.append("input overflow")
        try:
            # Never block here: a late callback makes the device overrun and lose sound.
            frames.put_nowait(indata[:, 0].astype(np.float32) / 32768)
        except queue.Full:
            dropped_blocks += 1

    def finished() -> None:
        if not closing.is_set():
            _put_marker(frames)  # the stream stopped on its own: the device went away

    recording = Recording(path)
    tracker = _SpeechTracker(rules)
    writer = _WavWriter(path)
    written = 0
    try:
        stream = _started_stream(sd, device, rate, callback, finished)
    except BaseException:  # the microphone would not start, or Ctrl-C came while it started
        writer.close()
        path.unlink(missing_ok=True)  # nothing was heard: no empty recording to archive as an answer
        raise
    try:
        while True:
            try:
                block = frames.get(timeout=2.0)
            except queue.Empty:
                if not stream.active:
                    block = None
                else:
                    continue
            if block is None:
                recording.ended_by = "device_error"
                recording.error = "the microphone stopped delivering sound"
                break
            samples = resample(block)
            if muted is not None and muted.is_set():
                samples = np.zeros_like(samples)  # the tool's own voice, picked up by the microphone
                tracker.skip(len(vad(samples)))
            else:
                tracker.feed(vad(samples))
            writer.write(samples)
            written += len(samples)
            elapsed = written / SAMPLE_RATE
            if on_block is not None:
                on_block(samples, elapsed)
            ended = "stop" if stop.is_set() else tracker.verdict(elapsed)
            if ended:
                recording.ended_by = ended
                break
    except KeyboardInterrupt:
        recording.ended_by = "interrupted"
    except sd.PortAudioError as error:
        recording.ended_by = "device_error"
        recording.error = str(error)
    finally:
        recording.decided_at = time.perf_counter()
        closing.set()
        _drain(frames)
        stream.close(ignore_errors=True)
        writer.close()
        tracker.close()
    recording.seconds = written / SAMPLE_RATE
    recording.first_speech_at = tracker.first_speech
    recording.speech_runs = tracker.runs
    if status_errors and recording.error is None and recording.ended_by != "device_error":
        recording.error = status_errors[0]
    recording.dropped_seconds = dropped_blocks * BLOCK_SECONDS
    return recording


def _started_stream(
    sd: Any, device: Device, rate: int, callback: Callable[..., None], finished: Callable[[], None],
) -> Any:
    """An input stream on `device`, started; one that will not start is as missing as one that will not open."""
    stream, started = None, False
    try:
        stream = sd.InputStream(
            # int16: every device offers it, and ALSA's plug layer converts it correctly
            # where float32 came back garbled on a virtual device.
            samplerate=rate, channels=1, dtype="int16", device=device.index,
            blocksize=int(rate * BLOCK_SECONDS), callback=callback, finished_callback=finished,
        )
        stream.start()
        started = True
    except (sd.PortAudioError, ValueError) as error:
        raise VoiceprepError(f"could not open the microphone '{device.name}' ({error}); {NO_INPUT_HELP}") from None
    finally:
        if stream is not None and not started:
            stream.close(ignore_errors=True)
    return stream


def _put_marker(frames: queue.Queue[np.ndarray | None]) -> None:
    try:
        frames.put_nowait(None)
    except queue.Full:
        pass  # the reader will notice that the stream is no longer active


def _drain(frames: queue.Queue[np.ndarray | None]) -> None:
    """Empty the queue so a callback waiting to put a block can return and the stream can close."""
    while True:
        try:
            frames.get_nowait()
        except queue.Empty:
            return


def _input_rate(sd: object, device: Device) -> int:
    """16 kHz where the device takes it, else its own rate (resampled here)."""
    try:
        sd.check_input_settings(device=device.index, samplerate=SAMPLE_RATE, channels=1, dtype="int16")
        return SAMPLE_RATE
    except Exception:  # PortAudio reports an unsupported rate in several ways
        return int(device.default_samplerate)
