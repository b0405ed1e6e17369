"""Train the plausibility check (voiceprep/plausibility.py) on the labeled evaluation answers.

Every answer of the training splits, written and as each voice's plain transcript, is
scored without the check; each point whose words are credited is one example, labeled
right when the answer really covers the point. A logistic regression (L2, fitted by
Newton's method on standardized features) learns from them, once with each question's
model answer among its words and once without, for banks that have none.

The threshold is the one that gives the best F1 in 5-fold cross-validation (folds by
question, so no question is judged by a model that saw answers to it) on the training
answers of every kind mix as it comes: the denials and traps splits, one kind each, are
trained on but left out of the choice, since they hold far more misleading answers than
people give. (Counting precision twice as much as recall, F0.5, chose the highest
threshold tried, 0.6, which on answers never trained on cost up to 0.13 of recall.)

fresh2, fresh3 and fresh6 are never trained on: they measure the result.

Usage:
    python scripts/train_plausibility.py            # train, print the cross-validated figures, write the model
    python scripts/train_plausibility.py --dry-run  # print only
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import eval_scoring  # noqa: E402
from voiceprep.bank import Bank, load_bank  # noqa: E402
from voiceprep.plausibility import FEATURES, MODEL_FILE  # noqa: E402
from voiceprep.scoring import mention_features  # noqa: E402

HELD_BACK = ("fresh2", "fresh3", "fresh6")  # never trained on: they measure the model
ONE_KIND = ("denials", "traps")  # trained on, but left out of the threshold's choice
L2 = 3.0  # penalty on the standardized weights
FOLDS = 5
THRESHOLDS = tuple(round(t, 2) for t in np.arange(0.05, 0.65, 0.05))
MODEL_PATH = ROOT / "voiceprep" / MODEL_FILE
VARIANTS = ("with_model_answer", "without_model_answer")


@dataclass
class Examples:
    """Credited mentions (features, whether right) and, per text, how many points it really covers."""

    features: list[list[float]]
    right: list[bool]
    question: list[str]  # of each example, for folds by question
    split: list[str]
    labeled: dict[tuple[str, str], int]  # (text id, split) -> points the text really covers
    text_of: list[tuple[str, str]]  # each example's text id and split

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        return np.array(self.features, dtype=float), np.array(self.right, dtype=bool)


def collect(answers: list[dict], transcripts: dict, bank: Bank, without_model_answer: bool) -> Examples:
    examples = Examples([], [], [], [], {}, [])
    for answer in answers:
        if answer["split"] in HELD_BACK:
            continue
        question = bank.question(answer["question"])
        if without_model_answer:
            question = replace(question, model_answer=None)
        covers = set(answer["covers"])
        texts = {"written": answer["text"]}
        for voice, variants in transcripts.get(answer["id"], {}).items():
            if isinstance(variants, dict) and "plain" in variants:
                texts[voice] = variants["plain"]
        for source, text in texts.items():
            key = (f"{answer['id']}/{source}", answer["split"])
            examples.labeled[key] = len(covers)
            for label, features in mention_features(question, text).items():
                examples.features.append([features[name] for name in FEATURES])
                examples.right.append(label in covers)
                examples.question.append(answer["question"])
                examples.split.append(answer["split"])
                examples.text_of.append(key)
    return examples


def fit(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, float]:
    """Weights and bias on the features as they are, fitted on standardized ones."""
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    z = np.c_[(x - mean) / scale, np.ones(len(x))]
    w = np.zeros(z.shape[1])
    penalty = np.diag([L2] * (z.shape[1] - 1) + [0.0])
    for _ in range(100):
        p = 1 / (1 + np.exp(-z @ w))
        gradient = z.T @ (p - y) + penalty @ w
        hessian = z.T @ (z * (p * (1 - p))[:, None]) + penalty
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if np.abs(step).max() < 1e-12:
            break
    weights = w[:-1] / scale
    return weights, float(w[-1] - weights @ mean)


def predict(weights: np.ndarray, bias: float, x: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-(x @ weights + bias)))


def cross_validated(examples: Examples) -> np.ndarray:
    """Each example's probability from a model trained without its question's answers."""
    x, y = examples.arrays()
    questions = sorted(set(examples.question))
    fold_of = {q: i % FOLDS for i, q in enumerate(np.random.default_rng(0).permutation(questions))}
    folds = np.array([fold_of[q] for q in examples.question])
    probability = np.zeros(len(y))
    for k in range(FOLDS):
        weights, bias = fit(x[folds != k], y[folds != k])
        probability[folds == k] = predict(weights, bias, x[folds == k])
    return probability


def figures(examples: Examples, probability: np.ndarray, threshold: float, splits: set[str] | None) -> dict:
    """Precision, recall and F1 of credit with the check at `threshold` (0: without it), over `splits` (None: all)."""
    _, right = examples.arrays()
    chosen = np.array([splits is None or s in splits for s in examples.split])
    kept = chosen & (probability >= threshold)
    tp, fp = int((kept & right).sum()), int((kept & ~right).sum())
    labeled = sum(n for (_, split), n in examples.labeled.items() if splits is None or split in splits)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / labeled if labeled else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "tp": tp, "fp": fp}


def train(answers: list[dict], transcripts: dict, bank: Bank, out=sys.stdout) -> dict:
    """Both models and the threshold, with the cross-validated figures printed."""
    models: dict[str, dict] = {}
    mixed: set[str] = {a["split"] for a in answers} - set(HELD_BACK) - set(ONE_KIND)
    chosen_threshold = None
    for variant in VARIANTS:
        examples = collect(answers, transcripts, bank, without_model_answer=variant == "without_model_answer")
        probability = cross_validated(examples)
        print(f"{variant}: {len(examples.right)} credited mentions, {sum(examples.right)} right", file=out)
        print(f"  {'threshold':>9}  {'mixed kinds P / R / F1':>22}  {'all training P / R / F1':>24}", file=out)
        rows = []
        for threshold in (0.0, *THRESHOLDS):
            m, a = figures(examples, probability, threshold, mixed), figures(examples, probability, threshold, None)
            rows.append((m["f1"], threshold))
            print(
                f"  {threshold:>9.2f}  {m['precision']:.3f} / {m['recall']:.3f} / {m['f1']:.3f}"
                f"    {a['precision']:.3f} / {a['recall']:.3f} / {a['f1']:.3f}",
                file=out,
            )
        if chosen_threshold is None:  # chosen on the richer model; the other shares it
            chosen_threshold = max(rows)[1]
        x, y = examples.arrays()
        weights, bias = fit(x, y)
        models[variant] = {"bias": bias, "weights": dict(zip(FEATURES, weights.tolist()))}
    print(f"threshold: {chosen_threshold} (best cross-validated F1 on the mixed-kind splits)", file=out)
    return {"threshold": chosen_threshold, "models": models}


def render(trained: dict) -> str:
    lines = [
        "# Written by scripts/train_plausibility.py from the labeled evaluation answers (all splits",
        "# but fresh2, fresh3 and fresh6). Train again after changing the scorer, the bank or the",
        "# answers: tests/test_plausibility.py fails while this file is stale.",
        f"threshold = {trained['threshold']}",
    ]
    for variant, model in trained["models"].items():
        lines += ["", f"[{variant}]", f"bias = {model['bias']!r}", "", f"[{variant}.weights]"]
        lines += [f"{name} = {weight!r}" for name, weight in model["weights"].items()]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Train voiceprep's plausibility check on the labeled answers.")
    parser.add_argument("--dry-run", action="store_true", help="print the figures, do not write the model")
    args = parser.parse_args(argv)
    bank = load_bank(eval_scoring.BANK)
    trained = train(eval_scoring.load_answers(), eval_scoring.load_transcripts(), bank)
    if not args.dry_run:
        MODEL_PATH.write_text(render(trained), encoding="utf-8")
        print(f"wrote {MODEL_PATH.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
