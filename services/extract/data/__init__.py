"""Data files of the extraction rules (TSV, one header row, `#` comment lines). Read by `lexicon.py`."""
