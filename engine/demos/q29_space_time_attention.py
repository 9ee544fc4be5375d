"""Q29 — divided space–time attention (TimeSformer, Bertasius et al. 2021) on a synthetic video.

A video of T frames is cut into P patches per frame. Joint space–time attention lets each
of the T·P patches attend to all T·P; divided attention does it in two cheaper steps:

    temporal:  x'_{t,p} = [x_{t,p} +] Σ_{t'} softmax_{t'}(q_{t,p} · k_{t',p} / √d) v_{t',p}   (same place, all frames)
    spatial:   y_{t,p}  = Σ_{p'} softmax_{p'}(q'_{t,p} · k'_{t,p'} / √d) v'_{t,p'}              (same frame, all places)

The two steps compose to an effective attention A = A_space · A_time from every patch to
every patch, which is what lets the bright square's patch "see" the square in other frames
even though no single step compares different places at different times: a background
patch on the square's path attends, over time, to the frame where the square passes it,
and the square's patch then attends, in space, to those patches. TimeSformer keeps the
residual [x +]; with it the square's own features dominate the spatial step of this single
untrained layer, so it is a switch here. Costs per layer: joint (TP)², divided T·P² + P·T².

Shapes: T frames, P = G² patches of S × S pixels, d size.
"""

from __future__ import annotations

import math

import torch

from engine.attention import scaled_dot_product_attention
from engine.facts import fact
from engine.i18n import bi
from engine.params import SEED
from engine.registry import ParamSpec, demo
from engine.result import Result

GRID, PATCH, D_MODEL = 6, 8, 32  # 6 × 6 patches of 8 × 8 pixels: 48 × 48 frames


def bounce(t: int, n: int) -> int:
    """Position at step t going 0, 1, …, n−1, n−2, …, 0, 1, … (bouncing between the walls)."""
    period = 2 * (n - 1)
    k = t % period
    return k if k < n else period - k


def object_cell(t: int, path: str) -> tuple[int, int]:
    """(row, col) of the square in frame t for a path: horizontal, vertical or diagonal."""
    s = bounce(t, GRID)
    return {"horizontal": (2, s), "vertical": (s, 3), "diagonal": (s, s)}[path]


def synthetic_video(T: int, path: str, seed: int) -> torch.Tensor:
    """A bright square moving one patch per frame over a dim, textured, flickering background.  → (T, H, W)."""
    g = torch.Generator().manual_seed(seed)
    side = GRID * PATCH
    background = 0.25 + 0.06 * torch.randn(side, side, generator=g)  # fixed texture
    video = background + 0.02 * torch.randn(T, side, side, generator=g)  # sensor noise per frame
    for t in range(T):
        r, c = object_cell(t, path)
        video[t, r * PATCH : (r + 1) * PATCH, c * PATCH : (c + 1) * PATCH] = 0.95
    return video.clamp(0, 1)


def embed_video(video: torch.Tensor, seed: int) -> torch.Tensor:
    """x_{t,p} = E · vec(patch_{t,p}), E ~ N(0, 1/d) from ``seed``.  (T, H, W) → (T, P, d)."""
    T, H, W = video.shape
    g = torch.Generator().manual_seed(seed + 1)
    E = (torch.randn(PATCH * PATCH, D_MODEL, generator=g) / math.sqrt(D_MODEL)).to(video.device)
    patches = video.reshape(T, GRID, PATCH, GRID, PATCH).permute(0, 1, 3, 2, 4)  # (T, G, G, S, S)
    return patches.reshape(T, GRID * GRID, PATCH * PATCH) @ E  # (T, P, d)


