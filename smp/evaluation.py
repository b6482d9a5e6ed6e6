"""How well the assistant understands visitors, measured the way the server answers.

`rasa test nlu` scores the classifier's intent before the fallback applies. A
visitor sees something else: a message under the confidence threshold gets
"Did you mean…?" instead of an answer. This module parses evaluation sets
through the trained model exactly as the Rasa server does (fallback included)
and scores three things:

- right topic: in-scope messages answered directly with the labelled intent;
- false rejection: in-scope messages sent to the fallback or called off-topic;
- rejection: out-of-scope messages sent to the fallback or called off-topic.

`python -m smp.evaluation gate` is the build's gate (`make test-nlu`);
`python -m smp.evaluation plots` draws the confusion matrix and the fallback
threshold curve for docs/.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml

from smp.topics import FALLBACK_INTENT, UNCLEAR_INTENTS

OUT_OF_SCOPE = "out_of_scope"


@dataclass(frozen=True)
class Example:
    """One labelled message of an evaluation set."""

    text: str
    intent: str
    also: str = ""
    source: str = ""


@dataclass(frozen=True)
class Parsed:
    """What the model made of one message."""

    intent: str
    confidence: float
    # The classifier's own ranking, without the fallback's entry.
    ranking: tuple[tuple[str, float], ...]


def normalised(text: str) -> str:
    """Lower case, letters and digits only: for overlap checks between sets."""
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))


def load_real_questions(path: Path) -> list[Example]:
    """The real-question set: `questions:` entries with text, intent and source."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return [
        Example(
            text=str(entry["text"]),
            intent=str(entry["intent"]),
            also=str(entry.get("also") or ""),
            source=str(entry.get("source") or ""),
        )
        for entry in data.get("questions") or []
    ]


_ANNOTATION = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\{[^}]*\})")


def load_nlu_examples(path: Path) -> list[Example]:
    """Examples of a Rasa NLU YAML file, entity annotations removed."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    examples = []
    for block in data.get("nlu") or []:
        if "intent" not in block:
            continue
        for line in str(block.get("examples") or "").splitlines():
            line = line.strip()
            if line.startswith("- "):
                text = _ANNOTATION.sub(r"\1", line[2:].strip())
                examples.append(Example(text=text, intent=str(block["intent"])))
    return examples


def load_examples(path: Path) -> list[Example]:
    """Either kind of evaluation file, by its shape."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return load_real_questions(path) if "questions" in data else load_nlu_examples(path)


def quiet_rasa_logs() -> None:
    """Only warnings from Rasa while thousands of messages are parsed."""
    import logging

    import structlog

    logging.getLogger("rasa").setLevel(logging.WARNING)
    structlog.configure(
        wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING)
    )


def parse_all(model: Path, texts: Sequence[str]) -> list[Parsed]:
    """Parse every text with the trained model, as the Rasa server would."""
    import asyncio

    from rasa.core.agent import Agent

    quiet_rasa_logs()

    async def run() -> list[Parsed]:
        agent = Agent.load(str(model))
        results = []
        for text in texts:
            parsed = await agent.parse_message(text)
            intent = parsed.get("intent") or {}
            ranking = tuple(
                (str(item["name"]), float(item.get("confidence") or 0.0))
                for item in parsed.get("intent_ranking") or []
                if item.get("name") != FALLBACK_INTENT
            )
            results.append(
                Parsed(
                    intent=str(intent.get("name") or FALLBACK_INTENT),
                    confidence=float(intent.get("confidence") or 0.0),
                    ranking=ranking,
                )
            )
        return results

    return asyncio.run(run())


def rejected(intent: str) -> bool:
    """Whether the visitor gets "not understood" or "outside what I cover"."""
    return intent in UNCLEAR_INTENTS


@dataclass
class Score:
    """How one evaluation set fared as the server answers."""

    name: str
    in_scope: int = 0
    right_topic: int = 0
    falsely_rejected: int = 0
    out_of_scope: int = 0
    rejected: int = 0
    confusions: Counter[tuple[str, str]] = field(default_factory=Counter)

    @property
    def right_topic_rate(self) -> float:
        return self.right_topic / self.in_scope if self.in_scope else 1.0

    @property
    def false_rejection_rate(self) -> float:
        return self.falsely_rejected / self.in_scope if self.in_scope else 0.0

    @property
    def rejection_rate(self) -> float:
        return self.rejected / self.out_of_scope if self.out_of_scope else 1.0

    def summary(self) -> dict[str, Any]:
        return {
            "set": self.name,
            "in_scope": self.in_scope,
            "right_topic": round(self.right_topic_rate, 4),
            "falsely_rejected": round(self.false_rejection_rate, 4),
            "out_of_scope": self.out_of_scope,
            "rejected": round(self.rejection_rate, 4),
            "confusions": [
                {"expected": e, "got": g, "count": n}
                for (e, g), n in self.confusions.most_common(15)
            ],
        }


