"""`Extractor`: the one object per process that holds the loaded spaCy pipeline and the rule data, runs
spaCy over texts and calls the pure `analyse` (analysis.py) on each parsed document.

`analyse_texts` raises on the first failure; `outcomes` never raises for one text: a text that cannot be
analysed gets an `AnalysisFailure` in its place.
"""

from __future__ import annotations

from collections.abc import Sequence

from spacy.language import Language
from spacy.tokens import Doc

from services.extract.nlp import segments
from services.extract.nlp.analysis import Rules, analyse
from services.extract.nlp.entities.linking import Linker
from services.extract.nlp.model import load_pipeline
from services.extract.nlp.results import Analysis, AnalysisFailure, AnalysisOutcome


class Extractor:
    """A loaded pipeline and its rules. Not shared between processes; each pool process builds its own."""

    def __init__(self, nlp: Language, rules: Rules, batch_size: int = 64) -> None:
        self.nlp = nlp
        self.rules = rules
        self.batch_size = batch_size

    @classmethod
    def load(cls, model: str, batch_size: int = 64) -> Extractor:
        """Load the pipeline `model` and the rule data (blocks seconds). Raises ModelLoadError for a
        missing or incomplete pipeline, LexiconError for bad data."""
        nlp = load_pipeline(model)
        return cls(nlp, Rules.build(nlp, Linker.load()), batch_size)

    def analyse(self, doc: Doc) -> Analysis:
        """Entities and events of one document parsed by this extractor's pipeline."""
        return analyse(doc, self.rules)

    def analyse_texts(self, texts: Sequence[str]) -> list[Analysis]:
        """Parse `texts` with `nlp.pipe(batch_size=...)` and analyse them, in order. Blocks (CPU).
        Raises whatever spaCy or the rules raise; see `outcomes` for the per-text-safe form."""
        return [self.analyse(doc) for doc in self.nlp.pipe(texts, batch_size=self.batch_size)]

    def outcomes(self, texts: Sequence[str]) -> list[AnalysisOutcome]:
        """Like `analyse_texts`, but one result per text whatever happens: a text that spaCy or the
        rules cannot handle gets an `AnalysisFailure(reason)`. A long text is analysed in segments
        (segments.py) and fails when one of them fails. Batches with `nlp.pipe`; after a failure inside
        a batch the remaining texts are parsed one at a time so the culprit is isolated. Blocks (CPU)."""
        pieces = [segments.split(text) for text in texts]
        flat = self._pieces([segment for parts in pieces for _, segment in parts])
        outcomes: list[AnalysisOutcome] = []
        for parts in pieces:
            results, flat = flat[: len(parts)], flat[len(parts) :]
            failure = next((r for r in results if isinstance(r, AnalysisFailure)), None)
            if failure is not None:
                outcomes.append(failure)
            else:
                analyses = [r for r in results if isinstance(r, Analysis)]
                outcomes.append(
                    segments.merge([(start, a) for (start, _), a in zip(parts, analyses, strict=True)])
                )
        return outcomes

    def _pieces(self, texts: Sequence[str]) -> list[AnalysisOutcome]:
        outcomes: list[AnalysisOutcome | None] = [None] * len(texts)
        done = 0  # segments are far below spaCy's max_length
        try:
            for doc in self.nlp.pipe(texts, batch_size=self.batch_size):
                outcomes[done] = self._safe_analyse(doc)
                done += 1
        except Exception:  # isolate the failing text below, one at a time
            for index in range(done, len(texts)):
                try:
                    outcomes[index] = self._safe_analyse(self.nlp(texts[index]))
                except Exception as exc:  # per-text failure is a result, not a crash
                    outcomes[index] = AnalysisFailure(f"spaCy failed: {exc}", type(exc).__name__)
        return [o if o is not None else AnalysisFailure("not analysed", "AnalysisError") for o in outcomes]

    def _safe_analyse(self, doc: Doc) -> AnalysisOutcome:
        try:
            return self.analyse(doc)
        except Exception as exc:  # a rule bug on one text must not lose the batch
            return AnalysisFailure(f"extraction rules failed: {exc}", type(exc).__name__)
