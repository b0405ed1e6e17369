"""A practice session: ask aloud, record, transcribe, score, say what was missed, archive.

The speech model loads in a background thread while the first question is spoken, so the
candidate hears the first word within about a second of the command.

An answer that only asks for the hint ("hint", "can I have a hint?", or h typed then
Enter) is not scored: the coach says the hint (in a mock interview, that there are none)
and listens for the answer again. Its recording is archived with the status
"hint_request", so the archive shows every recording and scores only answers.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TextIO

import numpy as np

from voiceprep import vad
from voiceprep.audio import Device, play, resolve_device
from voiceprep.bank import Bank, Question
from voiceprep.capture import BYTES_PER_SECOND, EndOfAnswer, Recording, record_answer
from voiceprep.commands import Command, asks_for_hint, command_from_key, ends_with_closing_phrase, strip_closing_phrase
from voiceprep.errors import VoiceprepError
from voiceprep.hands_free import CommandListener, KeyPress, ask_what_next, wait_to_start
from voiceprep.live import LiveTranscriber
from voiceprep.metrics import SpeakingMetrics, is_behavioral, speaking_metrics
from voiceprep.models import DEFAULT_MODEL
from voiceprep.review import coverage_text, point_lines, review_answer
from voiceprep.scoring import ScoreResult, feedback_sentence, score_answer
from voiceprep.speech import DEFAULT_ENGINE, DEFAULT_RATE, Synthesizer
from voiceprep.store import Store, now
from voiceprep.transcription import BackgroundTranscriber, Transcript

WARNING_BEFORE_END = 30.0  # seconds before the longest answer ends


@dataclass(frozen=True)
class PracticeOptions:
    input_device: str | None = None
    output_device: str | None = None
    model: str = DEFAULT_MODEL
    compute_type: str = "int8"
    device: str = "cpu"
    voice: str | None = None
    rate: int = DEFAULT_RATE
    tts: str = DEFAULT_ENGINE  # "pyttsx3" or "piper" (speech.ENGINES)
    hands_free: bool = False  # after each question, ask what next and listen for a spoken command
    end_of_answer: EndOfAnswer = EndOfAnswer()
    speak_feedback: bool = True
    mock: bool = False  # an interview: no hints, no feedback until the end


@dataclass
class AnswerOutcome:
    question: Question
    answer_id: int
    recording: Recording
    result: ScoreResult | None
    feedback_ready_after: float | None = None  # seconds from the end-of-answer decision to feedback ready
    metrics: SpeakingMetrics | None = None
    feedback_heard_after: float | None = None  # ... to the spoken feedback's first sound
    asked_for_hint: bool = False  # the recording only asked for the hint: not an answer


@dataclass
class PracticeSummary:
    session_id: int
    outcomes: list[AnswerOutcome] = field(default_factory=list)
    first_word_at: float | None = None  # perf_counter() when the first question started playing

    @property
    def mean_coverage(self) -> float | None:
        scored = [o.result.coverage for o in self.outcomes if o.result]
        return sum(scored) / len(scored) if scored else None


class Coach:
    """The voice of a session: speaks through the output device, and prints what it says."""

    def __init__(self, options: PracticeOptions, show: Callable[[str], None]) -> None:
        self.show = show
        self.output = resolve_device(options.output_device, "output")
        self.synthesizer = Synthesizer(options.voice, options.rate, options.tts)
        self.first_sound_at: float | None = None
        self.last_sound_at: float | None = None  # perf_counter() when the latest sentence started playing

    def say(self, text: str, speak: bool = True) -> None:
        self.show(text)
        if speak:
            speech = self.synthesizer.synthesize(text)
            self.last_sound_at = time.perf_counter()
            self.first_sound_at = self.first_sound_at or self.last_sound_at
            play(speech.samples, speech.samplerate, self.output)


def practice(
    bank: Bank,
    questions: Sequence[Question],
    store: Store,
    options: PracticeOptions = PracticeOptions(),
    show: Callable[[str], None] = print,
) -> PracticeSummary:
    """Run one practice session over `questions`; every answer is archived as it ends."""
    microphone = resolve_device(options.input_device, "input")  # fail before anything is spoken
    store.check_room(int(options.end_of_answer.max_duration * BYTES_PER_SECOND * 2))
    coach = Coach(options, show)
    transcriber = BackgroundTranscriber(options.model, options.device, options.compute_type, store.data_dir)
    vad.warm_up()
    keyboard = Keyboard()
    summary = PracticeSummary(store.start_session(bank.id, mode="mock" if options.mock else "practice"))
    hints = "" if options.mock else 'Say "hint" (or type h and Enter) to hear the hint. '
    show(f"Session {summary.session_id}: {len(questions)} question(s) from {bank.title}. "
         f"Answer aloud; stop talking for a few seconds (or press Enter) when you are done. {hints}Ctrl-C ends the session.")
    listener = CommandListener(microphone, transcriber, keyboard) if options.hands_free else None
    try:
        index, command = 0, Command.NEXT
        if listener and wait_to_start(listener, coach.say, coach.show) is Command.STOP:
            index = len(questions)  # asked to stop before the first question: nothing to ask
        while index < len(questions):
            question = questions[index]
            _introduce(question, index + 1, command, coach, options)
            summary.first_word_at = summary.first_word_at or coach.first_sound_at
            outcome = _ask(question, bank, store, summary.session_id, microphone, coach, transcriber, options, keyboard)
            summary.outcomes.append(outcome)
            if outcome.asked_for_hint:
                command = Command.HINT  # the same question, after the hint
            else:
                command = ask_what_next(listener, coach.say, coach.show) if listener else _unheard_once_more(outcome, command)
            if command is Command.STOP:
                coach.show("Stopping: the session is saved.")
                break
            if command is Command.SKIP:
                _skip(question, bank, store, summary)
            if command in (Command.NEXT, Command.SKIP):
                index += 1
    finally:
        transcriber.close()
        store.end_session(summary.session_id)
    if options.mock:
        _interview_feedback(summary, coach, options)
    elif summary.mean_coverage is not None:
        coach.say(f"Session done. Average coverage {summary.mean_coverage:.0%}.", speak=options.speak_feedback)
    return summary


def _unheard_once_more(outcome: AnswerOutcome, previous: Command) -> Command:
    """Without voice control: a question whose answer went unheard is asked once more."""
    if outcome.recording.heard_speech or outcome.recording.ended_by == "stop" or previous is Command.REPEAT:
        return Command.NEXT
    return Command.REPEAT


def _introduce(question: Question, number: int, command: Command, coach: Coach, options: PracticeOptions) -> None:
    """What the coach says before listening: the question, its hint, or a cue to answer again."""
    if command is Command.HINT:
        coach.say("Hints are not part of a mock interview. Go ahead." if options.mock else f"Hint: {question.hint} Go ahead.")
    elif command is Command.RETRY:
        coach.say("Go ahead.")
    else:
        coach.say(f"Question {number}. {question.prompt}")


def _skip(question: Question, bank: Bank, store: Store, summary: PracticeSummary) -> None:
    """Archive the question as skipped, unless it was answered already (the answer stands)."""
    if any(o.question.id == question.id and o.result is not None for o in summary.outcomes):
        return
    store.add_answer(summary.session_id, bank.id, question.id, question.section, question.prompt, now(), None, None, status="skipped")


def _ask(
    question: Question, bank: Bank, store: Store, session_id: int, microphone: Device,
    coach: Coach, transcriber: BackgroundTranscriber, options: PracticeOptions, keyboard: Keyboard,
) -> AnswerOutcome:
    started_at = now()
    path = store.recording_path(session_id, question.id, started_at)
    coach.show("Listening...")
    stop = keyboard.next_press()
    live = LiveTranscriber(transcriber, on_stretch=_stop_on_closing_phrase(stop))  # transcribes while the candidate speaks
    warning = TimeWarning(options.end_of_answer.max_duration, coach, speak=options.speak_feedback)
    recording = record_answer(
        path, microphone, options.end_of_answer, stop=stop, on_block=_each(live.feed, warning.check), muted=warning.speaking,
    )
    warning.wait()
    if recording.ended_by == "interrupted" and recording.seconds == 0:
        path.unlink(missing_ok=True)  # stopped before a single sound: there is nothing to keep
        raise KeyboardInterrupt
    answer_id = store.add_answer(
        session_id, bank.id, question.id, question.section, question.prompt, started_at, path, recording.seconds,
        status="partial" if recording.ended_by == "interrupted" else "recorded",
    )
    if recording.ended_by == "interrupted":
        coach.show(f"Stopped. Your answer so far is saved ({recording.seconds:.1f} s, {path}).")
        raise KeyboardInterrupt
    if recording.ended_by == "device_error":
        raise VoiceprepError(
            f"the microphone stopped mid-answer ({recording.error}); the {recording.seconds:.1f} s recorded so far "
            f"are saved in {path}: check the connection and `voiceprep devices`"
        )
    if notice := sound_loss_notice(recording):
        coach.show(notice)
    if recording.ended_by == "stop" and command_from_key(stop.line).command is Command.HINT:
        return _hint_request(question, answer_id, recording, store)
    if not recording.heard_speech:
        store.set_status(answer_id, "no_speech")  # kept, not scored: an empty answer is not a 0% answer
        coach.say("I didn't hear anything.")
        return AnswerOutcome(question, answer_id, recording, None)
    ended = recording.decided_at
    transcript = live.finish().transcript  # speech was heard: the no-speech case returned above
    if asks_for_hint(transcript.text):
        coach.show(f"Heard: {transcript.text}")
        return _hint_request(question, answer_id, recording, store)
    result = score_answer(question, strip_closing_phrase(transcript.text), list(transcript.words))
    metrics = _delivery(question, transcript, recording)
    store.save_score(answer_id, result, metrics.as_json())
    ready_after = time.perf_counter() - ended
    if options.mock:
        coach.show("Answer saved." if recording.ended_by != "max_duration" else "Time is up; answer saved.")
        return AnswerOutcome(question, answer_id, recording, result, ready_after, metrics)
    coach.show(f"You said: {transcript.text}")
    archived = review_answer(store.answer(answer_id))  # read back: the screen shows what `sessions show` will
    coach.show(f"Coverage: {coverage_text(archived)}")
    for line in point_lines(archived):
        coach.show(line)
    coach.say(feedback_sentence(result, spoken=True), speak=options.speak_feedback)
    heard_after = coach.last_sound_at - ended if options.speak_feedback else None
    _delivery_feedback(question, metrics, coach, options)
    return AnswerOutcome(question, answer_id, recording, result, ready_after, metrics, feedback_heard_after=heard_after)


def _hint_request(question: Question, answer_id: int, recording: Recording, store: Store) -> AnswerOutcome:
    store.set_status(answer_id, "hint_request")  # kept, not scored: asking for the hint is not a 0% answer
    return AnswerOutcome(question, answer_id, recording, None, asked_for_hint=True)


def _each(*callbacks: Callable[[np.ndarray, float], None]) -> Callable[[np.ndarray, float], None]:
    """One on_block callback that calls every one of `callbacks`."""

    def call(samples: np.ndarray, elapsed: float) -> None:
        for callback in callbacks:
            callback(samples, elapsed)

    return call


def sound_loss_notice(recording: Recording) -> str | None:
    """A line for the candidate when part of the answer's sound never reached the recording."""
    if recording.dropped_seconds:
        return (f"Note: {recording.dropped_seconds:.1f} s of this answer were lost because the computer fell behind "
                "(other programs busy?); the rest is saved and scored.")
    if recording.error:
        return f"Note: the microphone reported a problem ({recording.error}); a moment of this answer may be missing."
    return None


