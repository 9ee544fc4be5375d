"""Vision demos: Q10 vit_patch_attention, Q21 channel_spatial, Q29 space_time_attention."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from torch.nn import functional as F

from engine.demos import q10_vit_patch_attention as q10
from engine.demos import q21_channel_spatial as q21
from engine.demos import q29_space_time_attention as q29
from engine.registry import run_demo
from visuals import render, to_png

NAMES = ("vit_patch_attention", "channel_spatial", "space_time_attention")


def images(fig) -> list[np.ndarray]:
    """Every image array drawn in the figure."""
    return [np.asarray(im.get_array()) for ax in fig.axes for im in ax.get_images()]


def drawn(fig, expected: np.ndarray) -> bool:
    return any(
        a.shape == expected.shape and np.allclose(a, expected, atol=1e-6) for a in images(fig)
    )


# ---------------------------------------------------------------- Q10


def test_patchify_matches_slicing() -> None:
    img = torch.rand(12, 8, 3, generator=torch.Generator().manual_seed(0))
    patches = q10.patchify(img, 4)  # 3 × 2 grid
    assert patches.shape == (6, 48)
    for i in range(6):
        r, c = divmod(i, 2)
        assert torch.equal(patches[i], img[4 * r : 4 * r + 4, 4 * c : 4 * c + 4].reshape(-1))


def test_patch_attention_matches_torch() -> None:
    x = torch.randn(10, 16, generator=torch.Generator().manual_seed(1))
    xn = x / x.norm(dim=1, keepdim=True)
    ref = F.scaled_dot_product_attention(xn, xn, torch.eye(10), scale=6.0)
    assert torch.allclose(q10.patch_attention(x, 6.0), ref, atol=1e-6)


def test_position_code_separates_rows_and_columns() -> None:
    pe = q10.position_code_2d(3, 4, 16)  # (12, 16): first half encodes the row, second the column
    assert pe.shape == (12, 16)
    assert torch.equal(pe[0, :8], pe[3, :8])  # same row, different column
    assert torch.equal(pe[0, 8:], pe[4, 8:])  # same column, different row
    assert not torch.equal(pe[0, :8], pe[4, :8])


def test_sample_image_is_used_when_installed() -> None:
    img = q10.load_image("grace_hopper")
    assert img.shape == (q10.SIDE, q10.SIDE, 3) and img.min() >= 0 and img.max() <= 1
    assert q10.sample_image_path() is not None  # matplotlib ships it
    assert not np.allclose(img, q10.synthetic_scene())


def test_position_code_pulls_attention_closer() -> None:
    """With λ > 0, the query's attention moves towards nearby patches (mean grid distance falls)."""
    r = run_demo("vit_patch_attention", {"position_weight": 2.0, "patch": "8"})
    rows, cols = r.extras["grid"]
    q = r.extras["query"]
    idx = torch.arange(rows * cols)
    dist = ((idx // cols - q // cols) ** 2 + (idx % cols - q % cols) ** 2).float().sqrt()
    assert (r.weights[1, q] * dist).sum() < (r.weights[0, q] * dist).sum()


# ---------------------------------------------------------------- Q21


def test_squeeze_excitation_worked_example() -> None:
    U = torch.tensor([[[[1.0, 3.0]], [[0.0, 2.0]]]])  # (B=1, C=2, H=1, W=2): z = [2, 1]
    W1, b1 = torch.tensor([[1.0, -1.0]]), torch.tensor([0.0])  # ReLU(2 − 1) = 1
    W2, b2 = torch.tensor([[2.0], [-1.0]]), torch.tensor([0.0, 0.5])  # s = σ([2, −0.5])
    out, s = q21.squeeze_excitation(U, W1, b1, W2, b2)
    s_hand = torch.tensor([1 / (1 + math.exp(-2.0)), 1 / (1 + math.exp(0.5))])  # [0.8808, 0.3775]
    assert torch.allclose(s[0], s_hand, atol=1e-6)
    assert torch.allclose(out[0, 0, 0], torch.tensor([1.0, 3.0]) * s_hand[0])
    assert torch.allclose(out[0, 1, 0], torch.tensor([0.0, 2.0]) * s_hand[1])


def test_spatial_attention_worked_example() -> None:
    U = torch.tensor([[[[1.0, 4.0]], [[3.0, 0.0]]]])  # per pixel: mean [2, 2], max [3, 4]
    kernel, bias = (
        torch.tensor([[[[0.5]], [[-1.0]]]]),
        torch.tensor([1.0]),
    )  # 1 × 1 conv: 0.5·mean − max + 1
    out, M = q21.spatial_attention(U, kernel, bias)
    M_hand = torch.sigmoid(torch.tensor([0.5 * 2 - 3 + 1, 0.5 * 2 - 4 + 1]))
    assert torch.allclose(M[0, 0], M_hand)
    assert torch.allclose(out, M_hand * U)


def test_trained_detector_uses_both_attentions() -> None:
    net = q21.trained_net()
    g = torch.Generator().manual_seed(123)
    y = torch.randint(0, 2, (200,), generator=g)
    imgs, masks = zip(*(q21.scene(24, bool(v), g) for v in y), strict=True)
    out = net(torch.stack(imgs))
    assert ((out["logit"] > 0).long() == y).float().mean() > 0.85
    mask = torch.stack(masks)
    assert (out["map"] * mask).sum() / mask.sum() > 3 * (out["map"] * (1 - mask)).sum() / (
        1 - mask
    ).sum()
    gates_pos, gates_neg = out["gates"][y == 1].mean(0), out["gates"][y == 0].mean(0)
    assert not torch.allclose(
        gates_pos, gates_neg, atol=0.05
    )  # the excitation depends on the input


def test_channel_weights_are_the_normalised_gates() -> None:
    r = run_demo("channel_spatial", {"red_square": False, "seed": 3})
    gates = torch.tensor(r.extras["gates"])
    assert torch.allclose(r.weights[0, 0], gates / gates.sum())
    assert ((gates > 0) & (gates < 1)).all()


# ---------------------------------------------------------------- Q29


def test_divided_attention_matches_masked_torch() -> None:
    """Temporal step = full attention over all T·P tokens with a same-place mask; spatial = same-frame mask."""
    T, P = 4, 36
    x = q29.embed_video(q29.synthetic_video(T, "diagonal", 2), 2)  # (T, P, d)
    _, w_time, w_space = q29.divided_attention(x, residual=True)
    a_time, a_space = q29.as_token_matrices(w_time, w_space)
    t, p = torch.arange(T).repeat_interleave(P), torch.arange(P).repeat(T)  # token i = t·P + p
    flat = x.reshape(T * P, -1)
    ref_time = F.scaled_dot_product_attention(
        flat, flat, torch.eye(T * P), attn_mask=p[:, None] == p[None, :]
    )
    assert torch.allclose(a_time, ref_time, atol=1e-6)
    out_t = F.scaled_dot_product_attention(flat, flat, flat, attn_mask=p[:, None] == p[None, :])
    x2 = flat + out_t
    ref_space = F.scaled_dot_product_attention(
        x2, x2, torch.eye(T * P), attn_mask=t[:, None] == t[None, :]
    )
    assert torch.allclose(a_space, ref_space, atol=1e-5)


@pytest.mark.parametrize("path", ["horizontal", "vertical", "diagonal"])
@pytest.mark.parametrize("query_frame", [0, 5])
def test_attention_of_the_square_follows_it(path: str, query_frame: int) -> None:
    r = run_demo("space_time_attention", {"path": path, "query_frame": query_frame, "frames": 8})
    P, G = 36, q29.GRID
    for head in (2, 3):  # divided (space · time) and joint
        row = r.weights[head, r.extras["query"]].reshape(8, P)
        argmax = [divmod(int(row[t].argmax()), G) for t in range(8)]
        assert argmax == [q29.object_cell(t, path) for t in range(8)]


def test_space_time_costs() -> None:
    f = run_demo("space_time_attention", {"frames": 10}).facts
    assert f["scores per layer, joint (T·P)²"] == 360**2
    assert f["scores per layer, divided T·P² + P·T²"] == 10 * 36 * 36 + 36 * 100


# ---------------------------------------------------------------- all three


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_render_vit(lang: str) -> None:
    r = run_demo("vit_patch_attention")
    rows, cols = r.extras["grid"]
    fig = render(r, lang)
    for h in range(2):
        assert drawn(fig, r.weights[h, r.extras["query"]].numpy().reshape(rows, cols))
    assert to_png(fig)[:4] == b"\x89PNG"


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_render_channel_spatial(lang: str) -> None:
    r = run_demo("channel_spatial")
    fig = render(r, lang)
    assert drawn(fig, r.extras["map"])
    bars = [p.get_width() for ax in fig.axes for p in ax.patches if hasattr(p, "get_width")]
    assert all(
        any(abs(b - v) < 1e-6 for b in bars) for v in r.weights[0, 0].tolist()
    )  # normalised gates drawn
    assert to_png(fig)[:4] == b"\x89PNG"


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_render_space_time(lang: str) -> None:
    r = run_demo("space_time_attention")
    fig = render(r, lang)
    T = r.extras["video"].shape[0]
    row = r.weights[2, r.extras["query"]].numpy().reshape(T, q29.GRID, q29.GRID)
    assert all(drawn(fig, row[t]) for t in range(T))
    assert to_png(fig)[:4] == b"\x89PNG"


@pytest.mark.parametrize("name", NAMES)
def test_rows_sum_to_one_and_seed_determinism(name: str) -> None:
    a, b = run_demo(name, {"seed": 9}), run_demo(name, {"seed": 9})
    assert torch.equal(a.weights, b.weights)
    assert torch.allclose(a.weights.sum(-1), torch.ones(a.weights.shape[:2]), atol=1e-5)
