"""Q10 — ViT-style self-attention between the patches of an image.

The image is cut into P × P patches; each patch is flattened and embedded by one fixed
linear map (a seeded random projection, which keeps distances between patches), a 2-D
sinusoidal position code is added, and every patch attends to every other:

    x_p = E · vec(patch_p) + λ · PE(row_p, col_p),   α_pq = softmax_q(β · x̂_p · x̂_q),  x̂ = x/‖x‖

With λ = 0 a patch attends to patches that look like it wherever they are; with λ > 0
nearby patches gain weight. The image is matplotlib's bundled photograph of Grace Hopper
when it is installed, a synthesized scene otherwise.

Shapes: H × W image, C colour channels, P patch side, G = (H/P)·(W/P) patches, d size.
"""

from __future__ import annotations

import math

import torch

from engine.attention import scaled_dot_product_attention
from engine.facts import fact
from engine.images import load_image, sample_image_path
from engine.params import seed_of
from engine.registry import ParamSpec, demo
from engine.result import Result

D_MODEL = 64


def patchify(img: torch.Tensor, P: int) -> torch.Tensor:
    """Cut an image into non-overlapping P × P patches, row by row.  (H, W, C) → (G, P·P·C)."""
    H, W, C = img.shape
    x = img.reshape(H // P, P, W // P, P, C)  # (rows, P, cols, P, C)
    return x.permute(0, 2, 1, 3, 4).reshape((H // P) * (W // P), P * P * C)  # (G, P·P·C)


def position_code_2d(rows: int, cols: int, d: int) -> torch.Tensor:
    """Half the channels encode the row, half the column, each as sin/cos pairs (Vaswani et al.).  → (G, d).

    Frequencies run from 2 down to 0.3 radians per patch, so codes of nearby patches are
    alike and codes of distant ones are not (slower waves would be almost constant over a
    16-patch grid and only add a shared offset).
    """
    q = d // 4
    freq = 2.0 * torch.exp(-math.log(2.0 / 0.3) * torch.arange(q) / q)  # (d/4,)
    r = torch.arange(rows).float().unsqueeze(1) * freq  # (rows, d/4)
    c = torch.arange(cols).float().unsqueeze(1) * freq  # (cols, d/4)
    pr = torch.cat([r.sin(), r.cos()], 1)  # (rows, d/2)
    pc = torch.cat([c.sin(), c.cos()], 1)  # (cols, d/2)
    return torch.cat([pr.repeat_interleave(cols, 0), pc.repeat(rows, 1)], 1)  # (G, d)


def embed_patches(
    patches: torch.Tensor, rows: int, cols: int, lam: float, seed: int
) -> torch.Tensor:
    """x_p = E · (vec(patch_p) − mean) + λ · ‖·‖ · PE_p, E ~ N(0, 1/d) drawn from ``seed``.  (G, n) → (G, d)."""
    g = torch.Generator().manual_seed(seed)
    E = (torch.randn(patches.size(1), D_MODEL, generator=g) / math.sqrt(D_MODEL)).to(patches.device)
    x = (patches - patches.mean()) @ E  # (G, d)
    pe = position_code_2d(rows, cols, D_MODEL).to(patches.device)
    pe = pe * (x.norm(dim=1).mean() / pe.norm(dim=1).mean())  # same typical length as the content
    return x + lam * pe


# α = softmax(β · X̂ X̂ᵀ): Q = K = V = X̂ (unit-length patch embeddings), scale β
def patch_attention(x: torch.Tensor, beta: float) -> torch.Tensor:
    """Self-attention between patches.  (G, d) → (G, G)."""
    xn = x / x.norm(dim=1, keepdim=True).clamp_min(1e-6)
    return scaled_dot_product_attention(xn, xn, xn, scale=beta)[1]


FACTS = {
    "patches": fact("块数 G", "patches G"),
    "grid": fact("网格", "grid"),
    "query_patch": fact("查询块", "query patch"),
    "image": fact("图像", "image"),
    "self_weight_appearance": fact("自身权重（仅外观）", "self weight (appearance only)"),
    "self_weight_position": fact("自身权重（外观 + 位置）", "self weight (appearance + position)"),
}


@demo(
    "vit_patch_attention",
    title={"zh": "ViT 图像块注意力", "en": "ViT patch attention"},
    params=(
        ParamSpec(
            "image",
            "choice",
            "grace_hopper",
            {"zh": "图像", "en": "Image"},
            choices=("grace_hopper", "synthetic"),
        ),
        ParamSpec(
            "patch",
            "choice",
            "16",
            {"zh": "图像块边长 P（像素）", "en": "Patch side P (pixels)"},
            choices=("8", "16", "32"),
        ),
        ParamSpec(
            "query_row", "int", 2, {"zh": "查询块：行", "en": "Query patch: row"}, min=0, max=15
        ),
        ParamSpec(
            "query_col", "int", 3, {"zh": "查询块：列", "en": "Query patch: column"}, min=0, max=15
        ),
        ParamSpec(
            "position_weight",
            "float",
            1.0,
            {"zh": "位置编码权重 λ", "en": "Position weight λ"},
            min=0.0,
            max=3.0,
            step=0.1,
        ),
        ParamSpec(
            "beta", "float", 8.0, {"zh": "锐度 β", "en": "Sharpness β"}, min=1.0, max=40.0, step=1.0
        ),
        seed_of("投影", "projection"),
    ),
    shows=(patchify, embed_patches, patch_attention),
    facts=FACTS,
)
def vit_patch_attention_demo(
    device: torch.device,
    image: str,
    patch: str,
    query_row: int,
    query_col: int,
    position_weight: float,
    beta: float,
    seed: int,
) -> Result:
    """Every patch attends to every patch; without and with the 2-D position code."""
    P = int(patch)
    img = torch.tensor(load_image(image)).to(device)  # (H, W, 3)
    rows, cols = img.shape[0] // P, img.shape[1] // P
    patches = patchify(img, P)  # (G, P·P·3)
    heads = [
        patch_attention(embed_patches(patches, rows, cols, lam, seed), beta)
        for lam in (0.0, position_weight)
    ]
    weights = torch.stack(heads).cpu()  # (2, G, G)
    r, c = min(query_row, rows - 1), min(query_col, cols - 1)
    query = r * cols + c
    labels = tuple(f"({i // cols},{i % cols})" for i in range(rows * cols))
    shown = image if image == "synthetic" or sample_image_path() else "synthetic (no sample image)"
    facts = {
        "patches": rows * cols,
        "grid": f"{rows}×{cols}",
        "query_patch": labels[query],
        "d_model": D_MODEL,
        "image": shown,
        "self_weight_appearance": round(float(weights[0, query, query]), 4),
        "self_weight_position": round(float(weights[1, query, query]), 4),
    }
    extras = {"image": load_image(image), "grid": (rows, cols), "query": query, "patch": P}
    return Result(
        weights,
        labels,
        labels,
        head_labels=("appearance only (λ = 0)", f"appearance + position (λ = {position_weight:g})"),
        facts=facts,
        extras=extras,
    )
