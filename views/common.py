"""Shared page helpers: language, device picker, cached bank and demo runs.

Importing this module draws nothing; pages call these helpers.
"""

from __future__ import annotations

import contextvars
import logging
import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from engine.devices import available_devices, serve_threads
from engine.registry import Demo, get_demo, run_demo
from engine.result import Result
from quiz.bank import Bank, load_bank
from views.drawing import GaveUp, draw_png
from views.drawing import start as start_drawing
from visuals.heatmap import head_names
from visuals.hover import MAX_CELLS, fits, hover_spec

log = logging.getLogger("atlas")

LANGS = {"zh": "中文", "en": "English"}
QUERY_DIGITS = 4  # ``?q=`` holds a question number: at most this many ASCII digits
ROOT = Path(__file__).resolve().parent.parent

# (url path, page script) in menu order; a page is listed only when its script exists.
_ALL_PAGES = [
    ("study", "views/study.py"),
    ("quiz", "views/quiz.py"),
    ("progress", "views/progress.py"),
    ("lab", "views/lab.py"),
    ("teacher", "views/teacher.py"),
]
PAGES = [(slug, path) for slug, path in _ALL_PAGES if (ROOT / path).is_file()]
_TITLES = {
    "study": ("学习", "Study"),
    "quiz": ("自测", "Quiz"),
    "progress": ("进度", "Progress"),
    "lab": ("模型实验室", "Model lab"),
    "teacher": ("教师面板", "Teacher"),
}


def page_title(slug: str) -> str:
    """A page's menu title in the current language."""
    zh, en = _TITLES[slug]
    return tr(zh, en)


def default_lang() -> str:
    value = os.environ.get("ATLAS_DEFAULT_LANG", "en")
    return value if value in LANGS else "en"


def lang() -> str:
    """The page language: ``?lang=`` in the URL, else the session's, else the default."""
    value = st.query_params.get("lang") or st.session_state.get("lang") or default_lang()
    return value if value in LANGS else default_lang()


def tr(zh: str, en: str) -> str:
    """``zh`` or ``en`` for the current language."""
    return zh if lang() == "zh" else en


def language_switch() -> str:
    """Sidebar radio for zh/en, kept in the URL (``?lang=``) and the session; returns the choice."""
    current = lang()
    choice = st.sidebar.radio(
        "语言 · Language",
        list(LANGS),
        index=list(LANGS).index(current),
        format_func=LANGS.get,
        horizontal=True,
        key="lang_radio",
    )
    st.session_state["lang"] = choice
    if st.query_params.get("lang") != choice:
        st.query_params["lang"] = choice
    return choice


def device_picker() -> str:
    """Sidebar select of the devices present here (cpu first); returns the chosen name."""
    devices = available_devices()
    return st.sidebar.selectbox(tr("计算设备", "Compute device"), devices, key="device")


def questions_dir() -> Path:
    """Where the bank lives: ``ATLAS_QUESTIONS_DIR`` or ``questions/`` beside the app."""
    return Path(os.environ.get("ATLAS_QUESTIONS_DIR", ROOT / "questions"))


@st.cache_data(show_spinner=False)
def bank(directory: str | None = None) -> Bank:
    """The question bank, loaded and validated once per process (per directory)."""
    return load_bank(Path(directory) if directory else questions_dir(), strict=False)


@st.cache_resource(show_spinner=False)
def server_threads() -> int:
    """PyTorch's intra-op threads for this server process, set once (engine.devices.serve_threads),
    and its drawing processes started (views.drawing)."""
    start_drawing()
    return serve_threads()


def demo_spec(name: str) -> Demo:
    return get_demo(name)


# Bounded caches shared by every learner: a result holds up to 4 × 288 × 288 floats (1.3 MB), a
# PNG ≈ 100 kB, a hover chart up to 64 × 64 records (≈ 0.4 MB); the bounds cap the memory.
RUN_ENTRIES, PNG_ENTRIES, CHART_ENTRIES = 256, 192, 192  # room for the warm-up (views.warm)


@st.cache_data(show_spinner=False, max_entries=RUN_ENTRIES)
def demo_run(name: str, params: tuple[tuple[str, Any], ...], device: str) -> Result:
    """A demo's result, cached by (demo, parameters, device)."""
    return run_demo(name, dict(params), device)


Superseded = GaveUp  # the learner has already asked for a new run of the figure's fragment or page


def superseded() -> bool:
    """Whether the figure this script run is about to draw will be drawn anew by a run the
    learner has already asked for: a rerun of the whole page, or of the fragment now running.

    Streamlit lets a run finish when a widget inside a fragment changes: the fragment's new run
    waits for it. A learner who presses a slider's key twice would otherwise wait for the full
    figure of the step they have already left, behind every other learner's figures. This reads
    Streamlit's pending request (``script_requests``, not a public API); where it cannot be read
    (outside a page run, another Streamlit version) the answer is False: the figure is drawn.
    """
    ctx = get_script_run_ctx(suppress_warning=True)
    requests = getattr(ctx, "script_requests", None)
    if getattr(getattr(requests, "_state", None), "name", "") != "RERUN":
        return False
    queue = list(getattr(getattr(requests, "_rerun_data", None), "fragment_id_queue", ()) or ())
    if not queue:
        return True  # the whole page reruns, this figure with it
    try:
        from streamlit.runtime.scriptrunner_utils.script_run_context import ThreadState

        running = ThreadState.get().fragment_id
    except (ImportError, RuntimeError):
        running = getattr(ctx, "current_fragment_id", None)
    return running is not None and running in queue


