from __future__ import annotations

import dataclasses
import subprocess
import sys

import numpy as np
import pytest
import torch

from engine.registry import run_demo
from visuals.heatmap import head_matrix, heatmap
from visuals.hover import MAX_CELLS, cells, fits, hover_heatmap, hover_spec

from ..conftest import ROOT


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_chart_carries_every_weight_with_its_query_and_key(lang):
    r = run_demo("multi_head", {"heads": 2})
    spec = hover_heatmap(r, lang, head=1).to_dict()
    values = spec["data"]["values"]
    L, S = len(r.query_labels), len(r.key_labels)
    assert len(values) == L * S
    drawn = torch.zeros(L, S)
    for v in values:
        drawn[v["q"], v["k"]] = v["weight"]
        assert v["query"].endswith(r.query_labels[v["q"]])
        assert v["key"].endswith(r.key_labels[v["k"]])
    torch.testing.assert_close(drawn, r.weights[1], rtol=0, atol=0)
    titles = {t["field"]: t["title"] for t in spec["encoding"]["tooltip"]}
    assert set(titles) == {"query", "key", "weight"}
    assert ("注意力权重" if lang == "zh" else "attention weight") == titles["weight"]


def test_hovering_selects_the_query_row_and_dims_the_others():
    spec = hover_heatmap(run_demo("multi_head")).to_dict()
    (param,) = spec["params"]
    assert param["select"] == {
        "type": "point",
        "fields": ["q"],
        "on": "pointerover",
        "clear": "pointerout",
    }
    opacity = spec["encoding"]["opacity"]
    assert opacity["condition"]["param"] == param["name"]
    assert opacity["condition"]["value"] > opacity["value"]


def test_repeated_tokens_stay_separate_cells():
    r = run_demo("multi_head", {"n_tokens": 12})
    keys = [c["key"] for c in cells(r) if c["q"] == 0]
    assert len(set(keys)) == len(keys) == len(r.key_labels)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_fast_spec_is_the_validated_chart(lang):
    r = run_demo("multi_head", {"heads": 4})
    assert hover_spec(r, lang, head=3) == hover_heatmap(r, lang, head=3).to_dict()


def test_a_new_input_of_the_same_shape_gets_its_own_labels():
    """The kept skeleton is per shape: a second input's labels (quotes, CJK, a backslash) replace
    the first's, exactly as the validated chart would have them."""
    first = run_demo("multi_head", {"heads": 2})
    L, S = len(first.query_labels), len(first.key_labels)
    odd = ('"', "猫", "\\", "</script>", "[CLS]", "it's") * L
    second = dataclasses.replace(first, query_labels=odd[:L], key_labels=odd[-S:])
    hover_spec(first)  # fills the skeleton of this shape
    spec = hover_spec(second, head=1)
    assert spec == hover_heatmap(second, head=1).to_dict()
    assert "猫" in spec["encoding"]["y"]["axis"]["labelExpr"]


def test_the_png_and_the_chart_draw_the_same_numbers():
    r = run_demo("multi_head", {"heads": 2})
    fig = heatmap(r, "en", head=1)
    [image] = fig.axes[0].get_images()
    values = {(c["q"], c["k"]): c["weight"] for c in cells(r, head=1)}
    png = np.asarray(image.get_array())
    for (i, j), w in values.items():
        assert png[i, j] == w
    assert head_matrix(r, 1).shape == png.shape


def test_a_head_out_of_range_is_refused_with_the_number_of_heads():
    r = run_demo("multi_head", {"heads": 2})
    with pytest.raises(ValueError, match="head 2 is out of range: the result has 2 head"):
        cells(r, head=2)


def test_only_matrices_up_to_max_cells_are_sent():
    small, large = run_demo("multi_head"), run_demo("space_time_attention")
    assert fits(small) and not fits(large)
    assert len(large.query_labels) * len(large.key_labels) > MAX_CELLS


def test_pandas_is_complete_before_any_chart_is_made():
    """Altair reads pandas from ``sys.modules`` without importing it, and does not import it
    itself: the hover module must, or a chart made while another thread is still importing
    pandas fails on the half-made module (the class benchmark's pages did)."""
    code = (
        "import sys, altair; assert 'pandas' not in sys.modules; "
        "import visuals.hover; assert hasattr(sys.modules['pandas'], 'Timestamp')"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, timeout=120)
