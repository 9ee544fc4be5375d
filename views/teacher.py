"""Teacher page: the class dashboard, behind ``TEACHER_PASSWORD``.

Without the variable the page only says how to enable it. With it, the password is checked in
constant time and repeated failures wait longer and longer (:mod:`quiz.auth`). Signed in, the
teacher sees the roster and activity, Moodle-style item analysis (:mod:`quiz.reports`), each
learner's progress, CSV exports of every table, the question bank's refused files, and the class
mode settings: which questions the class is assigned, in which order (:mod:`quiz.classes`).
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

import pandas as pd
import streamlit as st

from quiz.auth import Throttle, teacher_password, trusted_proxies
from quiz.auth import client_key as auth_client_key
from quiz.bank import Bank
from quiz.classes import ClassBook, class_code
from quiz.reports import (
    ClassData,
    class_codes,
    item_table,
    learner_name,
    load_class,
    progress,
    question_table,
    roster,
    to_csv,
)
from quiz.scheduler import now_utc
from quiz.store import Store
from views.class_mode import class_book
from views.common import bank, language_switch, questions_dir, tr
from views.learner import store_or_stop

AUTH = "teacher_signed_in"  # session key: True once the password was right in this session
PASSWORD_KEY = "teacher_password"  # the password field; blanked as soon as it has been checked
RESULT_KEY = "teacher_login_result"  # the last failed attempt (no password in it), for the page
MOODLE_DOC = "https://docs.moodle.org/dev/Quiz_statistics_calculations"


# ── signing in ────────────────────────────────────────────────────────────────────────────────


@st.cache_resource(show_spinner=False)
def throttle() -> Throttle:
    """The server process's failure counts (shared by every browser session)."""
    return Throttle()


def client_key() -> str:
    """Whom failures are counted against: this client's address (see :func:`quiz.auth.client_key`)."""
    try:
        peer, headers = st.context.ip_address, st.context.headers
    except Exception:  # noqa: BLE001 — no browser context (e.g. a script run): this machine
        peer, headers = None, None
    return auth_client_key(peer, headers, trusted_proxies())


def disabled_ui() -> None:
    """How to turn the dashboard on."""
    st.info(
        tr(
            "教师面板未启用。设置环境变量 TEACHER_PASSWORD 后重新启动应用即可启用：",
            "The teacher dashboard is off. Set the environment variable TEACHER_PASSWORD "
            "and restart the app to turn it on:",
        )
    )
    st.code(
        "TEACHER_PASSWORD='…' streamlit run app.py\n"
        "docker run -p 8501:8501 -v atlas-data:/data -e TEACHER_PASSWORD='…' attention-atlas",
        language="bash",
    )
    st.caption(tr("详见 TEACHING.md。", "See TEACHING.md for more."))


def _sign_in(expected: str) -> None:
    """Form callback: check the typed password, then blank the field so it is kept nowhere."""
    given = st.session_state.get(PASSWORD_KEY, "")
    st.session_state[PASSWORD_KEY] = ""
    result = throttle().attempt(client_key(), given, expected, time.monotonic())
    if result.ok:
        st.session_state[AUTH] = True
    else:
        st.session_state[RESULT_KEY] = result


def login_ui(expected: str) -> bool:
    """True once this session signed in; otherwise the password form (throttled on failures)."""
    if st.session_state.get(AUTH):
        return True
    with st.form("teacher_login"):
        st.text_input(tr("教师密码", "Teacher password"), type="password", key=PASSWORD_KEY)
        st.form_submit_button(
            tr("登录", "Sign in"), type="primary", on_click=_sign_in, args=(expected,)
        )
    result = st.session_state.pop(RESULT_KEY, None)
    if result is not None and result.checked:
        st.error(
            tr(
                f"密码不对。请等 {result.wait_s:.0f} 秒再试。",
                f"Wrong password. Wait {result.wait_s:.0f} s before trying again.",
            )
        )
        return False
    wait = throttle().wait(client_key(), time.monotonic())
    if wait > 0:
        st.warning(
            tr(
                f"密码错误次数过多：请等 {wait:.0f} 秒再试。",
                f"Too many wrong passwords: wait {wait:.0f} s, then try again.",
            )
        )
    return False


# ── tables ────────────────────────────────────────────────────────────────────────────────────


def _display(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, float):
        return round(value, 1)
    if isinstance(value, tuple):
        return "; ".join(f"{w.response} ({w.learners}/{w.times})" for w in value)
    return value


def frame(records: Sequence[Any], columns: Mapping[str, str]) -> pd.DataFrame:
    """Records as a table with the ``columns`` (field → header) in order, values made readable."""
    rows = [[_display(getattr(r, name)) for name in columns] for r in records]
    return pd.DataFrame(rows, columns=list(columns.values()))


def table_ui(records: Sequence[Any], columns: Mapping[str, str], name: str, label: str) -> None:
    """A table and its CSV download (UTF-8 with BOM; the same columns and headers)."""
    if not records:
        st.caption(tr("（暂无数据）", "(nothing yet)"))
        return
    st.dataframe(frame(records, columns), hide_index=True, width="stretch")
    st.download_button(
        tr(f"下载 CSV：{label}", f"Download CSV: {label}"),
        to_csv(records, columns),
        file_name=f"atlas-{name}.csv",
        mime="text/csv",
        key=f"csv:{name}",
    )


