"""The progress store: schema, learners and codes, isolation, concurrency, crash safety, refusals."""

from __future__ import annotations

import multiprocessing as mp
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from quiz.store import (
    CODE_ALPHABET,
    SCHEMA_VERSION,
    AnswerIn,
    Store,
    StoreError,
    database_url,
    new_code,
    normalise_code,
)

from ..conftest import ROOT

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=timezone.utc)
WRITERS, ANSWERS_EACH = 20, 50


def url_of(path: Path) -> str:
    return f"sqlite:///{path}"


def an_answer(learner_id: int, i: int, correct: bool = True, item: str = "q01-a") -> AnswerIn:
    return AnswerIn(
        learner_id=learner_id,
        session_id="s1",
        question_id="q01",
        item_id=item,
        item_type="single",
        tags=("basics",),
        response=i % 4,
        correct=correct,
        score=float(correct),
        seconds=1.5 + i,
        rating=3 if correct else 1,
        answered_at=T0 + timedelta(seconds=i),
        seed=None,
    )


def bump(old: str | None) -> tuple[str, datetime]:
    """A stand-in scheduler: the card counts its reviews."""
    n = int(old or 0) + 1
    return str(n), T0 + timedelta(days=n)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "atlas.db"


# ── schema and basics ─────────────────────────────────────────────────────────────────────────


def test_schema_created_on_first_start_and_versioned(db: Path):
    store = Store(url_of(db))
    assert store.version() == SCHEMA_VERSION
    store.close()
    with sqlite3.connect(db) as con:
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        assert {"schema_version", "learners", "answers", "cards"} <= tables
        assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        cols = {r[1] for r in con.execute("PRAGMA table_info(answers)")}
        assert {
            "learner_id",
            "question_id",
            "item_id",
            "item_type",
            "response",
            "correct",
            "score",
            "seconds",
            "answered_at",
        } <= cols
        assert "class_code" in {r[1] for r in con.execute("PRAGMA table_info(learners)")}
    again = Store(url_of(db))  # a second start keeps the schema and its single version row
    assert again.version() == SCHEMA_VERSION
    with sqlite3.connect(db) as con:
        assert con.execute("SELECT count(*) FROM schema_version").fetchone()[0] == 1


def test_default_location_is_the_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("ATLAS_DATA_DIR", str(tmp_path / "nested" / "data"))
    assert database_url() == f"sqlite:///{tmp_path / 'nested' / 'data' / 'atlas.db'}"
    Store().close()
    assert (tmp_path / "nested" / "data" / "atlas.db").is_file()
    other = tmp_path / "elsewhere.db"
    monkeypatch.setenv("DATABASE_URL", url_of(other))
    Store().close()
    assert other.is_file()


def test_an_answer_is_committed_when_recorded(db: Path):
    writer, reader = Store(url_of(db)), Store(url_of(db))
    learner = writer.create_guest()
    writer.record(an_answer(learner.id, 0), bump)
    assert reader.count_answers(learner.id) == 1  # another connection sees it at once
    [row] = reader.answers(learner.id)
    assert (
        row.question_id,
        row.item_id,
        row.item_type,
        row.response,
        row.correct,
        row.score,
        row.seconds,
    ) == ("q01", "q01-a", "single", 0, True, 1.0, 1.5)
    assert row.answered_at == T0 and row.answered_at.tzinfo is not None
    [card] = reader.cards(learner.id)
    assert (card.item_id, card.card, card.reviews, card.due) == (
        "q01-a",
        "1",
        1,
        T0 + timedelta(days=1),
    )
    writer.record(an_answer(learner.id, 1), bump)
    assert reader.cards(learner.id)[0].card == "2" and reader.cards(learner.id)[0].reviews == 2


# ── learners ──────────────────────────────────────────────────────────────────────────────────


def test_resume_codes_are_random_typable_and_forgiving():
    codes = {new_code() for _ in range(200)}
    assert len(codes) == 200
    code = next(iter(codes))
    assert len(code) == 19 and code.count("-") == 3
    assert all(c in CODE_ALPHABET for c in code.replace("-", ""))
    assert normalise_code(code.lower()) == code.replace("-", "")
    assert normalise_code(" " + code.replace("-", " ") + " ") == code.replace("-", "")
    assert normalise_code("OIL0" + code.replace("-", "")[4:]) == "0110" + code.replace("-", "")[4:]
    assert normalise_code("too-short") is None and normalise_code("U" * 16) is None


def test_resume_code_finds_the_learner_and_only_a_hash_is_stored(db: Path):
    store = Store(url_of(db))
    ann, code = store.create_learner("  Ann  Lee ", class_code="CS101")
    assert ann.display_name == "Ann Lee" and ann.class_code == "CS101" and not ann.guest
    assert store.find_by_code(code.lower().replace("-", " ")).id == ann.id
    assert store.find_by_code(new_code()) is None and store.find_by_code("") is None
    store.close()
    raw = db.read_bytes() + (
        db.with_suffix(".db-wal").read_bytes() if db.with_suffix(".db-wal").exists() else b""
    )
    assert code.encode() not in raw and code.replace("-", "").encode() not in raw


