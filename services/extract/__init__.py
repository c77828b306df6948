"""The extract service: spaCy NER, entity linking and PLOVER events over raw articles.

The NLP core (`analysis`, `entities`, `linking`, `events`, `enrich`) is pure and has no Kafka import; the
process pool (`pool`) and the offline command (`offline`) are its two drivers. Keep this module free of
imports: worker processes import the package.
"""
