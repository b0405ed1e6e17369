"""How well spoken commands are recognized, with and without the decoder prompt that lists them.

Speaks every command phrasing with espeak at three rates, transcribes it with tiny.en with
the session's command decoding options and without their prompt, and counts how many come
back as the right command; then feeds silence and noise (with and without Whisper's VAD
filter) and counts false commands. Both columns are measured in the same run.

Usage: python scripts/measure_commands.py
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from voiceprep.commands import PHRASINGS, recognize_command
from voiceprep.hands_free import COMMAND_DECODING
from voiceprep.resample import Resampler
from voiceprep.speech import Synthesizer
from voiceprep.transcription import Transcriber

RATES = (140, 175, 210)
SAMPLE_RATE = 16000


def spoken_commands() -> list[tuple[str, object, np.ndarray]]:
    clips = []
    for rate in RATES:
        synthesizer = Synthesizer(rate=rate)
        for command, phrasings in PHRASINGS.items():
            for phrasing in phrasings:
                speech = synthesizer.synthesize(phrasing)
                audio = Resampler(speech.samplerate, SAMPLE_RATE)(speech.samples)
                pad = np.zeros(SAMPLE_RATE // 2, np.float32)
                clips.append((f"{rate} wpm {phrasing!r}", command, np.concatenate([pad, audio, pad])))
    return clips


def non_speech() -> list[tuple[str, np.ndarray]]:
    rng = np.random.default_rng(0)
    return [
        ("silence", np.zeros(3 * SAMPLE_RATE, np.float32)),
        ("noise 0.02", (rng.standard_normal(3 * SAMPLE_RATE) * 0.02).astype(np.float32)),
        ("noise 0.2", (rng.standard_normal(3 * SAMPLE_RATE) * 0.2).astype(np.float32)),
    ]


def main() -> None:
    transcriber = Transcriber()
    variants = {"with prompt": COMMAND_DECODING, "no prompt": replace(COMMAND_DECODING, initial_prompt=None)}
    clips = spoken_commands()
    right = dict.fromkeys(variants, 0)
    for label, expected, audio in clips:
        row = []
        for name, options in variants.items():
            text = transcriber.transcribe(audio, options).text
            recognized = recognize_command(text).command
            right[name] += recognized is expected
            row.append(f"{text!r:28} -> {recognized}")
        print(f"{label:32} " + " | ".join(row))
    print("\nright command:", ", ".join(f"{name} {count}/{len(clips)}" for name, count in right.items()))

    print("\nfalse commands on silence and noise (text heard):")
    for label, audio in non_speech():
        for vad_filter in (True, False):
            texts = [transcriber.transcribe(audio, replace(options, vad_filter=vad_filter)).text for options in variants.values()]
            marks = [f"{name}: {text!r} -> {recognize_command(text).command}" for name, text in zip(variants, texts, strict=True)]
            print(f"  {label:11} vad_filter={vad_filter!s:5} " + " | ".join(marks))


if __name__ == "__main__":
    main()
