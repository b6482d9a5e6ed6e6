"""Train NLU with a given pipeline and score it on the held-out set.

Used by `make bench` for the headline accuracy and by the pipeline ablation
(`python -m bench.nlu --ablation`), which measures what each spaCy stage adds.
"""

from __future__ import annotations

import argparse
import copy
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import yaml

from smp.evaluation import read_intent_report
from smp.nlp import build_pipeline
from smp.services import PROJECT_ROOT, VENV_BIN, quiet_environment

HOLDOUT = PROJECT_ROOT / "tests" / "nlu" / "holdout.yml"


@dataclass(frozen=True)
class NluRun:
    """One trained-and-evaluated NLU variant."""

    name: str
    accuracy: float
    macro_f1: float
    train_seconds: float


def _rasa(*args: str) -> None:
    subprocess.run(
        [str(VENV_BIN / "rasa"), *args],
        cwd=PROJECT_ROOT,
        env=quiet_environment(),
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def evaluate_config(name: str, config: dict, workdir: Path) -> NluRun:
    """Train NLU with `config` and evaluate it on the held-out set."""
    config_path = workdir / f"{name}.yml"
    config_path.write_text(yaml.safe_dump(config, sort_keys=False))
    started = time.perf_counter()
    _rasa(
        "train",
        "nlu",
        "--config",
        str(config_path),
        "--nlu",
        "data/nlu",
        "--out",
        str(workdir),
        "--fixed-model-name",
        name,
    )
    seconds = time.perf_counter() - started
    results = workdir / f"{name}-results"
    _rasa(
        "test",
        "nlu",
        "--nlu",
        str(HOLDOUT),
        "--model",
        str(workdir / f"{name}.tar.gz"),
        "--out",
        str(results),
    )
    score = read_intent_report(results / "intent_report.json")
    return NluRun(name, score.accuracy, score.macro_f1, seconds)


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

    whitespace = copy.deepcopy(base)
    whitespace["pipeline"] = [{"name": "WhitespaceTokenizer"}] + [
        step
        for step in base["pipeline"]
        if step["name"] not in {"SpacyNLP", "SpacyTokenizer"}
        and not step["name"].endswith("DomainEntityExtractor")
    ]
    variants["no_spacy"] = whitespace
    return variants


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.nlu")
    parser.add_argument("--ablation", action="store_true")
    parser.add_argument("--only", nargs="*", help="variant names to run")
    args = parser.parse_args()
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
                f"train {run.train_seconds:.0f}s",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
