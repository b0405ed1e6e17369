"""Holding Ctrl-C for the few milliseconds in which an interrupt would do harm."""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator


@contextlib.contextmanager
def interrupt_deferred() -> Iterator[None]:
    """Hold Ctrl-C until the block ends, then raise it.

    For short stretches of native code that an interrupt leaves broken: espeak's C
    callback (pyttsx3 keeps calling into a freed engine and prints tracebacks) and the
    first import of onnxruntime (turned into "ImportError: initialization failed").
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    pending: list[bool] = []
    previous = signal.signal(signal.SIGINT, lambda *_: pending.append(True))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if pending:
        raise KeyboardInterrupt
