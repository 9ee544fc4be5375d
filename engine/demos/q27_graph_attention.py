"""Q27 — graph attention (GAT, Veličković et al. 2018) on a small knowledge graph.

Every entity attends only to its neighbours (and itself); per head k:

    e_ij = LeakyReLU(aᵀ [W h_i ‖ W h_j]),   α_ij = softmax_{j ∈ N(i)} e_ij,   h'_i = ‖_k σ(Σ_j α_ij W h_j)

Node features h are bags of attributes (entity type and domain), so the coefficients are
computed from real descriptions of the entities; W and a are drawn from a seed (Glorot),
as a GAT layer is before training.

Shapes: N nodes, F input features, F' output features per head, K heads.
"""

from __future__ import annotations

import math

import torch
from torch.nn import functional as F

from engine.facts import fact
from engine.params import seed_of
from engine.registry import ParamSpec, demo
from engine.result import Result
from engine.softmax import stable_softmax

ATTRIBUTES = (
    "person",
    "place",
    "field",
    "award",
    "institution",
    "element",
    "physics",
    "chemistry",
    "France",
    "Poland",
)
ENTITIES: dict[str, tuple[str, ...]] = {  # name → attributes (a bag of words)
    "Marie Curie": ("person", "physics", "chemistry", "France", "Poland"),
    "Pierre Curie": ("person", "physics", "France"),
    "Irène Joliot-Curie": ("person", "chemistry", "France"),
    "Nobel Prize in Physics": ("award", "physics"),
    "Nobel Prize in Chemistry": ("award", "chemistry"),
    "radium": ("element", "chemistry"),
    "polonium": ("element", "chemistry", "Poland"),
    "radioactivity": ("field", "physics"),
    "University of Paris": ("institution", "France"),
    "Warsaw": ("place", "Poland"),
    "Paris": ("place", "France"),
}
RELATIONS = (  # (subject, relation, object); edges are used in both directions
    ("Marie Curie", "spouse", "Pierre Curie"),
    ("Marie Curie", "child", "Irène Joliot-Curie"),
    ("Marie Curie", "won", "Nobel Prize in Physics"),
    ("Marie Curie", "won", "Nobel Prize in Chemistry"),
    ("Pierre Curie", "won", "Nobel Prize in Physics"),
    ("Irène Joliot-Curie", "won", "Nobel Prize in Chemistry"),
    ("Marie Curie", "discovered", "radium"),
    ("Marie Curie", "discovered", "polonium"),
    ("Pierre Curie", "discovered", "radium"),
    ("Marie Curie", "studied", "radioactivity"),
    ("Pierre Curie", "studied", "radioactivity"),
    ("Marie Curie", "worked at", "University of Paris"),
    ("Pierre Curie", "worked at", "University of Paris"),
    ("Marie Curie", "born in", "Warsaw"),
    ("polonium", "named after", "Warsaw"),
    ("University of Paris", "located in", "Paris"),
    ("Pierre Curie", "born in", "Paris"),
)
NAMES = tuple(ENTITIES)


def node_features() -> torch.Tensor:
    """h_i = multi-hot attributes of entity i, scaled to unit length.  → (N, F)."""
    h = torch.tensor([[float(a in attrs) for a in ATTRIBUTES] for attrs in ENTITIES.values()])
    return h / h.norm(dim=1, keepdim=True)


def adjacency(self_loops: bool = True) -> torch.Tensor:
    """allowed[i, j] = (i, j) is a relation in either direction (or i = j).  → (N, N) bool."""
    N = len(NAMES)
    adj = torch.zeros(N, N, dtype=torch.bool)
    for s, _, o in RELATIONS:
        i, j = NAMES.index(s), NAMES.index(o)
        adj[i, j] = adj[j, i] = True
    return adj | torch.eye(N, dtype=torch.bool) if self_loops else adj


