"""Class mode: which questions a class is assigned, in the teacher's order, kept in the database.

One table, ``class_assignments`` (class code, position, question id), beside the progress
store's tables on the same engine. It is created with ``create_all`` once the store has opened
(so a new database gets the store's schema first) and is only ever added to, never altered.
"""

from __future__ import annotations

import hmac
import os
import unicodedata
from collections.abc import Sequence
from datetime import datetime, timezone

from sqlalchemy import Column, Integer, MetaData, String, Table, delete, insert, inspect, select
from sqlalchemy.exc import SQLAlchemyError

from engine.sanitize import CLASS_CODE, TextError, clean_text, strip_invisible
from quiz.bank import Bank
from quiz.store import Store, UTCDateTime

metadata = MetaData()
assignments = Table(
    "class_assignments",
    metadata,
    Column("class_code", String(40), primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("question_id", String(80), nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)


def class_code() -> str | None:
    """``CLASS_CODE`` from the environment (at most 40 characters), or None when class mode is off."""
    try:
        return clean_text(os.environ.get("CLASS_CODE", ""), CLASS_CODE)
    except TextError:
        return None


def _norm(code: str) -> bytes:
    """NFKC, no spaces or invisible characters, upper case: ``" ab 12 "`` = ``"AB12"``."""
    text = strip_invisible(code.encode("utf-8", "replace").decode("utf-8"))
    return "".join(unicodedata.normalize("NFKC", text).split()).upper().encode()


def code_matches(given: str, expected: str) -> bool:
    """Whether ``given`` is the class code, ignoring case and spaces (compared in constant time)."""
    return hmac.compare_digest(_norm(given), _norm(expected))


class ClassBook:
    """The assignments of every class, in the database of ``store``."""

    def __init__(self, store: Store):
        self.store = store
        try:
            metadata.create_all(store.engine)
        except SQLAlchemyError:  # another replica created it at the same moment
            if "class_assignments" not in inspect(store.engine).get_table_names():
                raise

    def assignment(self, code: str) -> list[str]:
        """The question ids assigned to class ``code``, in order (empty: none assigned)."""
        q = (
            select(assignments.c.question_id)
            .where(assignments.c.class_code == code)
            .order_by(assignments.c.position)
        )
        with self.store.engine.connect() as conn:
            return [r[0] for r in conn.execute(q)]

    def classes(self) -> list[str]:
        """Every class code that has an assignment, sorted."""
        q = select(assignments.c.class_code).distinct().order_by(assignments.c.class_code)
        with self.store.engine.connect() as conn:
            return [r[0] for r in conn.execute(q)]

    def find_class(self, given: str) -> str | None:
        """The existing class whose code ``given`` is (ignoring case, spaces and invisible
        characters): ``CLASS_CODE`` or a class with an assignment; None if there is none."""
        known = [c for c in (class_code(), *self.classes()) if c]
        return next((c for c in known if code_matches(given, c)), None)

    def assign(self, code: str, question_ids: Sequence[str]) -> None:
        """Replace class ``code``'s assignment with ``question_ids`` (in this order), in one commit."""
        if len(set(question_ids)) != len(question_ids):
            raise ValueError("a question can be assigned only once")
        now = datetime.now(timezone.utc)
        rows = [
            {"class_code": code, "position": i, "question_id": qid, "updated_at": now}
            for i, qid in enumerate(question_ids)
        ]
        with self.store.engine.connect() as conn:
            conn.execution_options(write=True)  # BEGIN IMMEDIATE on SQLite
            with conn.begin():
                conn.execute(delete(assignments).where(assignments.c.class_code == code))
                if rows:
                    conn.execute(insert(assignments), rows)


def assigned_items(bank: Bank, question_ids: Sequence[str]) -> list[str]:
    """The quiz item ids of the assigned questions, question by question in the assigned order.

    A question no longer in the bank is left out.
    """
    out = []
    for qid in question_ids:
        q = bank.by_id(qid)
        if q is not None:
            out += [i.id for i in q.quiz]
    return out
