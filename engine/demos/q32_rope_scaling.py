"""Q32 — rotary position embeddings (RoPE) and stretching them past the training length.

RoPE rotates each pair of query/key coordinates (x_{2i}, x_{2i+1}) by the angle m·θ_i, m the
position, θ_i = base^(−2i/d). A rotation by mθ dotted with one by nθ is a rotation by (m − n)θ,
so the score depends on positions only through their difference. Used beyond the training
length L, the slow pairs turn through angles never seen in training; position interpolation
(PI), NTK-aware scaling and YaRN each change θ so that the angles stay in the trained range.
"""

from __future__ import annotations

import math

import torch

from engine.facts import fact
from engine.masks import causal_mask
from engine.registry import ParamSpec, demo
from engine.result import Result

METHODS = ("none", "pi", "ntk", "yarn")
LOGIT_AT_0 = 4.0  # heat maps: the score of a token with itself, before YaRN's factor
YARN_ALPHA, YARN_BETA = 1.0, 32.0  # YaRN's defaults: ramp between 1 and 32 rotations over L


# θ_i = base^(−2i/d),  i = 0 … d/2 − 1
def rope_frequencies(d: int, base: float = 10000.0) -> torch.Tensor:
    """Rotation speed of each coordinate pair, fastest first.  → (d/2,)."""
    if d % 2:
        raise ValueError(f"head size d must be even for RoPE, got {d}")
    return base ** (-torch.arange(0, d, 2, dtype=torch.float64) / d)


# R(m)x:  (x_{2i}, x_{2i+1}) → (x_{2i} cos mθ_i − x_{2i+1} sin mθ_i,  x_{2i} sin mθ_i + x_{2i+1} cos mθ_i)
def rotate(x: torch.Tensor, positions: torch.Tensor, theta: torch.Tensor) -> torch.Tensor:
    """Each pair of x rotated by position · θ_i.  x (..., L, d), positions (L,), θ (d/2,) → (..., L, d)."""
    angle = (positions.to(theta.dtype)[:, None] * theta[None, :]).to(x.dtype)  # (L, d/2)
    cos, sin = angle.cos(), angle.sin()
    x1, x2 = x[..., 0::2], x[..., 1::2]  # (..., L, d/2): the two coordinates of each pair
    out = torch.stack([x1 * cos - x2 * sin, x1 * sin + x2 * cos], dim=-1)  # (..., L, d/2, 2)
    return out.flatten(-2)


# score(m, n) = (R(m) q)·(R(n) k) · a² / √d = Re Σ_i q̃_i conj(k̃_i) e^{i(m−n)θ_i} · a² / √d
def rope_scores(
    q: torch.Tensor,
    k: torch.Tensor,
    pos_q: torch.Tensor,
    pos_k: torch.Tensor,
    theta: torch.Tensor,
    attention_factor: float = 1.0,
) -> torch.Tensor:
    """Scaled dot products of rotated queries and keys.  (..., L, d), (..., S, d) → (..., L, S)."""
    a = attention_factor  # YaRN multiplies both q and k by a, so the logits by a²
    qr, kr = rotate(q, pos_q, theta) * a, rotate(k, pos_k, theta) * a
    return qr @ kr.transpose(-2, -1) / math.sqrt(q.size(-1))


# PI: θ'_i = θ_i / s  (positions m·L/L');   NTK-aware: base' = base · s^{d/(d−2)}
# YaRN: r_i = L / λ_i (λ_i = 2π/θ_i),  θ'_i = (1 − γ_i) θ_i / s + γ_i θ_i,  γ: 0 below r = α, 1 above r = β;
#       logits × a²,  a = √(1/t) = 0.1 ln s + 1
def scaled_frequencies(
    method: str, d: int, base: float, s: float, train_len: int
) -> tuple[torch.Tensor, float]:
    """θ' for a context stretched by s, and the attention factor a.  → (d/2,), float."""
    theta = rope_frequencies(d, base)
    if method == "none" or s == 1.0:
        return theta, 1.0
    if method == "pi":
        return theta / s, 1.0
    if method == "ntk":
        return rope_frequencies(d, base * s ** (d / (d - 2))), 1.0
    if method != "yarn":
        raise ValueError(f"method must be one of {', '.join(METHODS)}, got {method!r}")
    gamma = yarn_ramp(d, base, train_len)  # 1 = keep (fast pairs), 0 = interpolate (slow pairs)
    return (1 - gamma) * theta / s + gamma * theta, 0.1 * math.log(s) + 1.0


