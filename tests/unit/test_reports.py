"""Class reports, the teacher's password check and class assignments.

The dashboard's numbers are checked against a class of five learners whose answers are written
out below and whose statistics were worked out by hand (Moodle's formulas, in the comments).
"""

from __future__ import annotations

import csv
import hmac
import io
import math
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

import quiz.auth as auth
from quiz.auth import Throttle, backoff, check_password, teacher_password
from quiz.bank import Bank, load_bank
from quiz.classes import ClassBook, assigned_items, class_code, code_matches
from quiz.items import make_item
from quiz.reports import (
    ClassData,
    analyse,
    describe_response,
    first_scores,
    item_table,
    load_class,
    progress,
    question_table,
    roster,
    to_csv,
)
from quiz.session import answer
from quiz.store import AnswerIn, Store

from ..conftest import FIXTURES

T0 = datetime(2025, 3, 3, 9, 0, tzinfo=timezone.utc)
CLASS = "7B"


def write_class_bank(directory: Path) -> Path:
    """Question 1 (items S single, M multiple, N numeric) and question 2 (item T true/false)."""
    base = yaml.safe_load((FIXTURES / "bank" / "q01-sample.yaml").read_text(encoding="utf-8"))
    t = lambda en, zh=None: {"en": en, "zh": zh or f"（中）{en}"}  # noqa: E731
    one = {
        **base,
        "quiz": [
            {
                "id": "s",
                "type": "single",
                "prompt": t("Scale of QKᵀ?"),
                "options": [t("1/√d_k"), t("d_k"), t("1"), t("√d_k")],
                "answer": 0,
                "explanation": t("Divide by √d_k."),
            },
            {
                "id": "m",
                "type": "multiple",
                "prompt": t("Which are masks?"),
                "options": [t("causal"), t("softmax"), t("padding"), t("layer norm")],
                "answer": [0, 2],
                "explanation": t("Causal and padding."),
            },
            {
                "id": "n",
                "type": "numeric",
                "prompt": t("softmax([0, 0])[0]?"),
                "answer": 0.5,
                "tolerance": 0.01,
                "explanation": t("Two equal scores."),
            },
        ],
    }
    two = {
        **base,
        "id": "q02-masks",
        "number": 2,
        "title": t("Masks"),
        "quiz": [
            {
                "id": "t",
                "type": "true_false",
                "prompt": t("A causal mask hides the future."),
                "answer": True,
                "explanation": t("j ≤ i only."),
            }
        ],
    }
    for name, q in (("q01-sample.yaml", one), ("q02-masks.yaml", two)):
        (directory / name).write_text(yaml.safe_dump(q, allow_unicode=True), encoding="utf-8")
    return directory


# The class, answer by answer, in time order: (learner, item, response, correct, score).
# Item keys: S = option A (0); M = options A + C ([0, 2]), score (right − wrong picks) / 2 ≥ 0;
# N = 0.5 ± 0.01; T = true. None = "I don't know" (skipped: wrong, score 0).
FIRST = [
    ("Ann", "s", 0, True, 1.0),
    ("Ann", "m", [0, 2], True, 1.0),
    ("Ann", "n", 0.5, True, 1.0),
    ("Ann", "t", True, True, 1.0),
    ("Ben", "s", 0, True, 1.0),
    ("Ben", "m", [0], False, 0.5),
    ("Ben", "n", 0.25, False, 0.0),
    ("Ben", "t", False, False, 0.0),
    ("Cai", "s", 1, False, 0.0),
    ("Cai", "m", [0, 1], False, 0.0),
    ("Cai", "n", 0.25, False, 0.0),
    ("Cai", "t", True, True, 1.0),
    ("Dev", "s", 1, False, 0.0),
    ("Dev", "m", [0, 2], True, 1.0),
    ("Dev", "n", 0.5, True, 1.0),
    ("Dev", "t", True, True, 1.0),
    ("Eve", "s", 2, False, 0.0),
    ("Eve", "m", None, False, 0.0),
    ("Eve", "n", 0.25, False, 0.0),
    ("Eve", "t", False, False, 0.0),
]
LATER = [  # second and third tries: they count for wrong answers and activity, not for F and D
    ("Cai", "s", 1, False, 0.0),
    ("Cai", "s", 0, True, 1.0),
    ("Dev", "s", 0, True, 1.0),
    ("Eve", "n", 2.0, False, 0.0),
]
TYPES = {"s": "single", "m": "multiple", "n": "numeric", "t": "true_false"}
QUESTION = {"s": "q01-sample", "m": "q01-sample", "n": "q01-sample", "t": "q02-masks"}

