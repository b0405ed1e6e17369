"""Choosing which questions a session asks."""

from __future__ import annotations

import random
from collections.abc import Sequence

from voiceprep.bank import Bank, Question
from voiceprep.errors import VoiceprepError


def select_questions(
    bank: Bank,
    ids: Sequence[str] = (),
    section: str | None = None,
    count: int | None = None,
    shuffle: bool = False,
    rng: random.Random | None = None,
) -> list[Question]:
    """Questions by id (in the order given), else by section, else the whole bank; then shuffled and cut to `count`."""
    if count is not None and count < 1:
        raise VoiceprepError("--count must be at least 1")
    if ids:
        chosen = [bank.question(i) for i in ids]
    elif section:
        chosen = list(bank.in_section(section))
    else:
        chosen = list(bank.questions)
    if shuffle:
        (rng or random.Random()).shuffle(chosen)
    return chosen[:count] if count else chosen
