"""Finding the few tokens a rule needs from a document's attribute arrays (`Doc.to_array`).

spaCy builds a Token object, and looks its strings up, each time a token is reached: walking every
word of an article to find its numbers or its trigger words costs more than the rules that read them.
A string attribute (`LOWER`, `LEMMA`, ...) is an array of string ids (64-bit hashes), which these
helpers compare with the ids of a word list.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
from numpy.typing import NDArray
from spacy.strings import get_string_id


def word_ids(words: Iterable[str]) -> NDArray[np.uint64]:
    """The string ids of `words`, sorted, as `is_one_of` wants them."""
    return np.unique(np.array([get_string_id(word) for word in words], dtype=np.uint64))


def is_one_of(values: NDArray[Any], ids: NDArray[np.uint64]) -> NDArray[np.bool_]:
    """Element-wise: whether each string id of `values` is one of `ids` (sorted: `word_ids`). What
    `np.isin` gives, several times faster on the short arrays of one document."""
    if ids.size == 0:
        return np.zeros(values.shape, dtype=np.bool_)
    at = np.searchsorted(ids, values).clip(max=ids.size - 1)
    found: NDArray[np.bool_] = ids[at] == values
    return found
