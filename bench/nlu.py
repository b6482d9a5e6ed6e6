"""Train NLU with a given pipeline and score it on the held-out set.

Used by `make bench` for the headline accuracy and by the pipeline ablation
(`python -m bench.nlu --ablation`), which measures what each spaCy stage adds.
"""

from __future__ import annotations

import argparse
import copy
import json
import random
import re
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import yaml

from launcher.services import PROJECT_ROOT, VENV_BIN, quiet_environment
from smp.nlp import build_pipeline

HOLDOUT = PROJECT_ROOT / "tests" / "nlu" / "holdout.yml"
NLU_DATA = PROJECT_ROOT / "data" / "nlu"


@dataclass(frozen=True)
class NluScore:
    """Headline figures of one `rasa test nlu` intent report."""

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


@dataclass(frozen=True)
class NluRun:
    """One trained-and-evaluated NLU variant."""

    name: str
    accuracy: float
    macro_f1: float
    train_seconds: float
    typo_accuracy: float | None = None


_ANNOTATED = re.compile(r"\[([^\]]+)\](\([^)]*\)|\{[^}]*\})")


def misspell(text: str, rng: random.Random) -> str:
    """One typo (swap, drop or double a letter) in one longer word of the text."""
    plain = _ANNOTATED.sub(r"\1", text)
    words = plain.split(" ")
    candidates = [
        i for i, word in enumerate(words) if len(word) >= 5 and word.isalpha()
    ]
    if not candidates:
        return plain
    index = rng.choice(candidates)
    word = words[index]
    at = rng.randrange(1, len(word) - 1)
    kind = rng.choice(("swap", "drop", "double"))
    if kind == "swap":
        word = word[:at] + word[at + 1] + word[at] + word[at + 2 :]
    elif kind == "drop":
        word = word[:at] + word[at + 1 :]
    else:
        word = word[:at] + word[at] + word[at:]
    words[index] = word
    return " ".join(words)


def typo_holdout(path: Path, seed: int = 7) -> Path:
    """The held-out set with one seeded typo per message, written to `path`."""
    rng = random.Random(seed)
    data = yaml.safe_load(HOLDOUT.read_text(encoding="utf-8"))
    out = ['version: "3.1"', "nlu:"]
    for block in data["nlu"]:
        if "intent" not in block:
            continue
        out += [f"- intent: {block['intent']}", "  examples: |"]
        for line in block["examples"].splitlines():
            if line.strip().startswith("- "):
                out.append(f"    - {misspell(line.strip()[2:], rng)}")
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    return path


