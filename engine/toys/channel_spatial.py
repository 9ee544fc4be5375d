"""Channel attention (squeeze-and-excitation) and spatial attention (CBAM) over a fixed filter
bank, fitted as a red-square detector and shipped as ``channel_spatial`` (Q21).

    squeeze-and-excitation (Hu et al. 2018):  z_c = mean_{h,w} U_c,   s = σ(W₂ ReLU(W₁ z)),   U'_c = s_c · U_c
    spatial attention (Woo et al. 2018, CBAM):  M = σ(conv_{7×7}([mean_c U'; max_c U'])),   U'' = M ⊙ U'

Shapes: C channels, H × W image, r reduction ratio.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn
from torch.nn import functional as F

from engine import toys
from engine.devices import one_cpu_thread

CHANNELS = (
    "red",
    "green",
    "blue",
    "brightness",
    "horizontal edges",
    "vertical edges",
    "diagonal edges",
    "blobs",
)


def filter_bank(img: torch.Tensor) -> torch.Tensor:
    """C = 8 fixed maps: R, G, B, luminance, |Sobel y|, |Sobel x|, |diagonal|, |Laplacian|.  (B, H, W, 3) → (B, C, H, W)."""
    rgb = img.permute(0, 3, 1, 2)  # (B, 3, H, W)
    lum = 0.299 * rgb[:, :1] + 0.587 * rgb[:, 1:2] + 0.114 * rgb[:, 2:]  # (B, 1, H, W)
    sobel = torch.tensor([[-1.0, -2.0, -1.0], [0.0, 0.0, 0.0], [1.0, 2.0, 1.0]], device=img.device)
    diag = torch.tensor([[-2.0, -1.0, 0.0], [-1.0, 0.0, 1.0], [0.0, 1.0, 2.0]], device=img.device)
    lap = torch.tensor([[0.0, 1.0, 0.0], [1.0, -4.0, 1.0], [0.0, 1.0, 0.0]], device=img.device)
    kernels = torch.stack([sobel, sobel.T, diag, lap]).unsqueeze(1) / 4  # (4, 1, 3, 3)
    edges = F.conv2d(lum, kernels, padding=1).abs()  # (B, 4, H, W)
    return torch.cat([rgb, lum, edges], dim=1)


# z_c = (1/HW) Σ_{h,w} U_c[h, w],   s = σ(W₂ ReLU(W₁ z + b₁) + b₂)
def squeeze_excitation(
    U: torch.Tensor, W1: torch.Tensor, b1: torch.Tensor, W2: torch.Tensor, b2: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """Channel attention.  U (B, C, H, W), W1 (C/r, C), W2 (C, C/r) → (s · U (B, C, H, W), gates s (B, C))."""
    z = U.mean(dim=(2, 3))  # squeeze: (B, C)
    s = torch.sigmoid(torch.relu(z @ W1.T + b1) @ W2.T + b2)  # excitation: (B, C)
    return s[:, :, None, None] * U, s


# M = σ(conv_{k×k}([mean_c U; max_c U]) + b)
def spatial_attention(
    U: torch.Tensor, kernel: torch.Tensor, bias: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """CBAM spatial attention.  U (B, C, H, W), kernel (1, 2, k, k), bias (1,) → (M ⊙ U, map M (B, H, W))."""
    pooled = torch.stack([U.mean(1), U.amax(1)], dim=1)  # (B, 2, H, W)
    M = torch.sigmoid(F.conv2d(pooled, kernel, bias, padding=kernel.size(-1) // 2))[
        :, 0
    ]  # (B, H, W)
    return M.unsqueeze(1) * U, M


@dataclass(frozen=True)
class SEConfig:
    """Sizes and training schedule."""

    reduction: int = 2
    kernel: int = 7
    side: int = 16
    scenes: int = 256
    steps: int = 150
    lr: float = 0.03
    seed: int = 0


class ChannelSpatialNet(nn.Module):
    """filter bank → frozen batch norm → SE → spatial attention → global average pool → linear → logit."""

    def __init__(self, cfg: SEConfig):
        super().__init__()
        C, h = len(CHANNELS), len(CHANNELS) // cfg.reduction
        self.norm = nn.BatchNorm2d(C, affine=False)  # statistics set once from the training scenes
        self.fc1, self.fc2 = nn.Linear(C, h), nn.Linear(h, C)
        self.conv = nn.Conv2d(2, 1, cfg.kernel, padding=cfg.kernel // 2)
        self.head = nn.Linear(C, 1)

    def se(self, U: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        return squeeze_excitation(U, self.fc1.weight, self.fc1.bias, self.fc2.weight, self.fc2.bias)

    def forward(self, img: torch.Tensor) -> dict[str, torch.Tensor]:
        """Features (B, C, H, W), gates (B, C), spatial map (B, H, W) and logit (B,) for images (B, H, W, 3)."""
        U = self.norm(filter_bank(img))
        U1, s = self.se(U)
        U2, M = spatial_attention(U1, self.conv.weight, self.conv.bias)
        return {"features": U, "gates": s, "map": M, "logit": self.head(U2.mean(dim=(2, 3)))[:, 0]}


COLOURS = {
    "red": (0.9, 0.1, 0.1),
    "green": (0.1, 0.75, 0.2),
    "blue": (0.15, 0.25, 0.9),
    "yellow": (0.95, 0.85, 0.1),
    "white": (0.95, 0.95, 0.95),
}


def scene(side: int, positive: bool, g: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """Grey noisy background, three coloured squares (one red iff ``positive``) and a short red bar.

    Returns the image (side, side, 3) and the red square's mask (side, side).
    """
    img = (0.4 + 0.08 * torch.randn(side, side, 1, generator=g)).expand(side, side, 3).clone()
    mask = torch.zeros(side, side)
    others = [c for c in COLOURS if c != "red"]
    picks = torch.randint(0, len(others), (3,), generator=g).tolist()
    colours = (["red"] if positive else [others[picks[0]]]) + [others[i] for i in picks[1:]]
    for name in reversed(colours):  # the first (possibly red) square is drawn last, on top
        k = int(torch.randint(4, 8, (1,), generator=g))  # 4 to 7 pixels, whatever the image size
        r, c = torch.randint(0, side - k, (2,), generator=g).tolist()
        img[r : r + k, c : c + k] = torch.tensor(COLOURS[name])
        mask[r : r + k, c : c + k] = float(name == "red")
    r, c = torch.randint(0, side - 6, (2,), generator=g).tolist()
    img[r, c : c + 6] = torch.tensor(COLOURS["red"])  # red, but not a square
    mask[r, c : c + 6] = 0.0
    return img.clamp(0, 1), mask


VARIANTS = {"channel_spatial": SEConfig()}


@one_cpu_thread()
def train(cfg: SEConfig) -> tuple[ChannelSpatialNet, dict[str, float]]:
    """Fit on ``cfg.scenes`` synthesized scenes in three fast, full-batch stages.

    1. SE + head on "is there a red square?" with the spatial map left out: the pooled
       features are then GAP(s · U) = s ⊙ z, so only the squeezed vectors z (B, C) are needed.
    2. The spatial kernel as a per-pixel logistic regression onto the red square's mask
       (a k × k conv is linear in its weights: fit it on unfolded k × k windows).
    3. The head again, now on GAP(M ⊙ s · U), so the whole forward pass is the one trained.
    """
    g = torch.Generator().manual_seed(cfg.seed)
    y = torch.randint(0, 2, (cfg.scenes,), generator=g).float()
    imgs, masks = zip(*(scene(cfg.side, bool(v), g) for v in y), strict=True)
    raw = filter_bank(torch.stack(imgs))  # (B, C, H, W)
    bce = F.binary_cross_entropy_with_logits

    def build() -> ChannelSpatialNet:
        net = ChannelSpatialNet(cfg)
        net.norm.running_mean, net.norm.running_var = (
            raw.mean(dim=(0, 2, 3)),
            raw.var(dim=(0, 2, 3)),
        )
        return net.eval()  # batch norm uses the stored statistics from here on

    def stage1(net: nn.Module, _: torch.Generator) -> torch.Tensor:  # conv gets no gradient
        U = net.norm(raw)
        return bce(net.head(net.se(U)[1] * U.mean(dim=(2, 3)))[:, 0], y)

    net = toys.fit(build, stage1, cfg.steps, cfg.seed, cfg.lr).requires_grad_(True)
    with torch.no_grad():
        U1 = net.se(net.norm(raw))[0]
        pooled = torch.stack([U1.mean(1), U1.amax(1)], dim=1)  # (B, 2, H, W)
        cols = F.unfold(pooled, cfg.kernel, padding=cfg.kernel // 2)  # (B, 2·k·k, H·W)
        cols = cols.transpose(1, 2).reshape(-1, 2 * cfg.kernel**2)  # (B·H·W, 2·k·k)
    w, b, target = net.conv.weight, net.conv.bias, torch.stack(masks).reshape(-1)
    toys.descend([w, b], lambda: bce(cols @ w.reshape(-1) + b, target), cfg.steps, cfg.lr)
    with torch.no_grad():
        pooled2 = spatial_attention(U1, w, b)[0].mean(dim=(2, 3))  # (B, C)
    head = net.head
    toys.descend(head.parameters(), lambda: bce(head(pooled2)[:, 0], y), cfg.steps, cfg.lr)
    net = net.requires_grad_(False)
    return net, {
        "train_accuracy": ((net(torch.stack(imgs))["logit"] > 0).float() == y).float().mean().item()
    }


def load(device: torch.device | str = "cpu") -> ChannelSpatialNet:
    """The shipped network, on ``device``."""
    return toys.load_state(
        "channel_spatial", ChannelSpatialNet(VARIANTS["channel_spatial"]), device
    )
