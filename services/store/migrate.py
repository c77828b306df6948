"""`newswire db upgrade|current`: the store schema's Alembic migrations, runnable from any directory.

The Alembic configuration (`alembic.ini`, `migrations/`) ships inside the package and is located from
this file, so the commands work from an installed package and any working directory. Migrations are a
step of their own (a job before the workers start), never run by the store worker.

`upgrade` is idempotent: at head it does nothing. Concurrent upgrades are serialised by an advisory
lock (see migrations/env.py).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Final

import psycopg
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, pool
from sqlalchemy import exc as sa_exc

from services.common.database import normalise_database_url, redact_url
from services.store.access import DEFAULT_ANALYST_ROLE, DEFAULT_RUNTIME_ROLE, grant_access
from services.store.settings import StoreSettings

_HERE: Final = Path(__file__).resolve().parent
ALEMBIC_INI: Final = _HERE / "alembic.ini"
MIGRATIONS_DIR: Final = _HERE / "migrations"


def alembic_config(database_url: str | None = None) -> Config:
    """An Alembic Config for the packaged migrations; `database_url` overrides DATABASE_URL.

    The URL travels in `config.attributes`, not in the ini options, so a `%` in a password is not
    taken for configparser interpolation.
    """
    config = Config(str(ALEMBIC_INI))
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if database_url is not None:
        config.attributes["database_url"] = normalise_database_url(database_url)
    return config


def head_revision() -> str | None:
    """The newest revision of the packaged migrations."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(database_url: str) -> str | None:
    """The revision the database is at, or None before the first migration. Connects; blocks."""
    engine = create_engine(normalise_database_url(database_url), poolclass=pool.NullPool)
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        engine.dispose()


def upgrade(
    database_url: str,
    revision: str = "head",
    *,
    runtime_role: str = DEFAULT_RUNTIME_ROLE,
    analyst_role: str = DEFAULT_ANALYST_ROLE,
) -> list[str]:
    """Migrate the database to `revision` (default: head; a no-op when already there), then grant the
    runtime and analyst roles their rights on the tables (access.py). Connect as the schema's owner.
    Returns the roles granted."""
    command.upgrade(alembic_config(database_url), revision)
    return grant_access(database_url, runtime_role=runtime_role, analyst_role=analyst_role)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="newswire db", description="Manage the store's Postgres schema.")
    sub = parser.add_subparsers(dest="command", required=True)
    for name, help_text in (
        ("upgrade", "migrate the database to the newest schema (idempotent)"),
        ("current", "print the schema revision the database is at"),
    ):
        cmd = sub.add_parser(name, help=help_text)
        cmd.add_argument("--url", help="database URL (default: DATABASE_URL)")
    return parser


def main(argv: list[str] | None = None) -> int:
    """`newswire db upgrade [--url URL]` / `newswire db current [--url URL]`.

    Exit status: 0 done, 1 database unreachable or refused, 2 usage error (argparse).
    """
    args = _parser().parse_args(argv)
    settings = StoreSettings()
    url = normalise_database_url(args.url) if args.url else settings.database_url
    head = head_revision()
    try:
        before = current_revision(url)
        if args.command == "current":
            state = "head" if before == head else f"head is {head}"
            print(f"{redact_url(url)}: revision {before or 'none'} ({state})")
            return 0
        granted = upgrade(url, runtime_role=settings.runtime_role, analyst_role=settings.analyst_role)
        after = current_revision(url)
        done = "already at" if before == after else f"upgraded from {before or 'an empty schema'} to"
        rights = f"; rights granted to {', '.join(granted)}" if granted else ""
        print(f"{redact_url(url)}: {done} revision {after}{rights}")
        return 0
    except sa_exc.OperationalError as exc:
        print(f"newswire db: cannot use {redact_url(url)}: {exc.orig}", file=sys.stderr)
        return 1
    except psycopg.Error as exc:
        print(f"newswire db: cannot grant rights on {redact_url(url)}: {exc}", file=sys.stderr)
        return 1
