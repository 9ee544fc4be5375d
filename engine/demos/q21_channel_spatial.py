"""Q21 — channel attention (squeeze-and-excitation) and spatial attention (CBAM) on an image.

A fixed filter bank turns an RGB image into C feature maps (colours, edges, blobs). Two
attention modules then re-weight them:

    squeeze-and-excitation (Hu et al. 2018):  z_c = mean_{h,w} U_c,   s = σ(W₂ ReLU(W₁ z)),   U'_c = s_c · U_c
    spatial attention (Woo et al. 2018, CBAM):  M = σ(conv_{7×7}([mean_c U'; max_c U'])),   U'' = M ⊙ U'

Both were fitted once on synthesized scenes with one red square or none (see
:mod:`engine.toys.channel_spatial`), so the excitation learns which channels matter and the spatial map where.

Shapes: C channels, H × W image, r reduction ratio.
"""

from __future__ import annotations

import torch

from engine.facts import fact
from engine.images import load_image
from engine.params import seed_of
from engine.registry import ParamSpec, demo
from engine.result import Result
from engine.toys.channel_spatial import (
    CHANNELS,
    SEConfig,
    filter_bank,
    load,
    scene,
    spatial_attention,
    squeeze_excitation,
)


def demo_image(image: str, red_square: bool, seed: int) -> torch.Tensor:
    """A 32 × 32 scene (from ``seed``, with or without a red square), or a 128 × 128 image of Q10.  → (H, W, 3)."""
    if image == "scene":
        return scene(32, red_square, torch.Generator().manual_seed(seed))[0]
    return torch.tensor(load_image(image))


FACTS = {
    "channels": fact("通道数 C", "channels C"),
    "reduction": fact("压缩比 r", "reduction r"),
    "image": fact("图像尺寸", "image size"),
    "p_red_square": fact("P(有红色方块)", "P(red square)"),
    "strongest_gate": fact("门控最强的通道", "strongest gate"),
    "weakest_gate": fact("门控最弱的通道", "weakest gate"),
}


@demo(
    "channel_spatial",
    title={
        "zh": "通道注意力（SE）与空间注意力（CBAM）",
        "en": "Channel (SE) and spatial (CBAM) attention",
    },
    params=(
        ParamSpec(
            "image",
            "choice",
            "scene",
            {"zh": "图像", "en": "Image"},
            choices=("scene", "grace_hopper", "synthetic"),
        ),
        ParamSpec(
            "red_square", "bool", True, {"zh": "场景中有红色方块", "en": "Scene has a red square"}
        ),
        seed_of("场景", "scene"),
    ),
    shows=(filter_bank, squeeze_excitation, spatial_attention),
    facts=FACTS,
)
def channel_spatial_demo(device: torch.device, image: str, red_square: bool, seed: int) -> Result:
    """Excitation gates per channel and the spatial map of the trained red-square detector on one image."""
    img = demo_image(image, red_square, seed).to(device)
    out = {k: v[0].cpu() for k, v in load(device)(img.unsqueeze(0)).items()}
    s = out["gates"]  # (C,) each in (0, 1), not a distribution
    weights = (s / s.sum()).reshape(1, 1, -1)  # (1, 1, C): each channel's share of the excitation
    facts = {
        "channels": len(CHANNELS),
        "reduction": SEConfig().reduction,
        "image": f"{img.shape[0]}×{img.shape[1]}",
        "p_red_square": round(float(torch.sigmoid(out["logit"])), 3),
        "strongest_gate": CHANNELS[int(s.argmax())],
        "weakest_gate": CHANNELS[int(s.argmin())],
    }
    extras = {
        "image": img.cpu().numpy(),
        "gates": s.numpy(),
        "map": out["map"].numpy(),
        "features": out["features"].numpy(),
    }
    return Result(
        weights,
        ("image",),
        CHANNELS,
        head_labels=("SE gates, normalised",),
        facts=facts,
        extras=extras,
    )
