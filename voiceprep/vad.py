"""Voice activity detection on a live stream: Silero VAD, the model faster-whisper ships.

faster-whisper's own wrapper resets the model state on every call; an answer arrives in
blocks, so this one carries the LSTM state and the 64-sample context from block to block.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np

from voiceprep.interrupts import interrupt_deferred

SAMPLE_RATE = 16000
WINDOW = 512  # samples per speech probability (32 ms at 16 kHz)
CONTEXT = 64  # samples of the previous window the model sees with each window


def _model_path() -> Path:
    import faster_whisper

    return Path(faster_whisper.__file__).parent / "assets" / "silero_vad_v6.onnx"


@lru_cache(maxsize=1)
def _onnx_session():  # -> onnxruntime.InferenceSession, shared: every stream keeps its own state
    with interrupt_deferred():
        import onnxruntime

        options = onnxruntime.SessionOptions()
        options.inter_op_num_threads = 1
        options.intra_op_num_threads = 1
        options.log_severity_level = 4
        return onnxruntime.InferenceSession(str(_model_path()), providers=["CPUExecutionProvider"], sess_options=options)


def warm_up() -> None:
    """Load the model now (about 0.1 s), so the first answer's recording does not wait for it."""
    _onnx_session()


class StreamingVad:
    """Speech probabilities for consecutive 32 ms windows of a 16 kHz stream."""

    def __init__(self) -> None:
        self._session = _onnx_session()
        self.reset()

    def reset(self) -> None:
        self._h = np.zeros((1, 1, 128), dtype=np.float32)
        self._c = np.zeros((1, 1, 128), dtype=np.float32)
        self._context = np.zeros(CONTEXT, dtype=np.float32)
        self._pending = np.zeros(0, dtype=np.float32)

    def __call__(self, samples: np.ndarray) -> np.ndarray:
        """Feed samples; returns one probability per completed window (possibly none)."""
        audio = np.concatenate([self._pending, np.asarray(samples, dtype=np.float32)])
        count = len(audio) // WINDOW
        self._pending = audio[count * WINDOW :]
        if count == 0:
            return np.zeros(0, dtype=np.float32)
        windows = audio[: count * WINDOW].reshape(count, WINDOW)
        contexts = np.vstack([self._context[None, :], windows[:-1, -CONTEXT:]])
        self._context = windows[-1, -CONTEXT:].copy()
        batch = np.concatenate([contexts, windows], axis=1)
        output, self._h, self._c = self._session.run(None, {"input": batch, "h": self._h, "c": self._c})
        return np.asarray(output, dtype=np.float32).reshape(-1)[:count]
