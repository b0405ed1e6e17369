"""Hands-free control, for real: commands spoken by espeak into the virtual microphone,
recorded through PortAudio, transcribed by tiny.en; a whole session driven by voice; the
Piper voice."""

from __future__ import annotations

import io
import sqlite3
import sys
from dataclasses import replace
from types import SimpleNamespace

import numpy as np
import pytest
from rapidfuzz import fuzz

from voiceprep.audio import resolve_device
from voiceprep.commands import Command, recognize_command
from voiceprep.errors import VoiceprepError
from voiceprep.hands_free import COMMAND_DECODING, CommandListener
from voiceprep.resample import Resampler
from voiceprep.session import Coach, Keyboard, PracticeOptions, TimeWarning
from voiceprep.speech import Synthesizer
from voiceprep.textnorm import fold
from voiceprep.transcription import BackgroundTranscriber

pytestmark = pytest.mark.audio


@pytest.fixture(scope="module")
def listener(tmp_path_factory):
    """The session's listener: real microphone (virtual), real model on its own worker thread."""
    transcriber = BackgroundTranscriber(data_dir=tmp_path_factory.mktemp("models"))
    yield CommandListener(resolve_device(None, "input"), transcriber, Keyboard(lines=io.StringIO()))
    transcriber.close()


@pytest.mark.parametrize(
    ("spoken", "expected"),
    [
        ("start", Command.START),
        ("let's go", Command.START),
        ("next", Command.NEXT),
        ("repeat the question", Command.REPEAT),
        ("again", Command.RETRY),
        ("try again", Command.RETRY),
        ("skip", Command.SKIP),
        ("hint", Command.HINT),
        ("pause", Command.PAUSE),
        ("resume", Command.RESUME),
        ("continue", Command.RESUME),
        ("stop", Command.STOP),
        ("quit", Command.STOP),
        ("end session", Command.STOP),
    ],
)
def test_a_spoken_command_is_heard_through_the_microphone(spoken, expected, listener, speech, virtual_audio):
    virtual_audio.say_into_mic(speech(spoken, rate=175), tail=2.0)
    heard = listener.hear()
    assert heard.command is expected, heard


def test_unrelated_speech_at_the_prompt_is_not_a_command(listener, speech, virtual_audio):
    virtual_audio.say_into_mic(speech("the weather is nice today", rate=175), tail=2.0)
    heard = listener.hear()
    assert heard.text and heard.recognized is not None
    assert heard.command is None


def test_silence_at_the_prompt_is_nothing_heard(listener, virtual_audio):
    virtual_audio.say_into_mic(np.zeros(16000, np.float32), tail=0.0)
    heard = listener.hear()
    assert heard.recognized is None and heard.text == ""


@pytest.mark.parametrize("level", [0.0, 0.05])
def test_the_command_prompt_puts_no_words_in_silence_or_noise(level, transcriber):
    # The decoder's prompt lists the command words; Whisper is known to echo its prompt on
    # silence. Here the recorder's VAD is bypassed: the model gets the raw noise.
    noise = (np.random.default_rng(7).standard_normal(3 * 16000) * level).astype(np.float32)
    for vad_filter in (True, False):
        text = transcriber.transcribe(noise, replace(COMMAND_DECODING, vad_filter=vad_filter)).text
        assert recognize_command(text).command is None, (level, vad_filter, text)


def test_a_typed_line_reaches_the_listen_that_is_waiting_for_it():
    read_end, write_end = _pipe()
    keyboard = Keyboard(lines=read_end)
    press = keyboard.next_press()
    write_end.write("s\n")
    write_end.flush()
    assert press.wait(timeout=5)
    assert press.line == "s"
    assert not keyboard.next_press().is_set()  # each listen waits for a line of its own


def _pipe():
    import os

    read_fd, write_fd = os.pipe()
    return os.fdopen(read_fd, "r"), os.fdopen(write_fd, "w")


