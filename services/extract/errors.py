"""The extract exception tree.

    ExtractError                 base of every error extract raises on purpose
    ├── ModelLoadError           the spaCy pipeline cannot be loaded (not installed, wrong version)
    ├── LexiconError             a data file under `data/` is missing or malformed
    ├── AnalysisError            one article could not be analysed (poison: dead-letter it, go on)
    └── PoolClosedError          `NlpPool` used after `close()`

Per-article failures inside the process pool are not raised: they come back as
`results.AnalysisFailure` values in the result list, so one bad text never loses the others.
`AnalysisError` is the raising form the callers use when they turn such a failure into an exception.
"""

from __future__ import annotations


class ExtractError(Exception):
    """Base of every error extract raises on purpose; `reason` is short human text."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class ModelLoadError(ExtractError):
    """The spaCy pipeline named in the settings cannot be loaded."""


class LexiconError(ExtractError):
    """A data file of the extraction rules is missing or has a malformed row."""


class AnalysisError(ExtractError):
    """One article's text could not be analysed; the article is poison for this extractor version."""


class PoolClosedError(ExtractError):
    """The NLP pool was used after it was closed."""
