"""Hands-free control between questions: ask what next, listen for a spoken (or typed) command.

A command is listened for with short end-of-answer rules and transcribed by the session's
BackgroundTranscriber (its one worker thread runs every model call). The decoder gets a
short prompt listing the command words: tiny.en then writes "quit", "hint", "resume" and
"end session" for espeak where it wrote "with", "Kint", "Re-zoom" and "and passion"
without it, and on silence and noise it wrote nothing either way (scripts/measure_commands.py).
"""

from __future__ import annotations

import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from voiceprep.audio import Device
from voiceprep.capture import EndOfAnswer, record_answer
from voiceprep.commands import Command, Recognized, command_from_key, recognize_command
from voiceprep.errors import VoiceprepError
from voiceprep.transcription import BackgroundTranscriber, DecodeOptions

# The no-speech time-out ends a silent listen; the maximum leaves room for a command
# begun just before it (a command is under 2 s).
COMMAND_LISTENING = EndOfAnswer(trailing_silence=1.0, max_duration=10.0, no_speech_timeout=8.0)
COMMAND_PROMPT = "Start, next, repeat, again, retry, skip, hint, pause, resume, stop."
COMMAND_DECODING = DecodeOptions(beam_size=5, word_timestamps=False, initial_prompt=COMMAND_PROMPT)
WHAT_NEXT = "Say next, repeat, again, skip, hint, or stop."
KEYS_HELP = "(or type n next, r repeat, a again, s skip, h hint, p pause, q stop, then Enter)"
SILENT_PROMPTS_BEFORE_PAUSE = 3  # nobody answered the prompt this many times: they walked away


class KeyPress(threading.Event):
    """Set when a line is typed (Enter); `line` is what was typed, stripped ("" for Enter alone)."""

    def __init__(self) -> None:
        super().__init__()
        self.line = ""


class KeyPresses(Protocol):
    def next_press(self) -> KeyPress: ...


@dataclass(frozen=True)
class Heard:
    """One listen: what was said or typed, and what it was taken to mean."""

    text: str  # the transcript, or the typed line
    typed: bool
    recognized: Recognized | None  # None: nothing was said or typed

    @property
    def command(self) -> Command | None:
        return self.recognized.command if self.recognized else None


class CommandListener:
    """Hears one command at a time from the microphone, or from a line typed meanwhile."""

    def __init__(self, microphone: Device, transcriber: BackgroundTranscriber, keyboard: KeyPresses) -> None:
        self.microphone = microphone
        self.transcriber = transcriber
        self.keyboard = keyboard
        self._workdir = Path(tempfile.mkdtemp(prefix="voiceprep-commands-"))

    def hear(self) -> Heard:
        """Listen once; a typed line ends the listen at once."""
        press = self.keyboard.next_press()
        path = self._workdir / "command.wav"
        recording = record_answer(path, self.microphone, COMMAND_LISTENING, stop=press)
        if recording.ended_by == "interrupted":
            raise KeyboardInterrupt
        if recording.ended_by == "device_error":
            raise VoiceprepError(f"the microphone stopped ({recording.error}); check the connection and `voiceprep devices`")
        if recording.ended_by == "stop":
            return Heard(press.line, True, command_from_key(press.line))
        if not recording.heard_speech:
            return Heard("", False, None)
        text = self.transcriber.transcribe(path, COMMAND_DECODING).text
        path.unlink(missing_ok=True)  # commands are not archived: they are not answers
        return Heard(text, False, recognize_command(text))


def ask_what_next(listener: CommandListener, say: Callable[[str], None], show: Callable[[str], None]) -> Command:
    """Ask what to do after a question and return the command: never PAUSE, RESUME or START.

    Not understood: says so and asks again. Nothing heard several times over: pauses.
    "Resume", "continue" or "start" here means go on, so it is taken as NEXT.
    """
    say(WHAT_NEXT)
    show(KEYS_HELP)
    silent = 0
    while True:
        heard = listener.hear()
        if heard.text:
            show(f"Heard: {heard.text}")
        command = heard.command
        if heard.recognized is None:
            silent += 1
            if silent < SILENT_PROMPTS_BEFORE_PAUSE:
                say(WHAT_NEXT)
                continue
            command = Command.PAUSE
        if command is None:
            say(f"Sorry, I didn't catch that. {WHAT_NEXT}")
        elif command is Command.PAUSE:
            if wait_while_paused(listener, say, show) is Command.STOP:
                return Command.STOP
            silent = 0
            say(WHAT_NEXT)
        else:
            return Command.NEXT if command in (Command.RESUME, Command.START) else command


def wait_to_start(listener: CommandListener, say: Callable[[str], None], show: Callable[[str], None]) -> Command:
    """Before the first question: wait for "start" (or Enter) and return START; or STOP."""
    return _wait_for(listener, say, show, "Say start when you are ready.", "(or press Enter to start, q and Enter to stop)",
                     go=(Command.START, Command.RESUME, Command.NEXT), still="not started yet")


def wait_while_paused(listener: CommandListener, say: Callable[[str], None], show: Callable[[str], None]) -> Command:
    """Wait for "resume" (or any typed line) and return RESUME; or STOP if asked to stop."""
    return _wait_for(listener, say, show, "Paused. Say resume when you are ready.", "(or press Enter to resume, q and Enter to stop)",
                     go=(Command.RESUME,), still="still paused")


def _wait_for(
    listener: CommandListener, say: Callable[[str], None], show: Callable[[str], None],
    cue: str, keys_help: str, go: tuple[Command, ...], still: str,
) -> Command:
    """Listen until one of `go` is said (returned), any line is typed (go[0]), or STOP."""
    say(cue)
    show(keys_help)
    while True:
        heard = listener.hear()
        if heard.command is Command.STOP:
            return Command.STOP
        if heard.command in go:
            return heard.command
        if heard.typed:
            return go[0]
        if heard.text:
            show(f"Heard: {heard.text} ({still})")