def test_a_guest_keeps_their_answers_when_they_take_a_name(db: Path):
    store = Store(url_of(db))
    guest = store.create_guest()
    assert guest.guest and guest.display_name is None
    store.record(an_answer(guest.id, 0), bump)
    code = store.claim(guest.id, "Bo")
    found = store.find_by_code(code)
    assert (
        found.id == guest.id and found.display_name == "Bo" and store.count_answers(found.id) == 1
    )
    with pytest.raises(ValueError, match="display name"):
        store.claim(guest.id, "   ")


def test_one_learner_never_sees_another_learners_data(db: Path):
    store = Store(url_of(db))
    (a, code_a), (b, code_b) = store.create_learner("A"), store.create_learner("B")
    for i in range(3):
        store.record(an_answer(a.id, i, item="q01-a"), bump)
    store.record(an_answer(b.id, 9, correct=False, item="q01-b"), bump)
    assert {r.learner_id for r in store.answers(a.id)} == {a.id} and len(store.answers(a.id)) == 3
    assert [r.item_id for r in store.answers(b.id)] == ["q01-b"]
    assert [c.item_id for c in store.cards(a.id)] == ["q01-a"] and [
        c.item_id for c in store.cards(b.id)
    ] == ["q01-b"]
    assert store.find_by_code(code_a).id == a.id and store.find_by_code(code_b).id == b.id


def test_settings_per_learner(db: Path):
    store = Store(url_of(db))
    a, _ = store.create_learner("A")
    store.set_retention(a.id, 0.85)
    store.set_class_code(a.id, "  ML-2026 ")
    got = store.learner(a.id)
    assert got.desired_retention == 0.85 and got.class_code == "ML-2026"
    with pytest.raises(KeyError):
        store.learner(999)


# ── concurrency and crashes ───────────────────────────────────────────────────────────────────


def _writer(url: str, barrier: mp.Barrier, n: int) -> None:  # runs in a child process
    store = Store(url)
    learner = store.create_guest()
    barrier.wait()
    for i in range(n):
        store.record(an_answer(learner.id, i, correct=i % 3 != 0), bump)
    store.close()


def test_twenty_concurrent_writer_processes_lose_nothing(db: Path):
    Store(url_of(db)).close()
    ctx = mp.get_context("fork")
    barrier = ctx.Barrier(WRITERS)
    procs = [
        ctx.Process(target=_writer, args=(url_of(db), barrier, ANSWERS_EACH))
        for _ in range(WRITERS)
    ]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=240)
    assert [p.exitcode for p in procs] == [0] * WRITERS
    with sqlite3.connect(db) as con:
        assert con.execute("SELECT count(*) FROM answers").fetchone()[0] == WRITERS * ANSWERS_EACH
        per = con.execute("SELECT learner_id, count(*) FROM answers GROUP BY learner_id").fetchall()
        assert len(per) == WRITERS and {n for _, n in per} == {ANSWERS_EACH}
        cards = con.execute("SELECT card, reviews FROM cards").fetchall()
        assert cards == [(str(ANSWERS_EACH), ANSWERS_EACH)] * WRITERS  # no lost card update
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_twenty_threads_sharing_one_store(db: Path):
    store = Store(url_of(db))
    learners = [store.create_guest() for _ in range(WRITERS)]
    start = threading.Barrier(WRITERS)
    errors: list[BaseException] = []

    def work(learner_id: int) -> None:
        try:
            start.wait()
            for i in range(ANSWERS_EACH):
                store.record(an_answer(learner_id, i), bump)
        except BaseException as e:  # noqa: BLE001 — reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(lr.id,)) for lr in learners]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=240)
    assert errors == []
    assert store.count_answers() == WRITERS * ANSWERS_EACH
    assert all(store.count_answers(lr.id) == ANSWERS_EACH for lr in learners)


KILLED_WRITER = textwrap.dedent(
    """
    import sys
    from tests.unit.test_quiz_store import an_answer, bump
    from quiz.store import Store
    store = Store(sys.argv[1])
    learner = store.create_guest()
    i = 0
    while True:
        store.record(an_answer(learner.id, i), bump)
        i += 1
        print(i, flush=True)  # printed only after the commit returned
    """
)