# First scores x_i(s):      S    M    N    T   | total T(s)
#   Ann                     1    1    1    1   | 4
#   Ben                     1   .5    0    0   | 1.5
#   Cai                     0    0    0    1   | 1
#   Dev                     0    1    1    1   | 3
#   Eve                     0    0    0    0   | 0
# Facility F = 100 · mean:  S 2/5 = 40 %, M 2.5/5 = 50 %, N 2/5 = 40 %, T 3/5 = 60 %.
# SD = 100 · √(Σ(x − x̄)² / 4):  S, N, T √(1.2/4) = 54.77 %; M √(1.0/4) = 50 %.
# Discrimination D = 100 · Σ dx·dX / √(Σdx² · ΣdX²), X = T(s) − x (rest of the test):
#   S: x = 1 1 0 0 0, X = 3 .5 1 3 0 (X̄ 1.5): Σdx·dX = .9 − .6 + .2 − .6 + .6 = 0.5,
#      Σdx² = 1.2, ΣdX² = 2.25 + 1 + .25 + 2.25 + 2.25 = 8.0 → 100 · 0.5 / √9.6 = 16.14 %
#   M: x = 1 .5 0 1 0, X = 3 1 1 2 0 (X̄ 1.4): Σdx·dX = .8 + 0 + .2 + .3 + .7 = 2.0,
#      Σdx² = 1.0, ΣdX² = 2.56 + .16 + .16 + .36 + 1.96 = 5.2 → 100 · 2 / √5.2 = 87.71 %
#   N: x = 1 0 0 1 0, X = 3 1.5 1 2 0 (X̄ 1.5): Σdx·dX = .9 + 0 + .2 + .3 + .6 = 2.0,
#      Σdx² = 1.2, ΣdX² = 5.0 → 100 · 2 / √6 = 81.65 %
#   T: x = 1 0 1 1 0, X = 3 1.5 0 2 0 (X̄ 1.3): Σdx·dX = .68 − .12 − .52 + .28 + .78 = 1.1,
#      Σdx² = 1.2, ΣdX² = 2.89 + .04 + 1.69 + .49 + 1.69 = 6.8 → 100 · 1.1 / √8.16 = 38.51 %
HAND_ITEMS = {  # item → (learners, answers, F %, SD %, D %)
    "s": (5, 8, 40.0, 100 * math.sqrt(0.3), 100 * 0.5 / math.sqrt(9.6)),
    "m": (5, 5, 50.0, 50.0, 100 * 2 / math.sqrt(5.2)),
    "n": (5, 6, 40.0, 100 * math.sqrt(0.3), 100 * 2 / math.sqrt(6)),
    "t": (5, 5, 60.0, 100 * math.sqrt(0.3), 100 * 1.1 / math.sqrt(8.16)),
}
# Per question, x_q(s) = mean of the learner's first scores on q's items:
#   q01 (S, M, N): Ann 1, Ben 1.5/3 = .5, Cai 0, Dev 2/3, Eve 0 → F = 100 · (13/6)/5 = 43.33 %
#   q02 (T):       1 0 1 1 0 → F = 60 %
# With two questions the rest of the test of one is the other, so both D = 100 · r(x_q01, x_q02):
#   x̄ = 13/30, dx = 17/30 1/15 −13/30 7/30 −13/30; X̄ = .6, dX = .4 −.6 .4 .4 −.6
#   Σdx·dX = 11/30, Σdx² = 34/45, ΣdX² = 1.2 → 100 · (11/30) / √(34/45 · 1.2) = 38.51 %
HAND_QUESTIONS = {
    "q01-sample": (5, 19, 100 * 13 / 30, 100 * (11 / 30) / math.sqrt(34 / 45 * 1.2)),
    "q02-masks": (5, 5, 60.0, 100 * (11 / 30) / math.sqrt(34 / 45 * 1.2)),
}
# Most-chosen wrong answers over every recorded answer, as (text, learners, times):
HAND_WRONG = {
    "s": [("B. d_k", 2, 3), ("C. 1", 1, 1)],  # Cai B twice, Dev B; Eve C
    "m": [("A. causal", 1, 1), ("A. causal + B. softmax", 1, 1), ("skipped (I don't know)", 1, 1)],
    "n": [("0.25", 3, 3), ("2", 1, 1)],  # Ben, Cai, Eve 0.25; Eve later 2
    "t": [("false", 2, 2)],  # Ben, Eve
}
# Roster: (answers, correct, accuracy %)
HAND_ROSTER = {
    "Ann": (4, 4, 100.0),
    "Ben": (4, 1, 25.0),
    "Cai": (6, 2, 100 * 2 / 6),
    "Dev": (5, 4, 80.0),
    "Eve": (5, 0, 0.0),
}


