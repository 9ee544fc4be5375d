"""Quiz and Progress pages under Streamlit's AppTest: a whole session of each start mode, learners,
resume codes, the summary, the progress page, and a database that cannot be opened."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from engine.patterns import PATTERN_NAMES
from quiz.bank import Bank, load_bank
from quiz.items import PATTERN_ITEM, Item, make_item
from quiz.session import MODES
from quiz.store import Store, database_url

from ..conftest import ROOT
from ..unit.test_quiz_items import right_and_wrong, write_bank

TIMEOUT = 120
QUIZ, PROGRESS = str(ROOT / "views" / "quiz.py"), str(ROOT / "views" / "progress.py")


@pytest.fixture(scope="module")
def bank_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_bank(tmp_path_factory.mktemp("quiz-bank"))


@pytest.fixture
def bank(bank_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Bank:
    monkeypatch.setenv("ATLAS_QUESTIONS_DIR", str(bank_dir))
    return load_bank(bank_dir)


def page(path: str = QUIZ, lang: str | None = None) -> AppTest:
    at = AppTest.from_file(path, default_timeout=TIMEOUT)
    if lang:
        at.query_params["lang"] = lang
    return at.run()


def start(
    at: AppTest, mode: str, length: int = 30, tag: str | None = None, question: int | None = None
) -> AppTest:
    at.radio(key="start_mode").set_value(mode).run()
    if tag:
        at.selectbox(key="start_tag").set_value(tag)
    if question:
        at.selectbox(key="start_question").set_value(question)
    at.slider(key="start_length").set_value(length)
    return at.button(key="start").click().run()


def current(at: AppTest, bank: Bank) -> tuple[str, Item] | None:
    s = at.session_state["quiz"]
    if s["pos"] >= len(s["queue"]):
        return None
    return f"{s['session_id']}:{s['pos']}", make_item(bank, s["queue"][s["pos"]], s["seed"])


def respond(at: AppTest, key: str, item: Item, response: Any) -> AppTest:
    """Fill in the item's widgets as a learner would and submit."""
    if item.type == "flashcard":
        at.button(key=f"reveal:{key}").click().run()
        return at.button(key=f"rate:{key}:{response}").click().run()
    if item.type in ("single", "which_heatmap", "true_false", "predict_pattern"):
        at.radio(key=key).set_value(response)
    elif item.type == "multiple":
        for i in response:
            at.checkbox(key=f"{key}:{i}").check()
    elif item.type in ("numeric", "compute"):
        at.text_input(key=key).input(response)
    else:  # draw_mask: the data editor's edit state, as the browser sends it
        edits = {
            i: {f"k{j}": True for j, c in enumerate(row) if c} for i, row in enumerate(response)
        }
        at.session_state[key] = {"edited_rows": edits, "added_rows": [], "deleted_rows": []}
    return at.button(key=f"submit:{key}").click().run()


def play(at: AppTest, bank: Bank, right: bool = True) -> list[str]:
    """Answer every item of the running session (right or wrong) up to the summary; the item types."""
    types = []
    while (cur := current(at, bank)) is not None:
        key, item = cur
        good, bad = right_and_wrong(item)
        respond(at, key, item, good if right else bad)
        assert not at.exception, at.exception
        assert at.session_state["quiz"]["outcome"] is not None, [w.value for w in at.warning]
        assert (at.success if right else at.error)[0].icon == (
            ":material/check_circle:" if right else ":material/cancel:"
        )
        types.append(item.type)
        at.button(key=f"next:{key}").click().run()
    return types


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_quiz_page_opens_for_a_visitor(bank: Bank):
    at = page()
    assert not at.exception
    assert at.title[0].value == "Quiz"
    assert "kept only for this visit" in at.sidebar.warning[0].value
    assert [r.label for r in at.radio if r.key == "start_mode"] == ["Start from"]


def test_quiz_page_in_chinese(bank: Bank):
    at = page(lang="zh")
    assert not at.exception and at.title[0].value == "自测"
    assert "进度只保留在这次访问中" in at.sidebar.warning[0].value
    start(at, "tag", tag="live")
    assert any("哪一张是" in m.value for m in at.markdown)
    assert play(at, bank) == ["which_heatmap", "draw_mask", "compute"]
    assert metrics(at)["答对"] == "3 / 3" and at.subheader[0].value == "本次总结"


def _wrong_session_on_question_2(at: AppTest, bank: Bank) -> None:
    start(at, "question", question=2)
    assert play(at, bank, right=False) == ["true_false", "single"]
    at.button(key="again").click().run()


