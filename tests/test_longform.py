"""Long recordings are transcribed piece by piece from a decoded stream (real model, real file)."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import write_wav

from voiceprep.longform import CHUNK_SECONDS, _quietest_cut, recording_seconds, transcribe_in_pieces

ANSWER = "Model extraction is when an attacker sends lots of queries to copy the model. I would throttle the queries."


def test_a_piece_is_cut_at_the_quietest_moment_near_its_end():
    rng = np.random.default_rng(0)
    chunk = rng.normal(0, 0.3, int(CHUNK_SECONDS * 16000)).astype(np.float32)
    gap = int(28.6 * 16000)
    chunk[gap : gap + 3200] = 0.0  # a pause 1.4 s before the end
    cut = _quietest_cut(chunk)
    assert gap <= cut <= gap + 3200


def test_the_length_comes_from_the_header_and_unreadable_files_give_none(tmp_path):
    assert recording_seconds(write_wav(tmp_path / "a.wav", np.zeros(16000 * 3, np.float32))) == pytest.approx(3.0)
    (tmp_path / "b.wav").write_bytes(b"not audio")
    assert recording_seconds(tmp_path / "b.wav") is None


@pytest.mark.audio
def test_pieces_join_into_one_transcript_with_times_in_order(transcriber, speech, tmp_path):
    spoken = speech(ANSWER)
    audio = np.zeros(16000 * 95, np.float32)
    for start in (2, 29, 61):  # the second answer straddles the first 30 s boundary
        audio[start * 16000 : start * 16000 + len(spoken)] = spoken
    transcript = transcribe_in_pieces(transcriber, write_wav(tmp_path / "long.wav", audio))
    assert transcript.audio_seconds == pytest.approx(95, abs=0.1)
    assert transcript.text.lower().count("model extraction") == 3
    starts = [w.start for w in transcript.words]
    assert starts == sorted(starts) and starts[-1] < 95
    for word in transcript.words:
        assert transcript.text[word.start_char : word.end_char].strip()
