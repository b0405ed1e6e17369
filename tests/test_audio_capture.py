"""Recording answers through real PortAudio, from a virtual ALSA microphone backed by a file."""

from __future__ import annotations

import threading
import wave

import numpy as np
import pytest

from voiceprep.audio import resolve_device
from voiceprep.capture import EndOfAnswer, record_answer
from voiceprep.resample import Resampler
from voiceprep.vad import StreamingVad

pytestmark = pytest.mark.audio

ANSWER = "I would rate limit each account and add noise to the outputs."


def wav_seconds(path) -> float:
    with wave.open(str(path)) as handle:
        return handle.getnframes() / handle.getframerate()


def test_answer_ends_after_trailing_silence_and_is_saved_whole(virtual_audio, speech, tmp_path):
    spoken = speech(ANSWER)
    virtual_audio.say_into_mic(spoken, lead=1.0, tail=5.0)
    recording = record_answer(tmp_path / "a.wav", resolve_device(None, "input"), EndOfAnswer(trailing_silence=2.0))
    assert recording.ended_by == "silence"
    assert recording.first_speech_at == pytest.approx(1.0, abs=0.3)
    last_speech_end = recording.speech_runs[-1][1]
    assert last_speech_end <= 1.0 + len(spoken) / 16000  # the synthesized clip ends in a little silence
    assert recording.seconds == pytest.approx(last_speech_end + 2.0, abs=0.3)
    assert wav_seconds(recording.path) == pytest.approx(recording.seconds, abs=0.01)


def test_a_pause_shorter_than_the_trailing_silence_does_not_end_the_answer(virtual_audio, speech, tmp_path):
    first, second = speech("First, rate limiting."), speech("Second, watermarking.")
    virtual_audio.say_into_mic(np.concatenate([first, np.zeros(int(1.5 * 16000), np.float32), second]))
    recording = record_answer(tmp_path / "a.wav", resolve_device(None, "input"), EndOfAnswer(trailing_silence=2.5))
    assert recording.ended_by == "silence"
    assert len(recording.speech_runs) >= 2
    assert recording.seconds > 0.5 + (len(first) + len(second)) / 16000 + 1.5


def test_muted_time_is_recorded_as_silence_and_neither_ends_nor_continues_the_answer(virtual_audio, speech, tmp_path):
    # The tool mutes the microphone while it speaks a time warning (session.TimeWarning).
    first, second = speech("First, rate limiting."), speech("Second, watermarking.")
    first_end = 0.5 + len(first) / 16000
    virtual_audio.say_into_mic(np.concatenate([first, np.zeros(2 * 16000, np.float32), second]), lead=0.5)
    muted = threading.Event()

    def mute_around_the_pause(_samples: np.ndarray, elapsed: float) -> None:
        if first_end - 0.6 <= elapsed < first_end + 1.8:
            muted.set()
        else:
            muted.clear()

    recording = record_answer(tmp_path / "a.wav", resolve_device(None, "input"), EndOfAnswer(trailing_silence=1.5),
                              on_block=mute_around_the_pause, muted=muted)
    # 2 s of pause, but only 0.2-0.3 s of it unmuted: the answer went on to the second sentence.
    assert recording.ended_by == "silence"
    assert recording.seconds > first_end + 2.0 + len(second) / 16000
    with wave.open(str(recording.path)) as handle:
        saved = np.frombuffer(handle.readframes(handle.getnframes()), "<i2")
    assert np.all(saved[int((first_end - 0.4) * 16000) : int((first_end + 1.6) * 16000)] == 0)
    assert np.abs(saved[int((first_end - 1.2) * 16000) : int((first_end - 0.8) * 16000)]).max() > 1000  # speech kept


def test_no_speech_at_all_ends_at_the_time_out(virtual_audio, tmp_path):
    virtual_audio.say_into_mic(np.zeros(16000, np.float32))
    recording = record_answer(tmp_path / "a.wav", resolve_device(None, "input"), EndOfAnswer(no_speech_timeout=3.0))
    assert recording.ended_by == "no_speech"
    assert not recording.heard_speech
    assert recording.seconds == pytest.approx(3.0, abs=0.15)


def test_a_long_answer_stops_at_the_maximum_duration(virtual_audio, speech, tmp_path):
    virtual_audio.say_into_mic(np.tile(speech(ANSWER), 3), tail=0)
    recording = record_answer(tmp_path / "a.wav", resolve_device(None, "input"), EndOfAnswer(max_duration=4.0))
    assert recording.ended_by == "max_duration"
    assert recording.seconds == pytest.approx(4.0, abs=0.15)


def test_a_stop_request_mid_answer_keeps_the_audio_up_to_it_and_nothing_after(virtual_audio, speech, tmp_path):
    # Enter sets `stop` in the CLI. It is set here after a given amount of audio rather than
    # on a wall-clock timer, because the virtual microphone delivers faster than real time.
    lead, stop_at = 0.5, 2.0
    answer = np.tile(speech(ANSWER), 3)
    virtual_audio.say_into_mic(answer, lead=lead, tail=0)
    stop = threading.Event()

    def press_enter_after_two_seconds(_samples: np.ndarray, elapsed: float) -> None:
        if elapsed >= stop_at:
            stop.set()

    recording = record_answer(tmp_path / "a.wav", resolve_device(None, "input"), EndOfAnswer(),
                              stop=stop, on_block=press_enter_after_two_seconds)
    assert recording.ended_by == "stop"
    assert recording.seconds == pytest.approx(stop_at, abs=0.15)
    assert recording.seconds < lead + len(answer) / 16000 - 5.0  # far short of the whole clip
    with wave.open(str(recording.path)) as handle:
        saved = np.frombuffer(handle.readframes(handle.getnframes()), "<i2").astype(np.float32) / 32768
    assert len(saved) == round(recording.seconds * 16000)  # nothing written after the stop
    heard = np.concatenate([np.zeros(int(lead * 16000), np.float32), answer])[: len(saved)]
    assert np.abs(saved - heard).max() < 1e-3  # what the microphone heard, sample for sample
    assert np.abs(saved[-1600:]).max() > 0.03  # cut mid-speech, not at a pause


def test_streaming_vad_matches_the_whole_file_vad(speech):
    from faster_whisper.vad import SileroVADModel

    from voiceprep.vad import _model_path

    audio = speech(ANSWER)
    audio = audio[: len(audio) // 512 * 512]
    whole = np.asarray(SileroVADModel(str(_model_path()))(audio)).reshape(-1)
    vad = StreamingVad()
    streamed = np.concatenate([vad(audio[i : i + 1600]) for i in range(0, len(audio), 1600)])
    assert np.allclose(streamed, whole[: len(streamed)], atol=1e-4)
    assert (streamed > 0.5).mean() > 0.5


def test_resampling_48k_to_16k_keeps_a_tone_and_the_length():
    rate = 48000
    tone = np.sin(2 * np.pi * 440 * np.arange(rate) / rate).astype(np.float32)
    resample = Resampler(rate, 16000)
    out = np.concatenate([resample(tone[i : i + 1234]) for i in range(0, rate, 1234)])
    assert abs(len(out) - 16000) <= 1
    expected = np.sin(2 * np.pi * 440 * (np.arange(len(out)) - 31 / 3) / 16000)
    assert np.abs(out[200:-200] - expected[200:-200]).max() < 0.01
    alias = np.sin(2 * np.pi * 15000 * np.arange(rate) / rate).astype(np.float32)  # above 8 kHz: must not fold back
    assert np.abs(Resampler(rate, 16000)(alias)[200:]).max() < 0.05
