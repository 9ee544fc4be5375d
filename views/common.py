"""Shared page helpers: language, device picker, cached bank and demo runs.

Importing this module draws nothing; pages call these helpers.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import streamlit as st

from engine.devices import available_devices
from engine.registry import Demo, get_demo, run_demo
from engine.result import Result
from quiz.bank import Bank, load_bank
from visuals import render_png

LANGS = {"zh": "中文", "en": "English"}
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


def demo_spec(name: str) -> Demo:
    return get_demo(name)


@st.cache_data(show_spinner=False, max_entries=512)
def demo_run(name: str, params: tuple[tuple[str, Any], ...], device: str) -> Result:
    """A demo's result, cached by (demo, parameters, device)."""
    return run_demo(name, dict(params), device)


@st.cache_data(show_spinner=False, max_entries=512)
def demo_png(name: str, params: tuple[tuple[str, Any], ...], device: str, language: str) -> bytes:
    """The PNG of a demo's figure, cached with the run it draws."""
    return render_png(demo_run(name, params, device), language)


def frozen(params: Mapping[str, Any]) -> tuple[tuple[str, Any], ...]:
    """Parameters as a hashable, ordered cache key."""
    return tuple(sorted(params.items()))
