"""Latency as a candidate feels it: answers played into the microphone at real-time pace.

A private PulseAudio server (FIELD-NOTES: module-pipe-source fed by this script on a
50 ms clock, a null sink as the speaker) stands in for the sound card, so
PortAudio paces the recording like a real microphone. Prints, in one run:

- end-of-answer decision -> feedback ready (transcript + score), live transcription
  against the baseline, transcribing the recording after it ends (same model, beam 5,
  word times), median and worst per answer length, with the word error rate between them
  and each path's real-time factor;
- `voiceprep practice --timings` as a subprocess: command to first spoken word (its own
  figure, counted from its CLI import, plus the interpreter's start-up up to that import),
  its end-of-answer -> feedback time, and its peak RSS, beside the peak RSS of a process
  that transcribes the same recording whole. (The null sink's monitor was no clock for the
  first word: the same tone played with pacat showed up 0.07 s or 1.5 s late, or not at all.)

Answers are evaluation answers (scripts/make_eval_audio.py's cache, Piper voice
joe-1.0; synthesized with espeak if absent) joined with pauses of 0.6-1.5 s.
Needs the Debian packages pulseaudio, pulseaudio-utils and libasound2-plugins
(`bash scripts/setup.sh --bench` installs them).

Usage: python scripts/bench_latency.py [--lengths 30,60,180] [--answers 3]
"""

from __future__ import annotations

import argparse
import os
import queue
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
from eval_live_wer import answer_audio  # the evaluation clips, resampled to 16 kHz
from make_eval_audio import load_answers
from peak_rss import peak_rss_mb, with_peak_rss

SAMPLE_RATE = 16000
FEED_BLOCK = 800  # 50 ms: the pace that worked through module-pipe-source
VOICE = "joe-1.0"
LONGEST_ANSWER = 175  # seconds, under EndOfAnswer's max_duration with the trailing silence
BANK = ROOT / "questions" / "ai-cybersecurity-analyst.toml"


@dataclass(frozen=True)
class Answer:
    question_id: str
    samples: np.ndarray

    @property
    def seconds(self) -> float:
        return len(self.samples) / SAMPLE_RATE


@dataclass(frozen=True)
class Measured:
    length: int  # the target length in seconds
    seconds: float
    live: float  # end-of-answer decision -> feedback ready
    baseline: float
    word_error_rate: float  # live transcript against the whole-recording one
    live_rtf: float
    baseline_rtf: float
    tail_seconds: float


def build_answers(lengths: list[int], per_length: int) -> list[tuple[int, Answer]]:
    """Whole evaluation clips joined with pauses, to within -5/+10 s of each target length,
    and short of the 180 s limit, where an answer is cut off rather than ended by silence."""
    clips = load_answers()
    rng = np.random.default_rng(5)
    made = []
    cursor = 0
    for length in lengths:
        for _ in range(per_length):
            parts: list[np.ndarray] = []
            question = clips[cursor % len(clips)]["question"]
            while sum(len(p) for p in parts) < min(length - 5, LONGEST_ANSWER - 20) * SAMPLE_RATE:
                clip = answer_audio(VOICE, clips[cursor % len(clips)])
                cursor += 1
                if sum(len(p) for p in parts) + len(clip) <= min(length + 10, LONGEST_ANSWER) * SAMPLE_RATE or not parts:
                    parts += [clip, np.zeros(int(rng.uniform(0.6, 1.5) * SAMPLE_RATE), np.float32)]
            made.append((length, Answer(question, np.concatenate(parts[:-1]))))
    return made


