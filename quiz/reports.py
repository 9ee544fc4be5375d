"""Class reports from the progress store: roster and activity, item analysis, progress, CSV.

Item analysis follows Moodle's *Quiz statistics calculations*
(https://docs.moodle.org/dev/Quiz_statistics_calculations) and, as Moodle does by default, uses
each learner's **first** answer to an item (later answers come after the explanation was shown).
With x_i(s) ∈ [0, 1] the first score of learner s on item i, over the S_i learners who answered i:

- facility index      F_i = 100 · x̄_i
  (Moodle's 100 · (x̄_i − x_min) / (x_max − x_min) with x_min = 0, x_max = 1);
- standard deviation  SD_i = 100 · √V(x_i),  V(x) = Σ_s (x(s) − x̄)² / (S_i − 1);
- discrimination index D_i = 100 · r(x_i, X_i) = 100 · C(x_i, X_i) / √(V(x_i) · V(X_i)),
  the Pearson correlation of the item score with the rest-of-test score X_i(s),
  C(x, X) = Σ_s (x(s) − x̄)(X(s) − X̄) / (S_i − 1).

Moodle's rest-of-test score is T(s) − x_i(s), the sum of the other items' scores of one attempt.
Learners here do not all answer the same items, so X_i(s) is the learner's **mean** first score on
the other items they answered. When every learner answered every item this is Moodle's sum divided
by the constant (items − 1); a correlation does not change under a positive scale, so D_i is then
exactly Moodle's. D_i is None (shown blank, as Moodle does) when fewer than two learners have a
rest-of-test score or either variance is zero.

Per question, x_q(s) is the mean first score of learner s on the question's items they answered,
and the same formulas run over questions instead of items.

Most-chosen wrong answers count **every** recorded wrong answer (not only first ones): for each
distinct response, how many learners gave it and how many times. Choice responses are stored as
the options' indices in the question file (whatever order a learner was shown them in), so the
letters A, B, C… name the authored options and answers under different shuffles pool. Items whose numbers or pictures
are drawn afresh each time (the engine's live items, generated numerics) have no fixed wrong
answers to count.
"""

from __future__ import annotations

import csv
import io
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from quiz.bank import Bank
from quiz.items import LIVE_QUESTION, LIVE_TYPES
from quiz.schema import Question
from quiz.store import AnswerRow, Learner, Store, answer_row, answers, cards, learners

TOP_WRONG = 3  # most-chosen wrong answers listed per item
LETTERS = "ABCDEFGH"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


# ── reading one class from the store ──────────────────────────────────────────────────────────


@dataclass(frozen=True)
class ClassData:
    """The learners of a class (or of the whole database), their answers and cards due now."""

    learners: tuple[Learner, ...]
    answers: tuple[AnswerRow, ...]  # oldest first
    due_now: dict[int, int]  # learner id → cards due at ``now``


def class_codes(store: Store) -> list[str]:
    """Every class code a learner has joined, sorted."""
    q = select(learners.c.class_code).where(learners.c.class_code.is_not(None)).distinct()
    with store.engine.connect() as conn:
        return sorted(r[0] for r in conn.execute(q))


def load_class(store: Store, class_code: str | None, now: datetime) -> ClassData:
    """Learners with ``class_code`` (all when None) who have a name or an answer, and their data.

    Reads the store's own tables in three queries; nothing is written.
    """
    who = select(learners.c.id)
    if class_code is not None:
        who = who.where(learners.c.class_code == class_code)
    with store.engine.connect() as conn:
        ans = conn.execute(
            select(answers)
            .where(answers.c.learner_id.in_(who.scalar_subquery()))
            .order_by(answers.c.answered_at, answers.c.id)
        ).all()
        active = {r.learner_id for r in ans}
        people = conn.execute(select(learners).where(learners.c.id.in_(who.scalar_subquery())))
        people = [r for r in people if r.code_hash is not None or r.id in active]
        due = conn.execute(
            select(cards.c.learner_id, func.count())
            .where(cards.c.due <= now, cards.c.learner_id.in_(who.scalar_subquery()))
            .group_by(cards.c.learner_id)
        ).all()
    return ClassData(
        tuple(sorted((_learner(r) for r in people), key=lambda p: p.id)),
        tuple(answer_row(r) for r in ans),
        {lid: int(n) for lid, n in due},
    )


