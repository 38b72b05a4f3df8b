"""English words: a word list that tells a rare English word ("sliver") from a product name."""

from __future__ import annotations

from functools import lru_cache

# Seen this often in the list's source texts: "hassle" (3,147) and "sliver" (1,296) are words,
# while product names that are also rare words ("airflow", 197) stay names.
MIN_COUNT = 500


@lru_cache(maxsize=1)
def _counts() -> dict[str, int]:
    from spellchecker import SpellChecker  # imported here: only questions need it

    return dict(SpellChecker(language="en").word_frequency.dictionary)


@lru_cache(maxsize=2)
def english_words(min_count: int = MIN_COUNT) -> frozenset[str]:
    """Lower-case English words seen at least `min_count` times in pyspellchecker's frequency
    list (packaged, offline); `min_count=1` gives every word it holds."""
    return frozenset(word for word, count in _counts().items()
                     if count >= min_count and word.isalpha())


def frequency(word: str) -> int:
    """How often the list's source texts use a lower-case word (0 for none)."""
    return _counts().get(word, 0)