# pair i turns r(i) = L θ_i / 2π times over L;  r(i) = ρ  ⇔  i = d · ln(L / 2πρ) / (2 ln base)
def yarn_ramp(d: int, base: float, train_len: int) -> torch.Tensor:
    """γ_i of YaRN's reference code: 1 up to the pair turning β times, 0 from the one turning α times.  → (d/2,)."""
    # linear in the pair index i between the two (the paper writes the same ramp over r)

    def pair_turning(rho: float) -> float:
        return d * math.log(train_len / (2 * math.pi * rho)) / (2 * math.log(base))

    low = max(math.floor(pair_turning(YARN_BETA)), 0)
    high = min(math.ceil(pair_turning(YARN_ALPHA)), d - 1)
    high = high + 0.001 if high == low else high  # as the reference code: no division by 0
    i = torch.arange(d // 2, dtype=torch.float64)
    return 1 - ((i - low) / (high - low)).clamp(0, 1)


# score of a query and key that are equal, all pairs (1, 0)/√(d/2) · √d:  (2/d) Σ_i cos(Δ θ'_i) · a²
def offset_curve(
    theta: torch.Tensor, offsets: torch.Tensor, attention_factor: float
) -> torch.Tensor:
    """Normalised score versus offset Δ = m − n (1 at Δ = 0 without YaRN's factor).  → (len(offsets),)."""
    return torch.cos(offsets[:, None].double() * theta[None, :]).mean(-1) * attention_factor**2


# overshoot = max over pairs with L θ_i < 2π of  (s L θ'_i) / (L θ_i)   (1 = no angle beyond training)
def angle_overshoot(theta: torch.Tensor, theta0: torch.Tensor, s: float, train_len: int) -> float:
    """How far past its largest trained angle a pair that never completed a turn in training turns at s·L."""
    short_of_a_turn = train_len * theta0 < 2 * math.pi  # these pairs only saw angles in [0, L θ_i]
    ratio = (s * theta / theta0)[short_of_a_turn]
    return float(ratio.max()) if ratio.numel() else 1.0


NAMES = {
    "none": {"zh": "原始 RoPE", "en": "plain RoPE"},
    "pi": {"zh": "位置插值 PI", "en": "position interpolation"},
    "ntk": {"zh": "NTK-aware", "en": "NTK-aware"},
    "yarn": {"zh": "YaRN", "en": "YaRN"},
}

FACTS = {
    "train_len": fact("训练长度 L", "training length L"),
    "stretched_len": fact("扩展后的长度 s·L", "stretched length s·L"),
    "angle_overshoot_{method}": fact(
        "{method}：慢维度对在 s·L 处的角度 ÷ 训练中的最大角度",
        "{method}: slow pairs' angle at s·L ÷ their largest trained angle",
        names=NAMES,
    ),
    "attention_factor_{method}": fact(
        "{method} 的注意力温度因子", "attention factor of {method}", names=NAMES
    ),
    "ntk_base": fact("NTK-aware 放大后的底数 base′", "NTK-aware's enlarged base′"),
}


@demo(
    "rope_scaling",
    title={
        "zh": "旋转位置编码与长上下文缩放",
        "en": "Rotary position embeddings and long-context scaling",
    },
    params=(
        ParamSpec(
            "head_dim",
            "int",
            64,
            {"zh": "每头维度 d", "en": "Head size d"},
            min=16,
            max=128,
            step=16,
        ),
        ParamSpec(
            "base",
            "choice",
            "10000",
            {"zh": "底数 base", "en": "Base"},
            choices=("10000", "500000"),
        ),
        ParamSpec(
            "train_len",
            "int",
            512,
            {"zh": "训练长度 L", "en": "Training length L"},
            min=64,
            max=4096,
            step=64,
        ),
        ParamSpec(
            "scale",
            "float",
            4.0,
            {"zh": "扩展倍数 s", "en": "Stretch factor s"},
            min=1.0,
            max=16.0,
            step=0.5,
        ),
        ParamSpec(
            "n_tokens",
            "int",
            12,
            {"zh": "热图词元数", "en": "Tokens in the heat maps"},
            min=4,
            max=24,
            step=1,
        ),
    ),
    shows=(rotate, rope_scores, scaled_frequencies, yarn_ramp, offset_curve, angle_overshoot),
    facts=FACTS,
)
def rope_scaling_demo(
    device: torch.device, head_dim: int, base: str, train_len: int, scale: float, n_tokens: int
) -> Result:
    """Score versus offset up to s·L for each scaling method, and causal RoPE attention over s·L."""
    d, b, L, s = head_dim, float(base), train_len, scale
    positions = torch.linspace(0, s * L - 1, n_tokens, device=device).round()  # spread over s·L
    x = torch.zeros(1, n_tokens, d, device=device)
    x[..., 0::2] = 1.0 / math.sqrt(d / 2)  # the same content at every position: unit pairs (1, 0)
    x = x * math.sqrt(LOGIT_AT_0 * math.sqrt(d))  # score at offset 0: LOGIT_AT_0 (a soft softmax)
    offsets = torch.arange(0, int(s * L) + 1)  # every offset up to s·L
    theta0 = rope_frequencies(d, b)
    weights, curves, thetas = [], {}, {}
    facts = {"train_len": L, "stretched_len": int(s * L)}
    allowed = causal_mask(n_tokens, device=device)
    for m in METHODS:
        theta, a = scaled_frequencies(m, d, b, s, L)
        scores = rope_scores(x, x, positions, positions, theta.to(device), a)  # (1, n, n)
        w = torch.softmax(scores.masked_fill(~allowed, -torch.inf), dim=-1)
        weights.append(w[0])
        curves[m], thetas[m] = offset_curve(theta, offsets, a).float(), theta.float()
        facts[f"angle_overshoot_{m}"] = round(angle_overshoot(theta, theta0, s, L), 4)
        facts[f"attention_factor_{m}"] = round(a, 4)
    facts["ntk_base"] = round(b * s ** (d / (d - 2)), 1)
    labels = tuple(str(int(p)) for p in positions.tolist())
    extras = {"offsets": offsets, "curves": curves, "theta": thetas, "train_len": L, "scale": s}
    heads = tuple(NAMES[m]["en"] for m in METHODS)
    return Result(
        torch.stack(weights).cpu(), labels, labels, head_labels=heads, facts=facts, extras=extras
    )
