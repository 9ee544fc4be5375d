"""Quiz page: a self-quiz session — due now, new, my mistakes, a tag or one question — one item at a time.

Each answer is graded at once, written to the progress store the moment it is given, and moves
the learner's FSRS card; the page shows the explanation and a link to the question's study page,
and a summary when the session ends.
"""

from __future__ import annotations

import time
from typing import Any

import pandas as pd
import streamlit as st
from streamlit.errors import StreamlitAPIException

from engine.patterns import PATTERN_NAMES, PATTERNS
from quiz.bank import Bank
from quiz.grading import RATINGS
from quiz.items import PATTERN_ITEM, Item, live_item, make_item, tag_choices, which_heatmap
from quiz.scheduler import now_utc
from quiz.session import (
    MODES,
    Outcome,
    Start,
    answer,
    counts,
    fresh_seed,
    new_session_id,
    plan,
    summarise,
)
from quiz.store import Learner, Store, StoreError, database_url
from views.common import bank, language_switch, questions_dir, tr
from visuals import render_png, to_png
from visuals.heatmap import heatmap

STATE = "quiz"  # st.session_state key of the running session


# ── the store and the learner (shared with the Progress page) ────────────────────────────────


@st.cache_resource(show_spinner=False)
def open_store(url: str) -> Store:
    """One store per database URL per server process."""
    return Store(url)


def store_or_stop() -> Store:
    """The progress store, or a clear error on the page (and the page stops) if it cannot open."""
    try:
        return open_store(database_url())
    except StoreError as e:
        st.error(
            tr(
                "无法打开进度数据库，没有保存任何内容：",
                "The progress database cannot be opened, so nothing is saved: ",
            )
            + str(e)
        )
        st.stop()


def current_learner(store: Store) -> Learner | None:
    lid = st.session_state.get("learner_id")
    if lid is None:
        return None
    try:
        return store.learner(lid)
    except KeyError:
        st.session_state.pop("learner_id", None)
        return None


def learner_ui(store: Store) -> Learner | None:
    """Sidebar: who is learning — a named learner, a guest of this visit, or nobody yet."""
    learner = current_learner(store)
    box = st.sidebar.container(border=True)
    code = st.session_state.get("new_code")
    if code:
        box.success(
            tr(
                "你的恢复码（只显示这一次，请记下来）：",
                "Your resume code (shown only once — write it down):",
            )
        )
        box.code(code, language=None)
        box.caption(
            tr(
                "在任何设备上输入它即可继续。",
                "Type it on any device to continue where you left off.",
            )
        )
        if box.button(tr("我已记下", "I have saved it"), key="code_saved"):
            st.session_state.pop("new_code", None)
            st.rerun()
    if learner is not None and not learner.guest:
        box.markdown(
            tr(
                f":material/person: 学习者：**{learner.display_name}**",
                f":material/person: Learner: **{learner.display_name}**",
            )
        )
        if box.button(tr("退出", "Sign out"), key="sign_out"):
            for k in ("learner_id", "new_code", STATE):
                st.session_state.pop(k, None)
            st.rerun()
        return learner
    box.warning(
        tr(
            "没有恢复码：进度只保留在这次访问中。",
            "No resume code: progress is kept only for this visit.",
        )
    )
    _name_form(box, store, learner)
    _resume_form(box, store)
    return learner


def _name_form(box: Any, store: Store, learner: Learner | None) -> None:
    with box.form("learner_name", clear_on_submit=True):
        name = st.text_input(tr("显示名", "Display name"), max_chars=80, key="learner_name_input")
        if st.form_submit_button(tr("保存我的进度", "Keep my progress")):
            if not name.strip():
                st.error(tr("请输入一个名字。", "Type a name."))
                return
            if learner is None:
                learner, code = store.create_learner(name)
            else:
                code = store.claim(learner.id, name)
            st.session_state["learner_id"], st.session_state["new_code"] = learner.id, code
            st.rerun()


