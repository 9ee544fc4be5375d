"""Tests of the demo q19_torch_mha: the engine code against trusted references and its behaviour."""

from __future__ import annotations

import pytest
import torch

from engine.attention import multi_head_attention
from engine.demos.q19_torch_mha import params_from_torch, seeded_mha, torch_mha_call
from engine.masks import causal_mask
from engine.registry import run_demo


@pytest.mark.parametrize("h", [1, 2, 4, 8])
@pytest.mark.parametrize("causal", [False, True])
def test_engine_mha_equals_torch_mha(h, causal):
    d, L = 32, 7
    mha = seeded_mha(d, h, seed=h, device=torch.device("cpu"))
    x = torch.randn(2, L, d, generator=torch.Generator().manual_seed(1))
    keep = torch.tensor([[True] * L, [True] * 4 + [False] * 3])
    allowed = causal_mask(L) if causal else None
    with torch.no_grad():
        out_t, w_t = mha(
            x,
            x,
            x,
            key_padding_mask=~keep,
            attn_mask=None if allowed is None else ~allowed,
            need_weights=True,
            average_attn_weights=False,
        )
        out_e, w_e = multi_head_attention(
            x, x, params_from_torch(mha), h, attn_mask=allowed, key_padding_mask=keep
        )
    assert w_t.shape == (2, h, L, L)
    torch.testing.assert_close(out_e, out_t, atol=1e-6, rtol=1e-5)
    torch.testing.assert_close(w_e, w_t, atol=1e-6, rtol=1e-5)


def test_passing_engine_masks_to_torch_unchanged_is_wrong():
    mha = seeded_mha(16, 2, seed=0, device=torch.device("cpu"))
    x = torch.randn(1, 5, 16, generator=torch.Generator().manual_seed(0))
    keep = torch.tensor([[True, True, True, False, False]])
    with torch.no_grad():
        _, right = torch_mha_call(mha, x, keep, None)
        _, wrong = mha(
            x, x, x, key_padding_mask=keep, need_weights=True, average_attn_weights=False
        )
    # un-inverted, PyTorch keeps exactly the keys it should have dropped
    assert right[..., 3:].abs().max() == 0 and wrong[..., :3].abs().max() == 0


def test_torch_mha_demo_facts():
    r = run_demo(
        "torch_mha", {"heads": "8", "d_model": 64, "causal": True, "pad": 3, "n_tokens": 10}
    )
    f = r.facts
    assert f["max_diff_output"] < 1e-6 and f["max_diff_weights"] < 1e-6
    assert f["torch_weights_shape"] == [2, 8, 10, 10] and f["weight_on_padding_max"] == 0
    assert r.key_labels[-3:] == ("[PAD]",) * 3
    torch.testing.assert_close(r.weights, r.extras["engine_weights"], atol=1e-6, rtol=1e-5)
