"""Spaced repetition with FSRS (the ``fsrs`` package, the scheduler Anki uses).

Every answered item updates that learner's card for the item. The rating comes from the grade:
a correct answer is *Good*, a wrong one *Again* (a lapse); a flashcard uses the learner's own
rating (again, hard, good, easy). The desired retention — the probability of recall FSRS aims
for when a card comes due — is a setting, 0.9 by default.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from fsrs import Card, Rating, Scheduler, State

from quiz.grading import Grade

DEFAULT_RETENTION = 0.9
RETENTION_RANGE = (0.70, 0.97)
_RATING = {"again": Rating.Again, "hard": Rating.Hard, "good": Rating.Good, "easy": Rating.Easy}


@dataclass(frozen=True)
class Due:
    """When a learner's card for an item comes due; ``card`` is the FSRS card as JSON."""

    item_id: str
    due: datetime
    card: str = ""


def now_utc() -> datetime:
    return datetime.now(timezone.utc)


def scheduler(desired_retention: float = DEFAULT_RETENTION, fuzz: bool = True) -> Scheduler:
    """An FSRS scheduler aiming at ``desired_retention`` (checked against ``RETENTION_RANGE``)."""
    lo, hi = RETENTION_RANGE
    if not lo <= desired_retention <= hi:
        raise ValueError(f"desired retention {desired_retention} is outside {lo}–{hi}")
    return Scheduler(desired_retention=desired_retention, enable_fuzzing=fuzz)


def rating_for(item_type: str, g: Grade) -> Rating:
    """Flashcard: the learner's self-rating. Any other item: Good if correct, else Again."""
    if item_type == "flashcard" and g.response in _RATING:
        return _RATING[g.response]
    return Rating.Good if g.correct else Rating.Again


def review(
    card_json: str | None,
    item_id: str,
    rating: Rating,
    when: datetime,
    desired_retention: float = DEFAULT_RETENTION,
    fuzz: bool = True,
) -> tuple[str, datetime]:
    """The card after one review at ``when`` (a new card if ``card_json`` is None): (JSON, due)."""
    card = (
        Card.from_json(card_json)
        if card_json
        else Card(card_id=zlib.crc32(item_id.encode()), due=when)
    )
    card, _ = scheduler(desired_retention, fuzz).review_card(card, rating, review_datetime=when)
    return card.to_json(), card.due


def card_state(card_json: str) -> State:
    return Card.from_json(card_json).state


def due_queue(cards: Iterable[Due], now: datetime) -> list[str]:
    """Items due at ``now``, most overdue first (ties: item id), as FSRS reviews are meant to go."""
    due = [c for c in cards if c.due <= now]
    return [c.item_id for c in sorted(due, key=lambda c: (c.due, c.item_id))]


def forecast(cards: Iterable[Due], now: datetime, days: int = 14) -> list[int]:
    """Cards coming due on each of the next ``days`` days; overdue ones count on day 0."""
    counts = [0] * days
    start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    for c in cards:
        day = max(0, (c.due - start) // timedelta(days=1))
        if day < days:
            counts[day] += 1
    return counts
