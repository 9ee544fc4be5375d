"""A quiz session without a browser: which items to ask, answering one, and the summary.

A session starts from one of :data:`MODES` — items due now, new items, the learner's mistakes,
a tag, or one question — and asks its items one at a time. :func:`answer` grades a response,
records it (committed at once) and updates the learner's FSRS card in the same transaction;
:func:`record` does the recording alone, for a page that graded the response itself.
"""

from __future__ import annotations

import secrets
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from quiz.bank import Bank
from quiz.grading import Grade, grade
from quiz.grading import skipped as skip_grade
from quiz.items import Item, all_item_ids, item_tags
from quiz.scheduler import Due, due_queue, rating_for, review
from quiz.store import AnswerIn, AnswerRow, CardRow, Learner, Store

MODES = ("due", "new", "mistakes", "tag", "question")
DEFAULT_LENGTH = 10


@dataclass(frozen=True)
class Start:
    """How a session starts: a mode, with a tag or a question number where the mode needs one."""

    mode: str
    tag: str | None = None
    question: int | None = None
    length: int = DEFAULT_LENGTH


@dataclass(frozen=True)
class Outcome:
    """What answering did: the grade, and (if it was recorded) the answer id and the next due date."""

    grade: Grade
    answer_id: int | None = None
    due: datetime | None = None


@dataclass(frozen=True)
class Summary:
    """A session's score: answers, correct ones, mean score, time, and accuracy per tag."""

    answered: int
    correct: int
    score: float
    seconds: float
    per_tag: dict[str, tuple[int, float]]  # tag → (answers, accuracy)


def new_session_id() -> str:
    return secrets.token_hex(8)


def fresh_seed() -> int:
    """A seed for a generated item: fresh random inputs every time it is shown."""
    return secrets.randbelow(2**31)


def mistakes(history: Sequence[AnswerRow]) -> list[str]:
    """Items whose latest answer was wrong, most recent first."""
    latest: dict[str, AnswerRow] = {}
    for a in history:  # oldest first, so the last one wins
        latest[a.item_id] = a
    wrong = [a for a in latest.values() if not a.correct]
    return [a.item_id for a in sorted(wrong, key=lambda a: (a.answered_at, a.id), reverse=True)]


def plan(
    bank: Bank, cards: Iterable[CardRow], history: Sequence[AnswerRow], start: Start, now: datetime
) -> list[str]:
    """The item ids of a session, in the order they will be asked (at most ``start.length``)."""
    known = all_item_ids(bank)
    cards = list(cards)
    if start.mode == "due":
        ids = due_queue((Due(c.item_id, c.due) for c in cards), now)
    elif start.mode == "new":
        seen = {c.item_id for c in cards}
        ids = [i for i in known if i not in seen]
    elif start.mode == "mistakes":
        ids = mistakes(history)
    elif start.mode == "tag":
        ids = [i for i in known if start.tag in item_tags(bank, i)]
    elif start.mode == "question":
        q = bank.by_number(start.question or 0)
        ids = [i.id for i in q.quiz] if q else []
    else:
        raise ValueError(f"unknown start mode {start.mode!r}; one of {', '.join(MODES)}")
    allowed = set(known)
    return [i for i in ids if i in allowed][: start.length]


def counts(
    bank: Bank, cards: Sequence[CardRow], history: Sequence[AnswerRow], now: datetime
) -> dict[str, int]:
    """How many items each start mode would offer right now (before the length limit)."""
    big = 10**6
    return {
        mode: len(plan(bank, cards, history, Start(mode, length=big), now))
        for mode in ("due", "new", "mistakes")
    }


def answer(
    store: Store,
    learner: Learner,
    session_id: str,
    item: Item,
    response: object,
    seconds: float,
    now: datetime,
    fuzz: bool = True,
    skipped: bool = False,
) -> Outcome:
    """Grade ``response``; if it is an answer, record it and review the card (one commit).

    ``skipped`` ("I don't know") records a wrong answer with no response, a lapse for the card.
    """
    g = skip_grade() if skipped else grade(item, response)
    if not g.answered:
        return Outcome(g)
    return record(store, learner, session_id, item, g, seconds, now, fuzz)


def record(
    store: Store,
    learner: Learner,
    session_id: str,
    item: Item,
    g: Grade,
    seconds: float,
    now: datetime,
    fuzz: bool = True,
) -> Outcome:
    """Write an answered grade of ``item`` and review the learner's FSRS card for it (one commit)."""
    rating = rating_for(item.type, g)
    due: list[datetime] = []

    def schedule(old: str | None) -> tuple[str, datetime]:
        card, when = review(old, item.item_id, rating, now, learner.desired_retention, fuzz)
        due.append(when)
        return card, when

    row = AnswerIn(
        learner_id=learner.id,
        session_id=session_id,
        question_id=item.question_id,
        item_id=item.item_id,
        item_type=item.type,
        tags=item.tags,
        response=g.response,
        correct=g.correct,
        score=g.score,
        seconds=max(0.0, seconds),
        rating=int(rating),
        answered_at=now,
        seed=item.seed,
    )
    aid = store.record(row, schedule)
    return Outcome(g, aid, due[-1])


def summarise(rows: Sequence[AnswerRow]) -> Summary:
    """Score, time and per-tag accuracy of a list of answers (a session's, usually)."""
    per: dict[str, list[bool]] = defaultdict(list)
    for a in rows:
        for t in a.tags:
            per[t].append(a.correct)
    n = len(rows)
    return Summary(
        answered=n,
        correct=sum(a.correct for a in rows),
        score=sum(a.score for a in rows) / n if n else 0.0,
        seconds=sum(a.seconds for a in rows),
        per_tag={t: (len(v), sum(v) / len(v)) for t, v in sorted(per.items())},
    )


def accuracy_by_day(rows: Sequence[AnswerRow]) -> dict[tuple[date, str], float]:
    """(day, tag) → share of that day's answers on the tag that were correct."""
    per: dict[tuple[date, str], list[bool]] = defaultdict(list)
    for a in rows:
        for t in a.tags:
            per[(a.answered_at.date(), t)].append(a.correct)
    return {k: sum(v) / len(v) for k, v in sorted(per.items())}
