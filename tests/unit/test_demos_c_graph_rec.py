"""Q20 sequence_labelling, Q23 target_attention, Q27 graph_attention."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from torch import nn
from torch.nn import functional as F

from engine.demos import q20_sequence_labelling as q20
from engine.demos import q23_target_attention as q23
from engine.demos import q27_graph_attention as q27
from engine.registry import run_demo
from visuals import render, to_png

NAMES = ("sequence_labelling", "target_attention", "graph_attention")


def images(fig) -> list[np.ndarray]:
    """Every image array drawn in the figure."""
    return [np.asarray(im.get_array()) for ax in fig.axes for im in ax.get_images()]


# ---------------------------------------------------------------- Q20


def test_tagger_attention_equals_torch_multihead() -> None:
    """The tagger's attention weights = nn.MultiheadAttention with the same projections."""
    model = q20.trained_tagger()
    words = [
        "washington",
        "said",
        "that",
        "amazon",
        "will",
        "open",
        "an",
        "office",
        "in",
        "washington",
    ]
    ids = torch.tensor([model.ids(words) + [0, 0]])  # two padding positions
    x = model.embed(ids) * math.sqrt(model.embed.embedding_dim) + model.pe[: ids.size(1)]
    a = model.attn
    mha = nn.MultiheadAttention(32, a.h, batch_first=True)
    with torch.no_grad():
        mha.in_proj_weight.copy_(torch.cat([a.q.weight, a.k.weight, a.v.weight]))
        mha.in_proj_bias.copy_(torch.cat([a.q.bias, a.k.bias, a.v.bias]))
        mha.out_proj.weight.copy_(a.o.weight)
        mha.out_proj.bias.copy_(a.o.bias)
    ref_out, ref_w = mha(x, x, x, key_padding_mask=ids == 0, average_attn_weights=False)
    out, w = a(x, x, key_padding_mask=ids != 0)
    assert torch.allclose(w, ref_w, atol=1e-5)
    assert torch.allclose(out, ref_out, atol=1e-5)


@pytest.mark.parametrize(
    ("sentence", "tags"),
    [
        ("jordan lives in jordan", "PER O O LOC"),
        ("we flew to georgia with georgia", "O O O LOC O PER"),
        (
            "washington said that amazon will open an office in washington",
            "PER O O ORG O O O O O LOC",
        ),
        ("amazon hired jordan last year", "ORG O PER O O"),
        ("the river near amazon is long", "O O O LOC O O"),
    ],
)
def test_ambiguous_names_get_their_tag_from_context(sentence: str, tags: str) -> None:
    assert run_demo("sequence_labelling", {"sentence": sentence}).facts["tags"] == tags


def test_held_out_accuracy() -> None:
    acc, acc_ambiguous = q20.held_out_accuracy(q20.TaggerConfig())
    assert acc > 0.97 and acc_ambiguous > 0.9


# ---------------------------------------------------------------- Q23


def test_activation_unit_worked_example() -> None:
    """d = 1: e_i ∈ {2, −1}, e_c = 1 → x = [e_i, e_c, e_i − e_c, e_i·e_c]."""
    layer1 = nn.Linear(4, 2)
    act = nn.PReLU(init=0.25)
    layer2 = nn.Linear(2, 1)
    with torch.no_grad():
        layer1.weight.copy_(torch.tensor([[1.0, 0.0, 0.0, 0.0], [0.0, 0.0, 1.0, 1.0]]))
        layer1.bias.zero_()
        layer2.weight.copy_(torch.tensor([[1.0, 1.0]]))
        layer2.bias.fill_(0.5)
    # e_i = 2:  x = [2, 1, 1, 2]   → h = [2, 3]            → a = 2 + 3 + 0.5 = 5.5
    # e_i = −1: x = [−1, 1, −2, −1] → pre = [−1, −3] → PReLU [−0.25, −0.75] → a = −1 + 0.5 = −0.5
    a = q23.activation_unit(
        torch.tensor([[[2.0], [-1.0]]]), torch.tensor([[1.0]]), layer1, act, layer2
    )
    assert torch.allclose(a, torch.tensor([[5.5, -0.5]]))


def test_weights_are_softmax_of_raw_activations() -> None:
    r = run_demo("target_attention")
    raw = torch.tensor(r.extras["raw"])
    assert torch.allclose(r.weights[0], torch.softmax(raw, -1), atol=1e-6)
    c = r.extras["candidate"]
    spread = float(raw[c].max() - raw[c].min())
    assert r.facts["raw a_i spread (max − min)"] == pytest.approx(spread, abs=1e-3)


@pytest.mark.parametrize(
    ("user", "candidate", "category"),
    [
        ("new parent, keen gardener", "baby monitor", "baby"),
        ("coffee-drinking gamer", "moka pot", "coffee"),
        ("runner who reads", "e-reader", "books"),
    ],
)
def test_candidate_attends_to_its_own_category(user: str, candidate: str, category: str) -> None:
    r = run_demo("target_attention", {"user": user, "candidate": candidate})
    c = r.extras["candidate"]
    same = torch.tensor([q23.CATEGORY[q23.ITEMS.index(i)] == category for i in r.key_labels])
    assert r.weights[0, c][same].sum() > 0.5  # 3 of 8 history items: 0.375 under uniform weights
    assert same[int(r.weights[0, c].argmax())]
    assert r.facts["P(click | candidate)"] > 0.6