def divided_attention(
    x: torch.Tensor, residual: bool
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Temporal then spatial self-attention (Q = K = V = x).  (T, P, d) → y (T, P, d), temporal (P, T, T), spatial (T, P, P)."""
    xt = x.transpose(0, 1)  # (P, T, d): one sequence over time per place
    out_t, w_time = scaled_dot_product_attention(xt, xt, xt)
    x2 = out_t.transpose(0, 1) + (x if residual else 0)  # back to (T, P, d)
    y, w_space = scaled_dot_product_attention(x2, x2, x2)  # one sequence over places per frame
    return y, w_time, w_space


def as_token_matrices(
    w_time: torch.Tensor, w_space: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """Both steps as (T·P, T·P) matrices over tokens i = t·P + p.

    A_time[(t,p), (t',p)] = w_time[p, t, t'],   A_space[(t,p), (t,p')] = w_space[t, p, p'].
    """
    P, T, _ = w_time.shape
    I_P, I_T = torch.eye(P, device=w_time.device), torch.eye(T, device=w_time.device)
    a_time = torch.einsum("ptu,pq->tpuq", w_time, I_P).reshape(T * P, T * P)
    a_space = torch.einsum("tpq,tu->tpuq", w_space, I_T).reshape(T * P, T * P)
    return a_time, a_space


FACTS = {
    "patches_per_frame": fact("每帧块数 P", "patches per frame P"),
    "tokens": fact("词元数 T·P", "tokens T·P"),
    "query": fact("查询", "query"),
    "{kind}_frames_on_square": fact(
        "{kind}：最大权重落在方块上的帧",
        "{kind}: frames whose argmax is the square",
        names={
            "divided": bi("分解注意力", "divided"),
            "joint": bi("联合注意力", "joint"),
        },
    ),
    "scores_joint": fact("每层分数个数，联合 (T·P)²", "scores per layer, joint (T·P)²"),
    "scores_divided": fact(
        "每层分数个数，分解 T·P² + P·T²", "scores per layer, divided T·P² + P·T²"
    ),
}


@demo(
    "space_time_attention",
    title={
        "zh": "视频的时空分离注意力（TimeSformer）",
        "en": "Divided space–time attention (TimeSformer)",
    },
    params=(
        ParamSpec("frames", "int", 8, {"zh": "帧数 T", "en": "Frames T"}, min=3, max=12),
        ParamSpec(
            "path",
            "choice",
            "horizontal",
            {"zh": "运动路径", "en": "Motion path"},
            choices=("horizontal", "vertical", "diagonal"),
        ),
        ParamSpec(
            "query_frame",
            "int",
            0,
            {"zh": "查询帧（方块所在块）", "en": "Query frame (the square's patch)"},
            min=0,
            max=11,
        ),
        ParamSpec(
            "residual",
            "bool",
            False,
            {"zh": "时间步后的残差连接", "en": "Residual after the temporal step"},
        ),
        SEED,
    ),
    shows=(divided_attention, as_token_matrices, embed_video),
    facts=FACTS,
)
def space_time_attention_demo(
    device: torch.device, frames: int, path: str, query_frame: int, residual: bool, seed: int
) -> Result:
    """Temporal, spatial, their composition, and joint attention over all T·P patches."""
    T, P = frames, GRID * GRID
    video = synthetic_video(T, path, seed).to(device)
    x = embed_video(video, seed)  # (T, P, d)
    _, w_time, w_space = divided_attention(x, residual)
    a_time, a_space = as_token_matrices(w_time, w_space)
    flat = x.reshape(T * P, D_MODEL)
    _, a_joint = scaled_dot_product_attention(flat, flat, flat)  # (T·P, T·P)
    weights = torch.stack([a_time, a_space, a_space @ a_time, a_joint]).cpu()  # (4, T·P, T·P)
    qf = min(query_frame, T - 1)
    r, c = object_cell(qf, path)
    query = qf * P + r * GRID + c
    track = [object_cell(t, path) for t in range(T)]
    facts: dict[str, int | str] = {
        "frames": T,
        "patches_per_frame": P,
        "tokens": T * P,
        "query": f"frame {qf}, patch ({r},{c})",
    }
    for h, name in ((2, "divided"), (3, "joint")):
        row = weights[h, query].reshape(T, P)  # (T, P): the query's attention, frame by frame
        hits = sum(int(row[t].argmax()) == a * GRID + b for t, (a, b) in enumerate(track))
        facts[f"{name}_frames_on_square"] = f"{hits}/{T}"
    facts |= {
        "scores_joint": (T * P) ** 2,
        "scores_divided": T * P * P + P * T * T,
    }
    labels = tuple(f"t{t}({p // GRID},{p % GRID})" for t in range(T) for p in range(P))
    return Result(
        weights,
        labels,
        labels,
        head_labels=("temporal", "spatial", "divided: space · time", "joint space–time"),
        facts=facts,
        extras={"video": video.cpu().numpy(), "query": query, "track": tuple(track), "grid": GRID},
    )