@pytest.mark.parametrize("mode", MODES)
def test_a_whole_session_of_each_start_mode(mode: str, bank: Bank):
    at = page()
    expected = {
        "new": (
            [
                "single",
                "multiple",
                "true_false",
                "numeric",
                "numeric",
                "flashcard",
                "true_false",
                "single",
                "which_heatmap",
                "draw_mask",
                "compute",
                "single",  # live:predict-induction (the induction toy's heads)
                "predict_pattern",
            ],
            {},
        ),
        "due": (["true_false", "single"], {}),  # most overdue first
        "mistakes": (["single", "true_false"], {}),  # most recent mistake first
        "tag": (["which_heatmap", "draw_mask", "compute"], {"tag": "live"}),
        "question": (
            ["single", "multiple", "true_false", "numeric", "numeric", "flashcard"],
            {"question": 1},
        ),
    }[mode]
    if mode in ("due", "mistakes"):
        _wrong_session_on_question_2(at, bank)
    if mode == "due":  # time passes: both cards come due, m-tf the longer ago
        db = Path(database_url().removeprefix("sqlite:///"))
        with sqlite3.connect(db) as con:
            con.execute("UPDATE cards SET due = '2000-01-02 00:00:00' WHERE item_id = 'm-single'")
            con.execute("UPDATE cards SET due = '2000-01-01 00:00:00' WHERE item_id = 'm-tf'")
    start(at, mode, **expected[1])
    assert not at.exception
    types = play(at, bank, right=True)
    assert types == expected[0]
    m = metrics(at)
    n = len(types)
    assert m["Score"] == "100%" and m["Correct"] == f"{n} / {n}"
    assert at.subheader[0].value == "Session summary" and len(at.get("vega_lite_chart")) == 1
    store = Store(database_url())
    learner_id = at.session_state["learner_id"]
    assert store.count_answers(learner_id) == n + (2 if mode in ("due", "mistakes") else 0)


def test_an_empty_answer_says_so_and_records_nothing(bank: Bank):
    at = start(page(), "question", question=1)
    key, item = current(at, bank)
    assert item.type == "single"
    at.button(key=f"submit:{key}").click().run()
    assert not at.exception
    assert at.warning[0].value == "No answer: pick one option."
    assert at.session_state["quiz"]["outcome"] is None
    assert Store(database_url()).count_answers() == 0


def test_i_dont_know_records_a_wrong_answer_and_shows_the_key(bank: Bank):
    at = start(page(), "question", question=2)
    key, item = current(at, bank)
    at.button(key=f"skip:{key}").click().run()
    assert not at.exception
    assert at.error[0].value.startswith("Skipped") and at.error[0].icon == ":material/cancel:"
    [row] = Store(database_url()).answers(at.session_state["learner_id"])
    assert row.item_id == item.item_id and not row.correct and row.response is None


def test_draw_mask_feedback_marks_the_wrong_cells(bank: Bank):
    at = start(page(), "tag", tag="live")
    while (cur := current(at, bank))[1].type != "draw_mask":
        key, item = cur
        respond(at, key, item, right_and_wrong(item)[0])
        at.button(key=f"next:{key}").click().run()
    key, item = current(at, bank)
    grid = [[True] * len(item.answer) for _ in item.answer]  # everything ticked
    respond(at, key, item, grid)
    assert not at.exception
    n = len(item.answer)
    allowed = sum(map(sum, item.answer))
    assert at.error[0].value == f"{n * n - allowed} of {n * n} cells are wrong."
    shown = at.dataframe[-1].value
    assert shown.shape == (n, n) and (shown == "■").sum().sum() == allowed
    assert [[c == "■" for c in row] for row in shown.values.tolist()] == [
        list(r) for r in item.answer
    ]


