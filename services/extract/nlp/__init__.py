"""The NLP core: texts -> `Analysis` values (spaCy, then the pure entity and event rules)."""
