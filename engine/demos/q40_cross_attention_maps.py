"""Q40 — cross-attention beyond translation: prompt tokens over image patches, and resamplers.

In a text-to-image model (Stable Diffusion's U-Net) the image patches are the queries and
the prompt tokens the keys and values; reading the weights per token, a column of that
matrix reshaped to the patch grid, gives each word's map over the image (Prompt-to-Prompt,
DAAM). Here the map is shown from the token's side, tokens as queries over patches, so
each row sums to 1 over the patches. A Perceiver / Q-Former resampler turns the roles
around: m learned latent queries cross-attend to N input features and return m vectors,
whatever N is — m·N scores instead of N² for self-attention over the inputs.
"""

from __future__ import annotations

import math

import torch

from engine.attention import scaled_dot_product_attention
from engine.facts import fact
from engine.params import seed_of
from engine.registry import ParamSpec, demo
from engine.result import Result

COLOURS = ("red", "green", "blue")
SHAPES = ("circle", "square", "cross")
CONCEPTS = (*COLOURS, *SHAPES, "background")
RGB = {"red": (0.85, 0.2, 0.2), "green": (0.2, 0.7, 0.3), "blue": (0.2, 0.35, 0.9)}
D_TEXT, D_IMAGE = 16, 24  # different sizes: keys and values come from another modality


