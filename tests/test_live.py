"""Live transcription: the real model, real espeak answers with pauses, through real PortAudio
on the virtual microphone, compared with transcribing the whole recording at once."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from voiceprep.audio import resolve_device
from voiceprep.capture import EndOfAnswer, record_answer
from voiceprep.commands import strip_closing_phrase
from voiceprep.live import LiveOptions, LiveTranscriber
from voiceprep.session import _stop_on_closing_phrase
from voiceprep.transcription import BackgroundTranscriber
from voiceprep.wer import word_error_rate

pytestmark = pytest.mark.audio

SAMPLE_RATE = 16000
# Live transcription must be as good as transcribing the whole recording, judged against
# what was really said: tiny.en slips either way on espeak's voice (in one run the whole
# file lost a sentence the live path kept, in another the live path had two more slips),
# so the two are held to the script, not to each other. scripts/eval_live_wer.py on 26
# evaluation answers: against the script, whole 0.090 and live 0.090 (Piper voice), whole
# 0.131 and live 0.162 (espeak).
MARGIN_OVER_WHOLE = 0.1  # live may be this much worse than the whole file, on three sentences
# Cutting inside a sentence costs more: one run with 4 s cuts of 11 s of unbroken espeak
# speech gave 0.21 (Whisper's temperature fallback samples, so runs differ).
CUT_WER_BOUND = 0.3
ANSWERS = [
    ["First, I would rate limit every account.", "Then I would add a little noise to the scores.",
     "Finally, I would watch the logs for accounts that query the model in bulk."],
    ["Prompt injection hides instructions inside the input.", "The model follows them as if they came from us.",
     "So we keep the system prompt separate and check every tool call."],
]


@pytest.fixture(scope="module")
def background_transcriber():
    """The real tiny.en model on its own worker thread, as a practice session runs it."""
    transcriber = BackgroundTranscriber()
    transcriber.ready()
    yield transcriber
    transcriber.close()


def spoken_with_pauses(speech, sentences: list[str], pause: float = 0.9) -> np.ndarray:
    gap = np.zeros(int(pause * SAMPLE_RATE), np.float32)
    parts = [part for sentence in sentences for part in (speech(sentence), gap)]
    return np.concatenate(parts[:-1])


@pytest.mark.parametrize("sentences", ANSWERS, ids=["model-extraction", "prompt-injection"])
def test_live_transcript_matches_the_whole_recording_and_only_the_tail_is_left_at_the_end(
    sentences, background_transcriber, virtual_audio, speech, tmp_path
):
    virtual_audio.say_into_mic(spoken_with_pauses(speech, sentences), lead=0.5, tail=4.0)
    live = LiveTranscriber(background_transcriber)
    recording = record_answer(
        tmp_path / "a.wav", resolve_device(None, "input"), EndOfAnswer(trailing_silence=2.5), on_block=live.feed
    )
    result = live.finish()
    whole = background_transcriber.transcribe(recording.path)

    assert recording.ended_by == "silence"
    script = " ".join(sentences)
    assert word_error_rate(script, result.transcript.text) <= word_error_rate(script, whole.text) + MARGIN_OVER_WHOLE
    assert len(result.stretches) >= 2  # it really was transcribed piece by piece
    # The last stretch was closed by a pause inside the trailing silence, before the answer ended.
    assert result.tail_seconds == 0
    assert all(stretch.closed_by == "pause" for stretch in result.stretches)
    assert result.stretches[-1].end < recording.seconds - 1.0


def test_word_times_and_character_spans_stay_right_across_stretches(background_transcriber, virtual_audio, speech, tmp_path):
    virtual_audio.say_into_mic(spoken_with_pauses(speech, ANSWERS[0]), lead=1.0)
    live = LiveTranscriber(background_transcriber)
    recording = record_answer(tmp_path / "a.wav", resolve_device(None, "input"), on_block=live.feed)
    transcript = live.finish().transcript

    starts = [word.start for word in transcript.words]
    assert starts == sorted(starts)
    assert all(0 <= word.start <= word.end <= recording.seconds for word in transcript.words)
    assert transcript.words[0].start == pytest.approx(1.0, abs=0.4)  # the answer starts after the 1 s lead
    spoken_words = [transcript.text[w.start_char : w.end_char] for w in transcript.words]
    assert " ".join(spoken_words).split() == transcript.text.split()
    # The last sentence's words are timed inside its own stretch, not at the start of the clip.
    last = transcript.words[-1]
    assert recording.speech_runs[-1][0] <= last.start <= recording.speech_runs[-1][1] + 0.3


def test_speech_without_a_pause_is_cut_at_its_quietest_point(background_transcriber, speech):
    sentences = ANSWERS[1]
    continuous = np.concatenate([speech(sentence) for sentence in sentences])  # no pause at all
    stream = np.concatenate([continuous, np.zeros(int(2.5 * SAMPLE_RATE), np.float32)])
    live = LiveTranscriber(background_transcriber, options=LiveOptions(max_stretch=6.0))
    for start in range(0, len(stream), 1600):
        live.feed(stream[start : start + 1600])
    result = live.finish()

    cuts = [stretch.end for stretch in result.stretches if stretch.closed_by == "length"]
    assert cuts, "a stretch longer than max_stretch must be cut"
    level = np.sqrt(np.mean(continuous**2))
    for cut in cuts:
        around = continuous[int(cut * SAMPLE_RATE) - 256 : int(cut * SAMPLE_RATE) + 256]
        assert np.sqrt(np.mean(around**2)) < 0.5 * level  # between words, not through one
    whole = background_transcriber.transcribe(continuous)
    assert word_error_rate(whole.text, result.transcript.text) <= CUT_WER_BOUND


@pytest.mark.parametrize(("closing", "stops"), [("That's my answer.", True), ("That is all I would do.", False)])
def test_a_spoken_closing_phrase_stops_the_recording_as_soon_as_its_stretch_is_decoded(
    closing, stops, background_transcriber, speech
):
    stop = threading.Event()  # what record_answer watches, as it watches Enter
    live = LiveTranscriber(background_transcriber, on_stretch=_stop_on_closing_phrase(stop))
    answer = spoken_with_pauses(speech, [ANSWERS[0][0], closing])
    for start in range(0, len(answer), 1600):
        live.feed(answer[start : start + 1600])
    pause = np.zeros(1600, np.float32)
    for _ in range(10):  # one second of silence: the stretch closes after 0.7 s
        live.feed(pause)
    transcript = live.finish().transcript
    assert stop.is_set() == stops
    assert strip_closing_phrase(transcript.text).rstrip(". ").lower().endswith("account") == stops


def test_silence_gives_an_empty_transcript_and_no_stretch(background_transcriber):
    live = LiveTranscriber(background_transcriber)
    silence = np.zeros(5 * SAMPLE_RATE, np.float32)
    for start in range(0, len(silence), 1600):
        live.feed(silence[start : start + 1600])
    result = live.finish()
    assert result.transcript.text == ""
    assert result.stretches == ()


@pytest.mark.parametrize(
    ("reference", "hypothesis", "expected"),
    [
        ("rate limit the account", "rate limit the account", 0.0),
        ("Ten percent, honestly.", "10 percent honestly", 0.0),  # case, punctuation and number words don't count
        ("rate limit the account", "rate limits the account", 0.25),
        ("add noise to the scores", "add noise scores", 0.4),
        ("watermark", "watermark the outputs", 2.0),
        ("", "", 0.0),
        ("", "hello", 1.0),
    ],
)
def test_word_error_rate_counts_word_edits_per_reference_word(reference, hypothesis, expected):
    assert word_error_rate(reference, hypothesis) == pytest.approx(expected)
