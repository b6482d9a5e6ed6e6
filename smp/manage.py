"""Command line for set-up and maintenance: `python -m smp.manage --help`."""

from __future__ import annotations

import argparse
import sys

from smp.db import create_schema, session_scope
from smp.settings import get_settings


def _init_db(_args: argparse.Namespace) -> int:
    create_schema()
    print("Database schema is up to date.")
    return 0


def _sync_content(args: argparse.Namespace) -> int:
    from smp.content import sync_content

    create_schema()
    settings = get_settings()
    with session_scope() as session:
        outcome = sync_content(session, settings.answers_file, force=args.force)
    summary = ", ".join(f"{count} {what}" for what, count in sorted(outcome.items()))
    print(f"Answers loaded from {settings.answers_file}: {summary}.")
    if outcome.get("kept"):
        print("Answers edited by staff were kept; use --force to overwrite them.")
    return 0


def _build_spacy(args: argparse.Namespace) -> int:
    from smp.nlp import build_pipeline

    path = build_pipeline(args.output)
    print(f"spaCy pipeline written to {path}.")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser; other modules may add sub-commands to it."""
    parser = argparse.ArgumentParser(prog="python -m smp.manage")
    commands = parser.add_subparsers(dest="command", required=True)

    commands.add_parser("init-db", help="create the database tables").set_defaults(
        handler=_init_db
    )
    sync = commands.add_parser(
        "sync-content", help="load content/answers.yml into the database"
    )
    sync.add_argument(
        "--force", action="store_true", help="overwrite answers edited by staff"
    )
    sync.set_defaults(handler=_sync_content)

    spacy_cmd = commands.add_parser(
        "build-spacy", help="build the project's spaCy pipeline"
    )
    spacy_cmd.add_argument("--output", default="models/spacy/smp_en")
    spacy_cmd.set_defaults(handler=_build_spacy)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.handler(args)


if __name__ == "__main__":
    sys.exit(main())