# e_ij = LeakyReLU(aᵀ [W h_i ‖ W h_j]) = LeakyReLU(a₁ᵀ W h_i + a₂ᵀ W h_j),  α_ij = softmax over j ∈ N(i)
def gat_layer(
    h: torch.Tensor, adj: torch.Tensor, W: torch.Tensor, a: torch.Tensor, slope: float = 0.2
) -> tuple[torch.Tensor, torch.Tensor]:
    """One multi-head GAT layer.  h (N, F), adj (N, N) bool, W (K, F, F'), a (K, 2F') → (N, K·F'), α (K, N, N)."""
    K, _, Fp = W.shape
    Wh = torch.einsum("nf,kfo->kno", h, W)  # (K, N, F')
    src = Wh @ a[:, :Fp].unsqueeze(-1)  # a₁ᵀ W h_i: (K, N, 1)
    dst = Wh @ a[:, Fp:].unsqueeze(-1)  # a₂ᵀ W h_j: (K, N, 1)
    e = F.leaky_relu(src + dst.transpose(1, 2), slope)  # (K, N, N)
    alpha = stable_softmax(e, dim=-1, mask=adj.expand_as(e))  # non-neighbours get exactly 0
    out = F.elu(alpha @ Wh)  # (K, N, F')
    return out.transpose(0, 1).reshape(h.size(0), K * Fp), alpha  # concatenate heads


def glorot_params(K: int, F_in: int, F_out: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """W (K, F, F') and a (K, 2F') ~ Glorot-uniform, drawn on the CPU from ``seed``."""
    g = torch.Generator().manual_seed(seed)
    bw, ba = math.sqrt(6 / (F_in + F_out)), math.sqrt(6 / (2 * F_out + 1))
    W = (torch.rand(K, F_in, F_out, generator=g) * 2 - 1) * bw
    a = (torch.rand(K, 2 * F_out, generator=g) * 2 - 1) * ba
    return W, a


FACTS = {
    "nodes": fact("节点数 N", "nodes N"),
    "directed_edges": fact("有向边数", "directed edges"),
    "features_in_out": fact("特征维度 F → F′", "features F → F′"),
    "focus_neighbours": fact("焦点节点的邻居数", "neighbours of the focus"),
    "focus_top_neighbour": fact(
        "焦点最关注的邻居（头 1，不含自身）", "focus attends most to (head 1, not itself)"
    ),
}


@demo(
    "graph_attention",
    title={"zh": "知识图谱上的图注意力（GAT）", "en": "Graph attention (GAT) on a knowledge graph"},
    params=(
        ParamSpec(
            "heads", "choice", "2", {"zh": "头数 K", "en": "Heads K"}, choices=("1", "2", "4")
        ),
        ParamSpec(
            "focus",
            "choice",
            "Pierre Curie",
            {"zh": "关注的实体", "en": "Entity in focus"},
            choices=NAMES,
        ),
        ParamSpec("self_loops", "bool", True, {"zh": "加入自环", "en": "Self-loops"}),
        ParamSpec(
            "slope",
            "float",
            0.2,
            {"zh": "LeakyReLU 负斜率", "en": "LeakyReLU negative slope"},
            min=0.0,
            max=1.0,
            step=0.05,
        ),
        seed_of("W, a", "W, a"),
    ),
    shows=(gat_layer, node_features, adjacency),
    facts=FACTS,
)
def graph_attention_demo(
    device: torch.device, heads: str, focus: str, self_loops: bool, slope: float, seed: int
) -> Result:
    """Per-edge attention coefficients of one GAT layer; zero wherever there is no edge."""
    K, F_out = int(heads), 8
    h, adj = node_features().to(device), adjacency(self_loops).to(device)
    W, a = (t.to(device) for t in glorot_params(K, h.size(1), F_out, seed))
    _, alpha = gat_layer(h, adj, W, a, slope)
    i = NAMES.index(focus)
    top = int(alpha[0, i].masked_fill(torch.arange(len(NAMES), device=device) == i, -1).argmax())
    facts = {
        "nodes": len(NAMES),
        "directed_edges": int(adj.sum()),
        "heads": K,
        "features_in_out": f"{h.size(1)} → {F_out}",
        "focus_neighbours": int(adj[i].sum()),
        "focus_top_neighbour": NAMES[top],
    }
    edges = tuple((NAMES.index(s), r, NAMES.index(o)) for s, r, o in RELATIONS)
    return Result(
        alpha.cpu(),
        NAMES,
        NAMES,
        head_labels=tuple(f"head {k + 1}" for k in range(K)),
        facts=facts,
        extras={"edges": edges, "focus": i, "adjacency": adj.cpu().numpy()},
    )
