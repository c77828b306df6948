"""The version of the extraction rules and data, stamped on every enriched article (`extractor_version`).

Semver: bump the minor for rule or data changes that alter output, the major for contract-visible changes;
store lets a newer extraction replace an older one, and every service reports it in `newswire_build_info`.
"""

from typing import Final

EXTRACTOR_VERSION: Final = "0.2.0"