def test_predict_the_pattern_is_asked_answered_and_scheduled(bank: Bank):
    at = start(page(), "tag", tag="model-lab")
    assert not at.exception, at.exception
    key, item = current(at, bank)
    assert item.item_id == PATTERN_ITEM and at.session_state["quiz"]["queue"] == [PATTERN_ITEM]
    x = item.results[0].extras
    tokens = " ".join(f"`{t}`" for t in item.results[0].query_labels)
    assert any(m.value == tokens for m in at.markdown)  # the tokens the hidden head reads
    assert at.radio(key=key).label == "Where does this head mostly look?"
    assert not at.get("image")  # the heatmap would give the answer away
    hidden = f"layer {x['layer']}, head {x['head']}"
    assert not any(hidden in m.value for m in at.markdown)
    respond(at, key, item, item.answer)
    assert not at.exception, at.exception
    name = PATTERN_NAMES[item.answer]["en"]
    assert at.success[0].value.startswith(f"Right: this head is '{name}'")
    assert any(f"**{hidden}**: {name}" in m.value for m in at.markdown)  # the explanation
    assert len(at.get("image")) == 1  # the real heatmap of the hidden head
    [row] = Store(database_url()).answers(at.session_state["learner_id"])
    assert (row.item_id, row.item_type, row.correct, row.tags, row.seed) == (
        PATTERN_ITEM,
        "predict_pattern",
        True,
        ("model-lab",),
        item.seed,
    )
    assert row.response == {"mode": "name", "guess": item.answer, "pattern": item.answer}
    [card] = Store(database_url()).cards(at.session_state["learner_id"])
    assert card.item_id == PATTERN_ITEM and card.due > row.answered_at


def test_a_wrong_pattern_is_marked_and_explained(bank: Bank):
    at = start(page(), "tag", tag="model-lab")
    key, item = current(at, bank)
    respond(at, key, item, right_and_wrong(item)[1])
    assert not at.exception, at.exception
    assert at.error[0].value.startswith("Not quite") and at.error[0].icon == ":material/cancel:"
    assert any("Score of each pattern" in m.value for m in at.markdown)


