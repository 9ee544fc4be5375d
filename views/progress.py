"""Progress page: what is due, a review forecast, accuracy per tag over time, settings and export."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import streamlit as st

from quiz.export import answers_csv_bytes
from quiz.scheduler import DEFAULT_RETENTION, RETENTION_RANGE, Due, due_queue, forecast, now_utc
from quiz.session import accuracy_by_day, summarise
from quiz.store import Learner, Store
from views.class_mode import class_book
from views.common import language_switch, tr
from views.learner import learner_ui, store_or_stop

FORECAST_DAYS = 14


def due_ui(store: Store, learner: Learner) -> None:
    """Headline numbers: due now, due in the next 24 hours, cards, answers and accuracy."""
    now, cards, rows = now_utc(), store.cards(learner.id), store.answers(learner.id)
    dues = [Due(c.item_id, c.due) for c in cards]
    s = summarise(rows)
    c1, c2, c3, c4 = st.columns(4)
    c1.metric(tr("现在到期", "Due now"), len(due_queue(dues, now)))
    c2.metric(tr("24 小时内到期", "Due within 24 h"), len(due_queue(dues, now + timedelta(days=1))))
    c3.metric(tr("学过的题目", "Items studied"), len(cards))
    c4.metric(
        tr("答题数 · 正确率", "Answers · accuracy"),
        f"{s.answered} · {s.correct / s.answered:.0%}" if s.answered else "0",
    )
    st.markdown(
        tr(
            f"**未来 {FORECAST_DAYS} 天的复习量**",
            f"**Reviews due over the next {FORECAST_DAYS} days**",
        )
    )
    days = [(now + timedelta(days=d)).strftime("%m-%d") for d in range(FORECAST_DAYS)]
    counts = forecast(dues, now, FORECAST_DAYS)
    st.bar_chart(
        pd.DataFrame({tr("到期题数", "cards due"): counts}, index=days),
        x_label=tr("日期（UTC）", "day (UTC)"),
        y_label=tr("到期题数", "cards due"),
    )


def accuracy_ui(store: Store, learner: Learner) -> None:
    """Accuracy per tag overall and day by day."""
    rows = store.answers(learner.id)
    if not rows:
        return
    overall = summarise(rows).per_tag
    st.markdown(tr("**各标签正确率**", "**Accuracy per tag**"))
    st.bar_chart(
        pd.DataFrame(
            {tr("正确率", "accuracy"): [a for _, a in overall.values()]}, index=list(overall)
        ),
        x_label=tr("标签", "tag"),
        y_label=tr("正确率", "accuracy"),
    )
    table = pd.DataFrame(
        [{"day": str(d), "tag": t, "accuracy": a} for (d, t), a in accuracy_by_day(rows).items()]
    )
    st.markdown(tr("**各标签正确率随时间变化**", "**Accuracy per tag over time**"))
    st.vega_lite_chart(
        table,
        {
            "mark": {"type": "line", "point": True},  # points too, so a single day still shows
            "encoding": {
                "x": {"field": "day", "type": "ordinal", "title": tr("日期（UTC）", "day (UTC)")},
                "y": {
                    "field": "accuracy",
                    "type": "quantitative",
                    "title": tr("正确率", "accuracy"),
                    "scale": {"domain": [0, 1]},
                    "axis": {"format": "%"},
                },
                "color": {"field": "tag", "type": "nominal", "title": tr("标签", "tag")},
            },
        },
        width="stretch",
    )


def settings_ui(store: Store, learner: Learner) -> None:
    """Desired retention (FSRS) and an optional class code, saved per learner."""
    lo, hi = RETENTION_RANGE
    with st.form("settings"):
        retention = st.slider(
            tr("期望记忆保持率", "Desired retention"),
            lo,
            hi,
            float(learner.desired_retention),
            0.01,
            help=tr(
                f"题目到期时你仍能答对的概率目标（默认 {DEFAULT_RETENTION}）。越高，复习越频繁。",
                f"The chance of still recalling an item when it comes due (default {DEFAULT_RETENTION}). "
                "Higher means more frequent reviews.",
            ),
            key="retention",
        )
        class_code = st.text_input(
            tr("班级代码（可选）", "Class code (optional)"),
            learner.class_code or "",
            max_chars=40,
            key="class_code",
        )
        if st.form_submit_button(tr("保存设置", "Save settings")):
            store.set_retention(learner.id, retention)
            if _save_class(store, learner, class_code):
                st.success(tr("已保存。", "Saved."))


def _save_class(store: Store, learner: Learner, typed: str) -> bool:
    """Join the existing class whose code was typed (blank: leave the class); False if none has it.

    A typed code is never stored as typed: it must match a class the teacher runs (``CLASS_CODE``
    or a class with assigned questions), and that class's own code is stored.
    """
    if not typed.strip():
        store.set_class_code(learner.id, None)
        return True
    if typed == (learner.class_code or ""):
        return True  # unchanged
    found = class_book(store.url, store).find_class(typed)
    if found is None:
        st.error(
            tr(
                "没有这个班级代码。请向老师要正确的代码（其余设置已保存）。",
                "No class has this code. Ask your teacher for it (the other settings were saved).",
            )
        )
        return False
    store.set_class_code(learner.id, found)
    return True


def export_ui(store: Store, learner: Learner) -> None:
    rows = store.answers(learner.id)
    st.download_button(
        tr(
            f"导出我的答题记录（CSV，{len(rows)} 行）", f"Export my answers (CSV, {len(rows)} rows)"
        ),
        answers_csv_bytes(rows),
        file_name="atlas-answers.csv",
        mime="text/csv",
        key="export",
        disabled=not rows,
    )


def main() -> None:
    language_switch()
    store = store_or_stop()
    learner = learner_ui(store)
    st.title(tr("进度", "Progress"))
    if learner is None:
        st.info(
            tr(
                "这次访问还没有答题。去自测页开始，或在侧栏输入你的恢复码。",
                "No answers in this visit yet. Start a quiz, or enter your resume code in the sidebar.",
            )
        )
        return
    name = learner.display_name or tr("访客", "guest")
    st.caption(tr(f"学习者：{name}", f"Learner: {name}"))
    due_ui(store, learner)
    accuracy_ui(store, learner)
    with st.expander(tr("设置与导出", "Settings and export"), expanded=True):
        settings_ui(store, learner)
        export_ui(store, learner)


if __name__ == "__main__":
    main()