def record(store: Store, ids: dict[str, int], rows: list[tuple], start: datetime) -> None:
    for k, (who, item, response, correct, score) in enumerate(rows):
        store.record(
            AnswerIn(
                learner_id=ids[who],
                session_id=f"session-{who}",
                question_id=QUESTION[item],
                item_id=item,
                item_type=TYPES[item],
                tags=("basics",),
                response=response,
                correct=correct,
                score=score,
                seconds=10.0,
                rating=3 if correct else 1,
                answered_at=start + timedelta(minutes=k),
            )
        )


@pytest.fixture
def class_bank(tmp_path: Path) -> Bank:
    d = tmp_path / "bank"
    d.mkdir()
    return load_bank(write_class_bank(d))


@pytest.fixture
def store(tmp_path: Path) -> Store:
    s = Store(f"sqlite:///{tmp_path / 'atlas.db'}")
    yield s
    s.close()


def fill_class(store: Store) -> dict[str, int]:
    """The five learners of class 7B, one of class 8A, and a nameless guest with no answers."""
    ids = {name: store.create_learner(name, class_code=CLASS)[0].id for name in HAND_ROSTER}
    ids["Zed"] = store.create_learner("Zed", class_code="8A")[0].id
    store.create_guest()
    record(store, ids, FIRST, T0)
    record(store, ids, LATER, T0 + timedelta(days=1))
    record(store, ids, [("Zed", "s", 3, False, 0.0)], T0)
    return ids


@pytest.fixture
def data(store: Store) -> ClassData:
    fill_class(store)
    return load_class(store, CLASS, T0 + timedelta(days=30))


def test_load_class_keeps_only_the_class(data: ClassData):
    assert [p.display_name for p in data.learners] == list(HAND_ROSTER)
    assert len(data.answers) == len(FIRST) + len(LATER)
    assert {a.learner_id for a in data.answers} == {p.id for p in data.learners}


def test_load_all_learners_skips_nameless_visitors_without_answers(store: Store):
    fill_class(store)
    everyone = load_class(store, None, T0)
    assert [p.display_name for p in everyone.learners] == [*HAND_ROSTER, "Zed"]


def test_item_analysis_matches_the_hand_computed_class(data: ClassData, class_bank: Bank):
    rows = {r.item_id: r for r in item_table(data, class_bank, "en")}
    assert list(rows) == ["s", "m", "n", "t"]  # bank order
    for item, (n, answers, facility, sd, disc) in HAND_ITEMS.items():
        r = rows[item]
        assert (r.learners, r.answers) == (n, answers), item
        assert r.facility == pytest.approx(facility, abs=1e-9), item
        assert r.sd == pytest.approx(sd, abs=1e-9), item
        assert r.discrimination == pytest.approx(disc, abs=1e-9), item
    assert [round(rows[i].discrimination, 2) for i in "smnt"] == [16.14, 87.71, 81.65, 38.51]
    # and the same as numpy's Pearson correlation with Moodle's rest of test T(s) − x_i(s)
    x = np.array([[1, 1, 1, 1], [1, 0.5, 0, 0], [0, 0, 0, 1], [0, 1, 1, 1], [0, 0, 0, 0]])
    for j, item in enumerate("smnt"):
        r = np.corrcoef(x[:, j], x.sum(axis=1) - x[:, j])[0, 1]
        assert rows[item].discrimination == pytest.approx(100 * r)