def test_click_probability_follows_the_history() -> None:
    r = run_demo("target_attention", {"user": "new parent, keen gardener"})
    p = torch.tensor(r.extras["p_click"])
    cats = np.array(q23.CATEGORY)
    assert (
        p[torch.tensor(np.isin(cats, ["baby", "garden"]))].min()
        > p[torch.tensor(np.isin(cats, ["books", "running"]))].max()
    )


# ---------------------------------------------------------------- Q27


def test_gat_worked_example() -> None:
    """Path graph 0 — 1 — 2 with self-loops, F = F' = 2, one head, W = I, a = [1, 0, 0, 1]."""
    h = torch.tensor([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    adj = torch.tensor([[1, 1, 0], [1, 1, 1], [0, 1, 1]], dtype=torch.bool)
    W, a = torch.eye(2).unsqueeze(0), torch.tensor([[1.0, 0.0, 0.0, 1.0]])
    out, alpha = q27.gat_layer(h, adj, W, a, slope=0.2)
    # e_ij = LeakyReLU(h_i[0] + h_j[1]); all arguments ≥ 0 here, so e_ij = h_i[0] + h_j[1]
    # node 0 (h_i[0] = 1): neighbours 0, 1 → e = [1 + 0, 1 + 1] = [1, 2]
    # node 1 (h_i[0] = 0): neighbours 0, 1, 2 → e = [0, 1, 1]
    # node 2 (h_i[0] = 1): neighbours 1, 2 → e = [2, 2]
    s0 = [math.exp(1) / (math.exp(1) + math.exp(2)), math.exp(2) / (math.exp(1) + math.exp(2))]
    s1 = [1 / (1 + 2 * math.e), math.e / (1 + 2 * math.e), math.e / (1 + 2 * math.e)]
    expected = torch.tensor([[s0[0], s0[1], 0.0], s1, [0.0, 0.5, 0.5]])
    assert torch.allclose(alpha[0], expected, atol=1e-6)
    assert torch.allclose(out, F.elu(expected @ h), atol=1e-6)


def test_gat_negative_slope_by_hand() -> None:
    h = torch.tensor([[1.0], [-2.0]])
    adj = torch.ones(2, 2, dtype=torch.bool)
    _, alpha = q27.gat_layer(h, adj, torch.ones(1, 1, 1), torch.tensor([[1.0, 1.0]]), slope=0.2)
    # e_00 = 2, e_01 = LeakyReLU(1 − 2) = −0.2
    assert alpha[0, 0, 0].item() == pytest.approx(
        math.exp(2) / (math.exp(2) + math.exp(-0.2)), abs=1e-6
    )


def test_gat_matches_concatenation_form() -> None:
    """e_ij = LeakyReLU(aᵀ [W h_i ‖ W h_j]) written literally, per head, per edge."""
    h, adj = q27.node_features(), q27.adjacency(True)
    W, a = q27.glorot_params(3, h.size(1), 8, seed=4)
    _, alpha = q27.gat_layer(h, adj, W, a, 0.2)
    N = h.size(0)
    for k in range(3):
        Wh = h @ W[k]
        e = torch.tensor(
            [
                [float(F.leaky_relu(a[k] @ torch.cat([Wh[i], Wh[j]]), 0.2)) for j in range(N)]
                for i in range(N)
            ]
        )
        e = e.masked_fill(~adj, -math.inf)
        assert torch.allclose(alpha[k], torch.softmax(e, -1), atol=1e-6)


def test_gat_zero_off_graph_and_relations_symmetric() -> None:
    r = run_demo("graph_attention", {"heads": "4", "self_loops": False})
    adj = torch.tensor(r.extras["adjacency"])
    assert torch.equal(adj, adj.T) and not adj.diagonal().any()
    assert (r.weights[:, ~adj] == 0).all()
    assert r.facts["edges (directed)"] == 2 * len(q27.RELATIONS)


# ---------------------------------------------------------------- all three


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_render_draws_the_weights(name: str, lang: str) -> None:
    r = run_demo(name)
    fig = render(r, lang)
    drawn = images(fig)
    assert any(
        a.shape == r.weights[0].shape and np.allclose(a, r.weights[0].numpy()) for a in drawn
    )
    assert to_png(fig)[:4] == b"\x89PNG"


def test_graph_edges_drawn_as_wide_as_attention() -> None:
    r = run_demo("graph_attention", {"focus": "Marie Curie"})
    fig = render(r, "en")
    arrows = [c for c in fig.axes[0].texts if getattr(c, "arrow_patch", None) is not None]
    i = r.extras["focus"]
    n_neighbours = int((r.weights[0, i] > 0).sum()) - 1  # not itself
    assert len(arrows) == n_neighbours
    widths = sorted(a.arrow_patch.get_linewidth() for a in arrows)
    alphas = sorted(float(v) for j, v in enumerate(r.weights[0, i]) if v > 0 and j != i)
    assert np.corrcoef(widths, alphas)[0, 1] > 0.999  # width is an increasing linear function of α


@pytest.mark.parametrize("name", NAMES)
def test_rows_sum_to_one_and_determinism(name: str) -> None:
    a, b = run_demo(name), run_demo(name)
    assert torch.equal(a.weights, b.weights)
    assert torch.allclose(a.weights.sum(-1), torch.ones(a.weights.shape[:2]), atol=1e-5)
