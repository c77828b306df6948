"""The sources file: which feeds to poll, as YAML.

    sources:
      - url: https://www.example.fr/rss/international.xml   # RSS 0.9x/1.0/2.0, Atom or ninjs JSON
        source: example-international    # the articles' `source`; unique in the file (state is kept by it)
        lang: fr                         # optional BCP 47 tag; else each item's own, else detected
        interval: 5m                     # optional: seconds, or a number with s, m or h (default 5m)
        fetch_full_text: true            # optional: fetch the linked page when an item has only a summary
        timeout: 20s                     # optional: the whole fetch, redirects and body included
        max_bytes: 10485760              # optional: the largest body read

`load_sources` validates everything at start, so a typo stops the worker with the file's line of the
problem instead of a source silently never polled.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Final
from urllib.parse import urlsplit

import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, field_validator

from services.ingest.language import normalise_language_tag

_DURATION: Final = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|m|h)?\s*$")
_UNIT_SECONDS: Final = {"s": 1.0, "m": 60.0, "h": 3600.0}
DEFAULT_INTERVAL_S: Final = 300.0
MIN_INTERVAL_S: Final = 1.0


class SourcesFileError(ValueError):
    """The sources file cannot be read or is invalid; the message names the file and the problem."""


def parse_duration(value: object) -> float:
    """Seconds from a number or a string such as `90`, `90s`, `5m`, `1.5h`. Raises ValueError."""
    if isinstance(value, bool):
        raise ValueError("a duration is a number of seconds or a string such as '5m'")
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        match = _DURATION.match(value)
        if match:
            return float(match.group(1)) * _UNIT_SECONDS[match.group(2) or "s"]
    raise ValueError(f"{value!r} is not a duration such as 90, '90s', '5m' or '1h'")


Duration = Annotated[float, BeforeValidator(parse_duration)]


class Source(BaseModel):
    """One feed to poll. `timeout_s` and `max_bytes` left None take the worker's defaults."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    url: str
    source: str = Field(min_length=1, max_length=200)
    lang: str | None = None
    interval_s: Duration = Field(default=DEFAULT_INTERVAL_S, alias="interval", ge=MIN_INTERVAL_S)
    fetch_full_text: bool = False
    timeout_s: Duration | None = Field(default=None, alias="timeout", gt=0)
    max_bytes: int | None = Field(default=None, gt=0)

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        parts = urlsplit(value.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("must be an absolute http(s) URL")
        return value.strip()

    @field_validator("lang")
    @classmethod
    def _language(cls, value: str | None) -> str | None:
        if value is None:
            return None
        code = normalise_language_tag(value)
        if code is None:
            raise ValueError(f"{value!r} is not a registered language tag (BCP 47) such as 'fr'")
        return code


def parse_sources(text: str, *, origin: str = "<sources>") -> tuple[Source, ...]:
    """The sources of a YAML document. Raises SourcesFileError naming `origin` and the entry at fault."""
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise SourcesFileError(f"{origin}: not valid YAML: {exc}") from None
    entries = document.get("sources") if isinstance(document, dict) else None
    if not isinstance(entries, list):
        raise SourcesFileError(f"{origin}: expected a mapping with a `sources:` list")
    sources = []
    for index, entry in enumerate(entries):
        try:
            sources.append(Source.model_validate(entry))
        except ValidationError as exc:
            error = exc.errors()[0]
            where = ".".join(str(part) for part in error["loc"]) or "entry"
            raise SourcesFileError(f"{origin}: sources[{index}].{where}: {error['msg']}") from None
    names = [source.source for source in sources]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise SourcesFileError(f"{origin}: source names must be unique; repeated: {', '.join(repeated)}")
    return tuple(sources)


def load_sources(path: Path) -> tuple[Source, ...]:
    """The sources listed in the YAML file at `path`. Blocks (reads the file); raises SourcesFileError."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SourcesFileError(f"{path}: cannot read the sources file: {exc.strerror or exc}") from None
    return parse_sources(text, origin=str(path))
