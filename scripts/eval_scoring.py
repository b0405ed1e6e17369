"""Evaluate voiceprep's key point detection on labeled answers, written and spoken.

Ground truth: tests/data/eval/answers.toml (answers written independently of the bank's
aliases, each labeled with the key points it really makes). Spoken versions:
tests/data/eval/transcripts.json, made by scripts/make_eval_audio.py (two voices at two
rates, transcribed by tiny.en without bias, with an initial prompt and with hotwords).

Every figure is micro-averaged over (answer, key point) pairs: a pair is a true positive
when the point is labeled covered and the scorer credits it. Each figure sits beside an
exact-substring baseline: a point is credited when its label, lowercased, occurs in the
lowercased text.

Usage:
    python scripts/eval_scoring.py                 # the report
    python scripts/eval_scoring.py --split dev     # details for one split
    python scripts/eval_scoring.py --errors        # also list the dev split's errors (or --errors FILE)
    python scripts/eval_scoring.py --json          # machine-readable

Splits (by question): dev to tune on, test to check that a change generalizes, holdout written
after the first round of tuning (looked into since), holdout2 written before the second round
(a tuning set since the third), holdout3 written before the third round and reported only;
fresh: one new answer to every question, written blind (from prompt, hint and point labels
only) after the third round, and looked into in the fourth; fresh2: a second blind new answer
to every question, by other writers, written before the fourth round and reported only; fresh3:
a third, written after the fourth round and kept for the fifth (reported only); fresh4: a
fourth, by other writers, written during the fifth round, looked into in the sixth; fresh5: a
fifth, by other writers, written at the start of the sixth round, measured at its end and
looked into after that; fresh6: a sixth, written at the end of the sixth round and measured
once at the end of the seventh (reported only). denials and traps:
one denied and one trap answer to every question, written in the fifth round to tune the denial
and near-miss rules on. fresh to fresh6, denials and traps are split by answer, not by
question; fresh2, fresh3 and fresh6 measure answers the scorer was never tuned on (nor its
plausibility check trained on), to the questions it ships with.

The core is `evaluate(answers, transcripts, bank)`, importable from tests.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
import tomllib
from collections import defaultdict
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
try:  # the installed voiceprep (or one on PYTHONPATH, to evaluate another version)
    import voiceprep  # noqa: F401
except ImportError:
    sys.path.insert(0, str(ROOT))

from voiceprep.bank import Bank, KeyPoint, Question, load_bank  # noqa: E402
from voiceprep.scoring import score_answer  # noqa: E402

ANSWERS = ROOT / "tests" / "data" / "eval" / "answers.toml"
TRANSCRIPTS = ROOT / "tests" / "data" / "eval" / "transcripts.json"
BANK = ROOT / "questions" / "ai-cybersecurity-analyst.toml"
# dev: tune on it; test: reported, looked at only to check a rule generalizes; holdout:
# written after the first round of tuning, whose errors were then looked at, so it is a
# tuning set now too; holdout2: written before the second round, looked into in the third;
# holdout3: written before the third round for the last six questions, never looked into;
# fresh: a blind new answer to every question, looked into in the fourth round; fresh2: a
# second one, written before the fourth round, never looked into; fresh3: a third, written
# after the fourth round, never looked into; fresh4: a fourth, written in the fifth round,
# looked into in the sixth; fresh5: a fifth, written at the start of the sixth round,
# measured at its end, then looked into; fresh6: a sixth, written at the end of the sixth
# round, never looked into; denials, traps: a denied and a trap answer to every question
SPLITS = ("dev", "test", "holdout", "holdout2", "holdout3", "denials", "traps", "fresh", "fresh2", "fresh3", "fresh4", "fresh5", "fresh6", "all")
HELD_OUT = ("test", "holdout", "holdout2", "holdout3", "denials", "traps", "fresh", "fresh2", "fresh3", "fresh4", "fresh5", "fresh6")  # splits whose errors are listed only when asked for by name
BY_ANSWER = ("denials", "traps", "fresh", "fresh2", "fresh3", "fresh4", "fresh5", "fresh6")  # splits of new answers to questions that other splits hold
BY_QUESTION = "by-question"  # dev to holdout3 pooled: the answers transcribed with every decoder bias
VARIANTS = ("plain", "prompt", "hotwords")
RESERVED_KEYS = ("_meta", "silence")
# The scorer, the scorer without its plausibility check (what its matching rules credit), the baseline.
METHODS = ("scorer", "unchecked", "baseline")


def load_answers(path: Path = ANSWERS) -> list[dict]:
    with open(path, "rb") as f:
        return tomllib.load(f)["answers"]


def load_transcripts(path: Path = TRANSCRIPTS) -> dict:
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def baseline_covered(point: KeyPoint, text: str) -> bool:
    """The exact-substring baseline: the label occurs in the text."""
    return point.label.lower() in text.lower()


class Tally:
    """True positives, false positives and false negatives over (answer, point) pairs."""

    def __init__(self) -> None:
        self.tp = self.fp = self.fn = self.tn = 0

    def add(self, truth: bool, predicted: bool) -> None:
        if truth and predicted:
            self.tp += 1
        elif predicted:
            self.fp += 1
        elif truth:
            self.fn += 1
        else:
            self.tn += 1

    def figures(self) -> dict:
        precision = self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0
        recall = self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return {
            "precision": round(precision, 3),
            "recall": round(recall, 3),
            "f1": round(f1, 3),
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "pairs": self.tp + self.fp + self.fn + self.tn,
        }


class _Scores:
    """Scorer and baseline tallies, broken down by split, section and answer kind."""

    def __init__(self) -> None:
        self.tallies: dict[tuple[str, str, str], Tally] = defaultdict(Tally)  # (method, group, key)

    def add(self, method: str, answer: dict, section: str, truth: bool, predicted: bool) -> None:
        groups = [("split", answer["split"]), ("split", "all"), ("section", section), ("kind", answer["kind"])]
        if answer["split"] not in BY_ANSWER:  # the answers every decoder bias was tried on
            groups += [("split", BY_QUESTION), ("bias-kind", answer["kind"])]
        for group, key in groups:
            self.tallies[(method, group, key)].add(truth, predicted)

    def report(self, group: str, order: tuple[str, ...] = SPLITS) -> dict:
        keys = sorted({k for (_, g, k) in self.tallies if g == group}, key=lambda k: _order(k, order))
        return {
            key: {method: self.tallies[(method, group, key)].figures() for method in METHODS}
            for key in keys
        }


def _order(key: str, order: tuple[str, ...]) -> tuple[int, str]:
    return (order.index(key), key) if key in order else (len(order), key)


def _score_texts(answers: list[dict], texts: dict[str, str], bank: Bank, source: str, errors: list) -> _Scores:
    scores = _Scores()
    for answer in answers:
        text = texts.get(answer["id"])
        if text is None:
            continue
        question = bank.question(answer["question"])
        truth = set(answer["covers"])
        result = score_answer(question, text)
        for point, got in zip(question.points, result.points):
            is_true = point.label in truth
            scores.add("scorer", answer, question.section, is_true, got.covered)
            scores.add("unchecked", answer, question.section, is_true, got.covered or got.doubtful)
            scores.add("baseline", answer, question.section, is_true, baseline_covered(point, text))
            if is_true != got.covered:
                errors.append({
                    "source": source,
                    "answer": answer["id"],
                    "kind": answer["kind"],
                    "split": answer["split"],
                    "error": "FP" if got.covered else "FN",
                    "label": point.label,
                    "evidence": got.evidence,
                    "matched": got.matched_phrase,
                    "confidence": got.confidence,
                    "denied": got.denied,
                    "doubtful": got.doubtful,
                })
    return scores


def _silence_credit(transcripts: dict, bank: Bank, questions: set[str]) -> dict:
    """For each bias variant: silent clips that produced text, echoed the bias, or got credit."""
    out: dict[str, dict] = {}
    for question_id, clips in sorted(transcripts.get("silence", {}).items()):
        if question_id not in questions:
            continue
        question = bank.question(question_id)
        labels = [p.label.lower() for p in question.points]
        for clip_name, variants in clips.items():
            for variant, text in variants.items():
                row = out.setdefault(variant, {"clips": 0, "with_text": 0, "echoed": 0, "false_credit": 0, "examples": []})
                row["clips"] += 1
                if not text.strip():
                    continue
                row["with_text"] += 1
                lowered = text.lower()
                if any(label in lowered for label in labels) or question.prompt.lower()[:40] in lowered:
                    row["echoed"] += 1
                credited = [p.label for p in score_answer(question, text).points if p.covered]
                row["false_credit"] += len(credited)
                if len(row["examples"]) < 3:
                    row["examples"].append({"question": question_id, "clip": clip_name, "text": text, "credited": credited})
    return out


def transcript_voices(transcripts: dict) -> list[str]:
    voices: list[str] = []
    for key, value in transcripts.items():
        if key in RESERVED_KEYS:
            continue
        for voice in value:
            if voice not in voices:
                voices.append(voice)
    return voices


def evaluate(
    answers: list[dict],
    transcripts: dict,
    bank: Bank,
    voices: list[str] | None = None,
    variants: tuple[str, ...] = VARIANTS,
) -> dict:
    """Precision, recall and F1 of point detection on written answers and their transcripts.

    Returns a dict with "dataset" (sizes per split), "written" and "spoken" (per split,
    section and answer kind, scorer beside baseline; spoken per voice and bias variant),
    "bias" (all voices pooled, per variant), "silence" (false credit on silent clips) and
    "errors" (every false positive and false negative).
    """
    voices = transcript_voices(transcripts) if voices is None else voices
    errors: list[dict] = []
    written = _score_texts(answers, {a["id"]: a["text"] for a in answers}, bank, "written", errors)
    spoken: dict[str, dict] = {}
    pooled: dict[str, _Scores] = {}
    for variant in variants:
        pool = _Scores()
        for voice in voices:
            texts = {
                a["id"]: transcripts[a["id"]][voice][variant]
                for a in answers
                if variant in transcripts.get(a["id"], {}).get(voice, {})
            }
            if not texts:
                continue
            scores = _score_texts(answers, texts, bank, f"{voice}/{variant}", errors)
            spoken.setdefault(voice, {})[variant] = {
                "answers": len(texts),
                "split": scores.report("split"),
                "section": scores.report("section", bank.sections),
            }
            for key, tally in scores.tallies.items():
                target = pool.tallies[key]
                target.tp += tally.tp
                target.fp += tally.fp
                target.fn += tally.fn
                target.tn += tally.tn
        pooled[variant] = pool
    return {
        "dataset": _dataset(answers, bank),
        "written": {
            "split": written.report("split"),
            "section": written.report("section", bank.sections),
            "kind": written.report("kind"),
        },
        "spoken": spoken,
        "spoken_pooled": {
            variant: {
                "split": pool.report("split"),
                "section": pool.report("section", bank.sections),
                "kind": pool.report("kind"),
                "bias-kind": pool.report("bias-kind"),
            }
            for variant, pool in pooled.items()
            if pool.tallies
        },
        "silence": _silence_credit(transcripts, bank, {a["question"] for a in answers}),
        "errors": errors,
    }


def _dataset(answers: list[dict], bank: Bank) -> dict:
    out = {}
    for split in SPLITS:
        chosen = [a for a in answers if split == "all" or a["split"] == split]
        pairs = sum(len(bank.question(a["question"]).points) for a in chosen)
        out[split] = {
            "questions": len({a["question"] for a in chosen}),
            "answers": len(chosen),
            "labeled_points": sum(len(a["covers"]) for a in chosen),
            "pairs": pairs,
        }
    return out


def versions(bank_path: Path) -> dict:
    """What was evaluated: the scorer's, its denial rules', its plausibility model's and the bank's commits, and whether they were edited since."""
    import voiceprep.denials
    import voiceprep.plausibility
    import voiceprep.scoring

    plausibility = Path(voiceprep.plausibility.__file__).with_name(voiceprep.plausibility.MODEL_FILE)
    scorer = (
        ("scoring", Path(voiceprep.scoring.__file__)),
        ("denials", Path(voiceprep.denials.__file__)),
        ("plausibility", plausibility),
    )
    out = {}
    for name, path in (*scorer, ("bank", Path(bank_path))):
        try:
            run = lambda *a: subprocess.run(  # noqa: E731
                ["git", *a], cwd=path.parent, capture_output=True, text=True, check=True
            ).stdout.strip()
            commit = run("log", "-1", "--format=%h", "--", path.name) or "untracked"
            dirty = bool(run("status", "--porcelain", "--", path.name))
            out[name] = f"{path} @ {commit}{' + uncommitted changes' if dirty else ''}"
        except (OSError, subprocess.CalledProcessError):
            out[name] = str(path)
    return out


def check_answers(answers: list[dict], bank: Bank) -> list[str]:
    """Problems in the answers file: unknown questions or labels, mixed splits, duplicates."""
    problems = []
    seen: set[str] = set()
    split_of: dict[str, str] = {}
    for a in answers:
        if a["id"] in seen:
            problems.append(f"duplicate answer id {a['id']}")
        seen.add(a["id"])
        try:
            question = bank.question(a["question"])
        except Exception:
            problems.append(f"{a['id']}: unknown question {a['question']}")
            continue
        labels = {p.label for p in question.points}
        for label in a["covers"]:
            if label not in labels:
                problems.append(f"{a['id']}: '{label}' is not a point of {a['question']}")
        if a["split"] not in BY_ANSWER and split_of.setdefault(a["question"], a["split"]) != a["split"]:
            problems.append(f"{a['id']}: question {a['question']} is in two splits")
    return problems


def measure_speed(bank: Bank, answers: list[dict], words: int = 300, points: int = 12, runs: int = 200) -> dict:
    """Median time to score a `words`-word answer against a `points`-point question."""
    questions = sorted(bank.questions, key=lambda q: len(q.points), reverse=True)
    chosen: list[KeyPoint] = []
    for question in questions:  # the biggest question, topped up with points of others
        for point in question.points:
            if len(chosen) < points and point.label not in {p.label for p in chosen}:
                chosen.append(point)
    question: Question = replace(questions[0], points=tuple(chosen))
    pool = " ".join(a["text"] for a in answers).split()
    text = " ".join(pool[:words])
    score_answer(question, text)  # warm caches as in a session
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        score_answer(question, text)
        timings.append((time.perf_counter() - started) * 1000)
    return {
        "words": len(text.split()),
        "points": len(question.points),
        "phrasings": sum(len(p.phrasings) for p in question.points),
        "runs": runs,
        "median_ms": round(statistics.median(timings), 2),
        "p90_ms": round(sorted(timings)[int(runs * 0.9)], 2),
    }


# ---------------------------------------------------------------- printing


def _row(name: str, figures: dict, width: int = 22) -> str:
    s, b = figures["scorer"], figures["baseline"]
    return (
        f"  {name:<{width}} {s['precision']:>5.2f} {s['recall']:>5.2f} {s['f1']:>5.2f} "
        f"{s['tp']:>4} {s['fp']:>3} {s['fn']:>4}   |  {b['precision']:>5.2f} {b['recall']:>5.2f} {b['f1']:>5.2f}"
    )


def _header(title: str, width: int = 22) -> str:
    return (
        f"{title}\n  {'':<{width}} {'P':>5} {'R':>5} {'F1':>5} {'TP':>4} {'FP':>3} {'FN':>4}   |  "
        f"{'base P':>5} {'R':>5} {'F1':>5}"
    )


def print_report(result: dict, split: str, speed: dict | None, out=sys.stdout) -> None:
    p = lambda *a: print(*a, file=out)  # noqa: E731
    for name, where in result.get("versions", {}).items():
        p(f"{name}: {where}")
    p("Dataset (pairs = answer x key point; labeled = pairs labeled covered)")
    for name, d in result["dataset"].items():
        p(f"  {name:<5} {d['questions']:>3} questions {d['answers']:>4} answers {d['labeled_points']:>4} labeled points {d['pairs']:>5} pairs")
    p("")
    p(_header("Written answers: scorer vs exact-substring baseline"))
    for key, figures in result["written"]["split"].items():
        p(_row(key, figures))
    p("")
    p(_header(f"Written answers by section (split={split})"))
    for key, figures in result["written"]["section"].items():
        p(_row(key, figures))
    p("")
    p(_header(f"Written answers by answer kind (split={split}; FP on trap/denied/off-topic = false credit)"))
    for key, figures in result["written"]["kind"].items():
        p(_row(key, figures))
    p("")
    if result["spoken"]:
        p(_header("Spoken (tiny.en, no bias) per voice" + (": " + " / ".join(SPLITS) if split == "all" else f": {split}")))
        for voice, variants in result["spoken"].items():
            if "plain" not in variants:
                continue
            for key, figures in variants["plain"]["split"].items():
                if split == "all" or key == split:
                    p(_row(f"{voice} {key}", figures))
        p("")
        p(_header("Spoken, all voices pooled, per decoder bias (on the splits where a bias was tried)"))
        pools = result["spoken_pooled"]
        labeled = {key: f["scorer"]["tp"] + f["scorer"]["fn"] for key, f in pools.get("plain", {}).get("split", {}).items()}
        biased = {  # splits a bias was tried on whole: a few answers of a split are no comparison
            key for variant, pool in pools.items() if variant != "plain"
            for key, f in pool["split"].items() if f["scorer"]["tp"] + f["scorer"]["fn"] == labeled.get(key)
        }
        for variant, pool in pools.items():
            for key, figures in pool["split"].items():
                if key in biased and key != "all" and (split == "all" or key == split):
                    p(_row(f"{variant} {key}", figures))
        p("")
        p("Spoken, no bias, all voices pooled: the plausibility check's part (scorer with it | without it)")
        p(f"  {'':<22} {'P':>5} {'R':>5} {'F1':>5} {'FP':>4}   |  {'P':>5} {'R':>5} {'F1':>5} {'FP':>4}")
        for key, figures in result["spoken_pooled"].get("plain", {}).get("split", {}).items():
            if split == "all" or key == split:
                w, wo = figures["scorer"], figures["unchecked"]
                p(
                    f"  {key:<22} {w['precision']:>5.2f} {w['recall']:>5.2f} {w['f1']:>5.2f} {w['fp']:>4}   |  "
                    f"{wo['precision']:>5.2f} {wo['recall']:>5.2f} {wo['f1']:>5.2f} {wo['fp']:>4}"
                )
        p("")
        p(_header(f"Spoken by section, no bias, all voices pooled (split={split})"))
        for key, figures in result["spoken_pooled"].get("plain", {}).get("section", {}).items():
            p(_row(key, figures))
        p("")
        p(f"False credit per decoder bias (all voices pooled, {BY_QUESTION} splits)")
        p(f"  {'variant':<10} {'FP':>4} {'precision':>9} {'FP trap':>8} {'FP denied':>9} {'FP off-topic/wrong':>18} {'silence FP':>10}")
        silence = result["silence"]
        for variant, pool in result["spoken_pooled"].items():
            if BY_QUESTION not in pool["split"]:
                continue
            s = pool["split"][BY_QUESTION]["scorer"]
            kinds = pool["bias-kind"]
            fp = lambda k: kinds.get(k, {}).get("scorer", {}).get("fp", 0)  # noqa: E731
            p(
                f"  {variant:<10} {s['fp']:>4} {s['precision']:>9.3f} {fp('trap'):>8} {fp('denied'):>9} "
                f"{fp('off-topic') + fp('wrong'):>18} {silence.get(variant, {}).get('false_credit', 0):>10}"
            )
        p("")
    if result["silence"]:
        p("Silent clips (3 s zeros, 3 s low noise), transcribed with each bias")
        p(f"  {'variant':<16} {'clips':>5} {'with text':>9} {'echoed':>6} {'points credited':>15}")
        for variant, row in result["silence"].items():
            p(f"  {variant:<16} {row['clips']:>5} {row['with_text']:>9} {row['echoed']:>6} {row['false_credit']:>15}")
        for variant, row in result["silence"].items():
            for ex in row["examples"][:1]:
                p(f"    e.g. {variant} {ex['question']}/{ex['clip']}: {ex['text'][:90]!r} -> {ex['credited']}")
        p("")
    if speed:
        p(
            f"Speed: scoring a {speed['words']}-word answer against a {speed['points']}-point question "
            f"({speed['phrasings']} phrasings): median {speed['median_ms']} ms, p90 {speed['p90_ms']} ms over {speed['runs']} runs"
        )
    n_fp = sum(1 for e in result["errors"] if e["error"] == "FP")
    p(f"Errors: {n_fp} false positives, {len(result['errors']) - n_fp} false negatives (all sources); --errors lists the dev split's")


def print_errors(errors: list[dict], out) -> None:
    for e in sorted(errors, key=lambda e: (e["source"] != "written", e["source"], e["answer"], e["error"])):
        evidence = f" evidence={e['evidence']!r} via {e['matched']!r} ({e['confidence']})" if e["evidence"] else ""
        flag = " [denied]" if e["denied"] else " [doubtful]" if e["doubtful"] else ""
        print(f"{e['source']:<18} {e['error']} {e['answer']:<22} {e['label']!r}{evidence}{flag}", file=out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Evaluate key point detection on labeled answers.")
    parser.add_argument("--split", choices=SPLITS, default="all", help="answers to evaluate in detail (the split table always shows all)")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.add_argument("--errors", nargs="?", const="-", metavar="FILE", help=f"list the dev split's errors, or with --split {'|'.join(HELD_OUT)} that split's (to FILE, or stdout)")
    parser.add_argument("--voices", help="comma-separated voices (default: all in transcripts.json)")
    parser.add_argument("--no-speed", action="store_true", help="skip the speed measurement")
    parser.add_argument("--bank", default=str(BANK), help="bank file")
    args = parser.parse_args(argv)

    bank = load_bank(args.bank)
    answers = load_answers()
    problems = check_answers(answers, bank)
    if problems:
        print("answers.toml problems:\n  " + "\n  ".join(problems), file=sys.stderr)
        return 1
    # Timed first, in a process holding only the bank, as a practice session does: after the
    # evaluation has filled the heap and the scorer's caches, a call takes 0.3-0.6 ms longer.
    speed = None if args.no_speed else measure_speed(bank, answers)
    transcripts = load_transcripts()
    voices = args.voices.split(",") if args.voices else None
    result = evaluate(answers, transcripts, bank, voices)
    if args.split != "all":  # details for one split; the split table keeps them all
        detail = evaluate([a for a in answers if a["split"] == args.split], transcripts, bank, voices)
        detail["written"]["split"] = result["written"]["split"]
        detail["dataset"] = result["dataset"]
        result = detail
    result["versions"] = versions(Path(args.bank))
    if args.json:
        print(json.dumps({**result, "speed": speed, "split": args.split}, indent=1))
    else:
        print_report(result, args.split, speed)
    if args.errors:
        # Errors are what people tune aliases and the scorer against; unless a held-out
        # split is asked for by name, list only dev errors so those stay held out.
        named = args.split in HELD_OUT
        errors = result["errors"] if named else [e for e in result["errors"] if e["split"] == "dev"]
        note = "" if named else f" (dev split only: tune on these; --split {'|'.join(HELD_OUT)} shows the held-out ones)"
        if args.errors == "-":
            print(f"\nErrors{note}:")
            print_errors(errors, sys.stdout)
        else:
            with open(args.errors, "w", encoding="utf-8") as f:
                print_errors(errors, f)
            print(f"{len(errors)} errors written to {args.errors}{note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
