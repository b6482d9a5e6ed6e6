"""Train the assistant in one process: `python -m launcher.train`.

What `make train` runs. It does the work of `build-spacy` followed by
`rasa train`, with two savings:

- the spaCy pipeline is built in the process that trains, so Rasa and
  TensorFlow are imported once instead of twice;
- the domain, stories and NLU data are read once and shared by the
  validation and the training, where `rasa train` reads them for each.

The validation is the one `rasa train` runs (errors stop the training,
warnings are printed), and the model is the one it would write. Sharing the
data takes Rasa's own training step (`rasa.model_training._train_graph`),
which `rasa train` calls once it has read the data itself; Rasa is pinned at
3.6.21, and tests/unit/test_launcher_train.py trains through it.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from launcher.services import MODELS_DIR
from smp.settings import PROJECT_ROOT

SPACY_MODEL = MODELS_DIR / "spacy" / "smp_en"


def train(
    out: Path = MODELS_DIR,
    fixed_name: str = "smp-assistant",
    *,
    build_spacy: bool = True,
    force: bool = False,
    project: Path = PROJECT_ROOT,
) -> Path | None:
    """Train NLU and dialogue; returns the model file, or None on failure."""
    if build_spacy:
        from smp.nlp import build_pipeline

        print(f"spaCy pipeline written to {build_pipeline(SPACY_MODEL)}.", flush=True)

    import rasa.cli.utils
    from rasa.model_training import _train_graph
    from rasa.shared.data import TrainingType
    from rasa.shared.importers.importer import TrainingDataImporter

    importer = TrainingDataImporter.load_from_config(
        config_path=str(project / "config.yml"),
        domain_path=str(project / "domain.yml"),
        training_data_paths=[str(project / "data")],
    )
    # Exits with Rasa's own message when the data or the domain has errors.
    rasa.cli.utils.validate_files(
        fail_on_warnings=False, max_history=None, importer=importer
    )
    result = _train_graph(
        importer,
        training_type=TrainingType.BOTH,
        output_path=str(out),
        fixed_model_name=fixed_name,
        force_full_training=force,
    )
    return Path(result.model) if result.code == 0 and result.model else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=MODELS_DIR)
    parser.add_argument("--fixed-model-name", default="smp-assistant")
    parser.add_argument(
        "--skip-spacy",
        action="store_true",
        help="use the spaCy pipeline already in models/spacy",
    )
    parser.add_argument(
        "--force", action="store_true", help="retrain every part, cached or not"
    )
    args = parser.parse_args(argv)
    from rasa.utils.common import configure_logging_and_warnings

    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)-8s %(name)s - %(message)s"
    )
    configure_logging_and_warnings(logging.INFO)
    model = train(
        args.out,
        args.fixed_model_name,
        build_spacy=not args.skip_spacy,
        force=args.force,
    )
    if model is None:
        print("Training failed; the previous model was kept.", file=sys.stderr)
        return 1
    print(f"Model written to {model}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
