"""Scoring an answer that was already recorded or written: the library behind `voiceprep score`."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from voiceprep.bank import Question
from voiceprep.errors import VoiceprepError
from voiceprep.longform import LONG_RECORDING, recording_seconds, transcribe_in_pieces
from voiceprep.scoring import ScoreResult, score_answer
from voiceprep.transcription import DecodeOptions, Transcriber, Transcript


@dataclass(frozen=True)
class GradedAnswer:
    question_id: str
    source: str  # the audio file, or "text"
    result: ScoreResult
    transcript: Transcript | None = None

    def as_json(self) -> dict[str, Any]:
        """The fields `voiceprep score --json` prints."""
        result = self.result
        return {
            "question_id": self.question_id,
            "source": self.source,
            "transcript": result.transcript,
            "coverage": result.coverage,
            "covered": len(result.covered),
            "total": len(result.points),
            "points": [asdict(p) for p in result.points],
            "skipped_steps": list(result.skipped_steps),
            "out_of_order": list(result.out_of_order),
            "audio_seconds": self.transcript.audio_seconds if self.transcript else None,
            "decode_seconds": round(self.transcript.decode_seconds, 3) if self.transcript else None,
        }


def grade_text(question: Question, text: str) -> GradedAnswer:
    """Score a written (or already transcribed) answer."""
    return GradedAnswer(question.id, "text", score_answer(question, text))


def grade_recording(question: Question, audio: Path, transcriber: Transcriber) -> GradedAnswer:
    """Transcribe a recorded answer (any format ffmpeg decodes) and score it."""
    if not audio.is_file():
        raise VoiceprepError(f"no such audio file: {audio}")
    if audio.stat().st_size == 0:
        raise VoiceprepError(f"{audio} is empty: record the answer again")
    seconds = recording_seconds(audio)
    if seconds is not None and seconds > LONG_RECORDING:
        transcript = transcribe_in_pieces(transcriber, audio)
    else:
        transcript = transcriber.transcribe(audio, DecodeOptions())
    return GradedAnswer(question.id, str(audio), score_answer(question, transcript.text, list(transcript.words)), transcript)