# head_i = softmax((x_q W_Q^i)(x_kv W_K^i)ᵀ · scale) (x_kv W_V^i),   out = Concat(head_i) W_O
def cross_attention(
    x_q: torch.Tensor,
    x_kv: torch.Tensor,
    W: dict[str, torch.Tensor],
    h: int,
    scale: float | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Queries from one sequence, keys/values from another.  (L, d_q), (S, d_kv) → (L, d_q), (h, L, S)."""
    L, S, d = x_q.size(0), x_kv.size(0), W["q"].size(1)
    q = (x_q @ W["q"]).view(L, h, d // h).transpose(0, 1)  # (h, L, d/h)
    k = (x_kv @ W["k"]).view(S, h, d // h).transpose(0, 1)  # (h, S, d/h): W_K is (d_kv, d)
    v = (x_kv @ W["v"]).view(S, h, d // h).transpose(0, 1)  # (h, S, d/h)
    out, w = scaled_dot_product_attention(q, k, v, scale=scale)  # rows over the S inputs sum to 1
    return out.transpose(0, 1).reshape(L, d) @ W["o"], w


def concept_vectors(dim: int, seed: int) -> torch.Tensor:
    """Orthonormal rows, one per concept (QR of a seeded Gaussian).  → (concepts, dim)."""
    g = torch.Generator().manual_seed(seed)
    qr, _ = torch.linalg.qr(torch.randn(dim, len(CONCEPTS), generator=g))
    return qr.T.contiguous()


def scene(grid: int, seed: int) -> tuple[list[tuple[str, str, int, int]], torch.Tensor]:
    """Two objects (colour, shape, row, col), each 2 × 2 patches, and a label map.  → objects, (grid, grid) int."""
    g = torch.Generator().manual_seed(seed)
    colours, shapes = torch.randperm(3, generator=g)[:2], torch.randperm(3, generator=g)[:2]
    labels, objects = torch.full((grid, grid), -1), []
    while len(objects) < 2:
        r, c = (int(x) for x in torch.randint(0, grid - 1, (2,), generator=g))
        if bool((labels[r : r + 2, c : c + 2] == -1).all()):
            labels[r : r + 2, c : c + 2] = len(objects)
            objects.append((COLOURS[colours[len(objects)]], SHAPES[shapes[len(objects)]], r, c))
    return objects, labels


def patch_features(
    objects: list, labels: torch.Tensor, C_img: torch.Tensor, seed: int
) -> torch.Tensor:
    """Each patch: its colour + shape concept vectors (background otherwise) + small noise.  → (N, d_image)."""
    idx = {c: i for i, c in enumerate(CONCEPTS)}
    rows = []
    for lab in labels.flatten().tolist():
        if lab < 0:
            rows.append(C_img[idx["background"]])
        else:
            colour, shape = objects[lab][:2]
            rows.append(C_img[idx[colour]] + C_img[idx[shape]])
    g = torch.Generator().manual_seed(seed + 1)
    return torch.stack(rows) + 0.05 * torch.randn(len(rows), C_img.size(1), generator=g)


def prompt_tokens(objects: list) -> list[str]:
    """'a red circle and a blue square' for the scene's two objects."""
    (c1, s1, *_), (c2, s2, *_) = objects
    return ["a", c1, s1, "and", "a", c2, s2]


def aligned_projections(
    C_txt: torch.Tensor, C_img: torch.Tensor, seed: int
) -> dict[str, torch.Tensor]:
    """W_K maps each image concept onto its word (C_img W_K = C_txt), as training would align them."""
    g = torch.Generator().manual_seed(seed + 2)
    d = C_txt.size(1)
    return {
        "q": torch.eye(d),
        "k": torch.linalg.pinv(C_img) @ C_txt,  # (d_image, d_text)
        "v": torch.randn(C_img.size(1), d, generator=g) / math.sqrt(C_img.size(1)),
        "o": torch.eye(d),
    }


def resampler(x: torch.Tensor, m: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """m latent queries (seeded; learned in Flamingo / BLIP-2) read N inputs.  (N, d_image) → (m, d), (m, N)."""
    g = torch.Generator().manual_seed(seed + 3)
    d = D_TEXT
    latents = torch.randn(m, d, generator=g)  # (m, d)
    W = {k: torch.randn(a, d, generator=g) / math.sqrt(a) for k, a in (("q", d), ("k", x.size(1)), ("v", x.size(1)), ("o", d))}  # fmt: skip
    out, w = cross_attention(latents, x, W, h=1)
    return out, w[0]


FACTS = {
    "patches": fact("图像块数 N", "patches N"),
    "tokens": fact("提示词元数", "prompt tokens"),
    "latents": fact("潜在查询数 m", "latent queries m"),
    "resampled_shape": fact("重采样器输出的形状", "shape of the resampler's output"),
    "mass_on_own_object_min": fact(
        "颜色与形状词落在自己物体上的权重（最小值）",
        "weight a colour or shape word puts on its own object (minimum)",
    ),
    "scores_resampler": fact("重采样器的分数个数 m·N", "scores of the resampler m·N"),
    "scores_self_attention": fact("图像块自注意力的分数个数 N²", "scores of self-attention N²"),
}


@demo(
    "cross_attention_maps",
    title={"zh": "翻译之外的交叉注意力：文本对图像块、重采样器", "en": "Cross-attention beyond translation: text over image patches, resamplers"},
    params=(
        ParamSpec("grid", "int", 6, {"zh": "图像块网格边长", "en": "Patch grid side"}, min=4, max=10, step=1),
        ParamSpec("sharpness", "float", 12.0, {"zh": "锐度（乘在 1/√d 上）", "en": "Sharpness (times 1/√d)"}, min=0.5, max=24.0, step=0.5),
        ParamSpec("n_latents", "choice", "8", {"zh": "潜在查询数 m", "en": "Latent queries m"}, choices=("4", "8", "16", "32")),
        seed_of("场景", "scene"),
    ),
    shows=(cross_attention, aligned_projections, resampler),
    facts=FACTS,
)  # fmt: skip
def cross_attention_maps_demo(
    device: torch.device, grid: int, sharpness: float, n_latents: str, seed: int
) -> Result:
    """Each prompt token's attention over the patches of a toy scene, and a latent resampler's."""
    C_txt, C_img = concept_vectors(D_TEXT, seed), concept_vectors(D_IMAGE, seed + 7)
    objects, labels = scene(grid, seed)
    x_img = patch_features(objects, labels, C_img, seed)  # (N, d_image)
    words = prompt_tokens(objects)
    idx = {c: i for i, c in enumerate(CONCEPTS)}
    x_txt = torch.stack([C_txt[idx.get(w, idx["background"])] for w in words])  # (T, d_text)
    W = aligned_projections(C_txt, C_img, seed)
    scale = sharpness / math.sqrt(D_TEXT)
    _, w = cross_attention(
        x_txt.to(device), x_img.to(device), {k: t.to(device) for k, t in W.items()}, 1, scale
    )
    w = w.cpu()  # (1, T, N)
    m = int(n_latents)
    z, w_lat = resampler(x_img, m, seed)
    N = grid * grid
    inside = [float(w[0, t][(labels.flatten() == (0 if t < 3 else 1))].sum()) for t in (1, 2, 5, 6)]
    facts = {
        "patches": N, "tokens": len(words), "latents": m,
        "resampled_shape": f"{z.size(0)} × {z.size(1)}",
        "mass_on_own_object_min": round(min(inside), 4),
        "scores_resampler": m * N, "scores_self_attention": N * N,
    }  # fmt: skip
    image = torch.full((grid, grid, 3), 0.93)
    for i, (colour, *_) in enumerate(objects):
        image[labels == i] = torch.tensor(RGB[colour])
    extras = {"maps": w[0].view(len(words), grid, grid), "image": image, "objects": objects,
              "labels": labels, "latent_weights": w_lat, "grid": grid}  # fmt: skip
    patch_labels = tuple(f"{r},{c}" for r in range(grid) for c in range(grid))
    return Result(
        w, tuple(words), patch_labels, head_labels=("text → image",), facts=facts, extras=extras
    )
