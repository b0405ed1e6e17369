"""Commands that use sound: practice, score, devices."""

from __future__ import annotations

import argparse
from dataclasses import asdict, replace
from pathlib import Path

from voiceprep.bank import Bank, Question
from voiceprep.cli.common import STARTED, add_bank_option, load_bank, open_store, print_json
from voiceprep.errors import VoiceprepError
from voiceprep.paths import data_dir
from voiceprep.store import Store


def register(commands: argparse._SubParsersAction) -> None:
    practice = commands.add_parser("practice", help="Practise aloud: hear questions, answer, hear what you missed.")
    add_bank_option(practice)
    how = practice.add_mutually_exclusive_group()
    how.add_argument("--ids", nargs="+", default=(), metavar="ID", help="ask these questions, in this order")
    how.add_argument("--due", dest="how", action="store_const", const="due",
                     help="spaced repetition: questions due for review (weak answers return sooner), then new ones")
    how.add_argument("--retry-missed", dest="how", action="store_const", const="retry-missed",
                     help="the questions of your last session where you missed key points")
    how.add_argument("--mock", dest="how", action="store_const", const="mock",
                     help="a mock interview: sections mixed, easiest first, a time limit, no hints, feedback only at the end")
    practice.add_argument("--section", help="ask questions from this section")
    practice.add_argument("--count", type=int, help="how many questions (default 3, or every id given with --ids; 6 with --mock)")
    practice.add_argument("--time-limit", type=float, default=120, metavar="SECONDS",
                          help="with --mock: longest answer in seconds (default 120)")
    practice.add_argument("--shuffle", action="store_true", help="ask in random order")
    practice.add_argument("--input-device", help="microphone, by index or name (see `voiceprep devices`)")
    practice.add_argument("--output-device", help="speaker, by index or name")
    practice.add_argument("--model", default="tiny.en", help="tiny.en (embedded), a faster-whisper model name, or a model directory")
    practice.add_argument("--compute-type", default="int8", help="CTranslate2 compute type (default int8)")
    practice.add_argument("--device", default="cpu", choices=("cpu", "cuda", "auto"),
                          help="where the speech model runs (default cpu; cuda needs an NVIDIA GPU and CUDA libraries)")
    practice.add_argument("--voice", help="text-to-speech voice name (with --tts piper: a Piper .onnx voice file)")
    practice.add_argument("--tts", choices=("pyttsx3", "piper"), default="pyttsx3",
                          help="speech engine: pyttsx3 (system voices, default) or piper (neural; pip install 'voiceprep[piper]')")
    practice.add_argument("--hands-free", action="store_true",
                          help="after each question, say next, repeat, again, skip, hint, pause or stop (no keyboard needed)")
    practice.add_argument("--rate", type=int, default=175, help="speaking rate in words per minute (default 175)")
    practice.add_argument("--silence", type=float, default=2.5, help="seconds of silence that end an answer (default 2.5)")
    practice.add_argument("--max-seconds", type=float, default=180, help="longest answer in seconds (default 180)")
    practice.add_argument("--quiet-feedback", action="store_true", help="print feedback without speaking it")
    practice.add_argument("--timings", action="store_true", help="print how long the first question and each feedback took")
    practice.set_defaults(run=_practice)

    score = commands.add_parser("score", help="Score a recorded answer (or --text) against a question's key points.")
    score.add_argument("answer", nargs="?", type=Path, help="audio file of the answer (WAV, MP3, M4A, FLAC...)")
    score.add_argument("--question", required=True, help="question id, e.g. int-05")
    score.add_argument("--text", help="score this text instead of an audio file")
    score.add_argument("--model", default="tiny.en", help="speech model (default tiny.en, embedded)")
    score.add_argument("--json", action="store_true", help="print JSON")
    add_bank_option(score)
    score.set_defaults(run=_score)

    devices = commands.add_parser("devices", help="List microphones and speakers.")
    devices.add_argument("--json", action="store_true", help="print JSON")
    devices.set_defaults(run=_devices)



