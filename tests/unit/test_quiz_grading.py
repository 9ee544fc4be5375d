"""Grading of every item type, with the edge cases learners produce."""

from __future__ import annotations

import pytest
import torch

from quiz.bank import Bank, load_bank
from quiz.grading import (
    grade,
    grade_flashcard,
    grade_mask,
    grade_multiple,
    grade_number,
    grade_paint,
    grade_pattern,
    grade_single,
    grade_true_false,
    parse_number,
    skipped,
)
from quiz.items import Item, compute, draw_mask, make_item, pattern_item, which_heatmap

from .test_quiz_items import synthetic_head, write_bank


@pytest.fixture(scope="module")
def bank(tmp_path_factory: pytest.TempPathFactory) -> Bank:
    return load_bank(write_bank(tmp_path_factory.mktemp("bank")), strict=True)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("3.5", 3.5),
        ("３.５", 3.5),  # full-width digits
        ("３．５", 3.5),  # full-width full stop
        ("٣", 3.0),  # Arabic-Indic digit
        ("٣٫٥", 3.5),  # Arabic decimal separator
        ("३.२", 3.2),  # Devanagari digits
        ("1,024", 1024.0),
        ("1,073,741,824", 1073741824.0),
        ("1 024", 1024.0),
        ("1,024.5", 1024.5),
        ("0,25", 0.25),  # decimal comma
        ("0,125", 0.125),  # not 125: a leading 0 never starts a thousands group
        ("12 MiB", 12.0),
        ("768 MiB (float16)", 768.0),  # the digits in 'float16' belong to a word
        ("约0.27", 0.27),
        ("答案是 42。", 42.0),
        ("−0.5", -0.5),  # Unicode minus
        (".5", 0.5),
        ("1/3", 1 / 3),
        ("1e-3", 0.001),
        ("  7  ", 7.0),
        (4, 4.0),
        (2.5, 2.5),
    ],
)
def test_parse_number_reads_what_learners_type(text, value):
    p = parse_number(text)
    assert p.problem == "" and p.value == pytest.approx(value)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "empty"),
        ("   ", "empty"),
        (None, "empty"),
        ("about half", "no_number"),
        ("3 or 4", "several"),
        ("1,2,3", "several"),
        ("1/0", "bad"),
        (float("nan"), "bad"),
    ],
)
def test_parse_number_problems(text, problem):
    p = parse_number(text)
    assert p.value is None and p.problem == problem


def test_percent_counts_as_fraction_or_as_points():
    assert parse_number("25%").percent
    assert grade_number("25%", 0.25, 0.0).correct
    assert grade_number("25 %", 25.0, 0.0).correct
    assert not grade_number("25%", 0.3, 0.01).correct


def test_numeric_tolerance_edges():
    assert grade_number("0.665", 0.665, 0.0).correct
    assert grade_number("0.666", 0.665, 0.001).correct  # |Δ| = tolerance (up to float rounding)
    assert not grade_number("0.667", 0.665, 0.001).correct
    assert grade_number("1,048,576", 1048576.0, 0.0).correct
    g = grade_number("0.5", 0.665, 0.001)
    assert (g.answered, g.correct, g.score, g.response) == (True, False, 0.0, 0.5)
    assert "0.665" in g.message["en"] and "0.665" in g.message["zh"]


@pytest.mark.parametrize("raw", ["", "   ", None, "no idea"])
def test_numeric_empty_answer_is_a_clear_no_answer(raw):
    g = grade_number(raw, 1.0, 0.0)
    assert not g.answered and not g.correct and g.response is None
    assert g.message["en"].startswith("No") and g.message["zh"]


def test_single_choice():
    assert grade_single(1, 1, 3).correct
    g = grade_single(0, 1, 3)
    assert g.answered and not g.correct and g.score == 0.0 and "option 2" in g.message["en"]
    assert not grade_single(None, 1, 3).answered
    assert not grade_single(5, 1, 3).answered  # not an option


