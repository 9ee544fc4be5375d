"""Study page under Streamlit's AppTest: every question in both languages, widgets, caching."""

from __future__ import annotations

import json

import pandas as pd
import pyarrow as pa
import pytest
import streamlit as st
import torch
from streamlit.testing.v1 import AppTest

import views.common as common
from engine.registry import get_demo, run_demo
from quiz.bank import load_bank

from ..conftest import ROOT

NUMBERS = [q.number for q in load_bank(ROOT / "questions", strict=False).questions]
TIMEOUT = 120


def study(q: int | None = None, lang: str | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    if q is not None:
        at.query_params["q"] = str(q)
    if lang:
        at.query_params["lang"] = lang
    return at.run()


def test_opens_with_no_exception():
    at = study()
    assert not at.exception
    assert at.title[0].value.startswith("Q1.")


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("number", NUMBERS)
def test_every_question_renders(number, lang):
    at = study(number, lang)
    assert not at.exception, at.exception
    q = load_bank(ROOT / "questions", strict=False).by_number(number)
    assert at.title[0].value == f"Q{number}. {q.title.get(lang)}"
    text = "\n".join(m.value for m in at.markdown)
    assert q.answer.get(lang).strip()[:40] in text
    assert len(at.get("image")) >= 1
    assert at.query_params["q"] == str(number) and at.query_params["lang"] == lang


def test_every_file_in_questions_is_listed():
    files = sorted((ROOT / "questions").glob("q*.yaml"))
    assert list(range(1, len(files) + 1)) == NUMBERS


def test_language_switch_changes_the_page_and_url():
    at = study(4, "en")
    at.sidebar.radio(key="lang_radio").set_value("zh").run()
    assert not at.exception
    assert at.query_params["lang"] == "zh"
    q = load_bank(ROOT / "questions", strict=False).by_number(4)
    assert at.title[0].value == f"Q4. {q.title.zh}"


def test_device_picker_and_parameter_change_rerun():
    at = study(4, "en")
    devices = at.sidebar.selectbox(key="device")
    assert devices.options[0] == "cpu"
    devices.select("cpu").run()
    assert not at.exception
    tokens = next(s for s in at.slider if s.label == "Tokens")
    tokens.set_value(12).run()
    assert not at.exception
    assert any("L = 12" in c for c in at.caption.values)
    assert any(c.startswith("Computed on cpu in ") for c in at.caption.values)


def test_filter_narrows_the_list():
    at = study(1, "en")
    at.sidebar.text_input[0].input("multi-head").run()
    assert not at.exception
    options = at.sidebar.radio[1].options
    assert 0 < len(options) < len(NUMBERS)


def test_a_rerun_that_changes_nothing_recomputes_nothing(monkeypatch):
    calls = []
    real = common.run_demo

    def counting(name, params, device):
        calls.append(name)
        return real(name, params, device)

    monkeypatch.setattr(common, "run_demo", counting)
    st.cache_data.clear()
    at = study(2, "en")
    first = len(calls)
    assert first >= 1
    at.run()
    at.run()
    assert len(calls) == first


def test_shows_source_of_what_ran():
    at = study(4, "en")
    code = "\n".join(c.value for c in at.code)
    assert "def multi_head_attention" in code or "def " in code


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_closing_summary_is_shown_with_its_correction_beside_the_original_answer(lang):
    q = load_bank(ROOT / "questions", strict=False).by_number(30)
    closing = q.seed.closing
    at = study(30, lang)
    assert not at.exception
    label = {"zh": "原始题目答案（未修改）", "en": "Original answer from the seed (unedited)"}
    [original] = [e for e in at.expander if e.label == label[lang]]
    text = "\n".join(m.value for m in original.markdown)
    assert q.seed.answer.get(lang) in text  # the original answer, then its closing summary
    assert f"> {closing.text.get(lang)}" in text
    assert text.index(q.seed.answer.get(lang)) < text.index(closing.text.get(lang))
    for c in closing.corrections:
        assert f"> {c.seed_says.get(lang)}" in text and c.correction.get(lang) in text
        assert c.reference in text
    if lang == "zh":
        assert "提高了模型的计算效率" in text  # the claim that the correction answers
    others = study(14, lang)  # a question without the closing does not show it
    assert not any(closing.text.get(lang) in m.value for m in others.markdown)


BEYOND = [q for q in load_bank(ROOT / "questions", strict=False).questions if "beyond-30" in q.tags]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_misconceptions_callout(lang):
    q = BEYOND[0]
    at = study(q.number, lang)
    assert not at.exception
    text = "\n".join(m.value for m in at.markdown)
    assert ("常见误解" if lang == "zh" else "Common misconceptions") in text
    for m in q.misconceptions:
        assert m.claim.get(lang) in text and m.reference in text
    original = study(1, lang)
    assert not any("misconceptions" in m.value or "常见误解" in m.value for m in original.markdown)


@pytest.mark.parametrize(
    ("lang", "label"), [("en", "Beyond the original 30"), ("zh", "超越原始 30 题")]
)
def test_section_picker_lists_questions_beyond_the_original_30(lang, label):
    at = study(1, lang)
    picker = at.sidebar.selectbox(key="question_group")
    assert picker.options[2] == label
    picker.set_value("beyond-30").run()
    assert not at.exception
    options = at.sidebar.radio[1].options
    assert len(options) == len(BEYOND) and all(label in o for o in options)
    assert at.title[0].value.startswith(f"Q{BEYOND[0].number}.")
    at.sidebar.selectbox(key="question_group").set_value("original").run()
    options = at.sidebar.radio[1].options
    assert len(options) == len(NUMBERS) - len(BEYOND) and not any(label in o for o in options)


def hover_charts(at: AppTest) -> list[tuple[dict, pd.DataFrame]]:
    """Every Vega-Lite chart on the page: its spec and the records Streamlit sent as its data."""
    charts = []
    for el in at.get("vega_lite_chart"):
        spec = json.loads(el.proto.spec)
        table = pa.ipc.open_stream(el.proto.data.data).read_pandas()
        charts.append((spec, table))
    return charts


def drawn(table: pd.DataFrame, L: int, S: int) -> torch.Tensor:
    """The chart's records as an (L, S) matrix of weights indexed by their q and k fields."""
    m = torch.full((L, S), float("nan"))
    for q, k, w in zip(table["q"], table["k"], table["weight"], strict=True):
        m[int(q), int(k)] = float(w)
    return m


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_hover_chart_carries_the_chosen_heads_weights(lang):
    at = study(4, lang)
    assert not at.exception
    [(spec, table)] = hover_charts(at)
    result = run_demo("multi_head", {})
    L, S = len(result.query_labels), len(result.key_labels)
    torch.testing.assert_close(drawn(table, L, S), result.weights[0], rtol=1e-6, atol=0)
    assert list(table["query"]) == [
        f"{i} · {t}" for i, t in enumerate(result.query_labels) for _ in range(S)
    ]
    tips = [t["title"] for t in spec["encoding"]["tooltip"]]
    assert tips[-1] == ("注意力权重" if lang == "zh" else "attention weight")
    assert spec["encoding"]["tooltip"][-1]["format"] == ".4f"
    # the head picker names heads by the engine's labels and redraws the chart for that head
    label = "悬停图显示的头" if lang == "zh" else "Head in the hover chart"
    picker = next(s for s in at.selectbox if s.label == label)
    assert picker.options == list(result.head_labels)
    picker.set_value(2).run()
    assert not at.exception
    [(_, table)] = hover_charts(at)
    torch.testing.assert_close(drawn(table, L, S), result.weights[2], rtol=1e-6, atol=0)


def test_the_chart_starts_on_the_head_the_slider_changes():
    """Q11's only slider is the local window D, which leaves the global head as it is: the
    chart starts on the local head, and moving D redraws it."""
    at = study(11, "en")
    assert not at.exception
    picker = next(s for s in at.selectbox if s.label == "Head in the hover chart")
    assert picker.value == get_demo("global_vs_local").hover_head == 1
    result = run_demo("global_vs_local", {})
    L, S = len(result.query_labels), len(result.key_labels)
    [(_, table)] = hover_charts(at)
    torch.testing.assert_close(drawn(table, L, S), result.weights[1], rtol=1e-6, atol=0)
    at.slider[0].set_value(1).run()
    assert not at.exception
    [(_, table)] = hover_charts(at)
    moved = run_demo("global_vs_local", {"D": 1}).weights[1]
    assert not torch.equal(moved, result.weights[1])
    torch.testing.assert_close(drawn(table, L, S), moved, rtol=1e-6, atol=0)


def test_one_render_per_change_and_the_download_is_deferred(monkeypatch):
    made = []
    real = common.draw_png
    monkeypatch.setattr(
        common, "draw_png", lambda r, lang, give_up: made.append(r.demo) or real(r, lang, give_up)
    )
    st.cache_data.clear()
    at = study(4, "en")
    assert not at.exception
    assert made == ["multi_head"]
    [button] = at.get("download_button")
    assert button.proto.deferred_file_id and not button.proto.url  # no bytes sent per rerun
    at.run()  # nothing changed: no second render
    tokens = next(s for s in at.slider if s.label == "Tokens")
    tokens.set_value(12).run()
    assert not at.exception
    assert made == ["multi_head", "multi_head"]  # one render for the one change


def test_a_matrix_too_large_to_send_stays_a_picture_with_a_note():
    number = next(
        q.number
        for q in load_bank(ROOT / "questions", strict=False).questions
        if any(d.name == "space_time_attention" for d in q.demo)
    )
    at = study(number, "en")
    assert not at.exception
    assert not hover_charts(at)
    assert any("shown as a picture only" in c for c in at.caption.values)


def test_every_figure_gets_the_page_width_below_the_answer():
    """No column squeezes a figure drawn for ~700 px: the demo follows the answer across the page."""
    for number in (1, 4):  # one single-panel figure, one wide multi-panel figure
        at = study(number, "en")
        assert not at.exception
        assert len(at.columns) == 0
        assert at.get("image")[0].proto.imgs[0].url


def element_types(node) -> list[str]:
    """The element types under ``node`` in page order."""
    children = getattr(node, "children", None)
    if children is None:
        return [node.type]
    return [t for _, child in sorted(children.items()) for t in element_types(child)]


def test_the_live_chart_comes_before_the_full_figure():
    # The chart follows a slider at the cost of the computation alone; the PNG comes after it.
    order = element_types(study(4, "en").main)
    assert "vega_lite_chart" in order and "image" in order
    assert order.index("vega_lite_chart") < order.index("image")