def answer_through_the_quiz(
    store: Store, bank: Bank, ids: dict[str, int], rows: list[tuple], start: datetime
) -> set[tuple[int, ...]]:
    """Give ``rows`` as learners do: each item shown under its own seed (its options shuffled),
    the authored choice clicked where it is shown. Returns the option orders that were shown."""
    shown: set[tuple[int, ...]] = set()
    for k, (who, item_id, response, correct, score) in enumerate(rows):
        item = make_item(bank, item_id, seed=1000 + 17 * k)
        if TYPES[item_id] == "single" and response is not None:
            response = item.order.index(response)
        elif TYPES[item_id] == "multiple" and response is not None:
            response = [item.order.index(a) for a in response]
        shown.add(item.order)
        learner = store.learner(ids[who])
        out = answer(store, learner, f"session-{who}", item, response, 10.0,
                     start + timedelta(minutes=k), fuzz=False, skipped=response is None)  # fmt: skip
        assert (out.grade.correct, out.grade.score) == (correct, score), (who, item_id)
    return shown


def test_item_analysis_of_shuffled_presentations_matches_the_hand_computed_class(
    store: Store, class_bank: Bank
):
    """The same class answering through the quiz, every learner seeing their own option order."""
    ids = {name: store.create_learner(name, class_code=CLASS)[0].id for name in HAND_ROSTER}
    shown = answer_through_the_quiz(store, class_bank, ids, FIRST, T0)
    shown |= answer_through_the_quiz(store, class_bank, ids, LATER, T0 + timedelta(days=1))
    assert len({o for o in shown if len(o) == 4}) > 5  # many different orders were shown
    data = load_class(store, CLASS, T0 + timedelta(days=30))
    rows = {r.item_id: r for r in item_table(data, class_bank, "en")}
    for item, (n, answers, facility, sd, disc) in HAND_ITEMS.items():
        r = rows[item]
        assert (r.learners, r.answers) == (n, answers), item
        assert r.facility == pytest.approx(facility, abs=1e-9), item
        assert r.sd == pytest.approx(sd, abs=1e-9), item
        assert r.discrimination == pytest.approx(disc, abs=1e-9), item
    for item, expected in HAND_WRONG.items():
        assert [(w.response, w.learners, w.times) for w in rows[item].wrong] == expected, item


def test_most_chosen_wrong_answers_match_the_hand_count(data: ClassData, class_bank: Bank):
    rows = {r.item_id: r for r in item_table(data, class_bank, "en")}
    for item, expected in HAND_WRONG.items():
        assert [(w.response, w.learners, w.times) for w in rows[item].wrong] == expected, item


def test_wrong_answers_in_chinese(data: ClassData, class_bank: Bank):
    rows = {r.item_id: r for r in item_table(data, class_bank, "zh")}
    assert rows["s"].wrong[0].response == "B. （中）d_k"
    assert rows["t"].wrong[0].response == "错"
    assert rows["m"].wrong[-1].response == "跳过（我不会）"


def test_per_question_analysis_matches_the_hand_computed_class(data: ClassData, class_bank: Bank):
    rows = {r.question_id: r for r in question_table(data, class_bank, "en")}
    assert list(rows) == ["q01-sample", "q02-masks"]
    for qid, (n, answers, facility, disc) in HAND_QUESTIONS.items():
        r = rows[qid]
        assert (r.learners, r.answers, r.number) == (n, answers, class_bank.by_id(qid).number)
        assert r.facility == pytest.approx(facility, abs=1e-9)
        assert r.discrimination == pytest.approx(disc, abs=1e-9)
    assert round(rows["q01-sample"].facility, 2) == 43.33


def test_roster_matches_the_hand_count(data: ClassData):
    rows = {r.name: r for r in roster(data)}
    for name, (answers, correct, accuracy) in HAND_ROSTER.items():
        r = rows[name]
        assert (r.answers, r.correct, r.items, r.class_code) == (answers, correct, 4, CLASS)
        assert r.accuracy == pytest.approx(accuracy)
    assert rows["Cai"].last_seen == T0 + timedelta(days=1, minutes=1)  # LATER[1]
    assert rows["Ann"].last_seen == T0 + timedelta(minutes=3)  # FIRST[3]
    assert rows["Ann"].due_now == 0  # answers recorded without a schedule make no cards