_may_give_up = contextvars.ContextVar("may_give_up", default=False)


def _give_up() -> bool:
    """Whether a waiting figure may stop waiting: the caller allows it (:func:`wanted_png`) and
    the learner has already asked for the run that draws its successor (:func:`superseded`)."""
    return _may_give_up.get() and superseded()


@st.cache_data(show_spinner=False, max_entries=PNG_ENTRIES)
def demo_png(name: str, params: tuple[tuple[str, Any], ...], device: str, language: str) -> bytes:
    """The PNG of a demo's figure, cached with the run it draws."""
    result = demo_run(name, params, device)
    return draw_png(result, language, _give_up)


def wanted_png(
    name: str, params: tuple[tuple[str, Any], ...], device: str, language: str
) -> bytes | None:
    """:func:`demo_png`, or None where the learner has already moved on (:func:`superseded`)
    before the figure could be drawn: the run they asked for draws it."""
    token = _may_give_up.set(True)
    try:
        return demo_png(name, params, device, language)
    except Superseded:
        return None
    finally:
        _may_give_up.reset(token)


@st.cache_data(show_spinner=False, max_entries=CHART_ENTRIES)
def demo_chart(
    name: str, params: tuple[tuple[str, Any], ...], device: str, language: str, head: int
) -> dict[str, Any]:
    """The hover chart (Vega-Lite dict) of one head of a demo's result, cached like its PNG."""
    return hover_spec(demo_run(name, params, device), language, head)


def first_head(result: Result, hover_head: int) -> int:
    """The head a hover chart starts on: the demo's ``hover_head`` where the result has it."""
    return min(max(hover_head, 0), result.n_heads - 1)


def head_choice_ui(result: Result, language: str, key: str, start: int = 0) -> int:
    """A select of the result's heads (named by ``head_labels``) when it has several, starting on
    head ``start``; the index."""
    if result.n_heads == 1:
        return 0
    names = head_names(result, language)
    return st.selectbox(
        tr("悬停图显示的头", "Head in the hover chart"),
        range(result.n_heads),
        index=first_head(result, start),
        format_func=lambda h: names[h],
        key=key,
        width=320,  # a narrow picker, not one across the page
    )


def hover_chart_ui(result: Result, spec: Callable[[], dict[str, Any]]) -> None:
    """The hover heatmap (``spec()``), or a note when the matrix is too large to send as data."""
    if not fits(result):
        st.caption(
            tr(
                f"矩阵超过 {MAX_CELLS} 个格子，只显示图片（无悬停数值）。",
                f"The matrix has more than {MAX_CELLS} cells: shown as a picture only (no hover).",
            )
        )
        return
    st.caption(
        tr(
            "将鼠标移到格子上可读出查询、键和精确权重；所在行会高亮。",
            "Hover a cell to read its query, key and exact weight; its row is highlighted.",
        )
    )
    st.vega_lite_chart(spec=spec(), width="content")


def frozen(params: Mapping[str, Any]) -> tuple[tuple[str, Any], ...]:
    """Parameters as a hashable, ordered cache key."""
    return tuple(sorted(params.items()))


def show_error(zh: str, en: str, error: BaseException | None = None) -> None:
    """A short bilingual message on the page; the details (with traceback) go to the server log.

    Learners never see a traceback or a server path; the teacher finds them in the log.
    """
    if error is not None:
        log.error("%s (%s)", en, type(error).__name__, exc_info=error)
    st.error(tr(zh, en))


def parse_number(raw: object, max_digits: int = QUERY_DIGITS) -> int | None:
    """``raw`` as a non-negative int if it is 1 to ``max_digits`` ASCII digits, else None.

    Stricter than ``str.isdigit``, which also accepts ``²`` and ``①`` (that ``int`` refuses).
    """
    if not isinstance(raw, str) or not 0 < len(raw) <= max_digits:
        return None
    return int(raw) if raw.isascii() and raw.isdigit() else None


def query_number(known: Sequence[int], key: str = "q") -> int | None:
    """``?q=`` as one of the ``known`` question numbers; None (with a notice) if it is not one.

    Absent: None without a notice. Malformed or unknown: the page falls back to the first question.
    """
    raw = st.query_params.get(key)
    if raw is None or raw == "":
        return None
    number = parse_number(raw)
    if number is not None and number in known:
        return number
    st.info(
        tr(
            "链接中的问题编号无效或不存在，已显示第一个问题。",
            "The question number in the link is not valid or does not exist; "
            "showing the first question.",
        )
    )
    return None
