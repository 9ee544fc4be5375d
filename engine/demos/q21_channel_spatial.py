"""Q21 — channel attention (squeeze-and-excitation) and spatial attention (CBAM) on an image.

A fixed filter bank turns an RGB image into C feature maps (colours, edges, blobs). Two
attention modules then re-weight them:

    squeeze-and-excitation (Hu et al. 2018):  z_c = mean_{h,w} U_c,   s = σ(W₂ ReLU(W₁ z)),   U'_c = s_c · U_c
    spatial attention (Woo et al. 2018, CBAM):  M = σ(conv_{7×7}([mean_c U'; max_c U'])),   U'' = M ⊙ U'

Both are trained for a few seconds on synthesized scenes to answer "is there a red
square?", so the excitation learns which channels matter and the spatial map where.

Shapes: C channels, H × W image, r reduction ratio.
"""

from __future__ import annotations

import copy
import functools
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from engine.demos.q10_vit_patch_attention import load_image
from engine.registry import ParamSpec, demo
from engine.result import Result

CHANNELS = ("red", "green", "blue", "brightness", "horizontal edges", "vertical edges", "diagonal edges", "blobs")


def filter_bank(img: torch.Tensor) -> torch.Tensor:
    """C = 8 fixed feature maps: R, G, B, luminance, |Sobel y|, |Sobel x|, |diagonal|, |Laplacian|.  (H, W, 3) → (C, H, W)."""
    rgb = img.permute(2, 0, 1)  # (3, H, W)
    lum = (0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2]).unsqueeze(0)  # (1, H, W)
    sobel = torch.tensor([[-1.0, -2.0, -1.0], [0.0, 0.0, 0.0], [1.0, 2.0, 1.0]], device=img.device)
    diag = torch.tensor([[-2.0, -1.0, 0.0], [-1.0, 0.0, 1.0], [0.0, 1.0, 2.0]], device=img.device)
    lap = torch.tensor([[0.0, 1.0, 0.0], [1.0, -4.0, 1.0], [0.0, 1.0, 0.0]], device=img.device)
    kernels = torch.stack([sobel, sobel.T, diag, lap]).unsqueeze(1) / 4  # (4, 1, 3, 3)
    edges = F.conv2d(lum.unsqueeze(0), kernels, padding=1)[0].abs()  # (4, H, W)
    return torch.cat([rgb, lum, edges])


# s = σ(W₂ ReLU(W₁ z + b₁) + b₂),  z_c = (1/HW) Σ_{h,w} U_c[h, w]
def squeeze_excitation(
    U: torch.Tensor, W1: torch.Tensor, b1: torch.Tensor, W2: torch.Tensor, b2: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """Channel attention.  U (C, H, W), W1 (C/r, C), W2 (C, C/r) → (s · U (C, H, W), gates s (C,))."""
    z = U.mean(dim=(1, 2))  # squeeze: (C,)
    s = torch.sigmoid(W2 @ torch.relu(W1 @ z + b1) + b2)  # excitation: (C,)
    return s[:, None, None] * U, s


# M = σ(conv([mean_c U; max_c U])),  one k × k kernel over 2 input maps
def spatial_attention(U: torch.Tensor, kernel: torch.Tensor, bias: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """CBAM spatial attention.  U (C, H, W), kernel (1, 2, k, k), bias (1,) → (M ⊙ U, map M (H, W))."""
    pooled = torch.stack([U.mean(0), U.amax(0)]).unsqueeze(0)  # (1, 2, H, W)
    M = torch.sigmoid(F.conv2d(pooled, kernel, bias, padding=kernel.size(-1) // 2))[0, 0]  # (H, W)
    return M * U, M


@dataclass(frozen=True)
class SEConfig:
    """Sizes and training schedule."""

    reduction: int = 2
    kernel: int = 7
    side: int = 32
    steps: int = 300
    batch: int = 32
    lr: float = 0.02
    seed: int = 0


class ChannelSpatialNet(nn.Module):
    """filter bank → SE → spatial attention → global average pool → linear → logit."""

    def __init__(self, cfg: SEConfig):
        super().__init__()
        C, h = len(CHANNELS), len(CHANNELS) // cfg.reduction
        self.fc1, self.fc2 = nn.Linear(C, h), nn.Linear(h, C)
        self.conv = nn.Conv2d(2, 1, cfg.kernel, padding=cfg.kernel // 2)
        self.head = nn.Linear(C, 1)

    def attend(self, img: torch.Tensor) -> dict[str, torch.Tensor]:
        """Features, gates, spatial map and the logit for one image (H, W, 3)."""
        U = filter_bank(img)
        U1, s = squeeze_excitation(U, self.fc1.weight, self.fc1.bias, self.fc2.weight, self.fc2.bias)
        U2, M = spatial_attention(U1, self.conv.weight, self.conv.bias)
        logit = self.head(U2.mean(dim=(1, 2)))[0]
        return {"features": U, "gates": s, "map": M, "logit": logit}
