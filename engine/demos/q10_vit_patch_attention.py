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

import functools
import importlib.util
import math
from pathlib import Path

import numpy as np
import torch

from engine.attention import scaled_dot_product_attention
from engine.registry import ParamSpec, demo
from engine.result import Result

SIDE = 128  # images are resized to SIDE × SIDE
D_MODEL = 64


def sample_image_path() -> Path | None:
    """Where matplotlib keeps its sample photograph, found without importing matplotlib."""
    spec = importlib.util.find_spec("matplotlib")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = (
        Path(spec.submodule_search_locations[0]) / "mpl-data" / "sample_data" / "grace_hopper.jpg"
    )
    return path if path.is_file() else None


def synthetic_scene(side: int = SIDE) -> np.ndarray:
    """A drawn scene — sky, sun, hills, a house with a red roof — as (side, side, 3) floats in [0, 1]."""
    y, x = np.mgrid[0:side, 0:side] / side
    img = np.stack([0.45 + 0.3 * y, 0.65 + 0.2 * y, 0.95 - 0.1 * y], -1)  # sky gradient
    img[(x - 0.8) ** 2 + (y - 0.2) ** 2 < 0.01] = (1.0, 0.85, 0.2)  # sun
    hill = y > 0.62 + 0.08 * np.sin(6 * x)
    img[hill] = np.stack(
        [0.2 + 0.1 * np.sin(40 * x), 0.55 + 0.1 * np.sin(37 * y), 0.2 + 0 * x], -1
    )[hill]
    img[(x > 0.2) & (x < 0.45) & (y > 0.5) & (y < 0.75)] = (0.9, 0.85, 0.7)  # wall
    img[(y > 0.35) & (y <= 0.5) & (np.abs(x - 0.325) < (y - 0.35) * 1.2)] = (0.75, 0.1, 0.1)  # roof
    img[(x > 0.29) & (x < 0.36) & (y > 0.62) & (y < 0.75)] = (0.35, 0.2, 0.1)  # door
    return img.astype(np.float32)


@functools.cache
def load_image(name: str) -> np.ndarray:
    """The chosen image as (SIDE, SIDE, 3) float32 in [0, 1]; read-only, cached.

    ``grace_hopper``: the top square of matplotlib's 600 × 512 sample photograph, decoded
    with Pillow (matplotlib's own image dependency), area-downsampled. Falls back to the
    synthesized scene when either is missing.
    """
    path = sample_image_path() if name == "grace_hopper" else None
    img = synthetic_scene()
    if path is not None:
        try:
            from PIL import Image  # matplotlib's JPEG decoder; imported only here

            with Image.open(path) as im:
                rgb = np.asarray(im.convert("RGB"), dtype=np.float32) / 255.0  # (600, 512, 3)
            square = torch.tensor(rgb[: rgb.shape[1]]).permute(2, 0, 1)  # (3, 512, 512)
            img = torch.nn.functional.adaptive_avg_pool2d(square, SIDE).permute(1, 2, 0).numpy()
        except (ImportError, OSError):
            pass
    img.setflags(write=False)
    return img


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
        ParamSpec(
            "seed",
            "int",
            0,
            {"zh": "随机种子（投影）", "en": "Random seed (projection)"},
            min=0,
            max=9999,
        ),
    ),
    shows=(patchify, embed_patches, patch_attention),
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
        "patches G": rows * cols,
        "grid": f"{rows}×{cols}",
        "query patch": labels[query],
        "d_model": D_MODEL,
        "image": shown,
        "self weight (appearance)": round(float(weights[0, query, query]), 4),
        "self weight (+ position)": round(float(weights[1, query, query]), 4),
    }
    extras = {"image": load_image(image), "grid": (rows, cols), "query": query, "patch": P}
    return Result(
        weights,
        labels,
        labels,
        head_labels=("appearance only (λ = 0)", f"appearance + position (λ = {position_weight:g})"),
        view="q10_patches",
        facts=facts,
        extras=extras,
    )