def test_multiple_choice_partial_credit_by_hand():
    key = [0, 1, 2]
    assert (
        grade_multiple([2, 1, 0], key, 5).score == 1.0 and grade_multiple([2, 1, 0], key, 5).correct
    )
    g = grade_multiple([0, 1], key, 5)  # two of three right, none wrong → 2/3
    assert not g.correct and g.score == pytest.approx(2 / 3)
    assert grade_multiple([0, 1, 3], key, 5).score == pytest.approx(1 / 3)  # (2 − 1)/3
    assert grade_multiple([3, 4], key, 5).score == 0.0  # never below zero
    assert grade_multiple([0, 0, 1, 2], key, 5).response == [0, 1, 2]
    for empty in (None, [], ()):
        assert not grade_multiple(empty, key, 5).answered


def test_true_false_false_is_an_answer():
    assert grade_true_false(False, False).correct
    assert grade_true_false(False, True).answered and not grade_true_false(False, True).correct
    assert not grade_true_false(None, True).answered


@pytest.mark.parametrize(
    ("rating", "correct", "score"),
    [("again", False, 0.0), ("hard", True, 0.5), ("good", True, 1.0), ("easy", True, 1.0)],
)
def test_flashcard_self_rating(rating, correct, score):
    g = grade_flashcard(rating)
    assert (g.answered, g.correct, g.score, g.response) == (True, correct, score, rating)


def test_flashcard_without_rating_is_no_answer():
    assert not grade_flashcard(None).answered and not grade_flashcard("great").answered


def test_mask_graded_cell_by_cell():
    key = [[True, False, False], [True, True, False], [True, True, True]]  # causal, n = 3
    assert grade_mask(key, key).correct and grade_mask(key, key).score == 1.0
    full = [[True] * 3 for _ in range(3)]
    g = grade_mask(full, key)  # the three upper cells are wrong
    assert not g.correct and g.score == pytest.approx(6 / 9)
    assert g.wrong_cells == ((0, 1), (0, 2), (1, 2))
    assert "3 of 9" in g.message["en"]


def test_mask_empty_or_wrong_shape_is_no_answer():
    key = [[True, False], [True, True]]
    assert not grade_mask(None, key).answered
    assert not grade_mask([[False, False], [False, False]], key).answered  # nothing ticked
    assert not grade_mask([[True]], key).answered


def test_skipped_is_a_recorded_wrong_answer():
    g = skipped()
    assert g.answered and not g.correct and g.score == 0.0 and g.response is None


def test_grade_dispatches_live_items():
    wh = which_heatmap(4)
    assert grade(wh, wh.answer).correct and not grade(wh, (wh.answer + 1) % 4).correct
    assert (
        grade(wh, (wh.answer + 1) % 4).message["en"]
        == f"Not quite: the answer is {'ABCD'[wh.answer]}."
    )
    dm = draw_mask(4)
    assert grade(dm, [list(r) for r in dm.answer]).correct
    c = compute(4)
    assert grade(c, f"{c.answer:.3f}").correct
    assert grade(c, f"{c.answer:.2f}").correct == (
        abs(round(c.answer, 2) - c.answer) <= c.tolerance
    )
    assert not grade(c, "").answered


# ── predict the pattern (the synthetic previous-token head of test_quiz_items) ────────────────


