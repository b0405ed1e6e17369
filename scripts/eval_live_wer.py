"""How far live (stretch by stretch) transcription strays from transcribing the whole recording.

Each evaluation answer's cached audio (scripts/make_eval_audio.py, ~/.cache/voiceprep/
eval-audio/; a missing clip is synthesized in its voice into that cache) is fed to a
LiveTranscriber in 0.1 s blocks, as record_answer would, followed by the 2.5 s of silence
that ends an answer; the same audio is also transcribed whole. Prints the word error rate
of the live transcript against the whole-file one, and of each against the answer's script
(which shows whether live transcription loses words that whole-file transcription gets),
per voice and overall.

Usage: python scripts/eval_live_wer.py [--voices joe-1.0,espeak-150] [--limit N]
"""

from __future__ import annotations

import argparse
import statistics
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from voiceprep.live import LiveTranscriber
from voiceprep.resample import Resampler
from voiceprep.speech import read_wav
from voiceprep.transcription import BackgroundTranscriber
from voiceprep.wer import word_error_rate

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
from make_eval_audio import Synthesizer, audio_path, load_answers

SAMPLE_RATE = 16000
BLOCK = 1600
TRAILING_SILENCE = 2.5


@lru_cache(maxsize=1)
def _synthesizer() -> Synthesizer:
    return Synthesizer()  # loads its engines on first use, so only when a clip is missing


def answer_audio(voice: str, answer: dict) -> np.ndarray:
    """The cached clip at 16 kHz; synthesized in that voice into the cache if absent."""
    path = audio_path(voice, answer)
    if not path.is_file():
        _synthesizer().synthesize(voice, answer["text"], path)
    recorded = read_wav(path)
    return Resampler(recorded.samplerate, SAMPLE_RATE)(recorded.samples)


def live_transcript(transcriber: BackgroundTranscriber, audio: np.ndarray) -> str:
    live = LiveTranscriber(transcriber)
    stream = np.concatenate([audio, np.zeros(int(TRAILING_SILENCE * SAMPLE_RATE), np.float32)])
    for start in range(0, len(stream), BLOCK):
        live.feed(stream[start : start + BLOCK])
    return live.finish().transcript.text


@dataclass(frozen=True)
class Rates:
    live_vs_whole: float
    whole_vs_script: float  # what the speech model gets wrong whichever way it is run
    live_vs_script: float

    def __str__(self) -> str:
        return (f"WER live/whole {self.live_vs_whole:.3f}, against the script: "
                f"whole {self.whole_vs_script:.3f}, live {self.live_vs_script:.3f}")


def summary(rates: list[Rates]) -> str:
    """Means, and the worst live/whole figure."""
    return (f"WER live/whole mean {statistics.mean(r.live_vs_whole for r in rates):.3f} "
            f"(worst {max(r.live_vs_whole for r in rates):.3f}); against the script: whole "
            f"{statistics.mean(r.whole_vs_script for r in rates):.3f}, live {statistics.mean(r.live_vs_script for r in rates):.3f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--voices", default="joe-1.0,espeak-150")
    parser.add_argument("--limit", type=int, default=0, help="only the first N answers")
    args = parser.parse_args(argv)
    answers = load_answers()[: args.limit or None]
    transcriber = BackgroundTranscriber()
    overall: list[Rates] = []
    for voice in args.voices.split(","):
        rates = []
        for answer in answers:
            audio = answer_audio(voice, answer)
            whole = transcriber.transcribe(audio).text
            live = live_transcript(transcriber, audio)
            rates.append(Rates(word_error_rate(whole, live), word_error_rate(answer["text"], whole),
                               word_error_rate(answer["text"], live)))
            print(f"{voice} {answer['id']:28s} {len(audio) / SAMPLE_RATE:5.1f} s  {rates[-1]}", flush=True)
        overall += rates
        print(f"{voice}: {len(rates)} answers, {summary(rates)}")
    print(f"all: {len(overall)} answers, {summary(overall)}")
    transcriber.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
