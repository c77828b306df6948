"""A deterministic corpus of unique French news articles for the benchmark.

How it is built: the paragraphs (non-blank lines) of the sample articles in `samples/*.txt` form a
pool, in file order. Article `i` (any non-negative integer) is assembled from `random.Random(i)`:

* a title line: the first sentence of one pool paragraph, cut to at most 12 words;
* `PARAGRAPHS` (10 to 14) paragraphs drawn from the pool without replacement, in the drawn order;
* one unique closing sentence naming the article's number and a date derived from it.

So every article has a different text (the closing sentence differs) and a unique `external_id`
(`<prefix>-<i>`): ingest gives it a distinct article_id and nothing downstream can deduplicate it
away. Lengths (about 450-650 words) match the samples. The same `i` always gives the same article,
whatever `n` or the machine.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Final

from services.ingest.articles import raw_article_from_fields
from services.ingest.outgoing import encode

SAMPLES_DIR: Final = Path(__file__).resolve().parent.parent / "samples"
PARAGRAPHS: Final = (10, 14)
TITLE_WORDS: Final = 12
SOURCE: Final = "bench"


@dataclass(frozen=True)
class BenchArticle:
    """One corpus article, as posted to ingest."""

    external_id: str
    title: str
    text: str

    def as_record(self) -> dict[str, str]:
        """The JSON object ingest accepts (its language is left for ingest to detect)."""
        return {"external_id": self.external_id, "source": SOURCE, "title": self.title, "text": self.text}


def paragraph_pool(samples_dir: Path = SAMPLES_DIR) -> list[str]:
    """Every non-blank line of the sample articles, in file order. Raises FileNotFoundError when there
    are no samples."""
    files = sorted(samples_dir.glob("*.txt"))
    if not files:
        raise FileNotFoundError(f"no sample articles in {samples_dir}")
    return [
        line.strip() for f in files for line in f.read_text(encoding="utf-8").splitlines() if line.strip()
    ]


def article(index: int, pool: list[str], prefix: str = "bench") -> BenchArticle:
    """Article number `index` (see the module docstring); pure and deterministic."""
    rng = random.Random(index)  # noqa: S311 (a reproducible corpus, not a secret)
    count = min(len(pool), rng.randint(*PARAGRAPHS))
    body = rng.sample(pool, count)
    headline = " ".join(rng.choice(pool).split(". ")[0].split()[:TITLE_WORDS]).rstrip(",;:")
    day = date(2024, 1, 1) + timedelta(days=index % 366)
    closing = f"Cette dépêche porte le numéro {index} et a été rédigée le {day.isoformat()}."
    text = "\n".join([headline, *body, closing])
    return BenchArticle(external_id=f"{prefix}-{index}", title=headline, text=text)


def build_corpus(
    start: int, count: int, prefix: str = "bench", pool: list[str] | None = None
) -> list[BenchArticle]:
    """Articles `start` .. `start + count - 1`."""
    paragraphs = pool if pool is not None else paragraph_pool()
    return [article(i, paragraphs, prefix) for i in range(start, start + count)]


def largest_accepted_text(pool: list[str], limit: int) -> str:
    """Pool paragraphs, numbered and joined by blank lines, into the longest text whose RawArticle JSON
    (as ingest serialises it, with `lang` given) stays within `limit` bytes: one paragraph more would
    exceed it."""
    paragraphs = [f"{pool[i % len(pool)]} (paragraphe {i})" for i in range(limit // 100)]

    def size(n: int) -> int:
        record = {"text": "\n\n".join(paragraphs[:n]), "external_id": "largest", "lang": "fr"}
        article = raw_article_from_fields(record, default_source="largest", ingested_at=datetime.now(UTC))
        return len(encode([article])[0].value)

    low, high = 1, len(paragraphs)
    while low < high:
        middle = (low + high + 1) // 2
        low, high = (middle, high) if size(middle) <= limit else (low, middle - 1)
    return "\n\n".join(paragraphs[:low])