def _resume_form(box: Any, store: Store) -> None:
    with box.form("learner_resume", clear_on_submit=True):
        code = st.text_input(
            tr("已有恢复码？", "Have a resume code?"), max_chars=40, key="resume_code_input"
        )
        if st.form_submit_button(tr("继续", "Continue")):
            found = store.find_by_code(code)
            if found is None:
                st.error(tr("没有学习者使用这个恢复码。", "No learner has this resume code."))
                return
            st.session_state["learner_id"] = found.id
            st.session_state.pop(STATE, None)
            st.rerun()


def ensure_learner(store: Store) -> Learner:
    """The current learner, creating a guest (this visit only) at the first answer."""
    learner = current_learner(store)
    if learner is None:
        learner = store.create_guest()
        st.session_state["learner_id"] = learner.id
    return learner


# ── starting a session ────────────────────────────────────────────────────────────────────────

_MODE_NAMES = {
    "due": ("到期复习", "Due now"),
    "new": ("新题", "New"),
    "mistakes": ("我的错题", "My mistakes"),
    "tag": ("按标签", "A tag"),
    "question": ("单个问题", "One question"),
}


def start_ui(b: Bank, store: Store, learner: Learner | None, lang: str) -> Start | None:
    """Mode, tag or question, and length; returns a ``Start`` when the learner presses Start."""
    cards = store.cards(learner.id) if learner else []
    history = store.answers(learner.id) if learner else []
    n = counts(b, cards, history, now_utc())

    labels = {m: tr(*_MODE_NAMES[m]) + (f" ({n[m]})" if m in n else "") for m in MODES}
    mode = st.radio(
        tr("从哪里开始", "Start from"),
        MODES,
        format_func=labels.get,
        horizontal=True,
        key="start_mode",
    )
    tag = question = None
    if mode == "tag":
        tag = st.selectbox(
            tr(
                "标签（live = 引擎现场生成的题；model-lab = 预训练模型的注意力头）",
                "Tag (live = items generated by the engine; model-lab = a pretrained model's heads)",
            ),
            tag_choices(b),
            key="start_tag",
        )
    if mode == "question":
        numbers = [q.number for q in b.questions]
        wanted = url_question()
        question = st.selectbox(
            tr("问题", "Question"),
            numbers,
            index=numbers.index(wanted) if wanted in numbers else 0,
            key="start_question",
            format_func=lambda k: f"Q{k}. {b.by_number(k).title.get(lang)}",
        )
    length = st.slider(tr("题目数", "Items"), 3, 30, 10, key="start_length")
    if st.button(tr("开始", "Start"), type="primary", key="start"):
        return Start(mode, tag, question, length)
    return None


def url_question() -> int | None:
    """The question number in the URL (``?q=7``, as the study page keeps it), or None."""
    raw = st.query_params.get("q", "")
    return int(raw) if raw.isdigit() else None


def begin(b: Bank, store: Store, learner: Learner | None, start: Start) -> bool:
    """Plan the session and put it in the page state; False (with a note) if it would be empty."""
    cards = store.cards(learner.id) if learner else []
    history = store.answers(learner.id) if learner else []
    queue = plan(b, cards, history, start, now_utc())
    if not queue:
        st.info(
            tr(
                "这个模式现在没有题目可问。换一个模式试试。",
                "Nothing to ask in this mode right now — try another.",
            )
        )
        return False
    st.session_state[STATE] = {
        "session_id": new_session_id(),
        "queue": queue,
        "pos": 0,
        "mode": start.mode,
        "started": time.time(),
    }
    _next_item(st.session_state[STATE])
    return True


def _next_item(s: dict[str, Any]) -> None:
    s.update(
        seed=fresh_seed(), shown_at=time.monotonic(), outcome=None, notice=None, revealed=False
    )


# ── one item ──────────────────────────────────────────────────────────────────────────────────