def test_a_whole_session_is_driven_by_voice_alone(mic_script, speech, tmp_path):
    def say(text: str) -> np.ndarray:
        return speech(text, rate=175)

    answer = say("I would throttle the queries from every account and add noise to the outputs. That's my answer.")
    nothing = np.zeros(1600, np.float32)
    utterances = [  # what each listen hears, in order; after the menu's "Say next, repeat, ..."
        say("okay, what's the time"),  # not a command: still waiting to start
        say("start"),
        nothing,  # question 1: not scored, offered the menu
        say("hint"),
        answer,  # after the hint
        say("again"),
        answer,  # the retry
        say("the weather is nice today"),  # not understood: asked again
        say("pause"),
        say("resume"),
        say("next"),
        nothing,  # question 2
        say("skip"),
        nothing,  # question 3
        say("repeat the question"),
        nothing,  # question 3 asked again
        say("stop"),
    ]
    data = tmp_path / "archive"
    code, lines, stderr, streams = mic_script.run(
        ["--data-dir", str(data), "practice", "--hands-free", "--silence", "1.5", "--ids", "int-05", "beg-01", "beg-02"],
        utterances,
    )
    assert code == 0, (stderr, lines)
    assert streams == len(utterances), lines
    out = "\n".join(lines)
    assert out.count("I didn't hear anything.") == 4
    assert "Sorry, I didn't catch that." in out
    assert "Stopping" in out
    assert lines.index("Say start when you are ready.") < next(i for i, line in enumerate(lines) if line.startswith("Question 1."))

    db = sqlite3.connect(data / "voiceprep.db")
    rows = db.execute("SELECT question_id, status, transcript, audio_path FROM answers ORDER BY id").fetchall()
    assert [(q, s) for q, s, _, _ in rows] == [
        ("int-05", "no_speech"), ("int-05", "scored"), ("int-05", "scored"),
        ("beg-01", "no_speech"), ("beg-01", "skipped"),
        ("beg-02", "no_speech"), ("beg-02", "no_speech"),
    ]
    scored = [t for _, s, t, _ in rows if s == "scored"]
    assert all("throttle" in t.lower() and "my answer" not in t.lower() for t in scored)  # closing phrase cut
    assert rows[4][3] is None  # a skip has no recording
    assert db.execute("SELECT ended_at FROM sessions").fetchone()[0] is not None

    assert any(line.startswith("Hint: Model extraction is when") for line in lines)
    assert "Paused. Say resume when you are ready." in lines
    assert len(mic_script.audio.heard_by_speaker()) > 30 * 16000  # all of it was spoken, not only printed


def test_piper_speaks_a_sentence_that_transcribes_back(transcriber):
    pytest.importorskip("piper", reason="piper-tts is not installed: pip install 'voiceprep[piper]'")
    sentence = "Rate limiting slows down model extraction attacks."
    spoken = Synthesizer(engine="piper").synthesize(sentence)
    assert spoken.samplerate == 22050 and spoken.seconds > 1.5
    text = transcriber.transcribe(Resampler(spoken.samplerate, 16000)(spoken.samples)).text
    # Piper samples its delivery, so a word is now and then heard another way ("at tax"):
    # the sentence as a whole must come back.
    assert fuzz.ratio(fold(sentence), fold(text)) >= 85, text


def test_a_missing_piper_install_says_how_to_install_it(monkeypatch):
    # Piper is installed here; hiding the module is the only way to see what users without it see.
    monkeypatch.setitem(sys.modules, "piper", None)
    with pytest.raises(VoiceprepError, match=r"pip install 'voiceprep\[piper\]'"):
        Synthesizer(engine="piper")


def test_an_unknown_speech_engine_is_a_clear_error():
    with pytest.raises(VoiceprepError, match="choose one of: pyttsx3, piper"):
        Synthesizer(engine="festival")


def test_a_time_warning_is_printed_once_thirty_seconds_before_the_end():
    shown: list[str] = []
    warning = TimeWarning(45.0, SimpleNamespace(show=shown.append), speak=False)
    for elapsed in np.arange(0.1, 45.0, 0.1):
        warning.check(np.zeros(1600, np.float32), float(elapsed))
    assert shown == ["30 seconds left."]
    assert not warning.speaking.is_set()
    short = TimeWarning(20.0, SimpleNamespace(show=shown.append), speak=False)
    short.check(np.zeros(1600, np.float32), 19.9)
    assert shown == ["30 seconds left."]  # shorter than the warning: nothing to warn


def test_the_time_warning_is_spoken_while_the_microphone_is_muted(virtual_audio, transcriber):
    virtual_audio.say_into_mic(np.zeros(1600, np.float32))  # clears the speaker
    coach = Coach(PracticeOptions(), show=lambda text: None)
    warning = TimeWarning(10.0, coach, lead=3.0)
    warning.check(np.zeros(1600, np.float32), 7.0)
    muted_at_some_point = warning.speaking.wait(timeout=10)
    warning.wait()
    assert muted_at_some_point and not warning.speaking.is_set()  # muted while it spoke, open again after
    assert "3 seconds left" in fold(transcriber.transcribe(virtual_audio.heard_by_speaker()).text).replace("three", "3")
