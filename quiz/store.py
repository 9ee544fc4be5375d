"""The progress store: learners, every answer, and each learner's FSRS cards, in SQL.

SQLite in the data directory (``ATLAS_DATA_DIR``, default ``./data``) unless ``DATABASE_URL``
names another database (PostgreSQL for a hosted class). The schema is created on first start and
versioned in ``schema_version``. Each answer is committed the moment it is recorded, in one
transaction with the card it updates. SQLite runs in WAL mode with a busy timeout and takes the
write lock at the start of a write (``BEGIN IMMEDIATE``), so many writers queue instead of failing.

A database file that is not SQLite, is damaged, or holds someone else's tables is never touched:
opening it raises :class:`StoreError` naming the file and what to do.

Every read takes a learner id, so one learner's data is never returned for another. Learners are
found by a resume code, of which only a SHA-256 hash is stored.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    DateTime,
    Engine,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    create_engine,
    event,
    func,
    insert,
    inspect,
    select,
    update,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError

from engine.sanitize import CLASS_CODE, NAME, clean_text

SCHEMA_VERSION = 1
SQLITE_MAGIC = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 30_000
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32: no I, L, O, U
CODE_LENGTH = 16  # 16 × 5 bits = 80 random bits


class StoreError(RuntimeError):
    """The database cannot be used; the message names it and says what to do."""


class UTCDateTime(TypeDecorator):
    """Aware UTC datetimes in, aware UTC datetimes out (stored naive, in UTC)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; pass an aware UTC datetime")
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return value.replace(tzinfo=timezone.utc) if value is not None else None


metadata = MetaData()
schema_version = Table(
    "schema_version",
    metadata,
    Column("version", Integer, primary_key=True),
    Column("applied_at", UTCDateTime, nullable=False),
)
learners = Table(
    "learners",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("display_name", String(80)),  # None for a guest (this visit only)
    Column("code_hash", String(64), unique=True),  # sha256 of the normalised resume code
    Column("class_code", String(40), index=True),
    Column("desired_retention", Float, nullable=False, default=0.9),
    Column("created_at", UTCDateTime, nullable=False),
)
answers = Table(
    "answers",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("learner_id", Integer, ForeignKey("learners.id"), nullable=False),
    Column("session_id", String(40), nullable=False, index=True),
    Column("question_id", String(80), nullable=False, index=True),
    Column("item_id", String(80), nullable=False, index=True),
    Column("item_type", String(20), nullable=False),
    Column("tags", Text, nullable=False),  # JSON list
    Column("response", Text, nullable=False),  # JSON: option indices, number, rating, grid, …
    Column("correct", Boolean, nullable=False),
    Column("score", Float, nullable=False),  # in [0, 1]
    Column("seconds", Float, nullable=False),
    Column("rating", Integer, nullable=False),  # FSRS rating 1–4
    Column("seed", Integer),  # the draw of a generated item, to show it again
    Column("answered_at", UTCDateTime, nullable=False),
    Index("ix_answers_learner_time", "learner_id", "answered_at"),
)
cards = Table(
    "cards",
    metadata,
    Column("learner_id", Integer, ForeignKey("learners.id"), primary_key=True),
    Column("item_id", String(80), primary_key=True),
    Column("card", Text, nullable=False),  # FSRS card as JSON
    Column("due", UTCDateTime, nullable=False),
    Column("reviews", Integer, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Index("ix_cards_learner_due", "learner_id", "due"),
)
MIGRATIONS: dict[int, Callable[[Connection], None]] = {}  # from version v to v + 1


@dataclass(frozen=True)
class Learner:
    id: int
    display_name: str | None
    has_code: bool
    class_code: str | None
    desired_retention: float
    created_at: datetime

    @property
    def guest(self) -> bool:
        return not self.has_code


@dataclass(frozen=True)
class AnswerIn:
    """One answer as given; ``response`` is any JSON-ready value."""

    learner_id: int
    session_id: str
    question_id: str
    item_id: str
    item_type: str
    tags: tuple[str, ...]
    response: Any
    correct: bool
    score: float
    seconds: float
    rating: int
    answered_at: datetime
    seed: int | None = None


@dataclass(frozen=True)
class AnswerRow(AnswerIn):
    id: int = 0


@dataclass(frozen=True)
class CardRow:
    item_id: str
    card: str
    due: datetime
    reviews: int


# ── resume codes ──────────────────────────────────────────────────────────────────────────────


def new_code() -> str:
    """A fresh resume code, ``XXXX-XXXX-XXXX-XXXX`` from an unambiguous alphabet (80 random bits)."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, CODE_LENGTH, 4))


def normalise_code(code: str) -> str | None:
    """Upper case, no spaces or dashes, O→0 and I/L→1; None if it cannot be a resume code."""
    s = "".join(c for c in code.upper() if c not in " -_\t")
    s = s.translate(str.maketrans("OIL", "011"))
    return s if len(s) == CODE_LENGTH and all(c in CODE_ALPHABET for c in s) else None


def _hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


# ── where the database is ─────────────────────────────────────────────────────────────────────


def data_dir() -> Path:
    return Path(os.environ.get("ATLAS_DATA_DIR") or "data")


def database_url() -> str:
    """``DATABASE_URL`` if set, else ``sqlite:///<ATLAS_DATA_DIR>/atlas.db``."""
    url = os.environ.get("DATABASE_URL", "").strip()
    if url:
        return "postgresql://" + url[len("postgres://") :] if url.startswith("postgres://") else url
    return f"sqlite:///{(data_dir() / 'atlas.db').resolve()}"


def check_sqlite_file(path: Path) -> None:
    """Refuse a file that is not a healthy SQLite database, reading it only (never writing)."""
    if path.is_dir():
        raise StoreError(f"database path {path} is a directory, not a file")
    if not path.exists() or path.stat().st_size == 0:
        return
    advice = "It was left untouched: move it aside or restore it from a backup, then start again."
    try:
        with path.open("rb") as f:
            head = f.read(len(SQLITE_MAGIC))
    except OSError as e:
        raise StoreError(f"cannot read the database file {path}: {e.strerror or e}") from e
    if head != SQLITE_MAGIC:
        raise StoreError(
            f"the database file {path} is not an SQLite database (it starts with {head[:8]!r}). {advice}"
        )
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)) as con:
            rows = con.execute("PRAGMA quick_check").fetchall()
    except sqlite3.DatabaseError as e:
        raise StoreError(
            f"the database file {path} is damaged or unreadable ({e}). {advice}"
        ) from e
    if rows != [("ok",)]:
        problems = "; ".join(str(r[0]) for r in rows[:3])
        raise StoreError(f"the database file {path} is damaged ({problems}). {advice}")
    _check_sqlite_schema(path)


