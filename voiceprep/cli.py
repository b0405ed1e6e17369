"""The `voiceprep` command: parses arguments and calls the library, nothing more."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, replace
from pathlib import Path

from voiceprep import __version__
from voiceprep.errors import VoiceprepError
from voiceprep.paths import data_dir

_STARTED = time.perf_counter()  # --timings counts from here: the imports above are light


def _add_bank_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--bank", help="bank name (from the data dir's banks/ or the shipped ones) or a .toml path")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="voiceprep", description="Offline, voice-driven mock-interview coach.")
    parser.add_argument("--version", action="version", version=f"voiceprep {__version__}")
    parser.add_argument("--data-dir", help="where the archive lives (default: $VOICEPREP_DATA_DIR or the platform's data dir)")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    practice = commands.add_parser("practice", help="Practise aloud: hear questions, answer, hear what you missed.")
    _add_bank_option(practice)
    practice.add_argument("--ids", nargs="+", default=(), metavar="ID", help="ask these questions, in this order")
    practice.add_argument("--section", help="ask questions from this section")
    practice.add_argument("--count", type=int, default=3, help="how many questions (default 3)")
    practice.add_argument("--shuffle", action="store_true", help="ask in random order")
    practice.add_argument("--input-device", help="microphone, by index or name (see `voiceprep devices`)")
    practice.add_argument("--output-device", help="speaker, by index or name")
    practice.add_argument("--model", default="tiny.en", help="tiny.en (embedded), a faster-whisper model name, or a model directory")
    practice.add_argument("--compute-type", default="int8", help="CTranslate2 compute type (default int8)")
    practice.add_argument("--voice", help="text-to-speech voice name")
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
    _add_bank_option(score)
    score.set_defaults(run=_score)

    devices = commands.add_parser("devices", help="List microphones and speakers.")
    devices.add_argument("--json", action="store_true", help="print JSON")
    devices.set_defaults(run=_devices)

    bank = commands.add_parser("bank", help="List, show and check question banks.")
    bank_commands = bank.add_subparsers(dest="bank_command", required=True, metavar="ACTION")
    bank_list = bank_commands.add_parser("list", help="List a bank's questions.")
    _add_bank_option(bank_list)
    bank_list.add_argument("--section", help="only this section")
    bank_list.add_argument("--json", action="store_true", help="print JSON")
    bank_list.set_defaults(run=_bank_list)
    bank_show = bank_commands.add_parser("show", help="Show one question with its hint and key points.")
    bank_show.add_argument("id", help="question id")
    _add_bank_option(bank_show)
    bank_show.set_defaults(run=_bank_show)
    bank_check = bank_commands.add_parser("check", help="Validate bank files; errors name the line.")
    bank_check.add_argument("paths", nargs="+", type=Path, help="bank .toml files")
    bank_check.set_defaults(run=_bank_check)

    sessions = commands.add_parser("sessions", help="Review past sessions.")
    session_commands = sessions.add_subparsers(dest="sessions_command", required=True, metavar="ACTION")
    sessions_list = session_commands.add_parser("list", help="List recent sessions.")
    sessions_list.add_argument("-n", type=int, default=10, help="how many (default 10)")
    sessions_list.add_argument("--json", action="store_true", help="print JSON")
    sessions_list.set_defaults(run=_sessions_list)
    sessions_path = session_commands.add_parser("path", help="Print where the archive is.")
    sessions_path.set_defaults(run=_sessions_path)
    return parser


def _load_bank(args: argparse.Namespace):
    from voiceprep.bank import find_bank

    return find_bank(args.bank, data_dir(args.data_dir))


def _practice(args: argparse.Namespace) -> int:
    from voiceprep.capture import EndOfAnswer
    from voiceprep.schedule import select_questions
    from voiceprep.session import PracticeOptions, practice
    from voiceprep.store import Store

    bank = _load_bank(args)
    questions = select_questions(bank, args.ids, args.section, args.count, args.shuffle)
    options = PracticeOptions(
        input_device=args.input_device, output_device=args.output_device, model=args.model,
        compute_type=args.compute_type, voice=args.voice, rate=args.rate,
        end_of_answer=replace(EndOfAnswer(), trailing_silence=args.silence, max_duration=args.max_seconds),
        speak_feedback=not args.quiet_feedback,
    )
    store = Store(data_dir(args.data_dir))
    try:
        summary = practice(bank, questions, store, options, show=lambda text: print(text, flush=True))
    finally:
        store.close()
    if args.timings:
        print(f"timing: command to first spoken word {summary.first_word_at - _STARTED:.2f} s")
        for outcome in summary.outcomes:
            if outcome.feedback_ready_after is not None:
                print(f"timing: {outcome.question.id} end of answer to feedback {outcome.feedback_ready_after:.2f} s")
    return 0


def _score(args: argparse.Namespace) -> int:
    from voiceprep.grading import grade_recording, grade_text

    question = _load_bank(args).question(args.question)
    if args.text is not None:
        graded = grade_text(question, args.text)
    elif args.answer is not None:
        from voiceprep.transcription import Transcriber

        graded = grade_recording(question, args.answer, Transcriber(args.model, data_dir=data_dir(args.data_dir)))
    else:
        raise VoiceprepError("give an audio file to score, or --text \"the answer\"")
    if args.json:
        print(json.dumps(graded.as_json(), indent=2))
        return 0
    from voiceprep.scoring import feedback_sentence

    print(f"Transcript: {graded.result.transcript}")
    for point in graded.result.points:
        mark = "x" if point.covered else ("-" if point.denied else " ")
        evidence = f'  "{point.evidence}"' if point.evidence else ""
        print(f"  [{mark}] {point.label} ({point.confidence:.2f}){evidence}")
    print(feedback_sentence(graded.result))
    return 0


def _devices(args: argparse.Namespace) -> int:
    from voiceprep.audio import list_devices

    devices = list_devices()
    if args.json:
        print(json.dumps([asdict(d) for d in devices], indent=2))
        return 0
    if not devices:
        print("No sound devices found. Connect a microphone and speakers, or enable them in your system's sound settings.")
        return 0
    for d in devices:
        marks = ("<" if d.is_default_input else " ") + (">" if d.is_default_output else " ")
        print(f"{marks} {d.index:3d}  {d.name}  ({d.inputs} in, {d.outputs} out, {d.default_samplerate:.0f} Hz)")
    print("< default input, > default output; choose with --input-device / --output-device NAME|INDEX")
    return 0


def _bank_list(args: argparse.Namespace) -> int:
    bank = _load_bank(args)
    questions = bank.in_section(args.section) if args.section else bank.questions
    if args.json:
        print(json.dumps([
            {"id": q.id, "section": q.section, "prompt": q.prompt, "points": [p.label for p in q.points]}
            for q in questions
        ], indent=2))
        return 0
    print(f"{bank.title} ({bank.id}): {len(questions)} questions")
    for section in bank.sections:
        in_section = [q for q in questions if q.section == section]
        if in_section:
            print(f"\n{section} ({len(in_section)})")
            for q in in_section:
                print(f"  {q.id:8s} {q.prompt}")
    return 0


def _bank_show(args: argparse.Namespace) -> int:
    q = _load_bank(args).question(args.id)
    print(f"{q.id} [{q.section}]\n\n{q.prompt}\n\nHint: {q.hint}\n")
    print("Key points" + (" (in order):" if q.ordered else ":"))
    for number, p in enumerate(q.points, start=1):
        aliases = f"  (also: {', '.join(p.aliases)})" if p.aliases else ""
        weight = f" x{p.weight:g}" if p.weight != 1 else ""
        print(f"  {number}. {p.label}{weight}{aliases}")
    if q.follow_up:
        print(f"\nFollow-up: {q.follow_up}")
    return 0


def _bank_check(args: argparse.Namespace) -> int:
    from voiceprep.bank import load_bank

    failures = 0
    for path in args.paths:
        try:
            bank = load_bank(path)
        except VoiceprepError as error:
            print(f"error: {error}", file=sys.stderr)
            failures += 1
        else:
            points = sum(len(q.points) for q in bank.questions)
            print(f"{path}: ok, {len(bank.questions)} questions, {points} key points")
    return 1 if failures else 0


def _sessions_list(args: argparse.Namespace) -> int:
    from voiceprep.store import Store

    store = Store(data_dir(args.data_dir))
    try:
        rows = store.sessions(args.n)
    finally:
        store.close()
    if args.json:
        print(json.dumps([asdict(r) for r in rows], indent=2))
        return 0
    if not rows:
        print("No sessions yet: start one with `voiceprep practice`.")
    for r in rows:
        coverage = f"{r.mean_coverage:.0%}" if r.mean_coverage is not None else "-"
        print(f"{r.id:4d}  {r.started_at}  {r.bank_id}  {r.answers} answer(s)  coverage {coverage}")
    return 0


def _sessions_path(args: argparse.Namespace) -> int:
    from voiceprep.store import DATABASE_NAME

    print(data_dir(args.data_dir) / DATABASE_NAME)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; errors are one line on stderr and exit status 2."""
    args = _parser().parse_args(argv)
    try:
        return args.run(args)
    except VoiceprepError as error:
        print(f"voiceprep: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\nvoiceprep: stopped; everything recorded so far is saved.", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # Output piped into `head` and the like: stop quietly, as other commands do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
