"""Sessions without a browser: planning each start mode, answering, the summary and the CSV export."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from quiz.bank import Bank, load_bank
from quiz.export import COLUMNS, answers_csv, answers_csv_bytes
from quiz.grading import grade
from quiz.items import LIVE, PATTERN_ITEM, make_item
from quiz.session import Start, answer, counts, mistakes, plan, record, summarise
from quiz.store import Learner, Store

from .test_quiz_items import right_and_wrong, write_bank

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=timezone.utc)
BANK_IDS = ["s-single", "s-multiple", "s-tf", "s-num", "s-gen", "s-card", "m-tf", "m-single"]


@pytest.fixture(scope="module")
def bank(tmp_path_factory: pytest.TempPathFactory) -> Bank:
    return load_bank(write_bank(tmp_path_factory.mktemp("bank")), strict=True)


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(f"sqlite:///{tmp_path / 'atlas.db'}")


def give(
    store: Store,
    learner: Learner,
    bank: Bank,
    item_id: str,
    right: bool,
    when: datetime,
    sid: str = "s1",
):
    """Answer ``item_id`` right or wrong at ``when``."""
    item = make_item(bank, item_id, seed=11)
    good, bad = right_and_wrong(item)
    return answer(
        store, learner, sid, item, good if right else bad, seconds=4.0, now=when, fuzz=False
    )


def test_new_mode_lists_unseen_items_in_bank_order_then_live(bank: Bank, store: Store):
    learner = store.create_guest()
    assert plan(bank, [], [], Start("new", length=100), T0) == BANK_IDS + list(LIVE)
    give(store, learner, bank, "s-single", True, T0)
    assert plan(bank, store.cards(learner.id), [], Start("new", length=3), T0) == [
        "s-multiple",
        "s-tf",
        "s-num",
    ]


def test_due_mode_follows_the_fsrs_queue(bank: Bank, store: Store):
    learner = store.create_guest()
    give(store, learner, bank, "s-tf", False, T0)  # lapse → back in 1 minute
    give(store, learner, bank, "s-single", True, T0 + timedelta(seconds=5))  # learning → 10 minutes
    give(
        store, learner, bank, "m-tf", False, T0 + timedelta(seconds=10)
    )  # → 1 minute, later than s-tf
    cards = store.cards(learner.id)
    assert plan(bank, cards, [], Start("due"), T0) == []
    assert plan(bank, cards, [], Start("due"), T0 + timedelta(minutes=2)) == ["s-tf", "m-tf"]
    assert plan(bank, cards, [], Start("due"), T0 + timedelta(hours=1)) == [
        "s-tf",
        "m-tf",
        "s-single",
    ]


def test_mistakes_mode_latest_answer_wrong_most_recent_first(bank: Bank, store: Store):
    learner = store.create_guest()
    give(store, learner, bank, "s-tf", False, T0)
    give(store, learner, bank, "s-num", False, T0 + timedelta(minutes=1))
    give(store, learner, bank, "m-tf", False, T0 + timedelta(minutes=2))
    give(store, learner, bank, "m-tf", True, T0 + timedelta(minutes=3))  # put right since
    history = store.answers(learner.id)
    assert mistakes(history) == ["s-num", "s-tf"]
    assert plan(bank, [], history, Start("mistakes"), T0) == ["s-num", "s-tf"]


def test_tag_and_question_modes(bank: Bank):
    assert plan(bank, [], [], Start("tag", tag="masks"), T0) == [
        "m-tf",
        "m-single",
        "live:which-heatmap",
        "live:draw-mask",
    ]
    assert plan(bank, [], [], Start("tag", tag="live"), T0) == [
        "live:which-heatmap",
        "live:draw-mask",
        "live:compute",
    ]  # the engine-computed items; the trained models' items have their own tags
    assert plan(bank, [], [], Start("question", question=2), T0) == ["m-tf", "m-single"]
    assert plan(bank, [], [], Start("question", question=99), T0) == []
    with pytest.raises(ValueError, match="start mode"):
        plan(bank, [], [], Start("random"), T0)


def test_counts_per_mode(bank: Bank, store: Store):
    learner = store.create_guest()
    give(store, learner, bank, "s-tf", False, T0)
    c = counts(bank, store.cards(learner.id), store.answers(learner.id), T0 + timedelta(minutes=5))
    assert c == {"due": 1, "new": len(BANK_IDS) + len(LIVE) - 1, "mistakes": 1}


def test_the_pattern_item_is_planned_new_and_when_due(bank: Bank, store: Store):
    learner = store.create_guest()
    assert PATTERN_ITEM in plan(bank, [], [], Start("new", length=100), T0)
    assert plan(bank, [], [], Start("tag", tag="model-lab"), T0) == [PATTERN_ITEM]
    out = give(store, learner, bank, PATTERN_ITEM, False, T0)  # a lapse: back in 1 minute
    assert out.due == T0 + timedelta(minutes=1)
    [row] = store.answers(learner.id)
    assert (row.question_id, row.item_type, row.tags, row.seed) == (
        "live",
        "predict_pattern",
        ("model-lab",),
        11,
    )
    pattern = make_item(bank, PATTERN_ITEM, 11).answer
    assert row.response["pattern"] == pattern and row.response["guess"] != pattern
    cards, history = store.cards(learner.id), store.answers(learner.id)
    assert PATTERN_ITEM not in plan(bank, cards, [], Start("new", length=100), T0)
    assert plan(bank, cards, [], Start("due"), T0) == []
    assert plan(bank, cards, [], Start("due"), T0 + timedelta(minutes=2)) == [PATTERN_ITEM]
    assert plan(bank, cards, history, Start("mistakes"), T0) == [PATTERN_ITEM]


def test_a_page_that_grades_itself_records_the_same_card(bank: Bank, store: Store):
    """The model lab grades a painted row, then records it as the quiz does."""
    learner = store.create_guest()
    item = make_item(bank, PATTERN_ITEM, 5)
    g = grade(item, {"painted": [0], "query": 1})
    out = record(store, learner, "lab", item, g, 3.0, T0, fuzz=False)
    assert out.answer_id and out.due > T0
    [row] = store.answers(learner.id)
    assert (row.item_id, row.session_id, row.response["mode"], row.score) == (
        PATTERN_ITEM,
        "lab",
        "paint",
        pytest.approx(float(item.results[0].weights[0, 1, 0])),
    )
    [card] = store.cards(learner.id)
    assert card.item_id == PATTERN_ITEM and card.due == out.due


def test_without_a_model_the_pattern_item_is_never_planned(
    bank: Bank, store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    learner = store.create_guest()
    give(store, learner, bank, PATTERN_ITEM, False, T0)
    monkeypatch.setenv("ATLAS_MODEL_DIR", str(tmp_path / "no-model"))
    cards, history = store.cards(learner.id), store.answers(learner.id)
    later = T0 + timedelta(hours=1)
    assert plan(bank, [], [], Start("new", length=100), T0) == BANK_IDS + [
        i for i in LIVE if i != PATTERN_ITEM
    ]
    assert plan(bank, cards, [], Start("due"), later) == []
    assert plan(bank, cards, history, Start("mistakes"), later) == []
    assert plan(bank, [], [], Start("tag", tag="model-lab"), T0) == []


def test_an_empty_answer_is_not_recorded(bank: Bank, store: Store):
    learner = store.create_guest()
    item = make_item(bank, "s-num", 0)
    out = answer(store, learner, "s1", item, "   ", 3.0, T0)
    assert not out.grade.answered and out.answer_id is None and store.count_answers() == 0
    assert store.cards(learner.id) == []


def test_an_answer_records_what_item_analysis_needs(bank: Bank, store: Store):
    learner = store.create_guest()
    out = give(store, learner, bank, "s-multiple", True, T0)
    assert out.grade.correct and out.answer_id and out.due > T0
    [row] = store.answers(learner.id)
    assert (row.learner_id, row.question_id, row.item_id, row.item_type) == (
        learner.id,
        "q01-sample",
        "s-multiple",
        "multiple",
    )
    assert (row.response, row.correct, row.score, row.seconds, row.rating, row.answered_at) == (
        [0, 1, 3],
        True,
        1.0,
        4.0,
        3,
        T0,
    )
    assert row.tags == ("basics",)


def test_live_items_are_recorded_with_their_seed(bank: Bank, store: Store):
    learner = store.create_guest()
    give(store, learner, bank, "live:draw-mask", False, T0)
    [row] = store.answers(learner.id)
    assert row.question_id == "live" and row.item_type == "draw_mask" and row.seed == 11
    n = len(row.response)
    assert row.score == pytest.approx(1 - 1 / n**2)  # one cell of n² off


def test_skipping_records_a_lapse(bank: Bank, store: Store):
    learner = store.create_guest()
    out = answer(
        store, learner, "s1", make_item(bank, "s-tf", 0), None, 2.0, T0, fuzz=False, skipped=True
    )
    assert out.grade.answered and not out.grade.correct
    [row] = store.answers(learner.id)
    assert row.response is None and row.rating == 1 and out.due == T0 + timedelta(minutes=1)


def test_summary_by_hand(bank: Bank, store: Store):
    learner = store.create_guest()
    give(store, learner, bank, "s-tf", True, T0, sid="a")
    give(store, learner, bank, "m-tf", False, T0, sid="a")
    give(store, learner, bank, "m-single", True, T0, sid="a")
    give(store, learner, bank, "s-num", True, T0, sid="other")
    s = summarise(store.answers(learner.id, "a"))
    assert (s.answered, s.correct, s.score, s.seconds) == (3, 2, pytest.approx(2 / 3), 12.0)
    assert s.per_tag == {"basics": (1, 1.0), "masks": (2, 0.5)}
    assert summarise([]).answered == 0


def test_csv_export_of_a_learners_own_history(bank: Bank, store: Store):
    me, other = store.create_guest(), store.create_guest()
    give(store, me, bank, "s-multiple", True, T0)
    give(store, me, bank, "s-card", True, T0 + timedelta(minutes=1))
    give(store, other, bank, "s-tf", False, T0)
    data = answers_csv_bytes(store.answers(me.id))
    assert data.startswith(b"\xef\xbb\xbf")  # BOM: spreadsheets read UTF-8
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert tuple(rows[0]) == COLUMNS and len(rows) == 2
    assert [r["item_id"] for r in rows] == ["s-multiple", "s-card"]
    assert (
        rows[0]["response"] == "[0, 1, 3]"
        and rows[0]["correct"] == "1"
        and rows[0]["rating"] == "good"
    )
    assert rows[1]["response"] == '"good"' and rows[0]["answered_at"] == "2026-03-01T09:00:00+00:00"
    shown = make_item(bank, "s-multiple", int(rows[0]["seed"]))  # the draw it was answered under
    assert shown.order != (0, 1, 2, 3) and shown.authored_set(shown.answer) == [0, 1, 3]


def test_csv_cells_that_look_like_formulas_are_neutralised():
    from quiz.store import AnswerRow

    row = AnswerRow(
        1, "s", "=cmd()", "@x", "single", ("+t",), "=1+1", False, 0.0, 1.0, 1, T0, None, 1
    )
    out = list(csv.reader(io.StringIO(answers_csv([row]))))[1]
    assert (out[2], out[3], out[5], out[6]) == ("'=cmd()", "'@x", "'+t", '"=1+1"')
    assert all(not cell.startswith(("=", "+", "@")) for cell in out)


def test_record_benchmark_reports_a_median():
    from benchmarks.record_answer import run

    out = run(n=30)
    assert out["answers"] == out["rows"] == 30 and out["backend"] == "sqlite"
    assert 0 < out["median_ms"] <= out["p95_ms"] <= out["max_ms"]