def roster_columns() -> dict[str, str]:
    return {
        "name": tr("姓名", "Name"),
        "class_code": tr("班级", "Class"),
        "answers": tr("答题数", "Answers"),
        "correct": tr("答对", "Correct"),
        "accuracy": tr("正确率 %", "Accuracy %"),
        "items": tr("做过的题", "Items studied"),
        "due_now": tr("现在到期", "Due now"),
        "last_seen": tr("最近答题（UTC）", "Last answer (UTC)"),
        "joined": tr("加入时间（UTC）", "Joined (UTC)"),
    }


def item_columns(per_item: bool) -> dict[str, str]:
    """Item-analysis headers: the statistics first, the question's id (its file) last."""
    cols = {"number": "Q"}
    if per_item:
        cols["item_id"] = tr("题目", "Item")
    cols |= {
        "prompt": tr("题干", "Prompt") if per_item else tr("标题", "Title"),
        "learners": tr("人数", "Learners"),
        "facility": tr("难度系数 %", "Facility index %"),
        "discrimination": tr("区分度 %", "Discrimination index %"),
    }
    if per_item:
        cols["wrong"] = tr(
            "最常见错误答案（人数/次数）", "Most-chosen wrong answers (learners/times)"
        )
    cols |= {"sd": tr("标准差 %", "SD %"), "answers": tr("作答次数", "Answers")}
    if per_item:
        cols["item_type"] = tr("题型", "Type")
    return cols | {"question_id": tr("问题", "Question")}


def progress_columns() -> dict[str, str]:
    return {
        "name": tr("姓名", "Name"),
        "number": "Q",
        "title": tr("问题", "Question"),
        "items": tr("题目数", "Items"),
        "answered": tr("做过", "Answered"),
        "right_now": tr("目前答对", "Right at last answer"),
        "answers": tr("作答次数", "Answers"),
        "accuracy": tr("正确率 %", "Accuracy %"),
        "last_answered": tr("最近答题（UTC）", "Last answer (UTC)"),
    }


# ── the dashboard's sections ──────────────────────────────────────────────────────────────────


def class_picker_ui(store: Store) -> str | None:
    """Sidebar: which class to report on (``CLASS_CODE`` first when set); None = every learner.

    Only real classes are offered: ``CLASS_CODE`` and the classes with an assignment, so codes
    that learners typed (kept by older versions) do not fill the list.
    """
    mine = class_code()
    known = {*class_book(store.url, store).classes(), *([mine] if mine else [])}
    codes = sorted(c for c in {*class_codes(store), *known} if c in known)
    options: list[str | None] = [None, *codes]
    return st.sidebar.selectbox(
        tr("班级", "Class"),
        options,
        index=options.index(mine) if mine else 0,
        format_func=lambda c: tr("全部学习者", "All learners") if c is None else c,
        key="teacher_class",
    )


def roster_ui(data: ClassData) -> None:
    rows = roster(data)
    day_ago = now_utc() - timedelta(days=1)
    c1, c2, c3, c4 = st.columns(4)
    c1.metric(tr("学习者", "Learners"), len(rows))
    c2.metric(tr("答题数", "Answers"), len(data.answers))
    right = sum(a.correct for a in data.answers)
    c3.metric(tr("正确率", "Accuracy"), f"{right / len(data.answers):.0%}" if data.answers else "—")
    c4.metric(
        tr("24 小时内活跃", "Active in the last 24 h"),
        sum(1 for r in rows if r.last_seen and r.last_seen >= day_ago),
    )
    table_ui(rows, roster_columns(), "roster", tr("名单与活动", "roster and activity"))


def items_ui(data: ClassData, b: Bank, lang: str) -> None:
    st.caption(
        tr(
            "按 Moodle 的“测验统计计算”，用每位学习者对每道题的第一次作答："
            "难度系数 F = 100·平均得分；区分度 D = 100·r(题目得分, 其余题目的平均得分)。"
            "D 为负时，较强的学习者反而答得更差——请检查答案或题干。",
            "After Moodle's quiz statistics calculations, on each learner's first answer to "
            "each item: facility F = 100 · mean score; discrimination D = 100 · r(item score, "
            "mean score on the other items). A negative D means stronger learners did worse — "
            "check the key or the wording.",
        )
        + f" [{MOODLE_DOC}]({MOODLE_DOC})"
    )
    st.markdown(tr("**每个问题**", "**Per question**"))
    table_ui(
        question_table(data, b, lang), item_columns(False), "questions", tr("问题", "questions")
    )
    st.markdown(tr("**每道题目**", "**Per item**"))
    st.caption(
        tr(
            "每位学习者看到的选项顺序由各自的抽取决定；错误答案的字母 A、B、C… 指题目文件中的顺序。",
            "Each learner sees the options in an order of their own draw; the letters A, B, C… "
            "of the wrong answers are the order of the question file.",
        )
    )
    table_ui(item_table(data, b, lang), item_columns(True), "items", tr("题目", "items"))


