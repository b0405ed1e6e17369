"""How far live (stretch by stretch) transcription strays from transcribing the whole recording.

Each evaluation answer's cached audio (scripts/make_eval_audio.py, ~/.cache/voiceprep/
eval-audio/; missing clips are synthesized with voiceprep's own espeak Synthesizer) is fed
to a LiveTranscriber in 0.1 s blocks, as record_answer would, followed by the 2.5 s of
silence that ends an answer; the same audio is also transcribed whole. Prints the word
error rate of the live transcript against the whole-file one, per voice and overall.

Usage: python scripts/eval_live_wer.py [--voices joe-1.0,espeak-150] [--limit N]
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

import numpy as np

from voiceprep.live import LiveTranscriber
from voiceprep.resample import Resampler
from voiceprep.speech import read_wav
from voiceprep.transcription import BackgroundTranscriber
from voiceprep.wer import word_error_rate

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
from make_eval_audio import audio_path, load_answers

SAMPLE_RATE = 16000
BLOCK = 1600
TRAILING_SILENCE = 2.5


def answer_audio(voice: str, answer: dict) -> np.ndarray:
    """The cached clip at 16 kHz; synthesized with espeak (voiceprep's Synthesizer) if absent."""
    path = audio_path(voice, answer)
    if not path.is_file():
        from voiceprep.speech import Synthesizer

        speech = Synthesizer().synthesize(answer["text"])
        return Resampler(speech.samplerate, SAMPLE_RATE)(speech.samples)
    recorded = read_wav(path)
    return Resampler(recorded.samplerate, SAMPLE_RATE)(recorded.samples)


def live_transcript(transcriber: BackgroundTranscriber, audio: np.ndarray) -> str:
    live = LiveTranscriber(transcriber)
    stream = np.concatenate([audio, np.zeros(int(TRAILING_SILENCE * SAMPLE_RATE), np.float32)])
    for start in range(0, len(stream), BLOCK):
        live.feed(stream[start : start + BLOCK])
    return live.finish().transcript.text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--voices", default="joe-1.0,espeak-150")
    parser.add_argument("--limit", type=int, default=0, help="only the first N answers")
    args = parser.parse_args(argv)
    answers = load_answers()[: args.limit or None]
    transcriber = BackgroundTranscriber()
    overall: list[float] = []
    for voice in args.voices.split(","):
        rates = []
        for answer in answers:
            audio = answer_audio(voice, answer)
            whole = transcriber.transcribe(audio).text
            rate = word_error_rate(whole, live_transcript(transcriber, audio))
            rates.append(rate)
            print(f"{voice} {answer['id']:28s} {len(audio) / SAMPLE_RATE:5.1f} s  WER {rate:.3f}", flush=True)
        overall += rates
        print(f"{voice}: {len(rates)} answers, WER mean {statistics.mean(rates):.3f}, "
              f"median {statistics.median(rates):.3f}, worst {max(rates):.3f}")
    print(f"all: {len(overall)} answers, WER mean {statistics.mean(overall):.3f}, worst {max(overall):.3f}")
    transcriber.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