def score(name: str, examples: Sequence[Example], parsed: Sequence[Parsed]) -> Score:
    """Score parsed messages against their labels."""
    result = Score(name)
    for example, outcome in zip(examples, parsed, strict=True):
        if example.intent == OUT_OF_SCOPE:
            result.out_of_scope += 1
            result.rejected += rejected(outcome.intent)
            continue
        result.in_scope += 1
        if outcome.intent == example.intent:
            result.right_topic += 1
        else:
            result.falsely_rejected += rejected(outcome.intent)
            result.confusions[(example.intent, outcome.intent)] += 1
    return result


def with_threshold(parsed: Parsed, threshold: float, ambiguity: float) -> str:
    """The intent the server would give at another fallback threshold."""
    if not parsed.ranking:
        return FALLBACK_INTENT
    (best, confidence), *rest = parsed.ranking
    runner_up = rest[0][1] if rest else 0.0
    if confidence < threshold or confidence - runner_up < ambiguity:
        return FALLBACK_INTENT
    return best


@dataclass(frozen=True)
class CurvePoint:
    threshold: float
    right_topic: float
    falsely_rejected: float
    rejected: float


def threshold_curve(
    examples: Sequence[Example],
    parsed: Sequence[Parsed],
    thresholds: Iterable[float],
    ambiguity: float,
) -> list[CurvePoint]:
    """Right topic, false rejection and rejection at each fallback threshold."""
    points = []
    for threshold in thresholds:
        moved = [
            Parsed(with_threshold(p, threshold, ambiguity), p.confidence, p.ranking)
            for p in parsed
        ]
        result = score("curve", examples, moved)
        points.append(
            CurvePoint(
                round(threshold, 3),
                result.right_topic_rate,
                result.false_rejection_rate,
                result.rejection_rate,
            )
        )
    return points


def pick_threshold(
    points: Sequence[CurvePoint], max_false_rejection: float, min_rejection: float
) -> CurvePoint:
    """The threshold with the most right topics that still rejects enough.

    Among thresholds whose out-of-scope rejection and in-scope false rejection
    both meet their targets, the one with the highest right-topic rate (lowest
    threshold on ties); when none meets both, the one that rejects best.
    """
    meeting = [
        p
        for p in points
        if p.falsely_rejected <= max_false_rejection and p.rejected >= min_rejection
    ]
    if meeting:
        return max(meeting, key=lambda p: (p.right_topic, -p.threshold))
    return max(points, key=lambda p: (p.rejected - p.falsely_rejected, p.right_topic))


@dataclass(frozen=True)
class Gate:
    min_right_topic: float
    min_holdout: float
    min_rejection: float
    max_false_rejection: float


def gate_failures(real: Score, holdout: Score, gate: Gate) -> list[str]:
    """What falls short of the build's targets (empty when all are met)."""
    failures = []
    if real.right_topic_rate < gate.min_right_topic:
        failures.append(
            f"real questions: right topic {real.right_topic_rate:.3f} "
            f"< {gate.min_right_topic:.2f}"
        )
    if holdout.right_topic_rate < gate.min_holdout:
        failures.append(
            f"chat-style held-out: right topic {holdout.right_topic_rate:.3f} "
            f"< {gate.min_holdout:.2f}"
        )
    out_of_scope = real.out_of_scope + holdout.out_of_scope
    rejected_total = real.rejected + holdout.rejected
    rejection = rejected_total / out_of_scope if out_of_scope else 1.0
    if rejection < gate.min_rejection:
        failures.append(
            f"out-of-scope rejected {rejection:.3f} < {gate.min_rejection:.2f}"
        )
    in_scope = real.in_scope + holdout.in_scope
    false_rejection = (
        (real.falsely_rejected + holdout.falsely_rejected) / in_scope
        if in_scope
        else 0.0
    )
    if false_rejection > gate.max_false_rejection:
        failures.append(
            f"in-scope falsely rejected {false_rejection:.3f} "
            f"> {gate.max_false_rejection:.2f}"
        )
    return failures


def fallback_settings(config_path: Path) -> tuple[float, float]:
    """The FallbackClassifier's threshold and ambiguity threshold in config.yml."""
    config = yaml.safe_load(config_path.read_text(encoding="utf-8"))
    for step in config.get("pipeline") or []:
        if step.get("name") == "FallbackClassifier":
            return float(step.get("threshold", 0.3)), float(
                step.get("ambiguity_threshold", 0.1)
            )
    return 0.0, 0.0


