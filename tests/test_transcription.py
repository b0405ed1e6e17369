"""The real embedded tiny.en model on short synthesized clips, and the registry's checksums."""

from __future__ import annotations

import shutil

import numpy as np
import pytest
from conftest import write_wav

from voiceprep.errors import VoiceprepError
from voiceprep.models import embedded_model_dir, registry, verify_model_dir
from voiceprep.transcription import DecodeOptions, Transcriber


def test_synthesized_speech_transcribes_with_word_times(transcriber, speech, tmp_path):
    path = write_wav(tmp_path / "a.wav", speech("Prompt injection overrides the system instructions."))
    transcript = transcriber.transcribe(path)
    assert "system instructions" in transcript.text.lower()
    assert transcript.words and all(w.end >= w.start for w in transcript.words)
    first = transcript.words[0]
    assert transcript.text[first.start_char : first.end_char].strip()


def test_without_word_timestamps_word_times_are_spread_over_each_segment(transcriber, speech):
    # Live stretches decode this way (voiceprep.live.LIVE_DECODING): Whisper times only its segments.
    lead = np.zeros(16000, np.float32)
    audio = np.concatenate([lead, speech("Prompt injection overrides the system instructions.")])
    transcript = transcriber.transcribe(audio, DecodeOptions(word_timestamps=False))
    words = [transcript.text[w.start_char : w.end_char] for w in transcript.words]
    assert words == transcript.text.split()
    starts = [w.start for w in transcript.words]
    assert starts == sorted(starts) and all(w.end > w.start for w in transcript.words)
    assert 0.5 <= transcript.words[0].start <= 1.5  # the speech starts after a second of silence
    assert transcript.words[-1].end <= len(audio) / 16000 + 0.1


def test_silence_transcribes_to_nothing(transcriber):
    assert transcriber.transcribe(np.zeros(16000 * 3, np.float32)).text == ""


def test_the_embedded_model_matches_the_registry():
    verify_model_dir(registry()["tiny.en"], embedded_model_dir())


def test_a_tampered_model_file_is_refused(tmp_path):
    copy = tmp_path / "tiny.en"
    shutil.copytree(embedded_model_dir(), copy)
    with (copy / "config.json").open("a") as handle:
        handle.write(" ")
    with pytest.raises(VoiceprepError, match="does not match the registry's checksum"):
        verify_model_dir(registry()["tiny.en"], copy)


def test_the_checksum_is_remembered_until_the_file_changes(tmp_path):
    copy = tmp_path / "tiny.en"
    shutil.copytree(embedded_model_dir(), copy)
    cache = tmp_path / "sums.json"
    verify_model_dir(registry()["tiny.en"], copy, cache)
    assert cache.is_file()
    (copy / "vocabulary.txt").write_text("tampered")
    with pytest.raises(VoiceprepError, match="tampered or damaged"):
        verify_model_dir(registry()["tiny.en"], copy, cache)


def test_an_unknown_model_directory_is_a_clear_error(tmp_path):
    with pytest.raises(VoiceprepError, match="has no model.bin"):
        Transcriber(str(tmp_path))
