"""English words: a word list that tells a rare English word ("sliver") from a product name."""

from __future__ import annotations

import gzip
import json
from functools import lru_cache
from importlib.resources import files

# Seen this often in the list's source texts: "hassle" (3,147) and "sliver" (1,296) are words,
# while product names that are also rare words ("airflow", 197) stay names. The list reads
# the package's own data file, so its version is capped in pyproject.toml.
MIN_COUNT = 500


@lru_cache(maxsize=1)
def english_words() -> frozenset[str]:
    """Lower-case English words from pyspellchecker's frequency list (packaged, offline)."""
    packed = (files("spellchecker.resources") / "en.json.gz").read_bytes()
    counts: dict[str, int] = json.loads(gzip.decompress(packed))
    return frozenset(word for word, count in counts.items()
                     if count >= MIN_COUNT and word.isalpha())
