"""Class mode on the learner pages: with ``CLASS_CODE`` set, learners join with the code and a name.

The quiz page calls :func:`class_gate` right after opening the store. Without ``CLASS_CODE`` it
does nothing. With it, a visitor who has not joined sees only the join form (new learner: class
code + name; returning learner: class code + resume code) and the page stops there; a joined
learner sees the class in the sidebar and a button that starts a session of the questions the
teacher assigned, in the teacher's order.

This module shares the quiz page's session keys (below) but does not import the page, which
imports it.
"""

from __future__ import annotations

import time

import streamlit as st

from quiz.classes import ClassBook, assigned_items, class_code, code_matches
from quiz.session import fresh_seed, new_session_id
from quiz.store import Learner, Store
from views.common import bank, questions_dir, tr
from views.learner import checked_name

LEARNER, NEW_CODE, QUIZ = "learner_id", "new_code", "quiz"  # the quiz page's session keys


@st.cache_resource(show_spinner=False)
def class_book(url: str, _store: Store) -> ClassBook:
    """One :class:`ClassBook` per database URL per server process (creates its table once)."""
    return ClassBook(_store)


def joined_learner(store: Store, code: str) -> Learner | None:
    """This visit's learner if they have a name and belong to class ``code``, else None."""
    lid = st.session_state.get(LEARNER)
    if lid is None:
        return None
    try:
        learner = store.learner(lid)
    except KeyError:
        return None
    return learner if not learner.guest and learner.class_code == code else None


def class_gate(store: Store) -> Learner | None:
    """No-op without ``CLASS_CODE``; else the join form (and stop) or the class sidebar box."""
    code = class_code()
    if code is None:
        return None
    learner = joined_learner(store, code)
    if learner is None:
        join_ui(store, code)
        st.stop()
    assigned_ui(store, learner, code)
    return learner


def join_ui(store: Store, code: str) -> None:
    """Two forms: join as a new learner (code + name), or come back (code + resume code)."""
    st.title(tr("加入班级", "Join your class"))
    st.info(tr("请输入老师给的班级代码。", "Type the class code your teacher gave you."))
    new, back = st.columns(2, gap="large")
    with new, st.form("class_join"):
        st.markdown(tr("**第一次来**", "**First time here**"))
        given = st.text_input(tr("班级代码", "Class code"), max_chars=40, key="join_code")
        name = st.text_input(tr("你的名字", "Your name"), max_chars=80, key="join_name")
        if st.form_submit_button(tr("加入", "Join"), type="primary"):
            _join(store, code, given, name)
    with back, st.form("class_resume"):
        st.markdown(tr("**回来继续**", "**Coming back**"))
        given_back = st.text_input(tr("班级代码", "Class code"), max_chars=40, key="back_code")
        resume = st.text_input(tr("恢复码", "Resume code"), max_chars=40, key="back_resume")
        if st.form_submit_button(tr("继续", "Continue")):
            _come_back(store, code, given_back, resume)


def _join(store: Store, code: str, given: str, name: str) -> None:
    if not code_matches(given, code):
        st.error(tr("班级代码不对。", "That is not the class code."))
        return
    name = checked_name(name)
    if name is None:
        return
    guest = _guest(store)
    if guest is not None:  # keep what this visit already answered
        resume = store.claim(guest.id, name)
        store.set_class_code(guest.id, code)
        lid = guest.id
    else:
        learner, resume = store.create_learner(name, class_code=code)
        lid = learner.id
    st.session_state[LEARNER], st.session_state[NEW_CODE] = lid, resume
    st.session_state.pop(QUIZ, None)
    st.rerun()


def _guest(store: Store) -> Learner | None:
    """This visit's learner if it is a guest (no name, no resume code yet)."""
    lid = st.session_state.get(LEARNER)
    try:
        learner = store.learner(lid) if lid is not None else None
    except KeyError:
        return None
    return learner if learner is not None and learner.guest else None


def _come_back(store: Store, code: str, given: str, resume: str) -> None:
    if not code_matches(given, code):
        st.error(tr("班级代码不对。", "That is not the class code."))
        return
    learner = store.find_by_code(resume)
    if learner is None:
        st.error(tr("没有学习者使用这个恢复码。", "No learner has this resume code."))
        return
    if learner.class_code != code:
        store.set_class_code(learner.id, code)
    st.session_state[LEARNER] = learner.id
    st.session_state.pop(QUIZ, None)
    st.rerun()


def assigned_ui(store: Store, learner: Learner, code: str) -> None:
    """Sidebar: the class, the assigned questions, and (between sessions) a button to start them."""
    box = st.sidebar.container(border=True)
    box.markdown(tr(f"🏫 班级：**{code}**", f"🏫 Class: **{code}**"))
    b = bank(str(questions_dir()))
    qids = [q for q in class_book(store.url, store).assignment(code) if b.by_id(q)]
    if not qids:
        box.caption(tr("老师还没有布置题目。", "Your teacher has not assigned questions yet."))
        return
    box.caption(
        tr("布置的题目：", "Assigned: ") + " → ".join(f"Q{b.by_id(q).number}" for q in qids)
    )
    if QUIZ in st.session_state:
        return
    items = assigned_items(b, qids)
    latest = {a.item_id: a.correct for a in store.answers(learner.id)}  # oldest first: last wins
    todo = [i for i in items if not latest.get(i, False)]
    label = tr("开始布置的题目", "Start the assigned questions")
    if not todo:
        box.success(tr("布置的题目都答对了！🎉", "Every assigned item answered right! 🎉"))
        label, todo = tr("全部再做一遍", "Do them all again"), items
    if box.button(label, type="primary", key="start_assigned"):
        start_assigned(todo)
        st.rerun()


def start_assigned(queue: list[str]) -> None:
    """Put a session of ``queue`` (item ids, in order) in the quiz page's state."""
    st.session_state[QUIZ] = {
        "session_id": new_session_id(),
        "queue": list(queue),
        "pos": 0,
        "mode": "assigned",
        "started": time.time(),
        "seed": fresh_seed(),
        "shown_at": time.monotonic(),
        "outcome": None,
        "notice": None,
        "revealed": False,
    }