class PulseMicrophone:
    """A private PulseAudio server whose default source is a pipe this object fills in real time."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.home = root / "home"
        self.home.mkdir(parents=True)
        (self.home / ".asoundrc").write_text("pcm.!default { type pulse }\nctl.!default { type pulse }\n")
        self.env = {**os.environ, "HOME": str(self.home), "XDG_RUNTIME_DIR": str(root)}
        fifo = root / "mic.fifo"
        self._server = subprocess.Popen(
            ["pulseaudio", "-n", "--daemonize=no", "--exit-idle-time=-1", "--load=module-native-protocol-unix",
             "--load=module-null-sink sink_name=spk",
             f"--load=module-pipe-source source_name=mic file={fifo} format=s16le rate={SAMPLE_RATE} channels=1"],
            env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 15
        while subprocess.run(["pactl", "info"], env=self.env, capture_output=True, check=False).returncode != 0:
            if time.monotonic() > deadline or self._server.poll() is not None:
                raise SystemExit("pulseaudio did not start: install pulseaudio, pulseaudio-utils, libasound2-plugins")
            time.sleep(0.1)
        for command in (["pactl", "set-default-source", "mic"], ["pactl", "set-default-sink", "spk"]):
            subprocess.run(command, env=self.env, check=True)
        self._pipe = open(fifo, "wb", buffering=0)  # noqa: SIM115  (held open for the whole run)
        self._queue: queue.Queue[np.ndarray] = queue.Queue()
        self._stop = threading.Event()
        self._feeder = threading.Thread(target=self._feed, daemon=True)  # daemon: a pipe write may block
        self._feeder.start()

    def play(self, samples: np.ndarray, lead: float = 0.5) -> None:
        """Say `samples` into the microphone after `lead` seconds; silence before and after."""
        self._queue.put(np.concatenate([np.zeros(int(lead * SAMPLE_RATE), np.float32), samples]))

    def _feed(self) -> None:
        pending = np.zeros(0, np.float32)
        next_at = time.monotonic()
        while not self._stop.is_set():
            if len(pending) < FEED_BLOCK:
                try:
                    pending = np.concatenate([pending, self._queue.get_nowait()])
                except queue.Empty:
                    pending = np.concatenate([pending, np.zeros(FEED_BLOCK, np.float32)])
            block, pending = pending[:FEED_BLOCK], pending[FEED_BLOCK:]
            try:
                self._pipe.write((np.clip(block, -1, 1) * 32767).astype("<i2").tobytes())
            except BrokenPipeError:
                return  # the server has gone: close() stopped it
            next_at += FEED_BLOCK / SAMPLE_RATE
            time.sleep(max(0.0, next_at - time.monotonic()))

    def close(self) -> None:
        self._stop.set()
        self._server.terminate()  # a feeder blocked on a full pipe then gets EPIPE and ends
        try:
            self._server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._server.kill()
            self._server.wait()
        self._feeder.join(timeout=5)


def measure_engine(answers: list[tuple[int, Answer]], microphone: PulseMicrophone, workdir: Path) -> list[Measured]:
    """Both paths on the same recordings: live first, then the whole file once the answer ended."""
    from voiceprep.audio import resolve_device
    from voiceprep.bank import load_bank
    from voiceprep.capture import record_answer
    from voiceprep.live import LiveTranscriber
    from voiceprep.scoring import score_answer
    from voiceprep.transcription import BackgroundTranscriber
    from voiceprep.wer import word_error_rate

    bank = load_bank(BANK)
    device = resolve_device(None, "input")
    transcriber = BackgroundTranscriber()
    transcriber.ready()
    results = []
    for number, (length, answer) in enumerate(answers):
        question = bank.question(answer.question_id)
        live = LiveTranscriber(transcriber)
        microphone.play(answer.samples)
        recording = record_answer(workdir / f"answer-{number}.wav", device, on_block=live.feed)
        recorded = time.perf_counter()
        heard = live.finish()
        finished = time.perf_counter()
        score_answer(question, heard.transcript.text, list(heard.transcript.words))
        live_latency = time.perf_counter() - recording.decided_at
        closing = recorded - recording.decided_at  # closing the stream: both paths pay it
        started = time.perf_counter()
        whole = transcriber.transcribe(recording.path)
        score_answer(question, whole.text, list(whole.words))
        baseline = closing + time.perf_counter() - started
        results.append(Measured(
            length, recording.seconds, live_latency, baseline, word_error_rate(whole.text, heard.transcript.text),
            heard.transcript.decode_seconds / recording.seconds, whole.decode_seconds / recording.seconds,
            heard.tail_seconds,
        ))
        print(f"  {length:4d} s answer ({recording.seconds:.1f} s recorded, ended by {recording.ended_by}): "
              f"live {live_latency:.3f} s (closing the stream {closing:.3f}, last decode {finished - recorded:.3f}), "
              f"after recording {baseline:.3f} s, WER {results[-1].word_error_rate:.3f}",
              flush=True)
    transcriber.close()
    return results


@dataclass(frozen=True)
class PracticeRun:
    first_word_reported: float | None  # the tool's own --timings figure
    startup: float  # from starting a process to the CLI's import, where --timings starts counting
    feedback: float | None
    spoken_feedback: float | None  # to the first sound of the spoken feedback
    peak_rss_mb: float


def measure_practice(answer: Answer, microphone: PulseMicrophone, data: Path) -> PracticeRun:
    """`voiceprep practice --timings` answering one question with `answer`, in real time."""
    command = [sys.executable, "-m", "voiceprep.cli", "--data-dir", str(data), "practice", "--ids", answer.question_id,
               "--count", "1", "--timings"]
    process = subprocess.Popen(with_peak_rss(command), env=microphone.env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    output = []
    for line in process.stdout:
        output.append(line)
        if line.startswith("Listening..."):
            microphone.play(answer.samples)
    if process.wait() != 0:
        raise SystemExit("voiceprep practice failed:\n" + "".join(output))
    print("".join(f"  | {line}" for line in output if line.startswith(("timing", "You said"))), end="")
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import voiceprep.cli.common"], check=True)
    startup = time.perf_counter() - started
    return PracticeRun(_timing(output, "first spoken word"), startup, _timing(output, "to feedback"),
                       _timing(output, "to spoken feedback"), peak_rss_mb(output))


def whole_file_peak_rss(recording: Path, env: dict[str, str]) -> float:
    """Peak RSS (MB) of a process that loads the model and transcribes `recording` at once."""
    code = "import sys; from voiceprep.transcription import Transcriber; Transcriber().transcribe(sys.argv[1])"
    done = subprocess.run(with_peak_rss([sys.executable, "-c", code, str(recording)]), env=env,
                          capture_output=True, text=True, check=True)
    return peak_rss_mb(done.stdout.splitlines())


def _timing(lines: list[str], label: str) -> float | None:
    for line in lines:
        if line.startswith("timing:") and label in line:
            return float(line.rsplit(" ", 2)[-2])
    return None


def report(results: list[Measured], practice: PracticeRun, whole_rss: float, load: str) -> None:
    print(f"\nmachine load: {load}")
    print("\nend-of-answer decision -> feedback ready (transcript + score), seconds")
    print(f"{'answer':>8} {'n':>3} | {'live median':>11} {'live worst':>10} | {'after-recording median':>22} "
          f"{'worst':>7} | {'WER live/whole':>14} | {'RTF live':>8} {'RTF whole':>9}")
    for length in sorted({r.length for r in results}):
        rows = [r for r in results if r.length == length]
        print(f"{length:>6} s {len(rows):>3} | {statistics.median(r.live for r in rows):>11.3f} "
              f"{max(r.live for r in rows):>10.3f} | {statistics.median(r.baseline for r in rows):>22.3f} "
              f"{max(r.baseline for r in rows):>7.3f} | {statistics.mean(r.word_error_rate for r in rows):>14.3f} | "
              f"{statistics.mean(r.live_rtf for r in rows):>8.3f} {statistics.mean(r.baseline_rtf for r in rows):>9.3f}")
    untail = sum(1 for r in results if r.tail_seconds == 0)
    print(f"answers whose last stretch was decoded before the end decision: {untail}/{len(results)}")
    print("\nvoiceprep practice --timings (subprocess, real-time microphone)")
    reported = practice.first_word_reported
    print(f"  command to first spoken word: {_seconds(reported)} from the CLI's import (--timings) + "
          f"{practice.startup:.2f} s interpreter start-up = {_seconds(reported + practice.startup if reported else None)}")
    print(f"  end of answer to feedback: {_seconds(practice.feedback)}, to its first spoken word: "
          f"{_seconds(practice.spoken_feedback)}")
    print(f"  peak RSS: {practice.peak_rss_mb:.0f} MB (practice, live)  vs  {whole_rss:.0f} MB "
          "(a process transcribing the same answer whole)")


def _seconds(value: float | None) -> str:
    return f"{value:.2f} s" if value is not None else "n/a"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lengths", default="30,60,180", help="answer lengths in seconds")
    parser.add_argument("--answers", type=int, default=3, help="answers per length")
    args = parser.parse_args(argv)
    lengths = [int(x) for x in args.lengths.split(",")]
    answers = build_answers(lengths, args.answers)
    with tempfile.TemporaryDirectory(prefix="voiceprep-bench-") as temp:
        root = Path(temp)
        microphone = PulseMicrophone(root / "pulse")
        # PortAudio reads the ALSA configuration when sounddevice is first imported.
        os.environ.update(HOME=microphone.env["HOME"], XDG_RUNTIME_DIR=microphone.env["XDG_RUNTIME_DIR"])
        try:
            load_before = os.getloadavg()
            print(f"{len(answers)} answers at real-time pace ({sum(a.seconds for _, a in answers) / 60:.1f} min of audio)")
            results = measure_engine(answers, microphone, root)
            longest = max(answers, key=lambda pair: pair[1].seconds)[1]
            practice = measure_practice(longest, microphone, root / "data")
            whole_rss = whole_file_peak_rss(next((root / "data" / "recordings").rglob("*.wav")), microphone.env)
            load = f"load average before {load_before[0]:.2f}, after {os.getloadavg()[0]:.2f} (2 cores)"
            report(results, practice, whole_rss, load)
        finally:
            microphone.close()
    print(f"bench process peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