def _print_score(result: Score) -> None:
    print(
        f"{result.name}: right topic {result.right_topic_rate:.3f} "
        f"({result.right_topic}/{result.in_scope}), falsely rejected "
        f"{result.false_rejection_rate:.3f}, out-of-scope rejected "
        f"{result.rejection_rate:.3f} ({result.rejected}/{result.out_of_scope})"
    )
    for (expected, got), count in result.confusions.most_common(6):
        print(f"    {expected} -> {got}: {count}")


def _gate(args: argparse.Namespace) -> int:
    real_examples = load_examples(args.real)
    holdout_examples = load_examples(args.holdout)
    parsed = parse_all(args.model, [e.text for e in real_examples + holdout_examples])
    real = score("real questions", real_examples, parsed[: len(real_examples)])
    holdout = score(
        "chat-style held-out", holdout_examples, parsed[len(real_examples) :]
    )
    for result in (real, holdout):
        _print_score(result)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "server_scores.json").write_text(
        json.dumps([real.summary(), holdout.summary()], indent=2), encoding="utf-8"
    )
    failures = gate_failures(
        real,
        holdout,
        Gate(args.min_real, args.min_holdout, args.min_rejection, args.max_false),
    )
    for failure in failures:
        print(f"FAILED: {failure}")
    return 1 if failures else 0


def _plots(args: argparse.Namespace) -> int:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    examples = load_examples(args.real)
    parsed = parse_all(args.model, [e.text for e in examples])
    threshold, ambiguity = fallback_settings(args.config)
    points = threshold_curve(
        examples, parsed, [i / 20 for i in range(1, 19)], ambiguity
    )
    chosen = pick_threshold(points, args.max_false, args.min_rejection)

    figure, axis = plt.subplots(figsize=(7, 4.2))
    xs = [p.threshold for p in points]
    axis.plot(xs, [p.right_topic for p in points], label="right topic (in scope)")
    axis.plot(xs, [p.falsely_rejected for p in points], label="falsely rejected")
    axis.plot(xs, [p.rejected for p in points], label="out of scope rejected")
    axis.axvline(threshold, color="grey", linestyle="--", label="shipped threshold")
    axis.axvline(chosen.threshold, color="black", linestyle=":", label="best")
    axis.set_xlabel("fallback threshold")
    axis.set_ylim(0, 1.02)
    axis.legend(loc="lower left", fontsize=8)
    axis.set_title("Real questions: answers against the fallback threshold")
    figure.tight_layout()
    figure.savefig(args.out / "nlu-threshold-curve.png", dpi=110)
    plt.close(figure)

    labels = sorted({e.intent for e in examples} | {FALLBACK_INTENT})
    index = {name: i for i, name in enumerate(labels)}
    matrix = [[0] * len(labels) for _ in labels]
    for example, outcome in zip(examples, parsed, strict=True):
        got = outcome.intent if outcome.intent in index else FALLBACK_INTENT
        matrix[index[example.intent]][index[got]] += 1
    figure, axis = plt.subplots(figsize=(9, 8))
    axis.imshow(matrix, cmap="Blues")
    axis.set_xticks(range(len(labels)), labels, rotation=70, ha="right", fontsize=7)
    axis.set_yticks(range(len(labels)), labels, fontsize=7)
    for row, values in enumerate(matrix):
        for column, count in enumerate(values):
            if count:
                axis.text(column, row, str(count), ha="center", va="center", fontsize=6)
    axis.set_xlabel("answered as")
    axis.set_ylabel("labelled")
    axis.set_title("Real questions: confusion matrix as the server answers")
    figure.tight_layout()
    figure.savefig(args.out / "nlu-confusion-matrix.png", dpi=110)
    plt.close(figure)
    print(
        json.dumps(
            {
                "shipped": threshold,
                "best": asdict(chosen),
                "curve": [asdict(p) for p in points],
            },
            indent=2,
        )
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m smp.evaluation")
    commands = parser.add_subparsers(dest="command", required=True)
    for name, handler in (("gate", _gate), ("plots", _plots)):
        command = commands.add_parser(name)
        command.add_argument("--model", type=Path, required=True)
        command.add_argument("--real", type=Path, required=True)
        command.add_argument("--min-rejection", type=float, default=0.95)
        command.add_argument("--max-false", type=float, default=0.03)
        command.set_defaults(handler=handler)
        if name == "gate":
            command.add_argument("--holdout", type=Path, required=True)
            command.add_argument("--min-real", type=float, default=0.95)
            command.add_argument("--min-holdout", type=float, default=0.98)
            command.add_argument("--out", type=Path, default=Path("results/nlu"))
        else:
            command.add_argument("--config", type=Path, default=Path("config.yml"))
            command.add_argument("--out", type=Path, default=Path("docs"))
    args = parser.parse_args(argv)
    return int(args.handler(args))


if __name__ == "__main__":
    sys.exit(main())
