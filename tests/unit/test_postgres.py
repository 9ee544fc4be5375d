"""The progress store on a real PostgreSQL: two app processes share one learner's progress.

A throwaway cluster from Debian's ``postgresql`` package (``make test`` installs it) runs on
loopback, on a free port, with its data and unix socket in a temporary folder; as root it runs
as the ``postgres`` user, since PostgreSQL refuses to run as root. Each "app process" is a
separate Python process opening :class:`quiz.store.Store` on the same ``DATABASE_URL``, as two
replicas behind the school proxy do.
"""

from __future__ import annotations

import json
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import pytest

from quiz.classes import ClassBook
from quiz.reports import item_table, load_class, roster
from quiz.store import Store

from ..conftest import ROOT

pytestmark = pytest.mark.slow

# One app process: open the store from DATABASE_URL and do one thing, printing JSON.
APP = r"""
import json, sys
from datetime import datetime, timezone
from quiz.items import Item
from quiz.session import answer
from quiz.store import Store

cmd, arg = sys.argv[1], json.loads(sys.argv[2])
store = Store()  # DATABASE_URL from the environment
text = {"zh": "因果掩码遮住未来。", "en": "A causal mask hides the future."}
item = Item(
    item_id="q15-hides-future", question_id="q15-causal-attention", type="true_false",
    prompt=text, explanation=text, tags=("masks",), answer=True,
)
if cmd == "join":
    learner, code = store.create_learner(arg["name"], class_code=arg["class"])
    print(json.dumps({"id": learner.id, "code": code}))
elif cmd == "answer":
    learner = store.find_by_code(arg["code"])
    for k in range(arg.get("times", 1)):
        now = datetime(2025, 3, 3, 9, 0, tzinfo=timezone.utc).replace(minute=arg["minute"] + k)
        answer(store, learner, arg["session"], item, arg["response"], 4.0, now, fuzz=False)
    print(json.dumps({"id": learner.id}))
elif cmd == "read":
    learner = store.find_by_code(arg["code"])
    rows, cards = store.answers(learner.id), store.cards(learner.id)
    print(json.dumps({
        "id": learner.id, "name": learner.display_name, "backend": store.engine.dialect.name,
        "answers": [[a.session_id, a.response, a.correct] for a in rows],
        "reviews": [c.reviews for c in cards],
    }))
store.close()
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pg_bin() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if not found:
        pytest.fail("PostgreSQL is missing: `make test` installs Debian's postgresql package")
    return found[-1].parent


def as_postgres() -> list[str]:
    """PostgreSQL refuses to run as root: run its tools as the ``postgres`` user then."""
    return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []


@pytest.fixture(scope="module")
def database_url() -> Iterator[str]:
    """A fresh PostgreSQL cluster on 127.0.0.1 (trust auth, loopback only), stopped afterwards."""
    bindir, user = pg_bin(), as_postgres()
    root = Path(tempfile.mkdtemp(prefix="atlas-pg-"))
    if user:
        pw = pwd.getpwnam("postgres")
        os.chown(root, pw.pw_uid, pw.pw_gid)
    data, port = root / "data", free_port()
    run = lambda *args: subprocess.run([*user, *args], check=True, capture_output=True, timeout=120)  # noqa: E731
    run(bindir / "initdb", "-D", data, "-U", "atlas", "--auth=trust", "-E", "UTF8", "--locale=C")
    options = f"-c listen_addresses=127.0.0.1 -p {port} -k {root} -c fsync=off"
    run(bindir / "pg_ctl", "-D", data, "-l", root / "log", "-o", options, "-w", "-t", "60", "start")
    try:
        yield f"postgresql+psycopg://atlas@127.0.0.1:{port}/postgres"
    finally:
        run(bindir / "pg_ctl", "-D", data, "-m", "fast", "-w", "stop")
        shutil.rmtree(root, ignore_errors=True)


def app(url: str, cmd: str, **arg: object) -> dict:
    """Run one app process against ``url``; its JSON answer."""
    env = {**os.environ, "DATABASE_URL": url, "PYTHONPATH": str(ROOT)}
    out = subprocess.run(
        [sys.executable, "-c", APP, cmd, json.dumps(arg)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_two_app_processes_share_one_learners_progress(database_url: str):
    joined = app(database_url, "join", name="梅 Mei", **{"class": "7B"})
    code = joined["code"]
    app(database_url, "answer", code=code, session="tab-A", response=False, minute=0)
    seen = app(database_url, "read", code=code)  # another process: the answer is there
    assert seen["backend"] == "postgresql"
    assert (seen["id"], seen["name"]) == (joined["id"], "梅 Mei")
    assert seen["answers"] == [["tab-A", False, False]] and seen["reviews"] == [1]
    app(database_url, "answer", code=code, session="tab-B", response=True, minute=5)
    back = app(database_url, "read", code=code)  # and the first process sees the second's
    assert back["answers"] == [["tab-A", False, False], ["tab-B", True, True]]
    assert back["reviews"] == [2]


def test_two_processes_answering_at_once_lose_nothing(database_url: str):
    code = app(database_url, "join", name="Kai", **{"class": "7B"})["code"]
    app(database_url, "answer", code=code, session="first", response=True, minute=0)
    env = {**os.environ, "DATABASE_URL": database_url, "PYTHONPATH": str(ROOT)}
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                APP,
                "answer",
                json.dumps(
                    {"code": code, "session": s, "response": True, "minute": m, "times": 10}
                ),
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )  # fmt: skip
        for s, m in (("tab-A", 1), ("tab-B", 30))
    ]
    for p in procs:
        _, err = p.communicate(timeout=180)
        assert p.returncode == 0, err[-3000:]
    final = app(database_url, "read", code=code)
    assert len(final["answers"]) == 21
    assert final["reviews"] == [21]  # every review reached the card: none overwrote another


def test_class_reports_and_assignments_on_postgres(database_url: str):
    store = Store(database_url)
    try:
        mia, _ = store.create_learner("Mia", class_code="9C")
        book = ClassBook(store)
        book.assign("9C", ["q15-causal-attention", "q01-what-is-attention"])
        assert ClassBook(store).assignment("9C") == [
            "q15-causal-attention",
            "q01-what-is-attention",
        ]
        code = app(database_url, "join", name="Noa", **{"class": "9C"})["code"]
        app(database_url, "answer", code=code, session="s", response=False, minute=0)
        data = load_class(store, "9C", datetime(2030, 1, 1, tzinfo=timezone.utc))
        assert [r.name for r in roster(data)] == ["Mia", "Noa"]
        assert [r.answers for r in roster(data)] == [0, 1]
        (row,) = item_table(data, None, "en")
        assert (row.item_id, row.facility, row.wrong[0].response) == (
            "q15-hides-future",
            0.0,
            "false",
        )
        assert data.due_now == {data.learners[1].id: 1}
    finally:
        store.close()
