"""Tests of the demo q10_vit_patch_attention: the engine code against trusted references and its behaviour."""

from __future__ import annotations

import numpy as np
import torch
from torch.nn import functional as F

from engine import images
from engine.demos import q10_vit_patch_attention as q10
from engine.registry import run_demo


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
    assert img.shape == (images.SIDE, images.SIDE, 3) and img.min() >= 0 and img.max() <= 1
    assert q10.sample_image_path() is not None  # matplotlib ships it
    assert not np.allclose(img, images.synthetic_scene())


def test_position_code_pulls_attention_closer() -> None:
    """With λ > 0, the query's attention moves towards nearby patches (mean grid distance falls)."""
    r = run_demo("vit_patch_attention", {"position_weight": 2.0, "patch": "8"})
    rows, cols = r.extras["grid"]
    q = r.extras["query"]
    idx = torch.arange(rows * cols)
    dist = ((idx // cols - q // cols) ** 2 + (idx % cols - q % cols) ** 2).float().sqrt()
    assert (r.weights[1, q] * dist).sum() < (r.weights[0, q] * dist).sum()
