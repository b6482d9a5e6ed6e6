"""Command line for set-up and maintenance: `python -m launcher.manage --help`."""

from __future__ import annotations

import argparse
import sys

from launcher.schema import create_all_tables
from smp.db import session_scope
from smp.settings import get_settings


def _init_db(_args: argparse.Namespace) -> int:
    create_all_tables()
    print("Database schema is up to date.")
    return 0


def _sync_content(args: argparse.Namespace) -> int:
    from smp.content import sync_content

    create_all_tables()
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


def _create_staff(args: argparse.Namespace) -> int:
    import getpass

    from console.staff import StaffAccountError, create_staff

    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass("Password (at least 10 characters): ")
        if getpass.getpass("Repeat the password: ") != password:
            print("The passwords differ; nothing was changed.", file=sys.stderr)
            return 1
    create_all_tables()
    try:
        with session_scope() as session:
            create_staff(session, args.username, password, reset=args.reset_password)
    except StaffAccountError as problem:
        print(problem, file=sys.stderr)
        return 1
    done = "Password changed for" if args.reset_password else "Created staff account"
    print(f"{done} {args.username!r}.")
    return 0


def _purge(args: argparse.Namespace) -> int:
    from smp.privacy import purge

    days = args.days if args.days is not None else get_settings().retention_days
    create_all_tables()
    try:
        with session_scope() as session:
            result = purge(session, days)
    except ValueError as problem:
        print(problem, file=sys.stderr)
        return 1
    print(f"Deleted {result.conversations} conversations older than {days} days.")
    for table, count in sorted(result.rows_by_table.items()):
        print(f"  {table}: {count} rows")
    return 0


def _copy_database(args: argparse.Namespace) -> int:
    from launcher.schema import CopyError, copy_database

    try:
        copy_database(
            args.source or get_settings().database_url,
            args.target,
            force=args.force,
            batch_size=args.batch_size,
        )
    except CopyError as problem:
        print(problem, file=sys.stderr)
        return 1
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser; other modules may add sub-commands to it."""
    parser = argparse.ArgumentParser(prog="python -m launcher.manage")
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

    staff = commands.add_parser(
        "create-staff", help="create a staff console account (asks for the password)"
    )
    staff.add_argument("username")
    staff.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from the first line of standard input",
    )
    staff.add_argument(
        "--reset-password",
        action="store_true",
        help="set a new password on an existing account",
    )
    staff.set_defaults(handler=_create_staff)

    purge_cmd = commands.add_parser(
        "purge",
        help="delete conversations and their requests older than the retention period",
    )
    purge_cmd.add_argument(
        "--days",
        type=int,
        default=None,
        help="retention period in days (default: RETENTION_DAYS, else 365)",
    )
    purge_cmd.set_defaults(handler=_purge)

    copy_cmd = commands.add_parser(
        "copy-database",
        help="copy the whole database (answers, requests, staff, WhatsApp, "
        "conversations) to another, e.g. SQLite to PostgreSQL",
    )
    copy_cmd.add_argument(
        "--from",
        dest="source",
        default=None,
        metavar="URL",
        help="database to copy (default: DATABASE_URL, else var/clinic.db)",
    )
    copy_cmd.add_argument(
        "--to",
        dest="target",
        required=True,
        metavar="URL",
        help="database to copy into, e.g. postgresql://user:pass@host/smp",
    )
    copy_cmd.add_argument(
        "--force",
        action="store_true",
        help="replace the rows of a target that is not empty",
    )
    copy_cmd.add_argument(
        "--batch-size", type=int, default=1000, help="rows per insert (default 1000)"
    )
    copy_cmd.set_defaults(handler=_copy_database)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.handler(args)


if __name__ == "__main__":
    sys.exit(main())