def _rasa(*args: str) -> None:
    subprocess.run(
        [str(VENV_BIN / "rasa"), *args],
        cwd=PROJECT_ROOT,
        env=quiet_environment(),
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def score_model(model: Path, test_data: Path, out: Path) -> NluScore:
    """Run `rasa test nlu` on `test_data` and summarise its intent report."""
    _rasa(
        "test", "nlu", "--nlu", str(test_data), "--model", str(model), "--out", str(out)
    )
    return read_intent_report(out / "intent_report.json")


def evaluate_config(name: str, config: dict, workdir: Path) -> NluRun:
    """Train NLU with `config` and evaluate it on the held-out set."""
    model, seconds = train_nlu(name, config, workdir)
    score = score_model(model, HOLDOUT, workdir / f"{name}-results")
    typo = score_model(
        model, typo_holdout(workdir / "typo_holdout.yml"), workdir / f"{name}-typos"
    )
    return NluRun(name, score.accuracy, score.macro_f1, seconds, typo.accuracy)


REAL_QUESTIONS = PROJECT_ROOT / "tests" / "nlu" / "real_questions.yml"


@dataclass(frozen=True)
class ServerRun:
    """One trained NLU model scored as the server answers."""

    name: str
    seed: int
    real_right_topic: float
    holdout_right_topic: float
    rejection: float
    false_rejection: float
    train_seconds: float


def with_seed(config: dict, seed: int) -> dict:
    """`config` with every seeded trainable component on `seed`."""
    seeded = copy.deepcopy(config)
    for step in seeded["pipeline"]:
        if step["name"] in {"DIETClassifier", "LogisticRegressionClassifier"}:
            key = "random_state" if "Logistic" in step["name"] else "random_seed"
            step[key] = seed
    return seeded


def train_nlu(
    name: str, config: dict, workdir: Path, nlu: Path = NLU_DATA
) -> tuple[Path, float]:
    """Train NLU only with `config`; the model file and the seconds it took."""
    config_path = workdir / f"{name}.yml"
    config_path.write_text(yaml.safe_dump(config, sort_keys=False))
    started = time.perf_counter()
    _rasa(
        "train",
        "nlu",
        "--config",
        str(config_path),
        "--nlu",
        str(nlu),
        "--out",
        str(workdir),
        "--fixed-model-name",
        name,
    )
    return workdir / f"{name}.tar.gz", time.perf_counter() - started


def server_run(
    name: str, seed: int, config: dict, workdir: Path, nlu: Path = NLU_DATA
) -> ServerRun:
    """Train with `seed` and score real questions and the held-out set."""
    from smp.evaluation import load_examples, parse_all, score

    model, seconds = train_nlu(f"{name}-{seed}", with_seed(config, seed), workdir, nlu)
    real_examples = load_examples(REAL_QUESTIONS)
    holdout_examples = load_examples(HOLDOUT)
    parsed = parse_all(model, [e.text for e in real_examples + holdout_examples])
    real = score("real", real_examples, parsed[: len(real_examples)])
    holdout = score("holdout", holdout_examples, parsed[len(real_examples) :])
    out_of_scope = real.out_of_scope + holdout.out_of_scope
    in_scope = real.in_scope + holdout.in_scope
    return ServerRun(
        name,
        seed,
        real.right_topic_rate,
        holdout.right_topic_rate,
        (real.rejected + holdout.rejected) / out_of_scope,
        (real.falsely_rejected + holdout.falsely_rejected) / in_scope,
        seconds,
    )


def spread(values: list[float]) -> str:
    mean = sum(values) / len(values)
    return f"{mean:.3f} [{min(values):.3f}–{max(values):.3f}]"


def compare_over_seeds(
    configs: dict[str, dict], seeds: list[int], workdir: Path, nlu: Path = NLU_DATA
) -> dict[str, list[ServerRun]]:
    """Every config trained with every seed; prints mean and range per config."""
    results: dict[str, list[ServerRun]] = {}
    for name, config in configs.items():
        runs = [server_run(name, seed, config, workdir, nlu) for seed in seeds]
        results[name] = runs
        print(
            f"{name:22s} real {spread([r.real_right_topic for r in runs])}  "
            f"held-out {spread([r.holdout_right_topic for r in runs])}  "
            f"rejected {spread([r.rejection for r in runs])}  "
            f"false rejections {spread([r.false_rejection for r in runs])}  "
            f"train {spread([r.train_seconds for r in runs])}s",
            flush=True,
        )
    return results


def base_config() -> dict:
    return yaml.safe_load((PROJECT_ROOT / "config.yml").read_text())


def ablation_configs(workdir: Path) -> dict[str, dict]:
    """The shipped pipeline and variants without each spaCy stage."""
    base = base_config()
    variants: dict[str, dict] = {"shipped": base}

    plain = build_pipeline(workdir / "spacy_plain", normalise=False, spelling=False)
    no_spelling = build_pipeline(workdir / "spacy_nospell", spelling=False)
    for name, model in (("no_normaliser", plain), ("no_spelling", no_spelling)):
        config = copy.deepcopy(base)
        config["pipeline"][0]["model"] = str(model)
        variants[name] = config
    # No variant without spaCy: the intent classifier reads spaCy's lemmas.
    return variants


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.nlu")
    parser.add_argument("--ablation", action="store_true")
    parser.add_argument("--only", nargs="*", help="variant names to run")
    parser.add_argument(
        "--configs", nargs="*", type=Path, help="config files to compare over seeds"
    )
    parser.add_argument("--seeds", nargs="*", type=int, default=[1, 2, 3])
    parser.add_argument(
        "--nlu", type=Path, default=NLU_DATA, help="training data to compare on"
    )
    args = parser.parse_args()
    if args.configs:
        with tempfile.TemporaryDirectory() as tmp:
            configs = {
                path.stem: yaml.safe_load(path.read_text()) for path in args.configs
            }
            compare_over_seeds(configs, args.seeds, Path(tmp), args.nlu)
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        configs = (
            ablation_configs(workdir) if args.ablation else {"shipped": base_config()}
        )
        for name, config in configs.items():
            if args.only and name not in args.only:
                continue
            run = evaluate_config(name, config, workdir)
            print(
                f"{run.name:15s} accuracy {run.accuracy:.3f}  macro-F1 {run.macro_f1:.3f}  "
                f"with typos {run.typo_accuracy:.3f}  train {run.train_seconds:.0f}s",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