def _stop_on_closing_phrase(stop: threading.Event) -> Callable[[str], None]:
    def check(stretch_text: str) -> None:
        if ends_with_closing_phrase(stretch_text):
            stop.set()

    return check


class TimeWarning:
    """Says "30 seconds left" once, `lead` seconds before the longest answer ends.

    It is spoken while the microphone is open, so `speaking` is set from just before the
    sound starts until its echo has died away: the recorder mutes the microphone meanwhile,
    and the tool's own voice never becomes part of the answer.
    """

    ECHO_SECONDS = 0.3  # a room's reverberation, and the output device's buffer

    def __init__(self, max_duration: float, coach: Coach, speak: bool = True, lead: float = WARNING_BEFORE_END) -> None:
        self.speaking = threading.Event()
        self._warn_at = max_duration - lead if max_duration > lead else None
        self._text = f"{lead:.0f} seconds left."
        self._coach = coach
        self._speak = speak
        self._voice: threading.Thread | None = None

    def check(self, _samples: np.ndarray, elapsed: float) -> None:
        """record_answer's on_block: warns once the time has come."""
        if self._warn_at is None or elapsed < self._warn_at:
            return
        self._warn_at = None
        self._coach.show(self._text)
        if self._speak:
            self._voice = threading.Thread(target=self._say, daemon=True)
            self._voice.start()

    def wait(self) -> None:
        """Until the warning has been said: the coach has one voice."""
        if self._voice is not None:
            self._voice.join()

    def _say(self) -> None:
        speech = self._coach.synthesizer.synthesize(self._text)
        self.speaking.set()
        try:
            play(speech.samples, speech.samplerate, self._coach.output)
            time.sleep(self.ECHO_SECONDS)
        except VoiceprepError:
            pass  # the answer matters more than the warning; the printed one stands
        finally:
            self.speaking.clear()