def test_killing_a_writer_loses_nothing_already_committed(db: Path):
    Store(url_of(db)).close()
    proc = subprocess.Popen(
        [sys.executable, "-c", KILLED_WRITER, url_of(db)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    committed = 0
    for line in proc.stdout:
        committed = int(line)
        if committed >= 40:
            break
    proc.send_signal(signal.SIGKILL)  # mid-session: no cleanup, no close
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    for line in proc.stdout:  # what it reported committing before it died
        committed = int(line)
    store = Store(url_of(db))  # reopens fine after the crash
    rows = store.count_answers()
    assert committed >= 40
    assert committed <= rows <= committed + 1  # + the one whose commit may have beaten the kill
    learner_id = store.answers(1)[0].learner_id
    assert [r.seconds for r in store.answers(learner_id)][:committed] == [
        1.5 + i for i in range(committed)
    ]
    assert store.cards(learner_id)[0].card == str(rows)  # answers and card committed together
    with sqlite3.connect(db) as con:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


# ── refusals: never overwrite a database we cannot trust ──────────────────────────────────────


def test_a_corrupt_database_file_gives_a_clear_error_and_is_left_untouched(db: Path):
    junk = b"this is not a database, it is a shopping list\n" * 100
    db.write_bytes(junk)
    with pytest.raises(StoreError) as e:
        Store(url_of(db))
    msg = str(e.value)
    assert str(db) in msg and "not an SQLite database" in msg and "left untouched" in msg
    assert db.read_bytes() == junk
    assert sorted(p.name for p in db.parent.iterdir()) == [
        "atlas.db"
    ]  # no -wal, no -shm, no new file


def test_a_damaged_sqlite_file_gives_a_clear_error_and_is_left_untouched(db: Path):
    store = Store(url_of(db))
    learner = store.create_guest()
    for i in range(200):
        store.record(an_answer(learner.id, i), bump)
    store.close()
    data = bytearray(db.read_bytes())
    data[100:4096] = b"\xff" * (4096 - 100)  # page 1: keep the header, wreck the schema page
    db.write_bytes(bytes(data))
    with pytest.raises(StoreError) as e:
        Store(url_of(db))
    assert str(db) in str(e.value) and "damaged" in str(e.value)
    assert db.read_bytes() == bytes(data)


def test_a_database_of_someone_else_is_refused(db: Path):
    with sqlite3.connect(db) as con:
        con.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")
    with pytest.raises(StoreError, match="not Attention Atlas's"):
        Store(url_of(db))
    with sqlite3.connect(db) as con:
        assert [r[0] for r in con.execute("SELECT name FROM sqlite_master")] == ["invoices"]


def test_a_newer_schema_is_refused(db: Path):
    Store(url_of(db)).close()
    with sqlite3.connect(db) as con:
        con.execute(
            "INSERT INTO schema_version VALUES (?, ?)", (SCHEMA_VERSION + 1, "2030-01-01 00:00:00")
        )
    with pytest.raises(StoreError, match="newer than this app"):
        Store(url_of(db))


def test_a_directory_where_the_file_should_be_is_refused(db: Path):
    db.mkdir()
    with pytest.raises(StoreError, match="is a directory"):
        Store(url_of(db))


# ── nothing is touched before the schema is checked; bad URLs get the store's error ──────────


def _snapshot(db: Path) -> tuple[str, list[str]]:
    import hashlib

    return hashlib.sha256(db.read_bytes()).hexdigest(), sorted(p.name for p in db.parent.iterdir())


def _newer_schema_file(db: Path) -> None:
    """Our schema at version SCHEMA_VERSION + 1, in rollback-journal mode (as another tool leaves it)."""
    Store(url_of(db)).close()
    with sqlite3.connect(db) as con:
        con.execute("PRAGMA journal_mode = DELETE")
        con.execute(
            "INSERT INTO schema_version VALUES (?, ?)", (SCHEMA_VERSION + 1, "2030-01-01 00:00:00")
        )
    con.close()


def _foreign_file(db: Path) -> None:
    with sqlite3.connect(db) as con:
        con.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")
        con.execute("INSERT INTO invoices VALUES (1, 9.5)")
    con.close()


@pytest.mark.parametrize(
    ("make", "words"),
    [(_foreign_file, "not Attention Atlas's"), (_newer_schema_file, "newer than this app")],
    ids=["foreign", "newer"],
)
def test_a_refused_database_is_byte_identical_with_no_wal_or_shm(db: Path, make, words: str):
    make(db)
    before = _snapshot(db)
    assert before[1] == ["atlas.db"]
    with open(db, "rb") as f:
        assert f.read(20)[18:20] == b"\x01\x01"  # header: rollback journal, not WAL
    with pytest.raises(StoreError) as e:
        Store(url_of(db))
    assert words in str(e.value) and "left untouched" in str(e.value)
    assert _snapshot(db) == before  # same sha256, and no -wal, -shm or -journal beside it


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("::not a url::", "cannot be read as a database address"),
        ("nosuchdb://host/db", "cannot talk to"),
        ("postgresql+nosuchdriver://u:p@h/db", "cannot talk to"),
        ("mysql://user:secret-pw@localhost/atlas", "cannot open the database"),
        ("sqlite://", "in-memory"),
        ("sqlite:///:memory:", "in-memory"),
    ],
)
def test_a_bad_database_url_is_a_store_error(url: str, words: str):
    with pytest.raises(StoreError) as e:
        Store(url)
    assert words in str(e.value)
    assert "secret-pw" not in str(e.value)


def test_names_and_class_codes_are_normalised(db: Path):
    store = Store(url_of(db))
    learner, _ = store.create_learner("Zoe\u0301\u200b \u202eLi", class_code=" 7B\u200b-2025 ")
    assert learner.display_name == "Zoé Li" and learner.class_code == "7B-2025"
    from engine.sanitize import TextError

    with pytest.raises(TextError, match="only invisible"):
        store.create_learner("\u200b\u202e\u2066")
    store.close()