def _learner(r: Any) -> Learner:
    return Learner(
        r.id,
        r.display_name,
        r.code_hash is not None,
        r.class_code,
        r.desired_retention,
        r.created_at,
    )


def learner_name(learner: Learner) -> str:
    """The display name, or ``guest #id`` for a learner without one."""
    return learner.display_name or f"guest #{learner.id}"


# ── roster and activity ───────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class RosterRow:
    learner_id: int
    name: str
    class_code: str
    joined: datetime
    answers: int
    correct: int
    accuracy: float | None  # 100 · correct / answers
    items: int  # distinct items answered
    due_now: int
    last_seen: datetime | None


def roster(data: ClassData) -> list[RosterRow]:
    """One row per learner: answers, accuracy, items studied, cards due now, last answer."""
    by: dict[int, list[AnswerRow]] = defaultdict(list)
    for a in data.answers:
        by[a.learner_id].append(a)
    rows = []
    for p in data.learners:
        mine = by.get(p.id, [])
        right = sum(a.correct for a in mine)
        rows.append(
            RosterRow(
                learner_id=p.id,
                name=learner_name(p),
                class_code=p.class_code or "",
                joined=p.created_at,
                answers=len(mine),
                correct=right,
                accuracy=100 * right / len(mine) if mine else None,
                items=len({a.item_id for a in mine}),
                due_now=data.due_now.get(p.id, 0),
                last_seen=max((a.answered_at for a in mine), default=None),
            )
        )
    return rows


# ── item analysis ─────────────────────────────────────────────────────────────────────────────

Scores = dict[int, dict[str, float]]  # learner id → unit (item or question) → first score


def first_scores(rows: Iterable[AnswerRow]) -> Scores:
    """x_i(s): the score of each learner's first answer to each item (rows oldest first)."""
    out: Scores = defaultdict(dict)
    for a in rows:
        out[a.learner_id].setdefault(a.item_id, a.score)
    return dict(out)


def question_scores(items: Scores, question_of: Mapping[str, str]) -> Scores:
    """x_q(s): the mean of a learner's first scores on the items of question q that they answered."""
    out: Scores = {}
    for s, per_item in items.items():
        groups: dict[str, list[float]] = defaultdict(list)
        for item, x in per_item.items():
            groups[question_of[item]].append(x)
        out[s] = {q: sum(v) / len(v) for q, v in groups.items()}
    return out


def mean(xs: Sequence[float]) -> float:
    return sum(xs) / len(xs)


def variance(xs: Sequence[float]) -> float:
    """V(x) = Σ (x − x̄)² / (n − 1), the sample variance (n ≥ 2)."""
    m = mean(xs)
    return sum((x - m) ** 2 for x in xs) / (len(xs) - 1)


