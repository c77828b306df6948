"""COPY-based statements of the batch writer, on the psycopg connection under a SQLAlchemy transaction.

Why COPY: per row, `COPY` costs a fraction of an INSERT, even a pipelined executemany one (NOTES-infra
§4: 122-168k rows/s against 67-78k on this kind of machine). Rows that need `ON CONFLICT` (articles,
entities) are copied into a session-local staging table (`TEMP ... ON COMMIT DELETE ROWS`, emptied by
every commit or rollback) and merged with one `INSERT ... SELECT ... ON CONFLICT` per batch. The child
rows of an article (article_entities, mentions, events) are copied straight into their tables: the
writer deletes an article's old child rows first in the same transaction, and rows are unique within
an article, so no conflict can arise that the INSERT would have handled differently (a clash with
another article's row raises the same IntegrityError as before).

Everything here runs inside the caller's transaction and raises psycopg errors unchanged. SQL text is
built only from the table and column names of `schema.py`, never from data (hence the S608 waivers).
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final

from psycopg import Cursor
from psycopg.types.json import Jsonb
from sqlalchemy import Table

from services.store.schema import articles, entities

STAGE_PREFIX: Final = "newswire_stage_"
JSON_COLUMNS: Final = frozenset({"attributes"})
ARTICLE_UPDATE_COLUMNS: Final = tuple(
    c.name for c in articles.columns if c.name not in {"article_id", "stored_at", "updated_at"}
)
ENTITY_UPDATE_COLUMNS: Final = ("name", "type", "kb_id", "lat", "lon")
# `entities.last_seen` is kept to this resolution (see merge_entities).
LAST_SEEN_RESOLUTION: Final = dt.timedelta(minutes=1)


def columns_of(table: Table, row: Mapping[str, Any]) -> list[str]:
    """The columns of `table` that `row` gives, in table order."""
    return [c.name for c in table.columns if c.name in row]


def copy_rows(
    cur: Cursor[Any], target: str, columns: Sequence[str], rows: Iterable[Mapping[str, Any]]
) -> None:
    """COPY `rows` (dicts keyed by column name) into `target`. Blocks until the server took them."""
    # One C call per row instead of a Python loop over the columns (itemgetter of one key is no tuple).
    pick = operator.itemgetter(*columns) if len(columns) > 1 else (lambda row: (row[columns[0]],))
    json_at = [i for i, name in enumerate(columns) if name in JSON_COLUMNS]
    with cur.copy(f"COPY {target} ({', '.join(columns)}) FROM STDIN") as copy:
        if not json_at:
            for row in rows:
                copy.write_row(pick(row))
            return
        for row in rows:
            values = list(pick(row))
            for index in json_at:
                values[index] = Jsonb(values[index])
            copy.write_row(values)


def stage(cur: Cursor[Any], table: Table) -> str:
    """The name of `table`'s staging table in this session, created on first use."""
    name = STAGE_PREFIX + table.name
    cur.execute(
        f"CREATE TEMP TABLE IF NOT EXISTS {name} (LIKE {table.name} INCLUDING DEFAULTS) ON COMMIT DELETE ROWS"
    )
    return name


def merge_articles(cur: Cursor[Any], rows: Sequence[Mapping[str, Any]]) -> tuple[set[str], set[str]]:
    """Upsert article rows; return (ids written, ids of those that replaced a stored row).

    A stored row is replaced only when the incoming version key is >= the stored one; the others are
    stale and not returned. `xmax = 0` on the returned row means it was inserted, not updated.
    """
    if not rows:
        return set(), set()
    columns = columns_of(articles, rows[0])
    staged = stage(cur, articles)
    copy_rows(cur, staged, columns, rows)
    names = ", ".join(columns)
    updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in ARTICLE_UPDATE_COLUMNS if c in columns)
    cur.execute(
        f"INSERT INTO articles AS a ({names}) SELECT {names} FROM {staged} ORDER BY article_id "  # noqa: S608
        f"ON CONFLICT (article_id) DO UPDATE SET {updates}, updated_at = now() "
        "WHERE a.extractor_version_key <= EXCLUDED.extractor_version_key "
        "RETURNING a.article_id, (a.xmax = 0) AS inserted"
    )
    written, replaced = set(), set()
    for article_id, inserted in cur.fetchall():
        written.add(article_id)
        if not inserted:
            replaced.add(article_id)
    return written, replaced


def merge_entities(cur: Cursor[Any], rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert new entities and update the known ones whose attributes changed or whose `last_seen` is
    older than `LAST_SEEN_RESOLUTION`.

    Why not one `ON CONFLICT DO UPDATE`: that locks every conflicting row until the commit, and a popular
    entity (a country, NATO) is in nearly every batch, so concurrent transactions would queue on it.
    Here an unchanged entity seen within the resolution is only read, never locked. `rows` are already
    one per id and sorted by id, and changed rows are locked in id order, so writers that do touch the
    same entities wait for each other instead of deadlocking.
    """
    if not rows:
        return
    columns = columns_of(entities, rows[0])
    staged = stage(cur, entities)
    copy_rows(cur, staged, columns, rows)
    names = ", ".join(columns)
    cur.execute(
        f"INSERT INTO entities ({names}) SELECT {names} FROM {staged} ORDER BY entity_id "  # noqa: S608
        "ON CONFLICT (entity_id) DO NOTHING"
    )
    attributes = [c for c in ENTITY_UPDATE_COLUMNS if c in columns]
    stored = ", ".join(f"e.{c}" for c in attributes)
    incoming = ", ".join(f"s.{c}" for c in attributes)
    cur.execute(
        f"WITH due AS (SELECT e.entity_id FROM entities e JOIN {staged} s USING (entity_id) "  # noqa: S608
        f"WHERE ({stored}) IS DISTINCT FROM ({incoming}) OR e.last_seen < now() - %s "
        "ORDER BY e.entity_id FOR UPDATE OF e) "
        f"UPDATE entities e SET {', '.join(f'{c} = s.{c}' for c in attributes)}, last_seen = now() "
        f"FROM {staged} s, due WHERE e.entity_id = due.entity_id AND s.entity_id = due.entity_id",
        (LAST_SEEN_RESOLUTION,),
    )


def delete_children(cur: Cursor[Any], tables: Sequence[Table], article_ids: Sequence[str]) -> None:
    """Delete the rows of `tables` (article_entities, mentions, events) that belong to `article_ids`."""
    if not article_ids:
        return
    for table in tables:
        cur.execute(f"DELETE FROM {table.name} WHERE article_id = ANY(%s)", (list(article_ids),))  # noqa: S608


def insert_children(cur: Cursor[Any], table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """COPY new child rows straight into `table` (see the module docstring for why that is safe)."""
    if rows:
        copy_rows(cur, table.name, columns_of(table, rows[0]), rows)