@st.cache_data(show_spinner=False, max_entries=32)
def heatmap_pngs(seed: int, lang: str) -> list[bytes]:
    """The four option pictures of a which-heatmap item, labelled A–D."""
    item = which_heatmap(seed)
    return [to_png(heatmap(r, lang, title=c)) for r, c in zip(item.results, "ABCD", strict=True)]


@st.cache_data(show_spinner=False, max_entries=16)
def pattern_item(seed: int) -> Item | None:
    """The predict-the-pattern item drawn from ``seed`` (one model run per seed, not per rerun)."""
    return live_item(PATTERN_ITEM, seed)


@st.cache_data(show_spinner=False, max_entries=32)
def hidden_head_png(seed: int, lang: str) -> bytes:
    """The real heatmap of the hidden head of a predict-the-pattern item."""
    item = pattern_item(seed)
    assert item is not None  # only drawn for an item that was shown
    return render_png(item.results[0], lang)


def current_item(b: Bank, item_id: str, seed: int) -> Item | None:
    """The item to ask, drawn from ``seed``; None when it cannot be asked here any more."""
    return pattern_item(seed) if item_id == PATTERN_ITEM else make_item(b, item_id, seed)


def response_ui(item: Item, key: str, lang: str) -> Any:
    """The answer widget for ``item`` (inside the answer form); returns the raw response."""
    if item.type == "predict_pattern":
        return pattern_ui(item, key, lang)
    if item.type == "which_heatmap":
        cols = st.columns(2)
        for i, png in enumerate(heatmap_pngs(item.seed, lang)):
            cols[i % 2].image(png, width="stretch")
    if item.type in ("single", "which_heatmap"):
        opts = list(range(len(item.options)))
        return st.radio(
            tr("你的答案", "Your answer"),
            opts,
            index=None,
            key=key,
            format_func=lambda i: item.options[i][lang],
            horizontal=item.type == "which_heatmap",
        )
    if item.type == "multiple":
        st.caption(tr("选择所有正确的选项。", "Select every correct option."))
        return [i for i, o in enumerate(item.options) if st.checkbox(o[lang], key=f"{key}:{i}")]
    if item.type == "true_false":
        return st.radio(
            tr("你的答案", "Your answer"),
            [True, False],
            index=None,
            key=key,
            horizontal=True,
            format_func={True: tr("对", "True"), False: tr("错", "False")}.get,
        )
    if item.type in ("numeric", "compute"):
        return st.text_input(
            tr("你的答案（一个数）", "Your answer (a number)"),
            key=key,
            max_chars=60,
            placeholder=tr("例如 0.25", "e.g. 0.25"),
        )
    if item.type == "draw_mask":
        return mask_editor(len(item.answer), key)
    raise ValueError(f"unknown item type {item.type!r}")


def pattern_ui(item: Item, key: str, lang: str) -> str | None:
    """The tokens the hidden head reads, and a choice of the pattern it follows."""
    st.markdown(" ".join(f"`{t}`" for t in item.results[0].query_labels))
    return st.radio(
        tr("这个头主要看哪里？", "Where does this head mostly look?"),
        list(PATTERNS),
        index=None,
        key=key,
        format_func=lambda p: PATTERN_NAMES[p][lang],
    )


def mask_editor(n: int, key: str) -> list[list[bool]]:
    """An n × n grid of checkboxes: row i = query i, column j = key j; ticked = may attend."""
    st.caption(
        tr(
            "行 = 查询 qᵢ，列 = 键 kⱼ。勾选 = 可以关注。",
            "Rows = queries qᵢ, columns = keys kⱼ. Ticked = may attend.",
        )
    )
    blank = pd.DataFrame(
        False, index=[f"q{i}" for i in range(n)], columns=[f"k{j}" for j in range(n)]
    )
    config = {c: st.column_config.CheckboxColumn(c, width="small") for c in blank.columns}
    edited = st.data_editor(blank, key=key, column_config=config, num_rows="fixed", width="content")
    return edited.astype(bool).values.tolist()


