"""The extract service: spaCy NER, entity linking and PLOVER events over raw articles. Folders follow
the data:

* `consumer/`: the Kafka side (faust app and batch handler, per-message logic, metrics) and the NLP process
  pool with what runs in its processes;
* `nlp/`: the NLP core, pure, with no Kafka import: `analysis` (texts -> `Analysis` values) over the spaCy
  pipeline (`model`), `entities/` (mentions, grouping, linking to stable ids, the gazetteer) and `events/`
  (trigger rules, arguments, casualties, one report per event);
* `enrich` (Analysis -> EnrichedArticle), shared by the worker and `newswire extract` (services/tools).

Keep this module free of imports: pool processes import the package.
"""
