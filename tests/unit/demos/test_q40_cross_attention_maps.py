from __future__ import annotations

import pytest
import torch
from torch import nn

from engine.demos import q40_cross_attention_maps as ca
from engine.registry import ParamError, run_demo


@pytest.mark.parametrize("h", [1, 2, 4])
def test_cross_attention_equals_torch_multihead_attention_with_kdim_vdim(h):
    g = torch.Generator().manual_seed(h)
    d_q, d_kv, L, S = 16, 24, 5, 11
    W = {"q": torch.randn(d_q, d_q, generator=g), "k": torch.randn(d_kv, d_q, generator=g),
         "v": torch.randn(d_kv, d_q, generator=g), "o": torch.randn(d_q, d_q, generator=g)}  # fmt: skip
    W = {k: v / 4 for k, v in W.items()}
    x_q, x_kv = torch.randn(L, d_q, generator=g), torch.randn(S, d_kv, generator=g)
    mha = nn.MultiheadAttention(d_q, h, bias=False, kdim=d_kv, vdim=d_kv, batch_first=True)
    with torch.no_grad():  # nn.Linear convention: y = x Wᵀ
        mha.q_proj_weight.copy_(W["q"].T)
        mha.k_proj_weight.copy_(W["k"].T)
        mha.v_proj_weight.copy_(W["v"].T)
        mha.out_proj.weight.copy_(W["o"].T)
    ref, ref_w = mha(x_q[None], x_kv[None], x_kv[None], average_attn_weights=False)
    out, w = ca.cross_attention(x_q, x_kv, W, h)
    torch.testing.assert_close(out, ref[0], rtol=1e-4, atol=1e-5)
    torch.testing.assert_close(w, ref_w[0], rtol=1e-4, atol=1e-6)
    assert w.shape == (h, L, S)  # L queries over S inputs of another modality


def test_aligned_key_projection_maps_image_concepts_onto_words():
    C_txt, C_img = ca.concept_vectors(ca.D_TEXT, 0), ca.concept_vectors(ca.D_IMAGE, 7)
    torch.testing.assert_close(C_txt @ C_txt.T, torch.eye(len(ca.CONCEPTS)), rtol=0, atol=1e-5)
    W = ca.aligned_projections(C_txt, C_img, 0)
    torch.testing.assert_close(C_img @ W["k"], C_txt, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_each_word_maps_onto_its_own_object(seed):
    r = run_demo("cross_attention_maps", {"seed": seed})
    w, labels = r.weights[0], r.extras["labels"].flatten()  # (T, N), (N,)
    torch.testing.assert_close(w.sum(-1), torch.ones(w.size(0)))  # rows over patches sum to 1
    for t, obj in ((1, 0), (2, 0), (5, 1), (6, 1)):
        assert float(w[t][labels == obj].sum()) > 0.5, r.query_labels[t]
        assert float(w[t][labels == 1 - obj].sum()) < 0.1
    assert r.extras["maps"].shape == (7, 6, 6)
    torch.testing.assert_close(r.extras["maps"].flatten(1), w)


def test_scene_has_two_distinct_objects_inside_the_grid():
    for seed in range(20):
        objects, labels = ca.scene(5, seed)
        assert len({o[0] for o in objects}) == 2 and len({o[1] for o in objects}) == 2
        assert [int((labels == i).sum()) for i in (0, 1)] == [4, 4]


def test_resampler_returns_m_vectors_whatever_the_number_of_inputs():
    for N in (16, 100, 400):
        x = torch.randn(N, ca.D_IMAGE, generator=torch.Generator().manual_seed(N))
        z, w = ca.resampler(x, 8, 0)
        assert z.shape == (8, ca.D_TEXT) and w.shape == (8, N)
        torch.testing.assert_close(w.sum(-1), torch.ones(8))


def test_demo_facts_determinism_and_bounds():
    a, b = (
        run_demo("cross_attention_maps", {"grid": 8, "n_latents": "32"}),
        run_demo("cross_attention_maps", {"grid": 8, "n_latents": "32"}),
    )
    assert torch.equal(a.weights, b.weights)
    assert a.facts["scores_resampler"] == 32 * 64 and a.facts["scores_self_attention"] == 64 * 64
    assert a.extras["latent_weights"].shape == (32, 64)
    for bad in (
        {"grid": 3},
        {"grid": 11},
        {"sharpness": 0.4},
        {"sharpness": 25.0},
        {"n_latents": "64"},
    ):
        with pytest.raises(ParamError):
            run_demo("cross_attention_maps", bad)
    for grid in (4, 10):
        r = run_demo("cross_attention_maps", {"grid": grid, "sharpness": 0.5})
        torch.testing.assert_close(r.weights.sum(-1), torch.ones(1, 7))
