"""Counts stated in sentences, compared to answer "which has the most ...?"."""

from __future__ import annotations

import pytest

from assistant.measures import count_asked, stated_count


def test_measures_a_counted_superlative_names_what_and_which_way():
    most = count_asked("Which tool has the most GitHub stars?")
    assert (most.noun, most.phrase, most.fewest) == ("stars", "GitHub stars", False)
    assert count_asked("Which option has the fewest stars?").fewest
    lowest = count_asked("Which project has the lowest star count?")
    assert (lowest.noun, lowest.phrase, lowest.fewest) == ("star", "star", True)
    # No count asked: "most popular" is an adjective, "least overhead" counts nothing.
    assert count_asked("Which of these is most popular?") is None
    assert count_asked("Which has the least operational overhead?") is None


@pytest.mark.parametrize(
    ("sentence", "noun", "count"),
    [
        ("Ray stands out ... with 42.2K GitHub stars, making it", "stars", 42_200),
        ("with 25.4K GitHub stars and over 30 million monthly downloads", "downloads", 30e6),
        ("using only 20% of its features", "features", None),  # a share, not a count
        ("Budget 2-4 weeks for a team", "stars", None),
    ],
)
def test_measures_a_count_is_the_number_that_comes_with_its_noun(sentence, noun, count):
    assert stated_count(sentence, noun) == count


def test_measures_most_and_fewest_compare_the_tools_counts(assistant):
    most = assistant.ask("Which tool has the most GitHub stars?")
    assert "Ray" in most.answer and "42.2K" in most.answer and len(most.citations) == 1
    fewest = assistant.ask("Which option has the fewest GitHub stars?")
    assert "BentoML" in fewest.answer and "8.6K" in fewest.answer