def test_progress_per_learner_and_question(data: ClassData, class_bank: Bank):
    rows = {(r.name, r.question_id): r for r in progress(data, class_bank, "en")}
    cai = rows[("Cai", "q01-sample")]
    # S wrong, wrong, right (latest right); M wrong; N wrong → 1 of 3 right now, 1 of 5 answers
    assert (cai.items, cai.answered, cai.right_now, cai.answers) == (3, 3, 1, 5)
    assert cai.accuracy == pytest.approx(20.0)
    dev = rows[("Dev", "q01-sample")]
    assert (dev.right_now, dev.answers, dev.accuracy) == (3, 4, 75.0)
    assert rows[("Eve", "q02-masks")].right_now == 0
    assert len(rows) == 10


def test_discrimination_uses_the_mean_of_the_other_items_for_incomplete_learners():
    # Learner 4 answered only item a: no rest-of-test score, so not in a's discrimination.
    # Learners 1–3 answered a, b, c; learner 3 also skipped nothing. Rest-of-test of a:
    #   1: mean(1, 1) = 1, 2: mean(0, 1) = .5, 3: mean(0, 0) = 0 with x_a = 1, 1, 0
    #   x̄ = 2/3, dx = 1/3 1/3 −2/3; X̄ = .5, dX = .5 0 −.5; Σdx·dX = 1/6 + 1/3 = .5
    #   Σdx² = 2/3, ΣdX² = .5 → r = .5 / √(1/3) = 0.8660
    scores = {
        1: {"a": 1.0, "b": 1.0, "c": 1.0},
        2: {"a": 1.0, "b": 0.0, "c": 1.0},
        3: {"a": 0.0, "b": 0.0, "c": 0.0},
        4: {"a": 0.0},
    }
    a = analyse(scores)["a"]
    assert a.learners == 4 and a.facility == pytest.approx(50.0)
    assert a.discrimination == pytest.approx(100 * 0.5 / math.sqrt(1 / 3))


def test_discrimination_is_blank_when_undefined():
    same = analyse({1: {"a": 1.0, "b": 0.0}, 2: {"a": 1.0, "b": 1.0}})
    assert same["a"].discrimination is None  # everyone right: V(x) = 0
    one = analyse({1: {"a": 1.0, "b": 0.0}})
    assert one["a"].discrimination is None and one["a"].sd is None


def test_first_scores_keep_the_first_answer(data: ClassData):
    cai = first_scores(data.answers)[data.learners[2].id]
    assert cai == {"s": 0.0, "m": 0.0, "n": 0.0, "t": 1.0}


def test_describe_response_without_a_bank():
    assert describe_response("single", 1, None, "en") == "B"
    assert describe_response("multiple", [0, 3], None, "en") == "A + D"
    assert describe_response("numeric", 0.1 + 0.2, None, "en") == "0.3"
    assert describe_response("flashcard", "again", None, "en") == "again"