def test_naming_the_pattern_of_a_known_head():
    item = pattern_item(synthetic_head(), seed=1)
    right = grade(item, "previous")
    assert (right.answered, right.correct, right.score) == (True, True, 1.0)
    assert right.response == {"mode": "name", "guess": "previous", "pattern": "previous"}
    assert (
        right.message["en"]
        == "Right: this head is 'previous token'; your pattern scores 0.80 on it."
    )
    wrong = grade(item, "self")  # self scores (1 + 5 · 0.2) / 6 = 0.33 on this head
    assert (wrong.answered, wrong.correct, wrong.score) == (True, False, 0.0)
    assert wrong.response == {"mode": "name", "guess": "self", "pattern": "previous"}
    assert wrong.message["en"] == (
        "Not quite: this head is 'previous token'; your pattern scores 0.33 on it."
    )
    assert "「前一个词元」" in wrong.message["zh"]
    for empty in (None, "", "mixed", "diagonal"):  # no choice, or not one of the patterns
        g = grade(item, empty)
        assert not g.answered and g.message["en"] == "Choose a pattern."


def test_painting_a_row_of_a_known_head_scores_the_overlap():
    item = pattern_item(synthetic_head(), seed=1)  # query 1 ('the'): 0.8 on [CLS], 0.2 on itself
    g = grade(item, {"painted": [0], "query": 1})
    assert g.correct and g.score == pytest.approx(0.8)
    assert g.response == {"mode": "paint", "painted": [0], "query": 1, "pattern": "previous"}
    half = grade(item, {"painted": [1, 0], "query": 1})  # min(0.5, 0.8) + min(0.5, 0.2)
    assert half.correct and half.score == pytest.approx(0.7) and half.response["painted"] == [0, 1]
    miss = grade(item, {"painted": [2, 3], "query": 1})
    assert miss.answered and not miss.correct and miss.score == 0.0
    assert "overlaps the real attention by 0%" in miss.message["en"]
    last = grade(item, {"painted": [4], "query": 5})  # [SEP] puts 0.8 on '.'
    assert last.correct and last.score == pytest.approx(0.8)
    for empty in ([], None, [99]):
        assert not grade(item, {"painted": empty, "query": 1}).answered


def test_pattern_graders_on_their_own():
    shares = (0.1, 0.7, 0.2, 0.0, 0.0, 0.0, 0.3)
    assert grade_pattern("next", "next", shares).correct
    assert "scores 0.10" in grade_pattern("previous", "next", shares).message["en"]
    row = torch.tensor([0.25, 0.25, 0.5])
    assert grade_paint([2], 0, row, "self").score == pytest.approx(0.5)  # exactly right at 0.5
    assert grade_paint([2], 0, row, "self").correct
    assert not grade_paint([0], 0, row, "self").correct


def test_grade_rejects_an_unknown_type():
    item = Item("x", "q", "essay", {"zh": "", "en": ""}, {"zh": "", "en": ""}, (), None)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="essay"):
        grade(item, "text")


def test_a_shown_choice_is_graded_in_the_shown_order_and_stored_as_authored(bank: Bank):
    """s-single's options are [1/√d_k, d_k, 1] in its file, key 0; shown shuffled per seed."""
    moved = 0
    for seed in range(30):
        item = make_item(bank, "s-single", seed)
        moved += item.order != (0, 1, 2)
        right = grade(item, item.answer)  # the position where 1/√d_k is shown
        assert right.correct and right.response == 0
        for shown in range(3):
            g = grade(item, shown)
            assert g.response == item.order[shown]  # the authored index of what was picked
            assert g.correct == (item.options[shown]["en"] == "1/√d_k")
    assert moved > 20  # most draws do move the options


def test_a_shown_multiple_choice_is_stored_as_authored_indices(bank: Bank):
    """s-multiple: [causal, padding, softmax, sliding window] in its file, key [0, 1, 3]."""
    for seed in range(30):
        item = make_item(bank, "s-multiple", seed)
        assert grade(item, list(item.answer)).response == [0, 1, 3]
        softmax = next(k for k, o in enumerate(item.options) if o["en"] == "softmax")
        causal = next(k for k, o in enumerate(item.options) if o["en"] == "causal")
        g = grade(item, [softmax, causal])
        assert (g.correct, g.score, g.response) == (False, 0.0, [0, 2])  # (1 − 1) / 3
        assert not grade(item, []).answered and grade(item, []).response is None
