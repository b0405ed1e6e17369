"""The `voiceprep` command, run for real: practice end to end through virtual sound devices,
score, devices, bank, sessions, and the errors a user sees."""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from archives import BANK_ID, EXTRACTION, archive_answer
from conftest import write_wav
from rapidfuzz import fuzz

from voiceprep.cli import main
from voiceprep.store import Store
from voiceprep.textnorm import fold

QUESTION = "What is a model extraction attack, and what countermeasures would you put in place?"  # int-05
# Said into the microphone for int-05 (model extraction): three of its six points, plainly.
EXTRACTION_ANSWER = (
    "Model extraction is when an attacker sends lots of queries to copy the model. "
    "I would throttle the queries from every account. I would also add random noise to the outputs."
)
SAID_POINTS = {"replicating via queries", "rate limiting", "output perturbation"}
UNSAID_POINTS = {"watermarking", "prediction logging"}


def run_voiceprep(args: list[str], env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "voiceprep.cli", *args], env=env, capture_output=True, text=True,
        timeout=timeout, stdin=subprocess.DEVNULL,
    )


@pytest.mark.audio
def test_practice_speaks_records_transcribes_scores_and_archives(virtual_audio, speech, transcriber, tmp_path):
    virtual_audio.say_into_mic(speech(EXTRACTION_ANSWER), tail=4.0)
    data = tmp_path / "archive"
    done = run_voiceprep(["--data-dir", str(data), "practice", "--ids", "int-05", "--silence", "2", "--timings"], virtual_audio.env())
    assert done.returncode == 0, done.stderr

    row = sqlite3.connect(data / "voiceprep.db").execute(
        "SELECT status, transcript, result_json, audio_path FROM answers"
    ).fetchone()
    status, transcript, result_json, audio_path = row
    assert status == "scored"
    assert "throttle" in transcript.lower() and "noise to the output" in transcript.lower()
    points = {p["label"]: p["covered"] for p in json.loads(result_json)["points"]}
    assert {label for label, covered in points.items() if covered} >= SAID_POINTS
    assert not any(points[label] for label in UNSAID_POINTS)
    assert (data / audio_path).is_file()  # stored relative to the data dir
    assert re.search(r"You covered \d of 6 points\. You missed: .*watermarking", done.stdout)
    # The file-backed microphone runs faster than real time, so these are reported, not judged.
    assert re.search(r"timing: command to first spoken word \d+\.\d\d s", done.stdout)
    assert re.search(r"timing: int-05 end of answer to spoken feedback \d+\.\d\d s", done.stdout)

    # What the speaker received: the question, then the feedback, both intelligible.
    heard = virtual_audio.heard_by_speaker()
    assert len(heard) > 16000
    spoken_back = fold(transcriber.transcribe(heard).text)
    # The whole question, within a few mis-heard words: espeak's "countermeasures" comes back
    # as "come to measure" on some espeak-ng builds.
    assert fuzz.partial_ratio(fold(QUESTION), spoken_back) >= 85, spoken_back
    assert "you missed" in spoken_back


