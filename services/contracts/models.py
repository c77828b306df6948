"""Message contracts (pydantic v2). JSON Schemas in `schemas/` are generated from these models
(`newswire contracts export`) and a test keeps them in sync.

Offsets (`start`, `end`) are character offsets into the enriched article's `text`, end exclusive.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated, Final, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

RAW_ARTICLE_SCHEMA: Final = "newswire.RawArticle/1"
ENRICHED_ARTICLE_SCHEMA: Final = "newswire.EnrichedArticle/1"
EVENT_SCHEMA: Final = "newswire.Event/1"
DEADLETTER_SCHEMA: Final = "newswire.DeadLetter/1"

# PostgreSQL cannot store U+0000 in a text: refused here, so a producer that bypasses ingest is
# dead-lettered by the first hop that decodes its message, never by the store.
Text = Annotated[str, StringConstraints(pattern=r"^[^\x00]*$")]
NonEmpty = Annotated[Text, Field(min_length=1)]


def utc(value: dt.datetime) -> dt.datetime:
    """`value` in UTC (a naive one is taken as UTC). Raises ValueError when its UTC form falls outside
    years 1-9999, which neither Python nor a PostgreSQL reader can represent."""
    if value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    try:
        return value.astimezone(dt.UTC)
    except OverflowError:
        raise ValueError(f"{value.isoformat()} falls outside years 1-9999 once in UTC") from None


UtcDatetime = Annotated[dt.datetime, AfterValidator(utc)]


class _Contract(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class EntityType(StrEnum):
    PER = "PER"
    ORG = "ORG"
    LOC = "LOC"
    MISC = "MISC"


class PloverType(StrEnum):
    """The 16 PLOVER event types (openeventdata/PLOVER, PLOVER_MANUAL.tex)."""

    AGREE = "AGREE"
    CONSULT = "CONSULT"
    SUPPORT = "SUPPORT"
    CONCEDE = "CONCEDE"
    COOPERATE = "COOPERATE"
    AID = "AID"
    RETREAT = "RETREAT"
    REQUEST = "REQUEST"
    ACCUSE = "ACCUSE"
    REJECT = "REJECT"
    THREATEN = "THREATEN"
    PROTEST = "PROTEST"
    SANCTION = "SANCTION"
    MOBILIZE = "MOBILIZE"
    COERCE = "COERCE"
    ASSAULT = "ASSAULT"


class RawArticle(_Contract):
    """What ingest publishes to `newswire.articles.raw.v1`, keyed by `article_id`."""

    article_id: NonEmpty
    external_id: Text | None = None
    source: NonEmpty
    url: Text | None = None
    title: Text | None = None
    text: NonEmpty
    lang: Text | None = Field(
        default=None, description="ISO 639-1 code of the dominant language (ISO 639-3 where there is none)"
    )
    published_at: UtcDatetime | None = Field(default=None, description="In UTC")
    ingested_at: UtcDatetime = Field(description="In UTC")
    dateline: Text | None = Field(default=None, description='Place of a wire dateline ("JAKARTA -")')


class Span(_Contract):
    start: int = Field(ge=0)
    end: int = Field(ge=0)


class Mention(Span):
    text: NonEmpty


class Entity(_Contract):
    id: NonEmpty = Field(description="Stable across articles and processes")
    name: NonEmpty = Field(description="Canonical name")
    type: EntityType
    mentions: list[Mention]
    kb_id: str | None = Field(default=None, description='Knowledge-base reference, e.g. "iso3166:UA"')
    lat: float | None = None
    lon: float | None = None


class Event(_Contract):
    id: NonEmpty = Field(description="Deterministic: the same article and extractor give the same id")
    type: PloverType
    actor: str | None = Field(description="Entity id")
    target: str | None = Field(description="Entity id")
    location: str | None = Field(default=None, description="Entity id")
    date: dt.date | None = None
    trigger: Mention
    sentence: Span
    attributes: dict[str, int] = Field(default_factory=dict, description="killed, injured, ...")
    negated: bool = False
    hypothetical: bool = False
    confidence: float = Field(ge=0.0, le=1.0)


class EnrichedArticle(RawArticle):
    """What extract publishes to `newswire.articles.enriched.v1`, keyed by `article_id`: the raw article
    with what extraction found in its `text`."""

    extractor_version: NonEmpty
    entities: list[Entity]
    events: list[Event]


class EventMessage(Event):
    """One event on `newswire.events.v1`, keyed by event id, carrying its article."""

    article_id: NonEmpty
    extractor_version: NonEmpty
    published_at: dt.datetime | None = None


Stage = Literal["ingest", "extract", "store"]


class DeadLetter(_Contract):
    """A message a hop could not process, on `newswire.deadletter.v1`, with why and where from."""

    stage: Stage
    reason: NonEmpty
    error_type: NonEmpty
    original: str = Field(
        description="The original message value, base64; only its head when `original_truncated`"
    )
    original_bytes: int | None = Field(default=None, ge=0, description="Size of the original value")
    original_sha256: str | None = Field(default=None, description="sha256 of the original value, hex")
    original_truncated: bool = Field(
        default=False,
        description="The original was too large to carry whole (see the size budget): `original` holds "
        "its head, and topic/partition/offset point to the whole message",
    )
    topic: str | None = None
    partition: int | None = None
    offset: int | None = None
    key: str | None = None
    failed_at: dt.datetime


CONTRACTS: Final[dict[str, type[BaseModel]]] = {
    RAW_ARTICLE_SCHEMA: RawArticle,
    ENRICHED_ARTICLE_SCHEMA: EnrichedArticle,
    EVENT_SCHEMA: EventMessage,
    DEADLETTER_SCHEMA: DeadLetter,
}
