"""The real bank cannot be gamed by option position.

Every single- and multiple-choice item of ``questions/`` is presented under 30 seeds, as the
quiz page presents it (:func:`quiz.items.make_item`). A learner who always picks the first option
shown must score close to chance on single choice (chance = the mean of 1 / number of options),
and the first option shown must not be a key of most multiple-choice presentations.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from quiz.bank import Bank, load_bank
from quiz.items import Item, make_item

from ..conftest import ROOT

SEEDS = range(30)
FIRST_WITHIN = 0.10  # "always the first option" stays within 10 points of chance
OPTION0_AT_MOST = 0.80  # share of multiple-choice presentations whose first option is a key


@pytest.fixture(scope="module")
def real_bank() -> Bank:
    return load_bank(ROOT / "questions", strict=False)


def presentations(bank: Bank, kind: str) -> Iterator[Item]:
    """Every item of type ``kind`` in the bank, made from each of :data:`SEEDS`."""
    for q in bank.questions:
        for it in q.quiz:
            if it.type == kind:
                for seed in SEEDS:
                    item = make_item(bank, it.id, seed)
                    assert item is not None
                    yield item


def always_first(bank: Bank) -> tuple[float, float, int]:
    """Single choice: (mean score of always picking shown option 0, chance, presentations)."""
    items = list(presentations(bank, "single"))
    score = sum(item.answer == 0 for item in items) / len(items)
    chance = sum(1 / len(item.options) for item in items) / len(items)
    return score, chance, len(items)


def option0_keyed(bank: Bank) -> tuple[float, int]:
    """Multiple choice: (share of presentations whose first shown option is a key, presentations)."""
    items = list(presentations(bank, "multiple"))
    return sum(0 in item.answer for item in items) / len(items), len(items)


def test_the_real_bank_has_choice_items(real_bank: Bank):
    assert real_bank.questions, real_bank.issues
    kinds = {it.type for q in real_bank.questions for it in q.quiz}
    assert {"single", "multiple"} <= kinds


def test_always_choosing_the_first_option_scores_about_chance(real_bank: Bank):
    score, chance, n = always_first(real_bank)
    assert abs(score - chance) <= FIRST_WITHIN, (
        f"always-first scores {score:.1%} over {n} single-choice presentations; chance is "
        f"{chance:.1%}"
    )


def test_the_first_option_is_not_usually_a_key(real_bank: Bank):
    share, n = option0_keyed(real_bank)
    assert share <= OPTION0_AT_MOST, (
        f"option 0 is keyed in {share:.1%} of {n} multiple-choice presentations"
    )


def test_the_measures_catch_a_bank_shown_in_authored_order(real_bank: Bank):
    """Pinned to authored order, a bank whose keys all sit first fails both measures."""
    pinned = Bank(
        questions=tuple(
            q.model_copy(
                update={
                    "quiz": [
                        it.model_copy(update={"shuffle": False, "answer": 0})
                        if it.type == "single"
                        else it.model_copy(update={"shuffle": False, "answer": [0, 1]})
                        if it.type == "multiple"
                        else it
                        for it in q.quiz
                    ]
                }
            )
            for q in real_bank.questions
        )
    )
    score, chance, _ = always_first(pinned)
    assert score == 1.0 and score - chance > FIRST_WITHIN
    assert option0_keyed(pinned)[0] == 1.0 > OPTION0_AT_MOST
