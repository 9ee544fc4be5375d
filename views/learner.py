"""Who is learning, and where their progress is kept: shared by the Quiz, Progress and Teacher pages."""

from __future__ import annotations

from typing import Any

import streamlit as st

from engine.sanitize import NAME, TextError, clean_text
from quiz.store import Learner, Store, StoreError, database_url
from views.common import lang, show_error, tr

STATE = "quiz"  # st.session_state key of the running quiz session
ITEM_PARAM, SEED_PARAM = "item", "seed"  # the shown quiz item and its presentation seed, in the URL


def clear_url() -> None:
    """Forget the shown quiz item in the URL (it belongs to the learner who saw it)."""
    for name in (ITEM_PARAM, SEED_PARAM):
        if name in st.query_params:
            del st.query_params[name]


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
    except Exception as e:  # noqa: BLE001 — anything else: a short message, details in the log
        show_error(
            "无法打开进度数据库，没有保存任何内容。详情见服务器日志。",
            "The progress database cannot be opened, so nothing is saved. "
            "The server log has the details.",
            e,
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
            clear_url()
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
            name = checked_name(name)
            if name is None:
                return
            if learner is None:
                learner, code = store.create_learner(name)
            else:
                code = store.claim(learner.id, name)
            st.session_state["learner_id"], st.session_state["new_code"] = learner.id, code
            st.rerun()


def checked_name(name: str) -> str | None:
    """The display name normalised (:mod:`engine.sanitize`), or None with a message on the page."""
    try:
        return clean_text(name, NAME)
    except TextError as e:
        st.error(e.message(lang()))
        return None


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
