"""Transcribing an answer while it is spoken, so feedback is ready the moment it ends.

The capture thread hands every 16 kHz block to `LiveTranscriber.feed`, which only queues
it on the transcriber's worker thread, the one thread that may call the model. There a
Silero VAD cuts the stream into stretches of speech closed by a short pause, and each
closed stretch is transcribed while the candidate keeps talking, with the end of the text
so far as its prompt. A pause of `closing_pause` closes any stretch, well inside the
trailing silence that ends an answer, so the last stretch is decoded before the answer is
declared over and only joining the pieces is left.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from voiceprep.scoring import WordTime
from voiceprep.transcription import (
    BackgroundTranscriber,
    DecodeOptions,
    Transcriber,
    Transcript,
)
from voiceprep.vad import SAMPLE_RATE, WINDOW, StreamingVad


# Without word timestamps, so without the second pass they cost: Whisper then re-decodes
# the pause after a stretch's last word on its own, where it loops on invented text until
# its temperature fallback gives up. Stretch decoding took a median 0.11 s per second of
# audio instead of 0.17, and at worst 0.37 instead of 0.63; word times are then estimated
# within each of Whisper's segments. Fewer fallback temperatures, and a cap on tokens
# (LiveOptions.tokens_per_second): an espeak stretch that tiny.en heard as "Nell Nell
# Nell" failed the loop check at every temperature and took 17-20 s to decode; with both,
# 3-4 s, and word error on 26 espeak answers was the same within run-to-run noise.
LIVE_DECODING = DecodeOptions(word_timestamps=False, temperature=(0.0, 0.4, 0.8))


@dataclass(frozen=True)
class LiveOptions:
    """Where the stream is cut; times in seconds."""

    speech_threshold: float = 0.5  # VAD probability that counts as speech, as in capture.EndOfAnswer
    pause: float = 0.3  # closes a stretch that is long enough to stand on its own
    # Shorter stretches wait for a longer pause: Whisper does better with context. On 20
    # espeak evaluation answers, word error against the script was 0.22 with stretches of
    # 4-8 s, 0.18 with 8-16 s and 0.17 with 10-20 s; 0.16 transcribing each answer whole.
    min_stretch: float = 10.0
    closing_pause: float = 0.7  # closes any stretch: the answer may be over (it ends after 2.5 s by default)
    # Longer speech is cut at its quietest point, so that the last stretch decodes within
    # the trailing silence (20 s took 0.8-1.5 s here) and Whisper hears 30 s at a time.
    max_stretch: float = 20.0
    padding: float = 0.3  # audio kept before the speech of a stretch, so no word is clipped
    trailing: float = 0.5  # most of the pause kept after a stretch: cut short, Whisper drops its last words
    overhang: float = 0.3  # words timed this far past the VAD's end of speech are Whisper's inventions
    prompt_words: int = 40  # how much of the text so far conditions the next stretch
    # Room for a fast talker (200 words a minute is about 5 tokens a second) plus 20; a
    # decode that loops on repeated words stops there instead of at Whisper's 448 tokens.
    tokens_per_second: float | None = 6.0


@dataclass(frozen=True)
class Stretch:
    start: float  # seconds into the answer
    end: float
    closed_by: str  # "pause", "length" (cut at the quietest point) or "end" (still open when the answer ended)
    text: str


@dataclass(frozen=True)
class LiveTranscript:
    transcript: Transcript  # the whole answer; word times are seconds into the recording
    stretches: tuple[Stretch, ...]
    tail_seconds: float  # audio that was still undecoded when the answer ended, in sample time


class LiveTranscriber:
    """Transcribes one answer stretch by stretch as its blocks arrive."""

    def __init__(
        self,
        transcriber: BackgroundTranscriber,
        decode: DecodeOptions = LIVE_DECODING,
        options: LiveOptions = LiveOptions(),
        vad: StreamingVad | None = None,
        on_stretch: Callable[[str], None] | None = None,
    ) -> None:
        """`on_stretch(text)` hears each stretch's text as soon as it is decoded, on the
        transcriber's thread: a closing phrase ("that's my answer") can end the recording."""
        self._transcriber = transcriber
        self._on_stretch = on_stretch
        self._decode = decode
        self._options = options
        self._vad = vad or StreamingVad()
        self._vad.reset()
        self._audio = _Samples()
        self._windows = 0  # VAD windows seen so far
        self._stretch_start: int | None = None  # sample where the open stretch begins
        self._last_speech_end = 0  # sample
        self._floor = 0  # no stretch starts before the end of the previous one
        self._pieces: list[tuple[Stretch, Transcript]] = []
        self._failure: Exception | None = None

    def feed(self, samples: np.ndarray, _elapsed: float = 0.0) -> None:
        """Take one 16 kHz block (record_answer's on_block); returns at once."""
        block = np.array(samples, dtype=np.float32)  # a copy: the caller may reuse its buffer
        self._transcriber.run(lambda model: self._take(model, block))

    def finish(self) -> LiveTranscript:
        """Decode what is left once the answer has ended, and join the stretches.

        Re-raises a failure of the model (a VoiceprepError when it could not load).
        """
        return self._transcriber.run(self._finish).result()

    def _take(self, model: Transcriber, block: np.ndarray) -> None:
        if self._failure is not None:
            return
        try:
            self._audio.append(block)
            for probability in self._vad(block):
                self._on_window(model, float(probability))
        except Exception as error:  # noqa: BLE001  kept for finish(): nobody waits on a block's future
            self._failure = error

    def _on_window(self, model: Transcriber, probability: float) -> None:
        options = self._options
        window_end = (self._windows + 1) * WINDOW
        self._windows += 1
        if probability >= options.speech_threshold:
            if self._stretch_start is None:
                self._stretch_start = max(self._floor, window_end - WINDOW - _samples(options.padding))
            self._last_speech_end = window_end
        if self._stretch_start is None:
            return
        silence = (window_end - self._last_speech_end) / SAMPLE_RATE
        speech = (self._last_speech_end - self._stretch_start) / SAMPLE_RATE
        if silence >= options.closing_pause or (silence >= options.pause and speech >= options.min_stretch):
            end = min(window_end, self._last_speech_end + _samples(options.trailing))
            self._close(model, end, "pause", speech_end=self._last_speech_end)
        elif (window_end - self._stretch_start) / SAMPLE_RATE >= options.max_stretch:
            self._cut_at_quietest_point(model, window_end)

    def _cut_at_quietest_point(self, model: Transcriber, now: int) -> None:
        """Decode up to the quietest window of the stretch's second half; the rest stays open."""
        start = self._stretch_start
        search_from = start + (now - start) // 2
        windows = self._audio.slice(search_from, now)
        windows = windows[: len(windows) // WINDOW * WINDOW].reshape(-1, WINDOW)
        quietest = search_from + int(np.argmin(np.sqrt((windows**2).mean(axis=1)))) * WINDOW + WINDOW // 2
        self._close(model, quietest, "length", speech_end=quietest)
        self._stretch_start = quietest

    def _close(self, model: Transcriber, end: int, closed_by: str, speech_end: int) -> None:
        start = self._stretch_start
        self._stretch_start = None
        self._floor = end
        prompt = " ".join(" ".join(piece.text for _, piece in self._pieces).split()[-self._options.prompt_words :])
        decode = replace(self._decode, initial_prompt=prompt or self._decode.initial_prompt)
        if self._options.tokens_per_second:
            decode = replace(decode, max_new_tokens=int(self._options.tokens_per_second * (end - start) / SAMPLE_RATE) + 20)
        piece = model.transcribe(self._audio.slice(start, end), decode)
        if decode.word_timestamps:  # estimated times run to the segment's end, often past the speech
            piece = _drop_words_after(piece, (speech_end - start) / SAMPLE_RATE + self._options.overhang)
        self._pieces.append((Stretch(start / SAMPLE_RATE, end / SAMPLE_RATE, closed_by, piece.text), piece))
        if self._on_stretch is not None:
            self._on_stretch(piece.text)

    def _finish(self, model: Transcriber) -> LiveTranscript:
        if self._failure is not None:
            raise self._failure
        tail = 0.0
        if self._stretch_start is not None:
            tail = (self._audio.size - self._stretch_start) / SAMPLE_RATE
            self._close(model, self._audio.size, "end", speech_end=self._last_speech_end)
        transcript = join_pieces(self._pieces, self._audio.size / SAMPLE_RATE)
        return LiveTranscript(transcript, tuple(stretch for stretch, _ in self._pieces), tail)


def _drop_words_after(piece: Transcript, limit: float) -> Transcript:
    """Without the trailing words that start after `limit` seconds: Whisper's "Thank you for
    watching" on the silence after speech comes with times piled up at the end of the clip."""
    kept = len(piece.words)
    while kept and piece.words[kept - 1].start > limit:
        kept -= 1
    if kept == len(piece.words):
        return piece
    text = piece.text[: piece.words[kept].start_char].rstrip()
    return replace(piece, text=text, words=piece.words[:kept])


def join_pieces(pieces: list[tuple[Stretch, Transcript]], audio_seconds: float) -> Transcript:
    """One transcript: each piece's characters shifted by the text before it, its times by its start."""
    text = ""
    words: list[WordTime] = []
    for stretch, piece in pieces:
        if not piece.text:
            continue
        shift = len(text) + 1 if text else 0
        text = f"{text} {piece.text}" if text else piece.text
        words.extend(
            WordTime(w.start_char + shift, w.end_char + shift, w.start + stretch.start, w.end + stretch.start)
            for w in piece.words
        )
    decode_seconds = sum(piece.decode_seconds for _, piece in pieces)
    return Transcript(text, tuple(words), audio_seconds, decode_seconds)


def _samples(seconds: float) -> int:
    return int(seconds * SAMPLE_RATE)


class _Samples:
    """The answer so far in one array that grows by doubling: appending never copies it all."""

    def __init__(self) -> None:
        self._data = np.zeros(30 * SAMPLE_RATE, dtype=np.float32)
        self.size = 0

    def append(self, block: np.ndarray) -> None:
        if self.size + len(block) > len(self._data):
            grown = np.zeros(max(2 * len(self._data), self.size + len(block)), dtype=np.float32)
            grown[: self.size] = self._data[: self.size]
            self._data = grown
        self._data[self.size : self.size + len(block)] = block
        self.size += len(block)

    def slice(self, start: int, end: int) -> np.ndarray:
        return self._data[max(start, 0) : min(end, self.size)].copy()