def covariance(xs: Sequence[float], ys: Sequence[float]) -> float:
    """C(x, y) = Σ (x − x̄)(y − ȳ) / (n − 1) over paired samples (n ≥ 2)."""
    mx, my = mean(xs), mean(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / (len(xs) - 1)


def discrimination(xs: Sequence[float], rest: Sequence[float]) -> float | None:
    """D = 100 · C(x, X) / √(V(x) V(X)); None for fewer than two pairs or a zero variance."""
    if len(xs) < 2:
        return None
    vx, vr = variance(xs), variance(rest)
    if vx <= 0 or vr <= 0:
        return None
    return 100 * covariance(xs, rest) / math.sqrt(vx * vr)


@dataclass(frozen=True)
class UnitStats:
    """Moodle's statistics of one item (or question): n, facility %, SD %, discrimination %."""

    unit: str
    learners: int
    facility: float
    sd: float | None
    discrimination: float | None


def analyse(scores: Scores) -> dict[str, UnitStats]:
    """F, SD and D (module docstring) for every unit anyone answered, in first-seen order."""
    units = list(dict.fromkeys(u for per in scores.values() for u in per))
    out = {}
    for u in units:
        xs, rest = [], []
        for per in scores.values():
            if u not in per:
                continue
            xs.append(per[u])
            others = [x for v, x in per.items() if v != u]
            if others:
                rest.append((per[u], mean(others)))
        out[u] = UnitStats(
            unit=u,
            learners=len(xs),
            facility=100 * mean(xs),
            sd=100 * math.sqrt(variance(xs)) if len(xs) > 1 else None,
            discrimination=discrimination([x for x, _ in rest], [r for _, r in rest]),
        )
    return out


# ── most-chosen wrong answers ─────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class WrongAnswer:
    """One distinct wrong response, readable, with how many learners gave it and how often."""

    response: str
    learners: int
    times: int


def _bank_item(bank: Bank | None, question_id: str, item_id: str) -> Any | None:
    q = bank.by_id(question_id) if bank else None
    return next((i for i in q.quiz if i.id == item_id), None) if q else None


def varies_per_draw(item_type: str, bank_item: Any | None) -> bool:
    """True when an item's inputs are drawn afresh each time, so its responses cannot be pooled."""
    return item_type in LIVE_TYPES or getattr(bank_item, "generator", None) is not None


def describe_response(item_type: str, response: Any, bank_item: Any | None, lang: str) -> str:
    """A stored response as a teacher reads it: ``B. option text``, ``A + C``, ``0.25``, …"""
    if response is None:
        return "跳过（我不会）" if lang == "zh" else "skipped (I don't know)"
    if item_type in ("single", "multiple"):
        picks = [response] if item_type == "single" else list(response)
        options = getattr(bank_item, "options", None)
        text = [
            f"{LETTERS[k]}. {options[k].get(lang)}" if options and k < len(options) else LETTERS[k]
            for k in picks
        ]
        return " + ".join(text)
    if item_type == "true_false":
        yes, no = ("对", "错") if lang == "zh" else ("true", "false")
        return yes if response else no
    if isinstance(response, float):
        return f"{response:.6g}"
    return str(response)


def wrong_answers(
    rows: Iterable[AnswerRow], bank: Bank | None, lang: str, top: int = TOP_WRONG
) -> dict[str, tuple[WrongAnswer, ...]]:
    """Item id → its ``top`` most-chosen wrong responses (by learners, then times, then text)."""
    seen: dict[str, dict[str, tuple[set[int], int]]] = defaultdict(dict)
    for a in rows:
        if a.correct:
            continue
        bi = _bank_item(bank, a.question_id, a.item_id)
        if varies_per_draw(a.item_type, bi):
            continue
        text = describe_response(a.item_type, a.response, bi, lang)
        who, times = seen[a.item_id].get(text, (set(), 0))
        seen[a.item_id][text] = ({*who, a.learner_id}, times + 1)
    out = {}
    for item, by_text in seen.items():
        ranked = sorted(by_text.items(), key=lambda kv: (-len(kv[1][0]), -kv[1][1], kv[0]))
        out[item] = tuple(WrongAnswer(t, len(w), n) for t, (w, n) in ranked[:top])
    return out


# ── the item-analysis tables ──────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class ItemRow:
    """One line of the item-analysis table (an item, or a whole question)."""

    question_id: str
    number: int | None
    item_id: str  # "" on a per-question row
    item_type: str
    prompt: str
    learners: int
    answers: int
    facility: float
    sd: float | None
    discrimination: float | None
    wrong: tuple[WrongAnswer, ...] = ()


def item_table(data: ClassData, bank: Bank | None, lang: str) -> list[ItemRow]:
    """Per item: n, answers, F, SD, D and the most-chosen wrong answers, in bank order."""
    stats = analyse(first_scores(data.answers))
    wrong = wrong_answers(data.answers, bank, lang)
    meta: dict[str, AnswerRow] = {}
    count: dict[str, int] = defaultdict(int)
    for a in data.answers:
        meta.setdefault(a.item_id, a)
        count[a.item_id] += 1
    rows = []
    for item, s in stats.items():
        a = meta[item]
        q = bank.by_id(a.question_id) if bank else None
        bi = _bank_item(bank, a.question_id, item)
        rows.append(
            ItemRow(
                question_id=a.question_id,
                number=q.number if q else None,
                item_id=item,
                item_type=a.item_type,
                prompt=bi.prompt.get(lang) if bi else "",
                learners=s.learners,
                answers=count[item],
                facility=s.facility,
                sd=s.sd,
                discrimination=s.discrimination,
                wrong=wrong.get(item, ()),
            )
        )
    return sorted(rows, key=lambda r: (_order(r.number, r.question_id), _item_pos(bank, r)))


def question_table(data: ClassData, bank: Bank | None, lang: str) -> list[ItemRow]:
    """Per question: the same statistics over x_q(s), the mean first score on its items."""
    question_of = {a.item_id: a.question_id for a in data.answers}
    stats = analyse(question_scores(first_scores(data.answers), question_of))
    count: dict[str, int] = defaultdict(int)
    for a in data.answers:
        count[a.question_id] += 1
    rows = []
    for qid, s in stats.items():
        q = bank.by_id(qid) if bank else None
        rows.append(
            ItemRow(
                question_id=qid,
                number=q.number if q else None,
                item_id="",
                item_type="",
                prompt=q.title.get(lang) if q else _live_title(qid, lang),
                learners=s.learners,
                answers=count[qid],
                facility=s.facility,
                sd=s.sd,
                discrimination=s.discrimination,
            )
        )
    return sorted(rows, key=lambda r: _order(r.number, r.question_id))


def _order(number: int | None, question_id: str) -> tuple[int, str]:
    return (number if number is not None else 10**6, question_id)


def _item_pos(bank: Bank | None, r: ItemRow) -> tuple[int, str]:
    q = bank.by_id(r.question_id) if bank else None
    ids = [i.id for i in q.quiz] if q else []
    return (ids.index(r.item_id) if r.item_id in ids else len(ids), r.item_id)


def _live_title(qid: str, lang: str) -> str:
    if qid == LIVE_QUESTION:
        return "引擎现场生成的题" if lang == "zh" else "items generated live by the engine"
    return qid


# ── per-learner progress ──────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class ProgressRow:
    """One learner on one question: items answered, items right at their latest answer, accuracy."""

    learner_id: int
    name: str
    question_id: str
    number: int | None
    title: str
    items: int  # items the question has (0 for live items and questions no longer in the bank)
    answered: int  # distinct items answered
    right_now: int  # items whose latest answer was correct
    answers: int
    accuracy: float  # 100 · correct / answers
    last_answered: datetime


def progress(data: ClassData, bank: Bank | None, lang: str) -> list[ProgressRow]:
    """Every learner × every question they answered, in roster then bank order."""
    groups: dict[tuple[int, str], list[AnswerRow]] = defaultdict(list)
    for a in data.answers:
        groups[(a.learner_id, a.question_id)].append(a)
    names = {p.id: learner_name(p) for p in data.learners}
    rows = []
    for (lid, qid), mine in groups.items():
        q: Question | None = bank.by_id(qid) if bank else None
        latest = {a.item_id: a.correct for a in mine}  # oldest first: the last one wins
        rows.append(
            ProgressRow(
                learner_id=lid,
                name=names.get(lid, f"#{lid}"),
                question_id=qid,
                number=q.number if q else None,
                title=q.title.get(lang) if q else _live_title(qid, lang),
                items=len(q.quiz) if q else 0,
                answered=len(latest),
                right_now=sum(latest.values()),
                answers=len(mine),
                accuracy=100 * sum(a.correct for a in mine) / len(mine),
                last_answered=mine[-1].answered_at,
            )
        )
    order = {p.id: i for i, p in enumerate(data.learners)}
    return sorted(
        rows, key=lambda r: (order.get(r.learner_id, 10**6), _order(r.number, r.question_id))
    )


# ── CSV ───────────────────────────────────────────────────────────────────────────────────────


def _cell(value: Any) -> str:
    """A CSV cell; text a spreadsheet would run as a formula gets a leading apostrophe."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, float):
        return f"{value:.1f}"
    if isinstance(value, (tuple, list)):
        value = "; ".join(f"{w.response} ({w.learners}/{w.times})" for w in value)
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def to_csv(records: Iterable[Any], columns: Mapping[str, str]) -> bytes:
    """Dataclass records as CSV: header = ``columns``' labels, UTF-8 with a BOM (for Excel).

    ``columns`` maps a field name to its header, in column order. Floats are written with one
    decimal (percentages), datetimes in ISO 8601 UTC, wrong answers as ``text (learners/times)``.
    """
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(list(columns.values()))
    for r in records:
        w.writerow([_cell(getattr(r, name)) for name in columns])
    return buf.getvalue().encode("utf-8-sig")
