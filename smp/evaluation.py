"""Reading Rasa's NLU evaluation reports: `python -m smp.evaluation check-nlu`."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class NluScore:
    """Headline figures of one intent report."""

    accuracy: float
    macro_f1: float
    weighted_f1: float
    support: int
    weakest: list[tuple[str, float]]


def read_intent_report(path: Path) -> NluScore:
    """Summarise Rasa's `intent_report.json`."""
    report = json.loads(path.read_text(encoding="utf-8"))
    per_intent = {
        name: figures
        for name, figures in report.items()
        if isinstance(figures, dict)
        and "f1-score" in figures
        and name not in {"macro avg", "weighted avg", "micro avg"}
    }
    weakest = sorted(
        ((name, round(f["f1-score"], 3)) for name, f in per_intent.items()),
        key=lambda item: item[1],
    )[:5]
    return NluScore(
        accuracy=float(report["accuracy"]),
        macro_f1=float(report["macro avg"]["f1-score"]),
        weighted_f1=float(report["weighted avg"]["f1-score"]),
        support=int(report["macro avg"]["support"]),
        weakest=weakest,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m smp.evaluation")
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("check-nlu", help="fail below an accuracy threshold")
    check.add_argument("report", type=Path)
    check.add_argument("--min-accuracy", type=float, required=True)
    args = parser.parse_args(argv)

    score = read_intent_report(args.report)
    print(
        f"Held-out NLU: accuracy {score.accuracy:.3f}, macro-F1 {score.macro_f1:.3f} "
        f"on {score.support} messages (threshold {args.min_accuracy:.2f})."
    )
    print("Weakest intents: " + ", ".join(f"{n} {f:.2f}" for n, f in score.weakest))
    if score.accuracy < args.min_accuracy:
        print("FAILED: held-out accuracy is below the threshold.")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