def _delivery(question: Question, transcript: Transcript, recording: Recording) -> SpeakingMetrics:
    return speaking_metrics(
        transcript.text, transcript.words, recording.seconds,
        recording.first_speech_at, recording.speech_runs, behavioral=is_behavioral(question.section),
    )


def _delivery_feedback(question: Question, metrics: SpeakingMetrics, coach: Coach, options: PracticeOptions) -> None:
    """How it was said, on one line (STAR on another); aloud only what stands out; then the model answer."""
    coach.show(f"Delivery: {metrics.summary_line()}")
    if star := metrics.star_line():
        coach.show(star)
    if note := metrics.spoken_note():
        coach.say(note, speak=options.speak_feedback)
    if question.model_answer:
        coach.show(f"Model answer: {question.model_answer}")


def _interview_feedback(summary: PracticeSummary, coach: Coach, options: PracticeOptions) -> None:
    """A mock interview's feedback, all at the end: a line per question, then a short spoken verdict."""
    scored = [(n, o) for n, o in enumerate(summary.outcomes, start=1) if o.result is not None]
    if not scored:
        return
    for number, outcome in scored:
        missed = ", ".join(p.label for p in outcome.result.points if not p.covered) or "nothing"
        coach.show(f"{number}. {outcome.question.id} ({outcome.question.section}): {outcome.result.coverage:.0%}; missed: {missed}")
        if outcome.metrics is not None:
            coach.show(f"   {outcome.metrics.summary_line()}")
            if star := outcome.metrics.star_line():
                coach.show(f"   {star}")
    best = max(scored, key=lambda pair: pair[1].result.coverage)[0]
    worst = min(scored, key=lambda pair: pair[1].result.coverage)[0]
    fillers = sum(o.metrics.filler_count for _, o in scored if o.metrics is not None)
    verdict = f"Interview over. Average coverage {summary.mean_coverage:.0%}."
    if len(scored) > 1 and best != worst:
        verdict += f" Your strongest answer was question {best}, the weakest question {worst}."
    if fillers:
        verdict += f" You used {fillers} filler words in all."
    coach.say(verdict, speak=options.speak_feedback)


class Keyboard:
    """Reads lines from an interactive terminal (or `lines`) in one background thread.

    One reader for the whole session: a reader per question would leave the old one
    blocked on stdin, swallowing the next key press. A line ends the current listen: an
    answer (Enter) or a command prompt (a key such as "n", then Enter). A line typed while
    nothing listens (the coach speaking) is dropped, as an early Enter always was.
    """

    def __init__(self, lines: TextIO | None = None) -> None:
        self._armed = KeyPress()
        self._lock = threading.Lock()
        if lines is None and sys.stdin is not None and sys.stdin.isatty():
            lines = sys.stdin
        if lines is not None:
            threading.Thread(target=self._read, args=(lines,), daemon=True).start()

    def _read(self, lines: TextIO) -> None:
        while True:
            try:
                line = lines.readline()
            except (OSError, ValueError):
                return
            if not line:
                return
            with self._lock:
                if not self._armed.is_set():
                    self._armed.line = line.strip()
                    self._armed.set()

    def next_press(self) -> KeyPress:
        """An event that the next line (Enter) sets; its `line` is what was typed."""
        with self._lock:
            self._armed = KeyPress()
            return self._armed