def item_ui(store: Store, s: dict[str, Any], item: Item, lang: str) -> None:
    """Prompt, answer widgets or self-rating, and after answering the feedback and Next."""
    n, pos = len(s["queue"]), s["pos"]
    st.progress(pos / n, text=tr(f"第 {pos + 1} / {n} 题", f"Item {pos + 1} of {n}"))
    st.caption(" · ".join(f"`{t}`" for t in item.tags))
    st.markdown(f"#### {item.prompt[lang]}")
    key = f"{s['session_id']}:{pos}"
    if s["outcome"] is None:
        answer_ui(store, s, item, key, lang)
    if s["outcome"] is not None:
        feedback_ui(item, s["outcome"], lang)
        last = pos + 1 >= n
        if st.button(
            tr("查看总结", "See the summary") if last else tr("下一题", "Next"),
            type="primary",
            key=f"next:{key}",
        ):
            s["pos"] += 1
            _next_item(s)
            st.rerun()


def answer_ui(store: Store, s: dict[str, Any], item: Item, key: str, lang: str) -> None:
    """The answer form (or the flashcard's reveal and self-rating), and "I don't know"."""
    if item.type == "flashcard":
        flashcard_ui(store, s, item, key, lang)
    else:
        with st.form(f"answer:{key}"):
            response = response_ui(item, key, lang)
            if st.form_submit_button(tr("提交", "Submit"), type="primary", key=f"submit:{key}"):
                submit(store, s, item, response)
    if s["notice"]:
        st.warning(s["notice"][lang])
    rating_now = item.type == "flashcard" and s["revealed"]  # the self-rating says it all
    if not rating_now and st.button(tr("不会，跳过", "I don't know — show me"), key=f"skip:{key}"):
        submit(store, s, item, None, skipped=True)


def flashcard_ui(store: Store, s: dict[str, Any], item: Item, key: str, lang: str) -> None:
    """Recall first, then reveal the answer and rate how well it came back."""
    if not s["revealed"]:
        if st.button(tr("显示答案", "Show the answer"), key=f"reveal:{key}"):
            s["revealed"] = True
            st.rerun()
        return
    st.info(item.answer[lang])
    names = {
        "again": ("忘了", "Again"),
        "hard": ("困难", "Hard"),
        "good": ("想起来了", "Good"),
        "easy": ("很容易", "Easy"),
    }
    for col, rating in zip(st.columns(4), RATINGS, strict=True):
        if col.button(tr(*names[rating]), key=f"rate:{key}:{rating}", width="stretch"):
            submit(store, s, item, rating)


def submit(
    store: Store, s: dict[str, Any], item: Item, response: Any, skipped: bool = False
) -> None:
    """Grade and record the response; an empty one is not recorded and the page says why."""
    seconds = time.monotonic() - s["shown_at"]
    learner = ensure_learner(store)
    try:
        out = answer(
            store, learner, s["session_id"], item, response, seconds, now_utc(), skipped=skipped
        )
    except Exception as e:  # any failure to record must be shown, never swallowed
        st.error(tr("答案没有保存：", "Your answer was NOT saved: ") + str(e))
        return
    if not out.grade.answered:
        s["notice"] = out.grade.message
        return
    s["outcome"], s["notice"] = out, None
    st.rerun()


def feedback_ui(item: Item, out: Outcome, lang: str) -> None:
    """Right or wrong, the key, the explanation, the study link and when the item comes back."""
    g = out.grade
    if g.correct:
        st.success(g.message[lang], icon=":material/check_circle:")
    else:
        st.error(g.message[lang], icon=":material/cancel:")
    if item.type in ("single", "multiple"):
        keys = [item.answer] if item.type == "single" else list(item.answer)
        st.markdown("\n".join(f"- :material/check: {item.options[k][lang]}" for k in keys))
    if item.type == "draw_mask":
        mask_feedback_ui(item, g.wrong_cells)
    if item.type == "predict_pattern":
        st.image(hidden_head_png(item.seed, lang), width="stretch")
    if item.type == "which_heatmap":
        for col, png, r, c in zip(
            st.columns(4), heatmap_pngs(item.seed, lang), item.results, "ABCD", strict=True
        ):
            col.image(png, caption=f"{c}: {r.facts['name'][lang]}", width="stretch")
    st.markdown(item.explanation[lang])
    if item.number is not None:
        study_link(item.number, lang)
    if out.due is not None:
        st.caption(
            tr(
                f"下次复习：{out.due:%Y-%m-%d %H:%M} UTC",
                f"Next review: {out.due:%Y-%m-%d %H:%M} UTC",
            )
        )