def _check_sqlite_schema(path: Path) -> None:
    """Refuse a foreign or newer schema before anything writes to the file (read-only connection)."""
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)) as con:
            tables = {
                r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")
            }
            version = 0
            if "schema_version" in tables:
                version = con.execute("SELECT max(version) FROM schema_version").fetchone()[0] or 0
    except sqlite3.DatabaseError as e:
        raise StoreError(
            f"the database file {path} cannot be read ({e}). It was left untouched."
        ) from e
    _schema_problem(str(path), tables, version)


def _schema_problem(where: str, tables: set[str], version: int) -> None:
    """``StoreError`` for tables that are not ours or a schema newer than this app's; else nothing."""
    if tables and "schema_version" not in tables:
        raise StoreError(
            f"the database {where} holds tables that are not Attention Atlas's "
            f"({', '.join(sorted(tables)[:5])}); it was left untouched — point ATLAS_DATA_DIR "
            "or DATABASE_URL at another database"
        )
    if not isinstance(version, int) or version > SCHEMA_VERSION:
        raise StoreError(
            f"the database {where} has schema version {version}, newer than this app's "
            f"{SCHEMA_VERSION}; it was left untouched — upgrade the app"
        )


def _sqlite_engine(url: str) -> Engine:
    """An engine whose connections use WAL, a busy timeout, and explicit BEGIN / BEGIN IMMEDIATE."""
    engine = create_engine(
        url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000}, pool_size=5, max_overflow=30
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_con: Any, _record: Any) -> None:
        dbapi_con.isolation_level = None  # we issue BEGIN ourselves
        cur = dbapi_con.cursor()
        cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA journal_mode = WAL")
        cur.execute("PRAGMA synchronous = FULL")
        cur.execute("PRAGMA foreign_keys = ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        write = conn.get_execution_options().get("write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine


def _parse_url(url: str) -> Any:
    """``url`` parsed by SQLAlchemy; ``StoreError`` saying what is wrong if it cannot be used."""
    try:
        parsed = make_url(url)
        parsed.get_dialect()  # an unknown dialect or a missing driver fails here
    except (NoSuchModuleError, ImportError) as e:
        raise StoreError(
            f"DATABASE_URL names a database this app cannot talk to ({_short(e)}); "
            "PostgreSQL (postgresql://…) and SQLite (sqlite:///…) are supported"
        ) from e
    except (ArgumentError, ValueError, TypeError) as e:  # its text may hold a password: not shown
        raise StoreError(
            "DATABASE_URL cannot be read as a database address; "
            "expected e.g. postgresql://user:password@host:5432/atlas or sqlite:////data/atlas.db"
        ) from e
    return parsed


def _short(e: BaseException) -> str:
    """The first line of an exception's message, without any password (at most 200 characters)."""
    text = str(e).splitlines()[0] if str(e) else type(e).__name__
    return text[:200]


def _engine(url: str, sqlite: bool, where: str) -> Engine:
    """The SQLAlchemy engine for ``url``; ``StoreError`` if its driver cannot be loaded."""
    try:
        return _sqlite_engine(url) if sqlite else create_engine(url, pool_pre_ping=True)
    except (ArgumentError, NoSuchModuleError, ImportError, TypeError, ValueError) as e:
        raise StoreError(f"cannot open the database {where}: {_short(e)}") from e


class Store:
    """Learners, answers and cards in the database at ``url`` (see :func:`database_url`)."""

    def __init__(self, url: str | None = None):
        self.url = url or database_url()
        parsed = _parse_url(self.url)
        self.sqlite = parsed.get_backend_name() == "sqlite"
        self.where = parsed.database if self.sqlite else parsed.render_as_string(hide_password=True)
        if self.sqlite and (not parsed.database or parsed.database == ":memory:"):
            raise StoreError(
                f"DATABASE_URL {self.url!r} is an in-memory database, which keeps nothing once the "
                "app stops; give a file, e.g. sqlite:////data/atlas.db, or leave DATABASE_URL unset"
            )
        if self.sqlite:
            path = Path(parsed.database)
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as e:
                raise StoreError(
                    f"cannot create the data directory {path.parent}: {e.strerror or e}"
                ) from e
            check_sqlite_file(path)  # read-only: WAL is switched on only after this passed
        self.engine = _engine(self.url, self.sqlite, self.where)
        try:
            self._migrate()
        except SQLAlchemyError as e:
            self.engine.dispose()
            raise StoreError(
                f"cannot open the database {self.where}: {getattr(e, 'orig', e)}"
            ) from e
        except StoreError:
            self.engine.dispose()
            raise

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        """One write transaction, committed on leaving (the SQLite write lock is taken at BEGIN)."""
        with self.engine.connect() as conn:
            conn.execution_options(write=True)
            with conn.begin():
                yield conn

    def _migrate(self) -> None:
        """Create the schema on first start; refuse foreign or newer schemas; apply migrations."""
        with self._write() as conn:
            tables = set(inspect(conn).get_table_names())
            if not tables:
                metadata.create_all(conn)
                conn.execute(
                    insert(schema_version).values(version=SCHEMA_VERSION, applied_at=_now())
                )
                return
            version = (
                conn.execute(select(func.max(schema_version.c.version))).scalar() or 0
                if "schema_version" in tables
                else 0
            )
            _schema_problem(self.where, tables, version)
            for v in range(version, SCHEMA_VERSION):
                MIGRATIONS[v](conn)
                conn.execute(insert(schema_version).values(version=v + 1, applied_at=_now()))

    def version(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.max(schema_version.c.version))).scalar() or 0)

    # ── learners ──────────────────────────────────────────────────────────────────────────────

    def create_guest(self) -> Learner:
        """A learner with no name and no code: progress is kept, but only this visit can reach it."""
        with self._write() as conn:
            lid = conn.execute(
                insert(learners).values(created_at=_now(), desired_retention=0.9)
            ).inserted_primary_key[0]
        return self.learner(lid)

    def create_learner(
        self, display_name: str, class_code: str | None = None
    ) -> tuple[Learner, str]:
        """A named learner and their resume code (returned once; only its hash is stored)."""
        guest = self.create_guest()
        code = self.claim(guest.id, display_name)
        if class_code:
            self.set_class_code(guest.id, class_code)
        return self.learner(guest.id), code

    def claim(self, learner_id: int, display_name: str) -> str:
        """Give a learner a display name and a fresh resume code; returns the code."""
        name = _clean_name(display_name)
        code = new_code()
        with self._write() as conn:
            conn.execute(
                update(learners)
                .where(learners.c.id == learner_id)
                .values(display_name=name, code_hash=_hash(normalise_code(code) or ""))
            )
        return code

    def find_by_code(self, code: str) -> Learner | None:
        """The learner whose resume code this is, or None."""
        norm = normalise_code(code)
        if norm is None:
            return None
        with self.engine.connect() as conn:
            row = conn.execute(select(learners).where(learners.c.code_hash == _hash(norm))).first()
        return _learner(row) if row else None

    def learner(self, learner_id: int) -> Learner:
        with self.engine.connect() as conn:
            row = conn.execute(select(learners).where(learners.c.id == learner_id)).first()
        if row is None:
            raise KeyError(f"no learner {learner_id}")
        return _learner(row)

    def set_retention(self, learner_id: int, desired_retention: float) -> None:
        with self._write() as conn:
            conn.execute(
                update(learners)
                .where(learners.c.id == learner_id)
                .values(desired_retention=float(desired_retention))
            )

    def set_class_code(self, learner_id: int, class_code: str | None) -> None:
        """Set (or, with None or blank, clear) a learner's class; the code is normalised first."""
        code = clean_text(class_code, CLASS_CODE) if class_code and class_code.strip() else None
        with self._write() as conn:
            conn.execute(
                update(learners).where(learners.c.id == learner_id).values(class_code=code)
            )

    # ── answers and cards ─────────────────────────────────────────────────────────────────────

    def record(
        self, a: AnswerIn, schedule: Callable[[str | None], tuple[str, datetime]] | None = None
    ) -> int:
        """Insert one answer and update its card in one committed transaction; returns the answer id.

        ``schedule(old_card_json_or_None) -> (new_card_json, due)`` runs inside the transaction,
        so two tabs of one learner cannot lose each other's review.
        """
        row = {**_answer_values(a)}
        with self._write() as conn:
            aid = conn.execute(insert(answers).values(**row)).inserted_primary_key[0]
            if schedule is not None:
                self._update_card(conn, a, schedule)
        return int(aid)

    def _update_card(
        self, conn: Connection, a: AnswerIn, schedule: Callable[[str | None], tuple[str, datetime]]
    ) -> None:
        key = (cards.c.learner_id == a.learner_id) & (cards.c.item_id == a.item_id)
        old = conn.execute(
            select(cards.c.card, cards.c.reviews).where(key).with_for_update()
        ).first()
        card, due = schedule(old.card if old else None)
        values = {"card": card, "due": due, "updated_at": a.answered_at}
        if old:
            conn.execute(update(cards).where(key).values(**values, reviews=old.reviews + 1))
        else:
            conn.execute(
                insert(cards).values(
                    learner_id=a.learner_id, item_id=a.item_id, reviews=1, **values
                )
            )

    def answers(self, learner_id: int, session_id: str | None = None) -> list[AnswerRow]:
        """A learner's answers, oldest first (only this session's, if given)."""
        q = select(answers).where(answers.c.learner_id == learner_id)
        if session_id is not None:
            q = q.where(answers.c.session_id == session_id)
        with self.engine.connect() as conn:
            rows = conn.execute(q.order_by(answers.c.answered_at, answers.c.id)).all()
        return [answer_row(r) for r in rows]

    def cards(self, learner_id: int) -> list[CardRow]:
        """A learner's cards, soonest due first."""
        q = (
            select(cards)
            .where(cards.c.learner_id == learner_id)
            .order_by(cards.c.due, cards.c.item_id)
        )
        with self.engine.connect() as conn:
            return [CardRow(r.item_id, r.card, r.due, r.reviews) for r in conn.execute(q)]

    def count_answers(self, learner_id: int | None = None) -> int:
        q = select(func.count()).select_from(answers)
        if learner_id is not None:
            q = q.where(answers.c.learner_id == learner_id)
        with self.engine.connect() as conn:
            return int(conn.execute(q).scalar() or 0)


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _clean_name(name: str) -> str:
    """The display name normalised by :func:`engine.sanitize.clean_text` (``TextError`` if none)."""
    return clean_text(name, NAME)


