"""Transcribing a long recording piece by piece, so memory does not grow with its length.

faster-whisper decodes a whole file into memory before it starts: a ten-minute file took
135 MB more than a twenty-second one. Past LONG_RECORDING the file is decoded as a stream
and transcribed in pieces of about CHUNK_SECONDS, each cut at its quietest moment near the
end (between words, not through one), and the pieces are joined as live transcription
joins its stretches.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np

from voiceprep.errors import VoiceprepError
from voiceprep.live import Stretch, join_pieces
from voiceprep.transcription import DecodeOptions, Transcriber, Transcript
from voiceprep.vad import SAMPLE_RATE

LONG_RECORDING = 120.0  # seconds; shorter files are transcribed whole, as Whisper does best
CHUNK_SECONDS = 30.0  # Whisper's own window
SEARCH_SECONDS = 3.0  # the end of a piece where its cut is looked for
QUIET_WINDOW = 1600  # samples (0.1 s) over which loudness is measured


def recording_seconds(path: Path) -> float | None:
    """The file's length from its header, or None when the container does not say."""
    import av

    try:
        with av.open(str(path)) as container:
            return container.duration / 1_000_000 if container.duration else None
    except (av.error.FFmpegError, OSError):
        return None  # the whole-file decoder gives the error its own sentence


def transcribe_in_pieces(transcriber: Transcriber, path: Path, options: DecodeOptions = DecodeOptions()) -> Transcript:
    """The whole recording's transcript, holding at most one piece of audio at a time."""
    pieces: list[tuple[Stretch, Transcript]] = []
    pending = np.zeros(0, dtype=np.float32)
    start = 0  # samples into the recording where `pending` begins
    for block in _decoded_blocks(path):
        pending = np.concatenate([pending, block])
        while len(pending) >= CHUNK_SECONDS * SAMPLE_RATE:
            cut = _quietest_cut(pending[: int(CHUNK_SECONDS * SAMPLE_RATE)])
            pieces.append(_piece(transcriber, pending[:cut], start, options))
            start += cut
            pending = pending[cut:]
    if len(pending):
        pieces.append(_piece(transcriber, pending, start, options))
    return join_pieces(pieces, (start + len(pending)) / SAMPLE_RATE)


def _piece(transcriber: Transcriber, samples: np.ndarray, start: int, options: DecodeOptions) -> tuple[Stretch, Transcript]:
    transcript = transcriber.transcribe(samples, options)
    stretch = Stretch(start / SAMPLE_RATE, (start + len(samples)) / SAMPLE_RATE, "length", transcript.text)
    return stretch, transcript


def _quietest_cut(chunk: np.ndarray) -> int:
    """Where in the last SEARCH_SECONDS of the chunk the sound is quietest."""
    tail_start = len(chunk) - int(SEARCH_SECONDS * SAMPLE_RATE)
    tail = chunk[tail_start:]
    windows = len(tail) // QUIET_WINDOW
    loudness = np.sqrt(np.mean(tail[: windows * QUIET_WINDOW].reshape(windows, QUIET_WINDOW) ** 2, axis=1))
    return tail_start + int(np.argmin(loudness)) * QUIET_WINDOW + QUIET_WINDOW // 2


def _decoded_blocks(path: Path) -> Iterator[np.ndarray]:
    """16 kHz mono float32 blocks of any file ffmpeg reads, as they are decoded."""
    import av

    try:
        with av.open(str(path)) as container:
            resampler = av.AudioResampler(format="flt", layout="mono", rate=SAMPLE_RATE)
            for frame in container.decode(audio=0):
                for resampled in resampler.resample(frame):
                    yield resampled.to_ndarray().reshape(-1)
    except av.error.FFmpegError as error:
        raise VoiceprepError(f"could not read audio from {path} ({error}); give a WAV, MP3, M4A or FLAC file") from None
