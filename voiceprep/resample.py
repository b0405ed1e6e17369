"""Streaming sample-rate conversion, for microphones that don't offer 16 kHz."""

from __future__ import annotations

import numpy as np

FILTER_TAPS = 63


class Resampler:
    """Low-pass filter then linear interpolation, block by block, with state carried over.

    The low-pass keeps frequencies above the new Nyquist limit from folding back into the
    speech band when going down (48 kHz -> 16 kHz).
    """

    def __init__(self, from_rate: int, to_rate: int) -> None:
        self.step = from_rate / to_rate
        cutoff = 0.45 * min(from_rate, to_rate) / from_rate  # as a fraction of from_rate
        n = np.arange(FILTER_TAPS) - (FILTER_TAPS - 1) / 2
        taps = 2 * cutoff * np.sinc(2 * cutoff * n) * np.hamming(FILTER_TAPS)
        self.taps = (taps / taps.sum()).astype(np.float32)
        self.history = np.zeros(FILTER_TAPS - 1, dtype=np.float32)
        self.last = np.float32(0.0)  # previous block's final filtered sample, at position -1
        self.position = 0.0  # where the next output sample falls, in this block's filtered samples

    def __call__(self, block: np.ndarray) -> np.ndarray:
        if self.step == 1.0:
            return block.astype(np.float32, copy=False)
        padded = np.concatenate([self.history, block.astype(np.float32, copy=False)])
        filtered = np.convolve(padded, self.taps, mode="valid")
        self.history = padded[-(FILTER_TAPS - 1) :]
        if len(filtered) == 0:
            return np.zeros(0, dtype=np.float32)
        count = int((len(filtered) - 1 - self.position) // self.step) + 1 if self.position <= len(filtered) - 1 else 0
        wanted = self.position + self.step * np.arange(count)
        known = np.concatenate([[self.last], filtered])
        out = np.interp(wanted, np.arange(-1, len(filtered)), known).astype(np.float32)
        self.position += count * self.step - len(filtered)
        self.last = filtered[-1]
        return out