def _learner(r: Any) -> Learner:
    return Learner(
        r.id,
        r.display_name,
        r.code_hash is not None,
        r.class_code,
        r.desired_retention,
        r.created_at,
    )


def _answer_values(a: AnswerIn) -> dict[str, Any]:
    return {
        "learner_id": a.learner_id,
        "session_id": a.session_id,
        "question_id": a.question_id,
        "item_id": a.item_id,
        "item_type": a.item_type,
        "tags": json.dumps(list(a.tags)),
        "response": json.dumps(a.response, ensure_ascii=False),
        "correct": bool(a.correct),
        "score": float(a.score),
        "seconds": float(a.seconds),
        "rating": int(a.rating),
        "seed": a.seed,
        "answered_at": a.answered_at,
    }


def answer_row(r: Any) -> AnswerRow:
    """An ``answers`` table row as an :class:`AnswerRow` (plain Python types on every database)."""
    return AnswerRow(
        learner_id=r.learner_id,
        session_id=r.session_id,
        question_id=r.question_id,
        item_id=r.item_id,
        item_type=r.item_type,
        tags=tuple(json.loads(r.tags)),
        response=json.loads(r.response),
        correct=bool(r.correct),
        score=float(r.score),
        seconds=float(r.seconds),
        rating=int(r.rating),
        answered_at=r.answered_at,
        seed=r.seed,
        id=r.id,
    )
