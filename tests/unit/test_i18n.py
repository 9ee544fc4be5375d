from __future__ import annotations

import pytest

from engine.i18n import Fact, bi, lookup, tr
from engine.registry import run_demo
from visuals.figures import figure_for, figures


def test_tr_picks_language_and_fills_placeholders():
    t = bi("共 {n} 个头", "{n} heads")
    assert tr(t, "zh", n=4) == "共 4 个头"
    assert tr(t, "en", n=4) == "4 heads"
    assert tr({"en": "only English"}, "zh") == "only English"


def test_lookup_names_the_missing_key():
    with pytest.raises(KeyError, match="no text for 'nope'; known: a, b"):
        lookup({"a": bi("甲", "a"), "b": bi("乙", "b")}, "nope", "en")


def test_fact_shows_label_value_and_unit_in_the_language():
    f = Fact("kv_bytes", 0.3125, bi("KV 缓存", "KV cache"), bi("兆字节", "MB"))
    assert f.show("zh") == "KV 缓存 = 0.3125 兆字节"
    assert f.show("en") == "KV cache = 0.3125 MB"


def test_results_carry_the_demo_name_that_finds_their_figure():
    r = run_demo("multi_head")
    assert r.demo == "multi_head"
    assert all(callable(d) for d in figures().values())
    assert figure_for("no_such_demo") is None