def read_csv(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM: Excel reads Chinese
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def test_csv_export_has_bom_headers_and_the_numbers(data: ClassData, class_bank: Bank):
    rows = item_table(data, class_bank, "zh")
    cols = {
        "item_id": "题目",
        "facility": "难度系数 %",
        "discrimination": "区分度 %",
        "wrong": "错",
    }
    table = read_csv(to_csv(rows, cols))
    assert table[0] == ["题目", "难度系数 %", "区分度 %", "错"]
    assert table[1][:3] == ["s", "40.0", "16.1"]
    assert table[1][3] == "B. （中）d_k (2/3); C. （中）1 (1/1)"
    assert len(table) == 5


def test_csv_neutralises_formulas(data: ClassData):
    from dataclasses import dataclass

    @dataclass
    class Row:
        name: str

    table = read_csv(to_csv([Row("=HYPERLINK(1)"), Row("@SUM"), Row("Ann")], {"name": "n"}))
    assert [r[0] for r in table[1:]] == ["'=HYPERLINK(1)", "'@SUM", "Ann"]


# ── the teacher's password ────────────────────────────────────────────────────────────────────


def test_no_password_means_disabled(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("TEACHER_PASSWORD", raising=False)
    assert teacher_password() is None
    monkeypatch.setenv("TEACHER_PASSWORD", "   ")
    assert teacher_password() is None
    monkeypatch.setenv("TEACHER_PASSWORD", "s3cret")
    assert teacher_password() == "s3cret"


def test_password_is_compared_with_compare_digest(monkeypatch: pytest.MonkeyPatch):
    calls: list[tuple[Any, Any]] = []
    real = hmac.compare_digest

    def spy(a: Any, b: Any) -> bool:
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(auth.hmac, "compare_digest", spy)
    assert check_password("老师的密码", "老师的密码")  # non-ASCII works (compared as bytes)
    assert not check_password("wrong", "老师的密码")
    assert calls == [
        ("老师的密码".encode(), "老师的密码".encode()),
        (b"wrong", "老师的密码".encode()),
    ]


def test_backoff_doubles_up_to_the_cap():
    assert [backoff(n) for n in range(0, 5)] == [0.0, 1.0, 2.0, 4.0, 8.0]
    assert backoff(6) == 32.0 and backoff(7) == auth.CAP_S and backoff(10_000) == auth.CAP_S


def test_throttle_waits_grow_and_refuse_without_checking(monkeypatch: pytest.MonkeyPatch):
    t, key, now = Throttle(), "ip:10.0.0.7", 1000.0
    waits = []
    for _ in range(4):
        now += t.wait(key, now)  # wait exactly as long as asked
        a = t.attempt(key, "guess", "right", now)
        assert not a.ok and a.checked
        waits.append(a.wait_s)
    assert waits == [1.0, 2.0, 4.0, 8.0]
    checked: list[str] = []
    monkeypatch.setattr(auth, "check_password", lambda g, e: checked.append(g) or g == e)
    early = t.attempt(key, "right", "right", now + 7.0)  # the right password, too early
    assert (early.ok, early.checked, checked) == (False, False, [])
    assert early.wait_s == pytest.approx(1.0)
    late = t.attempt(key, "right", "right", now + 8.0)
    assert late.ok and checked == ["right"]
    assert t.wait(key, now + 8.0) == 0.0 and t.failures(key) == 0


def test_throttle_keys_are_separate():
    t, now = Throttle(), 0.0
    for i in range(20):  # twenty clients, one failure each: nobody else waits
        t.failed(f"ip:10.0.0.{i}", now)
    assert t.wait("ip:10.0.0.99", now) == 0.0
    assert t.wait("ip:10.0.0.5", now) == 1.0 and t.wait("ip:10.0.0.5", now + 1.0) == 0.0


# ── class mode ────────────────────────────────────────────────────────────────────────────────


def test_class_code_from_the_environment(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("CLASS_CODE", raising=False)
    assert class_code() is None
    monkeypatch.setenv("CLASS_CODE", " 7B-2025 ")
    assert class_code() == "7B-2025"
    assert code_matches("7b-2025", "7B-2025") and code_matches(" 7B - 2025", "7B-2025")
    assert code_matches("７Ｂ-2025", "7B-2025")  # full-width typed on a Chinese keyboard
    assert not code_matches("7B-2026", "7B-2025")


def test_assignments_are_stored_in_order_per_class(store: Store, class_bank: Bank, tmp_path: Path):
    book = ClassBook(store)
    assert book.assignment(CLASS) == []
    book.assign(CLASS, ["q02-masks", "q01-sample"])
    book.assign("8A", ["q01-sample"])
    assert book.assignment(CLASS) == ["q02-masks", "q01-sample"]
    assert assigned_items(class_bank, book.assignment(CLASS)) == ["t", "s", "m", "n"]
    book.assign(CLASS, ["q01-sample"])
    assert book.assignment(CLASS) == ["q01-sample"] and book.assignment("8A") == ["q01-sample"]
    with pytest.raises(ValueError, match="only once"):
        book.assign(CLASS, ["q01-sample", "q01-sample"])
    store.close()
    again = Store(store.url)  # the store still opens the database that now holds the extra table
    assert ClassBook(again).assignment(CLASS) == ["q01-sample"]
    again.close()
