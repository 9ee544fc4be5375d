"""FSRS scheduling: correct answers push a card out, a lapse brings it back, and the due queue order."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from fsrs import Rating, State

from quiz.grading import grade_flashcard, grade_single, skipped
from quiz.scheduler import Due, card_state, due_queue, forecast, rating_for, review, scheduler

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=timezone.utc)


def answer_on_time(ratings: list[Rating], retention: float = 0.9) -> tuple[str, list[timedelta]]:
    """Review a new card with each rating, each time exactly when it comes due; the intervals given."""
    card, when, gaps = None, T0, []
    for r in ratings:
        card, due = review(card, "item", r, when, retention, fuzz=False)
        gaps.append(due - when)
        when = due
    return card, gaps


def test_repeated_correct_answers_move_the_due_date_out():
    card, gaps = answer_on_time([Rating.Good] * 8)
    review_gaps = gaps[2:]  # after the learning steps (1 min, 10 min) the card is in review
    assert gaps[0] == timedelta(minutes=10)  # learning step
    assert all(b > a for a, b in zip(review_gaps, review_gaps[1:], strict=False))
    assert review_gaps[0] >= timedelta(days=1) and gaps[-1] > timedelta(days=60)
    assert card_state(card) == State.Review


def test_a_lapse_brings_the_card_back():
    card, gaps = answer_on_time([Rating.Good] * 6)
    assert gaps[-1] > timedelta(days=10)
    when = T0 + sum(gaps, timedelta())
    lapsed, due = review(card, "item", Rating.Again, when, fuzz=False)
    assert due - when == timedelta(minutes=10)  # relearning step
    assert card_state(lapsed) == State.Relearning
    again, due2 = review(lapsed, "item", Rating.Good, due, fuzz=False)
    assert (
        due2 - due < gaps[-1]
    )  # stability fell: the next interval is shorter than before the lapse


def test_higher_desired_retention_means_shorter_intervals():
    _, strict = answer_on_time([Rating.Good] * 5, retention=0.95)
    _, loose = answer_on_time([Rating.Good] * 5, retention=0.80)
    assert strict[-1] < loose[-1]


@pytest.mark.parametrize("bad", [0.5, 0.99, 1.0])
def test_retention_outside_the_setting_range_is_refused(bad):
    with pytest.raises(ValueError, match="desired retention"):
        scheduler(bad)


def test_ratings_from_grades():
    assert rating_for("single", grade_single(1, 1, 3)) == Rating.Good
    assert rating_for("single", grade_single(0, 1, 3)) == Rating.Again
    assert rating_for("numeric", skipped()) == Rating.Again
    for name, r in [
        ("again", Rating.Again),
        ("hard", Rating.Hard),
        ("good", Rating.Good),
        ("easy", Rating.Easy),
    ]:
        assert rating_for("flashcard", grade_flashcard(name)) == r


def test_due_queue_most_overdue_first_ties_by_id_future_left_out():
    now = T0
    cards = [
        Due("b", now - timedelta(hours=1)),
        Due("future", now + timedelta(minutes=1)),
        Due("a", now - timedelta(days=3)),
        Due("c", now - timedelta(hours=1)),
        Due("exact", now),
    ]
    assert due_queue(cards, now) == ["a", "b", "c", "exact"]
    assert due_queue(cards, now + timedelta(minutes=2)) == ["a", "b", "c", "exact", "future"]
    assert due_queue([], now) == []


def test_forecast_counts_per_day_overdue_today():
    now = T0
    cards = [
        Due("a", now - timedelta(days=2)),
        Due("b", now + timedelta(hours=3)),
        Due("c", now + timedelta(days=1, hours=1)),
        Due("d", now + timedelta(days=30)),
    ]
    assert forecast(cards, now, days=3) == [2, 1, 0]


def test_review_needs_an_aware_utc_time():
    with pytest.raises(ValueError):
        review(None, "item", Rating.Good, datetime(2026, 3, 1, 9, 0))