def _practice(args: argparse.Namespace) -> int:
    from voiceprep.capture import EndOfAnswer
    from voiceprep.session import PracticeOptions, practice

    bank = load_bank(args)
    mock = args.how == "mock"
    options = PracticeOptions(
        input_device=args.input_device, output_device=args.output_device, model=args.model,
        compute_type=args.compute_type, device=args.device, voice=args.voice, rate=args.rate, tts=args.tts, hands_free=args.hands_free,
        end_of_answer=replace(
            EndOfAnswer(), trailing_silence=args.silence, max_duration=args.time_limit if mock else args.max_seconds,
        ),
        speak_feedback=not args.quiet_feedback, mock=mock,
    )
    store = open_store(args)
    try:
        questions = _choose(args, bank, store)
        if mock:
            print(f"Mock interview: {len(questions)} questions, {args.time_limit:.0f} s per answer, feedback at the end.")
        summary = practice(bank, questions, store, options, show=lambda text: print(text, flush=True))
    finally:
        store.close()
    if args.timings:
        print(f"timing: command to first spoken word {summary.first_word_at - STARTED:.2f} s")
        for outcome in summary.outcomes:
            if outcome.feedback_ready_after is not None:
                print(f"timing: {outcome.question.id} end of answer to feedback {outcome.feedback_ready_after:.2f} s")
            if outcome.feedback_heard_after is not None:
                print(f"timing: {outcome.question.id} end of answer to spoken feedback {outcome.feedback_heard_after:.2f} s")
    return 0


def _choose(args: argparse.Namespace, bank: Bank, store: Store) -> list[Question]:
    from datetime import UTC, datetime

    from voiceprep.schedule import Selection, attempts_from_rows, choose_questions

    selection = Selection(args.how or "pick", args.ids, args.section, args.count, args.shuffle)
    history = attempts_from_rows(store.scored_answers(bank.id)) if selection.how != "pick" else []
    return choose_questions(bank, selection, history, datetime.now(UTC))


def _score(args: argparse.Namespace) -> int:
    from voiceprep.grading import grade_recording, grade_text

    question = load_bank(args).question(args.question)
    if args.text is not None:
        graded = grade_text(question, args.text)
    elif args.answer is not None:
        from voiceprep.transcription import Transcriber

        graded = grade_recording(question, args.answer, Transcriber(args.model, data_dir=data_dir(args.data_dir)))
    else:
        raise VoiceprepError("give an audio file to score, or --text \"the answer\"")
    if args.json:
        print_json(graded.as_json())
        return 0
    from voiceprep.scoring import feedback_sentence

    print(f"Transcript: {graded.result.transcript}")
    for point in graded.result.points:
        mark = "x" if point.covered else "-" if point.denied else "~" if point.near_miss else "?" if point.doubtful else " "
        evidence = f'  "{point.evidence}"' if point.evidence else ""
        plausibility = f", plausibility {point.plausibility:.2f}" if point.plausibility is not None else ""
        print(f"  [{mark}] {point.label} ({point.confidence:.2f}{plausibility}){evidence}")
    print(feedback_sentence(graded.result))
    return 0


def _devices(args: argparse.Namespace) -> int:
    from voiceprep.audio import list_devices

    devices = list_devices()
    if args.json:
        print_json([asdict(d) for d in devices])
        return 0
    if not devices:
        print("No sound devices found. Connect a microphone and speakers, or enable them in your system's sound settings.")
        return 0
    for d in devices:
        marks = ("<" if d.is_default_input else " ") + (">" if d.is_default_output else " ")
        print(f"{marks} {d.index:3d}  {d.name}  ({d.inputs} in, {d.outputs} out, {d.default_samplerate:.0f} Hz)")
    print("< default input, > default output; choose with --input-device / --output-device NAME|INDEX")
    return 0