@pytest.mark.audio
def test_score_transcribes_an_answer_file_and_prints_json(speech, tmp_path, capsys):
    path = write_wav(tmp_path / "answer.wav", speech(EXTRACTION_ANSWER))
    assert main(["score", str(path), "--question", "int-05", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert "throttle" in result["transcript"].lower()
    covered = {p["label"] for p in result["points"] if p["covered"]}
    assert covered >= SAID_POINTS and not covered & UNSAID_POINTS
    rate = next(p for p in result["points"] if p["label"] == "rate limiting")
    assert rate["evidence"].lower().startswith("throttle")
    assert rate["evidence"] and rate["time_span"][1] > rate["time_span"][0]
    assert result["total"] == 6 and 0 < result["coverage"] < 1


def test_score_text_prints_each_point_and_the_feedback(capsys):
    assert main(["score", "--question", "int-05", "--text", "We rate limit queries but we did not use watermarking."]) == 0
    out = capsys.readouterr().out
    assert "[x] rate limiting" in out
    assert "[-] watermarking" in out  # denied, so not credited
    assert "You covered 1 of 6 points. You missed:" in out


def test_score_text_marks_a_point_said_only_for_another_idea(capsys):
    """The shipped bank lists "watermark PDFs" as a near miss of watermarking (model outputs)."""
    assert main(["score", "--question", "int-05", "--text", "We rate limit queries and watermark the PDFs we email."]) == 0
    out = capsys.readouterr().out
    assert "[x] rate limiting" in out
    assert '[~] watermarking (1.00)  "watermark"' in out


def test_score_text_marks_a_point_heard_in_an_answer_about_something_else(capsys):
    said = "Our photographers watermark every picture before it goes on the website, and the brochures too."
    assert main(["score", "--question", "int-05", "--text", said]) == 0
    out = capsys.readouterr().out
    assert '[?] watermarking (1.00, plausibility 0.15)  "watermark"' in out
    assert out.rstrip().endswith("Unclear: watermarking.")


@pytest.mark.parametrize(
    "args, message",
    [
        (["score", "--question", "int-05"], "give an audio file to score, or --text"),
        (["score", "missing.wav", "--question", "int-05"], "no such audio file: missing.wav"),
        (["score", "--question", "zzz-01", "--text", "x"], "no question 'zzz-01'"),
        (["bank", "list", "--bank", "nope"], "no bank named 'nope'"),
    ],
)
def test_bad_input_is_one_line_that_says_what_to_do(args, message, capsys):
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err


def test_an_empty_or_corrupt_audio_file_is_a_clear_error(tmp_path, capsys):
    (tmp_path / "empty.wav").write_bytes(b"")
    (tmp_path / "bad.wav").write_bytes(b"RIFF not really a wav file" * 10)
    assert main(["score", str(tmp_path / "empty.wav"), "--question", "int-05"]) == 2
    assert "is empty: record the answer again" in capsys.readouterr().err
    assert main(["score", str(tmp_path / "bad.wav"), "--question", "int-05"]) == 2
    assert "could not read audio from" in capsys.readouterr().err


@pytest.mark.skipif(
    Path("/proc/asound/cards").exists() and "no soundcards" not in Path("/proc/asound/cards").read_text(),
    reason="this machine has a real sound card, so 'no microphone' cannot be shown without mocking",
)
def test_practice_without_a_microphone_says_so_in_one_sentence(tmp_path):
    home = tmp_path / "home"  # no .asoundrc: on a machine with no sound card PortAudio sees no device
    home.mkdir()
    done = run_voiceprep(["--data-dir", str(tmp_path / "d"), "practice"], {**_plain_env(), "HOME": str(home)})
    assert done.returncode == 2
    assert done.stderr.strip().startswith("voiceprep: no microphone found")
    assert "voiceprep devices" in done.stderr and "--input-device" in done.stderr
    assert "Traceback" not in done.stderr and "PortAudioError" not in done.stderr


def _plain_env() -> dict[str, str]:
    import os

    return dict(os.environ)


@pytest.mark.audio
def test_devices_lists_the_virtual_microphone(capsys):
    assert main(["devices", "--json"]) == 0
    devices = json.loads(capsys.readouterr().out)
    assert any(d["inputs"] > 0 and d["is_default_input"] for d in devices)


def test_bank_list_shows_fifty_questions_in_six_sections(capsys):
    assert main(["bank", "list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert len(listed) == 50 and len({q["section"] for q in listed}) == 6
    assert main(["bank", "list", "--section", "Behavioral"]) == 0
    assert "Behavioral (5)" in capsys.readouterr().out


def test_bank_show_and_check(tmp_path, capsys):
    assert main(["bank", "show", "scn-03"]) == 0
    out = capsys.readouterr().out
    assert "Key points (in order):" in out and "rate limiting" in out
    broken = tmp_path / "broken.toml"
    broken.write_text('[bank]\nid = "b"\ntitle = "B"\nsections = ["S"]\n\n[[questions]]\nid = "q"\nsection = "S"\nprompt = "P?"\nhint = "H"\npoints = []\n')
    assert main(["bank", "check", str(broken)]) == 1
    assert "broken.toml:6: question 'q' has no key points" in capsys.readouterr().err


def test_sessions_list_and_path_on_an_empty_archive(private_data_dir, capsys):
    assert main(["sessions", "list"]) == 0
    assert "No sessions yet" in capsys.readouterr().out
    assert main(["sessions", "path"]) == 0
    assert capsys.readouterr().out.strip() == str(private_data_dir / "voiceprep.db")


@pytest.fixture
def three_sessions(private_data_dir):
    """Three sessions of one answer each, covering one, two and all four of int-05's points."""
    store = Store(private_data_dir)
    said = ["I would throttle queries.", "I would throttle queries and use watermarking.",
            "Throttle queries, add noise to the outputs, use watermarking and log predictions."]
    ids = [
        store.answer(archive_answer(store, EXTRACTION, text, f"2026-03-0{day}T09:00:00+00:00", np.zeros(16000, np.float32))).session_id
        for day, text in enumerate(said, start=1)
    ]
    store.close()
    return ids


def test_sessions_list_shows_the_newest_first_with_answers_and_coverage(three_sessions, capsys):
    assert main(["sessions", "list"]) == 0
    rows = capsys.readouterr().out.splitlines()
    assert [int(row.split()[0]) for row in rows] == three_sessions[::-1]
    assert [row.split("  ")[-2:] for row in rows] == [
        ["1 answer(s)", "coverage 100%"], ["1 answer(s)", "coverage 50%"], ["1 answer(s)", "coverage 25%"],
    ]
    assert all(f"  {BANK_ID}  " in row for row in rows)


def test_sessions_list_n_keeps_only_the_newest(three_sessions, capsys):
    assert main(["sessions", "list", "-n", "2"]) == 0
    assert [int(row.split()[0]) for row in capsys.readouterr().out.splitlines()] == three_sessions[:0:-1]


def test_sessions_list_json_carries_each_sessions_fields_and_honours_n(three_sessions, capsys):
    assert main(["sessions", "list", "--json", "-n", "2"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [s["id"] for s in listed] == three_sessions[:0:-1]
    assert [(s["answers"], s["mean_coverage"], s["bank_id"], s["mode"]) for s in listed] == [
        (1, 1.0, BANK_ID, "practice"), (1, 0.5, BANK_ID, "practice"),
    ]
    assert all(s["started_at"] and "ended_at" in s for s in listed)
