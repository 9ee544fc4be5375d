"""Study page: a question, its answer and corrections beside its live demo."""

from __future__ import annotations

import streamlit as st

from engine.facts import describe
from engine.registry import Demo, ParamSpec, source_of
from engine.result import Result
from quiz.schema import Closing, DemoLink, Question
from views.ahead import ahead
from views.common import (
    bank,
    demo_chart,
    demo_png,
    demo_run,
    demo_spec,
    device_picker,
    frozen,
    head_choice_ui,
    hover_chart_ui,
    language_switch,
    query_number,
    tr,
    wanted_png,
)
from views.warm import busy


def question_picker_ui(questions: tuple[Question, ...], lang: str) -> Question:
    """Sidebar filter (text, tags) and question list, kept in ``?q=``; returns the chosen question."""
    tags = sorted({t for q in questions for t in q.tags})
    text = st.sidebar.text_input(
        tr("筛选", "Filter"), placeholder=tr("关键词…", "keyword…"), max_chars=80
    )
    chosen_tags = st.sidebar.multiselect(
        tr("标签", "Tags"), tags, placeholder=tr("选择标签", "Choose tags")
    )
    group = _group_ui(questions, lang)
    shown = [q for q in questions if _matches(q, text, chosen_tags) and _in_group(q, group)]
    if not shown:
        st.sidebar.info(tr("没有符合筛选条件的问题。", "No question matches the filter."))
        shown = list(questions)
    numbers = [q.number for q in shown]
    wanted = _query_number([q.number for q in questions])
    index = numbers.index(wanted) if wanted in numbers else 0
    number = st.sidebar.radio(
        tr("问题", "Questions"),
        numbers,
        index=index,
        format_func=lambda n: _question_label(next(q for q in shown if q.number == n), lang),
    )
    if st.query_params.get("q") != str(number):
        st.query_params["q"] = str(number)
    return next(q for q in shown if q.number == number)


def _query_number(known: list[int]) -> int | None:
    """``?q=`` parsed strictly (:func:`views.common.query_number`)."""
    return query_number(known)


BEYOND = "beyond-30"  # the tag of the questions written after the original thirty
GROUPS = {
    "all": {"zh": "全部", "en": "All"},
    "original": {"zh": "原始 30 题", "en": "The original 30"},
    BEYOND: {"zh": "超越原始 30 题", "en": "Beyond the original 30"},
}


def _group_ui(questions: tuple[Question, ...], lang: str) -> str:
    """A section picker (all, original, beyond the original 30) when the bank has both kinds."""
    beyond = sum(BEYOND in q.tags for q in questions)
    if beyond in (0, len(questions)):
        return "all"
    return st.sidebar.selectbox(
        tr("分组", "Section"),
        list(GROUPS),
        format_func=lambda g: GROUPS[g][lang],
        key="question_group",
    )


def _in_group(q: Question, group: str) -> bool:
    if group == "all":
        return True
    return (BEYOND in q.tags) == (group == BEYOND)


def _question_label(q: Question, lang: str) -> str:
    """``n. title``, marked for a question beyond the original thirty."""
    mark = f" · {GROUPS[BEYOND][lang]}" if BEYOND in q.tags else ""
    return f"{q.number}. {q.title.get(lang)}{mark}"


def _matches(q: Question, text: str, tags: list[str]) -> bool:
    if tags and not set(tags) & set(q.tags):
        return False
    needle = text.strip().lower()
    if not needle:
        return True
    hay = " ".join(
        [q.title.zh, q.title.en, q.question_text.zh, q.question_text.en, *q.tags]
    ).lower()
    return needle in hay


def closing_ui(closing: Closing, lang: str) -> None:
    """The original text's closing summary, as it was, then what is wrong in it and where from."""
    st.markdown(
        tr("**原文的总结（未修改）**", "**The original text's closing summary (unedited)**")
    )
    st.markdown("\n".join(f"> {line}" for line in closing.text.get(lang).split("\n")))
    with st.container(border=True):
        st.markdown(tr("**⚠️ 总结的更正**", "**⚠️ Corrections to the summary**"))
        for c in closing.corrections:
            st.markdown(f"> {c.seed_says.get(lang)}")
            st.markdown(f"{c.correction.get(lang)}  \n*{tr('出处', 'Reference')}: {c.reference}*")


def answer_ui(q: Question, lang: str) -> None:
    """Question, answer, corrections and misconceptions callouts, key points, follow-ups, references."""
    st.markdown(f"#### {q.question_text.get(lang)}")
    st.markdown(q.answer.get(lang))
    if q.corrections:
        with st.container(border=True):
            st.markdown(tr("**⚠️ 原始答案的更正**", "**⚠️ Corrections to the original answer**"))
            for c in q.corrections:
                st.markdown(f"> {c.seed_says.get(lang)}")
                st.markdown(
                    f"{c.correction.get(lang)}  \n*{tr('出处', 'Reference')}: {c.reference}*"
                )
    if q.misconceptions:
        with st.container(border=True):
            st.markdown(tr("**💡 常见误解**", "**💡 Common misconceptions**"))
            for m in q.misconceptions:
                st.markdown(f"> {m.claim.get(lang)}")
                st.markdown(f"{m.truth.get(lang)}  \n*{tr('出处', 'Reference')}: {m.reference}*")
    st.markdown(tr("**要点**", "**Key points**"))
    st.markdown("\n".join(f"- {p.get(lang)}" for p in q.key_points))
    with st.expander(tr("面试官常见追问", "Common follow-up questions")):
        for f in q.follow_ups:
            st.markdown(f"**{f.question.get(lang)}**\n\n{f.answer.get(lang)}")
    with st.expander(tr("参考文献", "References")):
        st.markdown("\n".join(f"- {_reference(r)}" for r in q.references))
    if q.seed:
        with st.expander(tr("原始题目答案（未修改）", "Original answer from the seed (unedited)")):
            st.markdown(q.seed.answer.get(lang))
            if q.seed.closing:
                closing_ui(q.seed.closing, lang)
    if q.see_also:
        links = ", ".join(f"[Q{n}](?q={n}&lang={lang})" for n in q.see_also)
        st.caption(tr("另见：", "See also: ") + links)


