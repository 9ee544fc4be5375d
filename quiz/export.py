"""A learner's own answer history as CSV (UTF-8 with a BOM, so spreadsheet apps read Chinese).

A choice ``response`` holds option indices in the question file's order (from 0), not the
shuffled order the learner was shown; ``seed`` is the presentation's draw, from which
:func:`quiz.items.make_item` shows the item again exactly as it was shown.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence

from quiz.store import AnswerRow

COLUMNS = (
    "answered_at",
    "session_id",
    "question_id",
    "item_id",
    "item_type",
    "tags",
    "response",
    "correct",
    "score",
    "seconds",
    "rating",
    "seed",
)
RATING_NAMES = {1: "again", 2: "hard", 3: "good", 4: "easy"}
_FORMULA_START = ("=", "+", "@", "\t", "\r")


def _cell(value: str) -> str:
    """Text a spreadsheet would run as a formula gets a leading apostrophe."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def answers_csv(rows: Sequence[AnswerRow]) -> str:
    """One line per answer, oldest first: when, what, the response given, and how it was graded."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(COLUMNS)
    for a in rows:
        w.writerow(
            [
                a.answered_at.isoformat(timespec="seconds"),
                a.session_id,
                _cell(a.question_id),
                _cell(a.item_id),
                a.item_type,
                _cell(";".join(a.tags)),
                _cell(json.dumps(a.response, ensure_ascii=False)),
                int(a.correct),
                f"{a.score:.3f}",
                f"{a.seconds:.1f}",
                RATING_NAMES.get(a.rating, str(a.rating)),
                "" if a.seed is None else a.seed,
            ]
        )
    return buf.getvalue()


def answers_csv_bytes(rows: Sequence[AnswerRow]) -> bytes:
    """:func:`answers_csv` encoded as UTF-8 with a byte-order mark."""
    return answers_csv(rows).encode("utf-8-sig")
