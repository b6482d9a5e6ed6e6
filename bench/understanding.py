"""The "Understanding" part of docs/benchmarks.md: both evaluation sets as the
server answers, the confusion matrix and threshold curve images, and 5-fold
cross-validation on the training data."""

from __future__ import annotations

import json
import subprocess
import tempfile
from pathlib import Path

from launcher.services import PROJECT_ROOT, VENV_BIN, quiet_environment
from smp.evaluation import Score, load_examples, parse_all, score

REAL = PROJECT_ROOT / "tests" / "nlu" / "real_questions.yml"
HOLDOUT = PROJECT_ROOT / "tests" / "nlu" / "holdout.yml"
DOCS = PROJECT_ROOT / "docs"


def both_sets(model: Path) -> tuple[Score, Score]:
    """Real questions and the chat-style held-out set, as the server answers."""
    real_examples = load_examples(REAL)
    holdout_examples = load_examples(HOLDOUT)
    parsed = parse_all(model, [e.text for e in real_examples + holdout_examples])
    return (
        score("real questions", real_examples, parsed[: len(real_examples)]),
        score("chat-style held-out", holdout_examples, parsed[len(real_examples) :]),
    )


def draw_plots(model: Path) -> dict[str, object]:
    """Write the confusion matrix and threshold curve PNGs to docs/."""
    result = subprocess.run(
        [
            str(VENV_BIN / "python"),
            "-m",
            "smp.evaluation",
            "plots",
            "--model",
            str(model),
            "--real",
            str(REAL),
            "--out",
            str(DOCS),
        ],
        cwd=PROJECT_ROOT,
        env=quiet_environment(),
        check=True,
        capture_output=True,
        text=True,
    )
    start = result.stdout.index("{")
    plotted: dict[str, object] = json.loads(result.stdout[start:])
    return plotted


def cross_validation(folds: int = 5) -> dict[str, float]:
    """`rasa test nlu --cross-validation` on the training data: accuracy, F1."""
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [
                str(VENV_BIN / "rasa"),
                "test",
                "nlu",
                "--nlu",
                "data/nlu",
                "--cross-validation",
                "--folds",
                str(folds),
                "--out",
                tmp,
            ],
            cwd=PROJECT_ROOT,
            env=quiet_environment(),
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        report = json.loads((Path(tmp) / "intent_report.json").read_text())
    return {
        "accuracy": float(report["accuracy"]),
        "macro_f1": float(report["macro avg"]["f1-score"]),
        "weighted_f1": float(report["weighted avg"]["f1-score"]),
    }


def section(
    real: Score,
    holdout: Score,
    plotted: dict[str, object],
    folds: dict[str, float] | None,
) -> list[str]:
    """Markdown lines for docs/benchmarks.md."""
    out_of_scope = real.out_of_scope + holdout.out_of_scope
    rejected = real.rejected + holdout.rejected
    in_scope = real.in_scope + holdout.in_scope
    false = real.falsely_rejected + holdout.falsely_rejected
    best = plotted.get("best") or {}
    lines = [
        "## Understanding, as the server answers",
        "",
        "Each message is parsed by the trained model exactly as the Rasa server",
        "does, fallback included: *right topic* means answered directly with the",
        "labelled intent; *rejected* means sent to the fallback or called off-topic.",
        "The real questions (tests/nlu/real_questions.yml) were written by members",
        "of the public on forums, Q&A sites and clinic FAQ pages, each with its",
        "source; the chat-style set (tests/nlu/holdout.yml) was written apart from",
        "the training data. A test proves neither shares a message with it.",
        "",
        "| set | in scope | right topic | falsely rejected | out of scope | rejected |",
        "|---|---|---|---|---|---|",
    ]
    for result in (real, holdout):
        lines.append(
            f"| {result.name} | {result.in_scope} | {result.right_topic_rate:.3f} "
            f"| {result.false_rejection_rate:.3f} | {result.out_of_scope} "
            f"| {result.rejection_rate:.3f} |"
        )
    lines += [
        f"| both | {in_scope} | | {false / in_scope:.3f} | {out_of_scope} "
        f"| {rejected / out_of_scope:.3f} |",
        "",
        "Most frequent confusions on the real questions: "
        + ", ".join(
            f"{expected} → {got} ({count})"
            for (expected, got), count in real.confusions.most_common(6)
        )
        + ".",
        "",
        "![Confusion matrix of the real questions](nlu-confusion-matrix.png)",
        "",
        "The fallback threshold against the real questions (in scope and out of",
        f"scope): shipped {plotted.get('shipped')}, best by the curve "
        f"{best.get('threshold')} (right topic {best.get('right_topic', 0):.3f}, "
        f"falsely rejected {best.get('falsely_rejected', 0):.3f}, rejected "
        f"{best.get('rejected', 0):.3f}).",
        "",
        "![Fallback threshold curve](nlu-threshold-curve.png)",
        "",
    ]
    if folds:
        lines += [
            "5-fold cross-validation on the training data (`rasa test nlu "
            "--cross-validation`, intent before the fallback): accuracy "
            f"{folds['accuracy']:.3f}, macro-F1 {folds['macro_f1']:.3f}, weighted F1 "
            f"{folds['weighted_f1']:.3f}.",
            "",
        ]
    return lines