def test_without_a_model_the_quiz_does_not_offer_the_pattern_item(
    bank: Bank, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("ATLAS_MODEL_DIR", str(tmp_path))
    at = page()
    assert not at.exception
    assert at.radio(key="start_mode").options[1] == "New (12)"  # 8 bank + 4 live items
    at.radio(key="start_mode").set_value("tag").run()
    assert "model-lab" not in at.selectbox(key="start_tag").options
    at = start(at, "new")
    assert play(at, bank)[-4:] == ["which_heatmap", "draw_mask", "compute", "single"]


def test_one_question_mode_preselects_the_question_in_the_url(bank: Bank):
    at = AppTest.from_file(QUIZ, default_timeout=TIMEOUT)
    at.query_params["q"] = "2"
    at.run()
    at.radio(key="start_mode").set_value("question").run()
    assert not at.exception
    assert at.selectbox(key="start_question").value == 2
    at.button(key="start").click().run()
    assert at.session_state["quiz"]["queue"] == ["m-tf", "m-single"]
    plain = page()  # no ?q=: the first question
    plain.radio(key="start_mode").set_value("question").run()
    assert plain.selectbox(key="start_question").value == 1
    odd = AppTest.from_file(QUIZ, default_timeout=TIMEOUT)
    odd.query_params["q"] = "99"  # no such question: the first, and no error
    odd.run()
    odd.radio(key="start_mode").set_value("question").run()
    assert not odd.exception and odd.selectbox(key="start_question").value == 1


def shown_options(at: AppTest, key: str, item: Item) -> list[str]:
    """The option texts as the page shows them: the radio's labels, or the checkboxes' in order."""
    if item.type == "single":
        return list(at.radio(key=key).options)  # AppTest gives the formatted labels
    return [at.checkbox(key=f"{key}:{i}").label for i in range(len(item.options))]


def test_a_reload_shows_the_same_item_with_the_same_option_order(bank: Bank):
    at = start(page(), "question", question=1)
    orders = set()
    while (cur := current(at, bank)) is not None:
        key, item = cur
        if item.type in ("single", "multiple"):
            break
        at.button(key=f"skip:{key}").click().run()
        at.button(key=f"next:{key}").click().run()
    assert item.type in ("single", "multiple")
    before = shown_options(at, key, item)
    assert before == [o["en"] for o in item.options]  # the page shows the drawn order
    seed = at.session_state["quiz"]["seed"]
    assert (at.query_params["item"], at.query_params["seed"]) == (item.item_id, str(seed))
    good, _ = right_and_wrong(item)
    respond(at, key, item, good)
    reloaded = AppTest.from_file(QUIZ, default_timeout=TIMEOUT)  # a fresh browser session
    reloaded.query_params["item"], reloaded.query_params["seed"] = item.item_id, str(seed)
    reloaded.run()
    assert not reloaded.exception
    s = reloaded.session_state["quiz"]
    assert (s["queue"], s["seed"], s["mode"]) == ([item.item_id], seed, "resume")
    assert shown_options(reloaded, f"{s['session_id']}:0", item) == before
    assert "before the page reloaded" in reloaded.info[0].value
    for other in range(seed + 1, seed + 40):  # another draw of the same item: another order
        orders.add(tuple(o["en"] for o in make_item(bank, item.item_id, other).options))
    assert len(orders) > 1


@pytest.mark.parametrize("seed", ["-1", "12a", "２", "99999999999", str(2**31)])
def test_a_bad_item_or_seed_in_the_url_starts_afresh(bank: Bank, seed: str):
    at = AppTest.from_file(QUIZ, default_timeout=TIMEOUT)
    at.query_params["item"], at.query_params["seed"] = "s-single", seed
    at.run()
    assert not at.exception and "quiz" not in at.session_state
    assert at.button(key="start").label == "Start" and "item" not in at.query_params
    unknown = AppTest.from_file(QUIZ, default_timeout=TIMEOUT)
    unknown.query_params["item"], unknown.query_params["seed"] = "no-such-item", "7"
    unknown.run()
    assert not unknown.exception and "quiz" not in unknown.session_state


def test_named_learner_resumes_with_their_code_on_another_device(bank: Bank):
    at = page()
    at.sidebar.text_input(key="learner_name_input").input("Ada")
    next(b for b in at.sidebar.button if b.label == "Keep my progress").click().run()
    assert not at.exception
    code = at.sidebar.code[0].value
    assert len(code) == 19 and "Ada" not in code
    assert "shown only once" in at.sidebar.success[0].value
    start(at, "question", question=2)
    play(at, bank)
    other = page()  # a new browser session: nothing known until the code is typed
    assert "kept only for this visit" in other.sidebar.warning[0].value
    other.sidebar.text_input(key="resume_code_input").input(code.lower())
    next(b for b in other.sidebar.button if b.label == "Continue").click().run()
    assert not other.exception
    assert "Ada" in other.sidebar.markdown[0].value
    assert (
        other.radio(key="start_mode").options[1] == "New (11)"
    )  # 8 bank + 5 live items, 2 answered
    progress = AppTest.from_file(PROGRESS, default_timeout=TIMEOUT)
    progress.session_state["learner_id"] = other.session_state["learner_id"]
    progress.run()
    assert not progress.exception
    assert metrics(progress)["Answers · accuracy"] == "2 · 100%"


def test_a_wrong_code_is_refused(bank: Bank):
    at = page()
    at.sidebar.text_input(key="resume_code_input").input("AAAA-BBBB-CCCC-DDDD")
    next(b for b in at.sidebar.button if b.label == "Continue").click().run()
    assert not at.exception and at.sidebar.error[0].value == "No learner has this resume code."
    assert "learner_id" not in at.session_state


def test_progress_page_for_nobody_and_for_a_learner(bank: Bank):
    empty = page(PROGRESS)
    assert not empty.exception and "No answers in this visit yet" in empty.info[0].value
    at = start(page(), "question", question=1)
    play(at, bank)
    progress = AppTest.from_file(PROGRESS, default_timeout=TIMEOUT)
    progress.session_state["learner_id"] = at.session_state["learner_id"]
    progress.run()
    assert not progress.exception
    m = metrics(progress)
    assert (
        m["Due now"] == "0" and m["Items studied"] == "6" and m["Answers · accuracy"] == "6 · 100%"
    )
    assert len(progress.get("vega_lite_chart")) == 3  # forecast, per tag, over time
    assert progress.get("download_button")[0].proto.label.startswith(
        "Export my answers (CSV, 6 rows)"
    )
    progress.slider(key="retention").set_value(0.85)
    next(b for b in progress.button if b.label == "Save settings").click().run()
    assert Store(database_url()).learner(
        at.session_state["learner_id"]
    ).desired_retention == pytest.approx(0.85)


def test_a_corrupt_database_is_reported_not_overwritten(bank: Bank):
    db = Path(database_url().removeprefix("sqlite:///"))
    db.parent.mkdir(parents=True, exist_ok=True)
    db.write_bytes(b"garbage" * 100)
    for path in (QUIZ, PROGRESS):
        at = page(path)
        assert not at.exception
        assert str(db) in at.error[0].value and "cannot be opened" in at.error[0].value
    assert db.read_bytes() == b"garbage" * 100


def test_pages_run_inside_the_app_navigation():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT).run()
    at.switch_page("views/quiz.py").run()
    assert not at.exception and at.title[0].value == "Quiz"
    at.switch_page("views/progress.py").run()
    assert not at.exception and at.title[0].value == "Progress"