def mask_feedback_ui(item: Item, wrong: tuple[tuple[int, int], ...]) -> None:
    """The engine's mask, ■ allowed / · not, with the cells you got wrong in red."""
    n = len(item.answer)
    grid = pd.DataFrame(
        [["■" if c else "·" for c in row] for row in item.answer],
        index=[f"q{i}" for i in range(n)],
        columns=[f"k{j}" for j in range(n)],
    )
    bad = set(wrong)
    styled = grid.style.apply(
        lambda col: [
            "background-color: #d62728; color: white"
            if (i, grid.columns.get_loc(col.name)) in bad
            else ""
            for i in range(n)
        ]
    )
    st.caption(
        tr("正确的掩码（红色 = 你答错的格子）：", "The engine's mask (red = cells you got wrong):")
    )
    st.dataframe(styled, width="content")


def study_link(number: int, lang: str) -> None:
    label = tr(f"学习第 {number} 题", f"Study question {number}")
    try:
        st.page_link(
            "views/study.py",
            label=label,
            icon=":material/menu_book:",
            query_params={"q": str(number), "lang": lang},
        )
    except StreamlitAPIException:  # the page is run on its own, outside the app's navigation
        st.markdown(f"[{label}](study?q={number}&lang={lang})")


# ── the summary ───────────────────────────────────────────────────────────────────────────────


def summary_ui(store: Store, s: dict[str, Any], lang: str) -> None:
    """Score, time and per-tag accuracy of this session, read back from the store."""
    learner = current_learner(store)
    rows = store.answers(learner.id, s["session_id"]) if learner else []
    sm = summarise(rows)
    st.subheader(tr("本次总结", "Session summary"))
    c1, c2, c3 = st.columns(3)
    c1.metric(tr("得分", "Score"), f"{sm.score:.0%}")
    c2.metric(tr("答对", "Correct"), f"{sm.correct} / {sm.answered}")
    minutes, secs = divmod(int(round(sm.seconds)), 60)
    c3.metric(tr("用时", "Time"), f"{minutes}:{secs:02d}")
    if sm.per_tag:
        acc = pd.DataFrame(
            {tr("正确率", "accuracy"): [a for _, a in sm.per_tag.values()]}, index=list(sm.per_tag)
        )
        st.markdown(tr("**各标签正确率**", "**Accuracy per tag**"))
        st.bar_chart(acc, y_label=tr("正确率", "accuracy"), x_label=tr("标签", "tag"))
    if st.button(tr("再来一轮", "Start another session"), type="primary", key="again"):
        st.session_state.pop(STATE, None)
        st.rerun()


# ── the page ──────────────────────────────────────────────────────────────────────────────────


def main() -> None:
    lang = language_switch()
    store = store_or_stop()
    learner = learner_ui(store)
    b = bank(str(questions_dir()))
    st.title(tr("自测", "Quiz"))
    s = st.session_state.get(STATE)
    if s is None:
        start = start_ui(b, store, learner, lang)
        if start is None or not begin(b, store, learner, start):
            return
        st.rerun()
    if s["pos"] >= len(s["queue"]):
        summary_ui(store, s, lang)
        return
    item = current_item(b, s["queue"][s["pos"]], s["seed"])
    if item is None:  # the bank no longer holds it, or no pretrained model is installed
        s["pos"] += 1
        _next_item(s)
        st.rerun()
    item_ui(store, s, item, lang)


if __name__ == "__main__":
    main()