def _reference(r) -> str:
    who = f"{r.authors} " if r.authors else ""
    year = f"({r.year}). " if r.year else ""
    title = f"[{r.title}]({r.url})" if r.url else r.title
    return f"{who}{year}{title}"


def param_widget(spec: ParamSpec, value, key: str, lang: str):
    """One widget for one parameter spec; returns the chosen value."""
    label = spec.label.get(lang, spec.label["en"])
    help_text = spec.help.get(lang) if spec.help else None
    if spec.kind == "int":
        return st.slider(
            label,
            int(spec.min),
            int(spec.max),
            int(value),
            spec.slider_step(),
            key=key,
            help=help_text,
        )
    if spec.kind == "float":
        return st.slider(
            label,
            float(spec.min),
            float(spec.max),
            float(value),
            float(spec.slider_step()),
            key=key,
            help=help_text,
        )
    if spec.kind == "bool":
        return st.toggle(label, value=bool(value), key=key, help=help_text)
    if spec.kind == "choice":
        return st.selectbox(
            label, spec.choices, index=spec.choices.index(value), key=key, help=help_text
        )
    return st.text_area(label, value=str(value), max_chars=spec.max_length, key=key, help=help_text)


@st.fragment
def demo_ui(q: Question, link: DemoLink, d: Demo, device: str, lang: str) -> None:
    """Parameter widgets, the live figure with device and time, PNG download, and the source that ran."""
    with busy():
        _demo_ui(q, link, d, device, lang)


def _demo_ui(q: Question, link: DemoLink, d: Demo, device: str, lang: str) -> None:
    start = d.check_params(link.params)
    figure_slot = st.container()  # drawn above the widgets, filled once they are read
    with st.expander(tr("参数", "Parameters"), expanded=True):
        params = {
            p.name: param_widget(p, start[p.name], f"{q.id}:{d.name}:{p.name}", lang)
            for p in d.params
        }
    try:
        values = d.check_params(params)
        key = (d.name, frozen(values), device)
        result = demo_run(*key)
    except ValueError as e:
        st.error(str(e))
        return
    with figure_slot:
        # The live picture first: the browser draws it from the numbers, so it follows a slider
        # at the cost of the computation alone; the full figure (all panels, matplotlib) follows.
        st.caption(_caption(result))
        head = head_choice_ui(result, lang, f"head:{q.id}:{d.name}", d.hover_head)
        hover_chart_ui(result, lambda: demo_chart(*key, lang, head))
        facts_ui(result, d, lang)
        png = wanted_png(*key, lang)
        if png is None:  # the learner has moved on: the run they asked for draws the figure
            return
        st.image(png, width="stretch")
        st.download_button(
            tr("下载 PNG", "Download PNG"),
            lambda: demo_png(*key, lang),
            file_name=f"{d.name}.png",
            mime="image/png",
            key=f"png:{q.id}:{d.name}",
        )  # a callable: the bytes are sent (from the cache) only when the learner asks for them
        ahead(d, values, device, lang)  # while they look: the figures one slider step away
    with st.expander(tr("运行的源代码", "Source code that ran")):
        st.code(source_of(d), language="python")


def _caption(result: Result) -> str:
    """Where and how fast the result was computed, in the page's language."""
    ms, device_used = result.facts.get("ms", 0.0), result.facts["device"]
    return tr(
        f"在 {device_used} 上计算，用时 {ms:.1f} 毫秒", f"Computed on {device_used} in {ms:.1f} ms"
    )


def facts_ui(result: Result, d: Demo, lang: str) -> None:
    """The demo's facts (not device and time), labelled in the page's language (engine.facts)."""
    shown = [
        f.show(lang)
        for f in describe(result.facts, d.facts)
        if f.id not in ("device", "ms") and isinstance(f.value, (int, float, str))
    ]
    if shown:
        st.caption(" · ".join(shown))


def main() -> None:
    lang = language_switch()
    device = device_picker()
    b = bank()
    if not b.questions:
        st.error(tr("题库中没有可用的问题。", "The question bank has no valid question."))
        for issue in b.issues:
            st.code(str(issue))
        st.stop()
    q = question_picker_ui(b.questions, lang)
    st.title(f"Q{q.number}. {q.title.get(lang)}")
    st.caption(" · ".join(f"`{t}`" for t in q.tags))
    # The answer, then its live demo across the page: every figure is drawn for about 700 px
    # of width, and a column beside the answer at a 1400-px window is only ~500 px wide, which
    # would shrink the figures' text below 9 px.
    answer_ui(q, lang)
    live_demo_ui(q, device, lang)


def live_demo_ui(q: Question, device: str, lang: str) -> None:
    """The question's hint and each of its demos."""
    st.markdown(tr("### 现场演示", "### Live demo"))
    st.info(q.look_for.get(lang))
    for link in q.demo:
        d = demo_spec(link.name)
        title = link.caption.get(lang) if link.caption else d.title[lang]
        st.markdown(f"**{title}**")
        demo_ui(q, link, d, device, lang)


main()
