"""Tests of the demo pretrained_heads: the chosen head of the real model, with its context."""

from __future__ import annotations

import pytest
import torch

from engine.patterns import PATTERNS
from engine.registry import ParamError, run_demo


def test_the_chosen_head_is_the_one_drawn():
    r = run_demo("pretrained_heads", {"text": "The cat sat on the mat.", "layer": 2, "head": 5})
    att = r.extras["attentions"]  # (layers, heads, L, L)
    assert att.shape[:2] == (6, 12) and r.facts["layer"] == 2 and r.facts["head"] == 5
    torch.testing.assert_close(r.weights[0], att[1, 4])
    torch.testing.assert_close(r.weights.sum(-1), torch.ones(1, att.size(-1)))
    assert r.facts["pattern"] == r.extras["dominant"][1][4] and r.facts["pattern"] in (
        *PATTERNS,
        "mixed",
    )
    assert r.key_labels[0] == "[CLS]" and r.key_labels[-1] == "[SEP]"


def test_a_head_outside_the_model_is_refused():
    with pytest.raises(ParamError, match="head"):
        run_demo("pretrained_heads", {"head": 13})
