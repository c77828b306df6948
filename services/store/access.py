"""Who may do what in the store's database, granted by the schema's owner after each migration.

    owner (runs `newswire db upgrade`)   owns the schema and every table: DDL, migrations
    runtime role (the store worker)      SELECT, INSERT, UPDATE, DELETE on the store's tables (DELETE: a
                                         newer extractor version replaces an article's rows); no DDL, and
                                         only SELECT on alembic_version
    analyst role                         SELECT only

Roles that do not exist are skipped (a deployment may have no analyst role, or run everything as one
role); creating roles is the server administrator's job (scripts/lib/postgres.sh, compose's init script).
"""

from __future__ import annotations

import psycopg
from psycopg import sql

VERSION_TABLE = "alembic_version"
DEFAULT_RUNTIME_ROLE = "newswire"
DEFAULT_ANALYST_ROLE = "newswire_analyst"


def grant_access(database_url: str, *, runtime_role: str, analyst_role: str) -> list[str]:
    """Grant the runtime and analyst roles their rights on every table of the public schema; returns
    the roles granted. Connects as the owner with `database_url`; blocks; raises psycopg.Error."""
    granted = []
    dsn = database_url.replace("postgresql+psycopg://", "postgresql://", 1)
    with psycopg.connect(dsn, autocommit=True) as conn:
        existing = {row[0] for row in conn.execute("SELECT rolname FROM pg_roles")}
        current = conn.execute("SELECT current_user").fetchone()
        me = current[0] if current else None
        if runtime_role in existing and runtime_role != me:
            role = sql.Identifier(runtime_role)
            conn.execute(sql.SQL("GRANT USAGE ON SCHEMA public TO {}").format(role))
            conn.execute(
                sql.SQL("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {}").format(
                    role
                )
            )
            conn.execute(
                sql.SQL("REVOKE INSERT, UPDATE, DELETE ON {} FROM {}").format(
                    sql.Identifier(VERSION_TABLE), role
                )
            )
            granted.append(runtime_role)
        if analyst_role in existing and analyst_role != me:
            role = sql.Identifier(analyst_role)
            conn.execute(sql.SQL("GRANT USAGE ON SCHEMA public TO {}").format(role))
            conn.execute(sql.SQL("GRANT SELECT ON ALL TABLES IN SCHEMA public TO {}").format(role))
            granted.append(analyst_role)
    return granted
