"""Building archives for the review, stats and report tests: real Store, real scoring, real WAV files."""

from __future__ import annotations

from typing import Any

import numpy as np
from conftest import write_wav

from voiceprep.bank import KeyPoint, Question
from voiceprep.scoring import score_answer
from voiceprep.store import Store

BANK_ID = "test-bank"
EXTRACTION = Question(
    "int-05", "Intermediate", "What is model extraction, and how would you defend a model API against it?", "...",
    (KeyPoint("rate limiting", ("throttle queries",)), KeyPoint("output perturbation", ("add noise to the outputs",)),
     KeyPoint("watermarking"), KeyPoint("prediction logging", ("log predictions",))),
)
INJECTION = Question(
    "beg-04", "Beginner", "What is prompt injection?", "...",
    (KeyPoint("overrides system instructions", ("ignore previous instructions",)), KeyPoint("leaks the system prompt")),
)
INCIDENT = Question(
    "adv-01", "Advanced", "Walk me through responding to a model leak.", "...",
    (KeyPoint("contain"), KeyPoint("investigate"), KeyPoint("notify")),
    ordered=True,
)


def archive_answer(
    store: Store, question: Question, text: str, started_at: str, samples: np.ndarray,
    session_id: int | None = None, metrics: dict[str, Any] | None = None,
) -> int:
    """Record (a WAV in the session's folder), archive and score one answer, as a practice session does."""
    session_id = session_id or store.start_session(BANK_ID)
    path = store.recording_path(session_id, question.id, started_at)
    write_wav(path, samples)
    answer_id = store.add_answer(
        session_id, BANK_ID, question.id, question.section, question.prompt, started_at, path, len(samples) / 16000
    )
    store.save_score(answer_id, score_answer(question, text), metrics)
    return answer_id
