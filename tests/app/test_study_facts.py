"""The Study page shows a demo's facts labelled and formatted in the page's language."""

from __future__ import annotations

import re

from streamlit.testing.v1 import AppTest

from ..conftest import ROOT

TIMEOUT = 120


def captions(q: int, lang: str) -> str:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.query_params["q"], at.query_params["lang"] = str(q), lang
    at = at.run()
    assert not at.exception, at.exception
    return "\n".join(at.caption.values)


def test_chinese_facts_have_chinese_labels_and_no_raw_keys():
    text = captions(11, "zh")
    assert "训练时的窗口半宽 D = 2" in text
    assert not re.search(r"\b(trained_D|output_global|scores_local_window)\b", text)
    assert "trained_D" not in captions(11, "en") and "half-width D it was trained with = 2" in (
        captions(11, "en")
    )


def test_units_and_booleans_in_the_page_language():
    zh = captions(2, "zh")
    assert "朴素写法得到 NaN = 是" in zh and "奈特" in zh