def progress_ui(data: ClassData, b: Bank, lang: str) -> None:
    rows = progress(data, b, lang)
    if not data.learners:
        st.caption(tr("（暂无数据）", "(nothing yet)"))
        return
    names = {p.id: learner_name(p) for p in data.learners}
    lid = st.selectbox(
        tr("学习者", "Learner"), list(names), format_func=names.get, key="teacher_learner"
    )
    mine = [r for r in rows if r.learner_id == lid]
    cols = {k: v for k, v in progress_columns().items() if k != "name"}
    table_ui(mine, cols, f"progress-{lid}", names[lid])
    st.markdown(tr("**全班进度**", "**The whole class**"))
    table_ui(rows, progress_columns(), "progress", tr("全班进度", "progress of every learner"))


def bank_ui(b: Bank) -> None:
    """Where the questions come from, how many were served, which files were refused and why."""
    st.markdown(tr(f"题库文件夹：`{questions_dir()}`", f"Question folder: `{questions_dir()}`"))
    st.metric(tr("可用的问题", "Questions served"), len(b.questions))
    if b.refused:
        st.error(
            tr(
                f"{len(b.refused)} 个文件被拒绝：{', '.join(b.refused)}",
                f"{len(b.refused)} file(s) refused: {', '.join(b.refused)}",
            )
        )
    if b.issues:
        st.dataframe(
            pd.DataFrame(
                [(i.file, i.line, i.field, i.message) for i in b.issues],
                columns=[tr(c, e) for c, e in _ISSUE_HEADERS],
            ),
            hide_index=True,
            width="stretch",
        )
    else:
        st.success(tr("所有文件都通过了检查。", "Every file passed the checks."))
    st.caption(
        tr(
            "添加或修改文件后，用 `atlas validate <文件夹>` 检查，再点“重新载入”。",
            "After adding or editing files, check them with `atlas validate <folder>`, "
            "then press Reload.",
        )
    )
    if st.button(tr("重新载入题库", "Reload the question bank"), key="reload_bank"):
        bank.clear()
        st.rerun()


_ISSUE_HEADERS = (("文件", "File"), ("行", "Line"), ("字段", "Field"), ("问题", "Problem"))


def class_ui(book: ClassBook, b: Bank, lang: str) -> None:
    """Class mode: the code learners join with, and the assigned questions in order."""
    code = class_code()
    if code is None:
        st.info(
            tr(
                "班级模式未启用。设置环境变量 CLASS_CODE（例如 CLASS_CODE=7B-2025）并重新启动："
                "学习者需输入这个代码和名字才能加入，你可以为班级布置题目。",
                "Class mode is off. Set the environment variable CLASS_CODE (e.g. "
                "CLASS_CODE=7B-2025) and restart: learners then join with this code and a name, "
                "and you can assign questions to the class.",
            )
        )
        return
    st.markdown(tr(f"班级代码：`{code}`", f"Class code: `{code}`"))
    current = [q for q in book.assignment(code) if b.by_id(q)]
    picked = st.multiselect(
        tr("布置的题目（按选择的顺序）", "Assigned questions (in the order you pick them)"),
        [q.id for q in b.questions],
        default=current,
        format_func=lambda qid: f"Q{b.by_id(qid).number}. {b.by_id(qid).title.get(lang)}",
        key="teacher_assign",
    )
    if picked:
        st.caption(" → ".join(f"Q{b.by_id(q).number}" for q in picked))
    if st.button(tr("保存布置", "Save the assignment"), type="primary", key="save_assign"):
        book.assign(code, picked)
        st.success(tr(f"已保存：{len(picked)} 个问题。", f"Saved: {len(picked)} question(s)."))


def dashboard(store: Store, lang: str) -> None:
    """Every section of the signed-in dashboard, one tab each."""
    b = bank(str(questions_dir()))
    code = class_picker_ui(store)
    if st.sidebar.button(tr("退出教师面板", "Sign out"), key="teacher_sign_out"):
        st.session_state.pop(AUTH, None)
        st.rerun()
    data = load_class(store, code, now_utc())
    names = (
        tr("名单与活动", "Roster & activity"),
        tr("题目分析", "Item analysis"),
        tr("学习进度", "Progress"),
        tr("题库状态", "Question bank"),
        tr("班级模式", "Class mode"),
    )
    roster_tab, items_tab, progress_tab, bank_tab, class_tab = st.tabs(names)
    with roster_tab:
        roster_ui(data)
    with items_tab:
        items_ui(data, b, lang)
    with progress_tab:
        progress_ui(data, b, lang)
    with bank_tab:
        bank_ui(b)
    with class_tab:
        class_ui(class_book(store.url, store), b, lang)


def main() -> None:
    lang = language_switch()
    st.title(tr("教师面板", "Teacher dashboard"))
    expected = teacher_password()
    if expected is None:
        disabled_ui()
        return
    if not login_ui(expected):
        return
    dashboard(store_or_stop(), lang)


if __name__ == "__main__":
    main()
