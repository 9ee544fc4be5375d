"""Tests of the demo q20_sequence_labelling: the engine code against trusted references and its behaviour."""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn

from engine.registry import run_demo
from engine.toys import manifest, tagger


def test_tagger_attention_equals_torch_multihead() -> None:
    """The tagger's attention weights = nn.MultiheadAttention with the same projections."""
    model = tagger.load()
    words = [
        "washington",
        "said",
        "that",
        "amazon",
        "will",
        "open",
        "an",
        "office",
        "in",
        "washington",
    ]
    ids = torch.tensor([model.ids(words) + [0, 0]])  # two padding positions
    x = model.embed(ids) * math.sqrt(model.embed.embedding_dim) + model.pe[: ids.size(1)]
    a = model.attn
    mha = nn.MultiheadAttention(32, a.h, batch_first=True)
    with torch.no_grad():
        mha.in_proj_weight.copy_(torch.cat([a.q.weight, a.k.weight, a.v.weight]))
        mha.in_proj_bias.copy_(torch.cat([a.q.bias, a.k.bias, a.v.bias]))
        mha.out_proj.weight.copy_(a.o.weight)
        mha.out_proj.bias.copy_(a.o.bias)
    ref_out, ref_w = mha(x, x, x, key_padding_mask=ids == 0, average_attn_weights=False)
    out, w = a(x, x, key_padding_mask=ids != 0)
    assert torch.allclose(w, ref_w, atol=1e-5)
    assert torch.allclose(out, ref_out, atol=1e-5)


@pytest.mark.parametrize(
    ("sentence", "tags"),
    [
        ("jordan lives in jordan", "PER O O LOC"),
        ("we flew to georgia with georgia", "O O O LOC O PER"),
        (
            "washington said that amazon will open an office in washington",
            "PER O O ORG O O O O O LOC",
        ),
        ("amazon hired jordan last year", "ORG O PER O O"),
        ("the river near amazon is long", "O O O LOC O O"),
    ],
)
def test_ambiguous_names_get_their_tag_from_context(sentence: str, tags: str) -> None:
    assert run_demo("sequence_labelling", {"sentence": sentence}).facts["tags"] == tags


def test_held_out_accuracy() -> None:
    acc, acc_ambiguous = tagger.held_out_accuracy(
        tagger.load()
    )  # the shipped model, evaluated here
    shipped = manifest("tagger").metrics
    assert abs(acc - shipped["accuracy"]) <= 0.01
    assert abs(acc_ambiguous - shipped["accuracy_ambiguous"]) <= 0.01
    assert acc > 0.97 and acc_ambiguous > 0.9
