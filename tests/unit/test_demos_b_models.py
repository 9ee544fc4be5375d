"""Trained toy models of Q8, Q11, Q16, Q17, Q22 and Q26: their attention against references and
hand-computed worked examples, and what the trained models have learned."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from engine.attention import multi_head_attention
from engine.demos import q08_attention_pooling_classifier as q08
from engine.demos import q16_dialogue_attention as q16
from engine.demos import q17_attention_rollout as q17
from engine.demos import q22_bahdanau_additive as q22
from engine.demos import q26_hierarchical_attention as q26
from engine.registry import run_demo

D = torch.float64


def rand(*shape, seed=0):
    return torch.randn(*shape, generator=torch.Generator().manual_seed(seed), dtype=D)


# ── Q8: attention pooling ─────────────────────────────────────────────────────────────────────


def test_corpus_is_bundled_and_balanced():
    pairs = q08.load_corpus()
    labels = [lab for lab, _ in pairs]
    assert len(pairs) >= 150 and set(labels) == {"pos", "neg", "neu"}
    assert labels.count("pos") == labels.count("neg")
    assert len({s for _, s in pairs}) == len(pairs)  # no duplicate sentences


def test_attention_pool_is_single_query_sdpa_with_padding():
    H, u, W_k = rand(3, 5, 4), rand(4, seed=1), rand(4, 4, seed=2)
    keep = torch.tensor([[1, 1, 1, 1, 1], [1, 1, 1, 0, 0], [1, 0, 0, 0, 0]], dtype=torch.bool)
    z, alpha = q08.attention_pool(H, u, W_k, keep)
    q = u.expand(3, 1, 4)
    ref = F.scaled_dot_product_attention(q, H @ W_k, H, attn_mask=keep.unsqueeze(1)).squeeze(1)
    torch.testing.assert_close(z, ref)
    assert torch.all(alpha[~keep] == 0)
    torch.testing.assert_close(alpha[2], torch.tensor([1.0, 0, 0, 0, 0], dtype=D))


def test_pooling_classifier_learns_and_weighs_opinion_words():
    model, vocab = q08.trained_classifier()
    train, test = q08.split(q08.load_corpus())
    assert q08.accuracy(model, vocab, train) >= 0.95
    assert q08.accuracy(model, vocab, test) >= 0.6
    r = run_demo("attention_pooling_classifier", {"sentence": "the coffee was excellent"})
    assert r.facts["prediction"] == "pos"
    assert r.key_labels[int(r.weights[0, 0].argmax())] == "excellent"
    torch.testing.assert_close(r.weights.sum(-1), torch.ones(1, 1))


# ── Q22 and Q11: additive, Luong and local-p attention ────────────────────────────────────────


def test_additive_attention_worked_example_by_hand():
    s = torch.tensor([[1.0, -1.0]], dtype=D)  # decoder state (N=1, d_s=2)
    H = torch.tensor([[[1.0, 0.0], [0.0, 2.0]]], dtype=D)  # two encoder states
    W_s = torch.tensor([[1.0], [0.0]], dtype=D)  # (d_s, d_a=1): picks s_1
    W_h = torch.tensor([[0.5], [-0.5]], dtype=D)  # (d_h, d_a=1)
    v = torch.tensor([2.0], dtype=D)
    c, alpha = q22.additive_attention(s, H, W_s, W_h, v)
    e = [2 * math.tanh(1 + 0.5), 2 * math.tanh(1 - 1.0)]  # vᵀ tanh(W_s s + W_h h_j)
    a0 = math.exp(e[0]) / (math.exp(e[0]) + math.exp(e[1]))
    torch.testing.assert_close(alpha, torch.tensor([[a0, 1 - a0]], dtype=D))
    torch.testing.assert_close(c, torch.tensor([[a0, 2 * (1 - a0)]], dtype=D))
    _, masked = q22.additive_attention(s, H, W_s, W_h, v, keep=torch.tensor([[True, False]]))
    torch.testing.assert_close(masked, torch.tensor([[1.0, 0.0]], dtype=D))


def test_luong_scores_dot_and_general():
    s, H, W_a = rand(2, 3), rand(2, 4, 3, seed=1), rand(3, 3, seed=2)
    torch.testing.assert_close(q22.luong_scores(s, H), torch.einsum("nd,nsd->ns", s, H))
    torch.testing.assert_close(
        q22.luong_scores(s, H, W_a), torch.einsum("nd,de,nse->ns", s, W_a, H)
    )
    c, alpha = q22.luong_attention(s, H, W_a)
    ref = F.scaled_dot_product_attention((s @ W_a).unsqueeze(1), H, H, scale=1.0).squeeze(
        1
    )  # dot product of s W_a with h, no scaling
    torch.testing.assert_close(c, ref)


def test_local_p_window_and_gaussian():
    s, H, W_a = rand(1, 4), rand(1, 9, 4, seed=1), rand(4, 4, seed=2)
    W_p, v_p = rand(4, 3, seed=3), rand(3, seed=4)
    D_ = 2
    c, alpha, p = q22.local_p_attention(s, H, W_a, W_p, v_p, D_, torch.tensor([9]))
    p_hand = 8 * torch.sigmoid(torch.tanh(s @ W_p) @ v_p)
    torch.testing.assert_close(p, p_hand)
    j = torch.arange(9, dtype=D)
    inside = (j - p[0]).abs() <= D_  # (9,)
    assert 0 < int(inside.sum()) <= 2 * D_ + 1
    assert torch.all(alpha[0, ~inside] == 0)
    logits = q22.luong_scores(s, H, W_a)[0] - (j - p[0]) ** 2 / (2 * (D_ / 2) ** 2)
    want = torch.where(inside, logits, torch.tensor(-math.inf, dtype=D)).softmax(-1)
    torch.testing.assert_close(alpha[0], want)
    torch.testing.assert_close(c[0], want @ H[0])


def _anti_diagonal_share(weights: torch.Tensor) -> float:
    """Share of target steps (without </s>) whose strongest source is the mirrored position."""
    T, S = weights.shape
    hits = [int(weights[t].argmax()) == S - 1 - t for t in range(T - 1)]
    return sum(hits) / len(hits)


def test_trained_rnns_reverse_words_and_align_mirrored():
    r = run_demo("bahdanau_additive", {"word": "ATTENTION", "compare": "general"})
    assert r.facts["output_additive"] == r.facts["output_general"] == "NOITNETTA"
    assert r.facts["accuracy_additive"] >= 0.9 and r.facts["accuracy_general"] >= 0.9
    for head in r.weights:
        assert _anti_diagonal_share(head) >= 0.75
    torch.testing.assert_close(r.weights.sum(-1), torch.ones(2, 10))


def test_global_vs_local_uses_only_the_window():
    r = run_demo("global_vs_local", {"word": "WINDOW", "D": 1})
    centres, (T, S) = r.extras["centres"], r.weights.shape[1:]
    j = torch.arange(S).unsqueeze(0)
    outside = (j - centres.unsqueeze(1)).abs() > 1
    assert torch.all(r.weights[1][outside] == 0)
    assert r.facts["scores_global"] == T * S
    assert r.facts["scores_local_window"] == int((~outside).sum()) <= T * 3
    assert r.facts["scores_local_at_1000"] == 3000
    assert r.facts["accuracy_global"] >= 0.9
    torch.testing.assert_close(r.weights.sum(-1), torch.ones(2, T))


# ── Q16: attention over a dialogue history ────────────────────────────────────────────────────


def test_turn_attention_is_single_query_sdpa():
    r, U, W_q, W_k = rand(2, 4), rand(2, 3, 4, seed=1), rand(4, 4, seed=2), rand(4, 4, seed=3)
    keep = torch.tensor([[True, True, True], [True, True, False]])
    c, alpha = q16.turn_attention(r, U, W_q, W_k, keep)
    ref = F.scaled_dot_product_attention(
        (r @ W_q).unsqueeze(1), U @ W_k, U, attn_mask=keep.unsqueeze(1)
    )
    torch.testing.assert_close(c, ref.squeeze(1))
    assert alpha[1, 2] == 0


def test_dialogue_model_looks_back_to_the_turn_on_topic():
    scores = q16.heldout_scores()
    assert scores["accuracy"] >= 0.9 and scores["top_turn_on_topic"] >= 0.8
    expected = {"weekend → tennis": 2, "weekend → cake": 1, "trip → rome": 0, "trip → storm": 2}
    for scenario, turn in expected.items():
        r = run_demo("dialogue_attention", {"scenario": scenario})
        assert int(r.weights[0, 0].argmax()) == turn, scenario
        assert r.facts["p_fits"] > 0.5
    assert (
        run_demo("dialogue_attention", {"scenario": "trip → football (off topic)"}).facts["p_fits"]
        < 0.5
    )


# ── Q17: rollout and head ablation ────────────────────────────────────────────────────────────


def test_rollout_worked_example_by_hand():
    A1 = torch.tensor([[1.0, 0.0], [0.5, 0.5]], dtype=D)
    A2 = torch.tensor([[0.0, 1.0], [1.0, 0.0]], dtype=D)
    R = q17.attention_rollout(torch.stack([A1, A2]))
    # Â1 = ½A1 + ½I = [[1, 0], [.25, .75]];  Â2 = [[.5, .5], [.5, .5]];  R2 = Â2 Â1
    torch.testing.assert_close(R[0], torch.tensor([[1.0, 0.0], [0.25, 0.75]], dtype=D))
    torch.testing.assert_close(R[1], torch.tensor([[0.625, 0.375], [0.625, 0.375]], dtype=D))


def test_rollout_renormalises_rows_and_stays_a_distribution():
    A = torch.softmax(rand(3, 5, 5), -1)
    A[0, 1] = torch.tensor([0.2, 0.2, 0.2, 0.2, 0.2], dtype=D)
    R = q17.attention_rollout(A)
    torch.testing.assert_close(R.sum(-1), torch.ones(3, 5, dtype=D))
    torch.testing.assert_close(R[-1], (0.5 * A[2] + 0.5 * torch.eye(5, dtype=D)) @ R[1])


def test_ablating_a_head_removes_exactly_its_output():
    model, _ = q17.trained_encoder()
    attn = model.blocks[0].attn
    x = torch.randn(1, 6, 32, generator=torch.Generator().manual_seed(0))
    p = attn.params()
    d_k = 32 // attn.h
    full, _ = multi_head_attention(x, x, p, attn.h)
    p_no_out = type(p)(p.W_q, p.W_k, p.W_v, torch.eye(32), p.b_q, p.b_k, p.b_v, None)
    heads, _ = multi_head_attention(x, x, p_no_out, attn.h)  # concat of head outputs (1, 6, 32)
    ablated, _ = multi_head_attention(
        x, x, q17.ablate_heads(attn, torch.tensor([1.0, 0.0])), attn.h
    )
    manual = heads[..., :d_k] @ p.W_o[:d_k] + p.b_o
    torch.testing.assert_close(ablated, manual, atol=1e-5, rtol=1e-5)
    kept, _ = multi_head_attention(x, x, q17.ablate_heads(attn, torch.ones(2)), attn.h)
    torch.testing.assert_close(kept, full)


def test_rollout_demo():
    r = run_demo("attention_rollout", {"sentence": "the room was dirty and the staff were rude"})
    n_layers = r.n_heads - 1
    torch.testing.assert_close(r.weights[-1], q17.attention_rollout(r.weights[:n_layers])[-1])
    torch.testing.assert_close(r.weights.sum(-1), torch.ones(r.n_heads, len(r.query_labels)))
    assert r.extras["head_effects"].shape == (3, 2)
    assert r.extras["erasure"].shape == (len(r.key_labels) - 1,)
    assert r.facts["prediction"] == "neg"


# ── Q26: hierarchical attention ───────────────────────────────────────────────────────────────


def test_context_attention_worked_example_by_hand():
    H = torch.tensor([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]], dtype=D)
    W, b, u = torch.eye(2, dtype=D), torch.zeros(2, dtype=D), torch.tensor([1.0, -1.0], dtype=D)
    s, alpha = q26.context_attention(H, W, b, u, torch.tensor([True, True, False]))
    t1 = math.tanh(1.0)  # u_1 = (tanh 1, 0) → score tanh 1;  u_2 = (0, tanh 1) → −tanh 1
    a0 = math.exp(t1) / (math.exp(t1) + math.exp(-t1))
    torch.testing.assert_close(alpha, torch.tensor([a0, 1 - a0, 0.0], dtype=D))
    torch.testing.assert_close(s, torch.tensor([a0, 1 - a0], dtype=D))


def test_han_finds_the_opinion_sentence():
    scores = q26.heldout_scores()
    assert scores["fresh_accuracy"] >= 0.9 and scores["fresh_top_sentence_is_opinion"] >= 0.8
    r = run_demo("hierarchical_attention", {"document": "hotel stay"})
    assert r.facts["prediction"] == "neg"
    assert int(r.extras["sentence_weights"].argmax()) == 2  # "the beds were hard …"
    for i, words in enumerate(r.extras["sentences"]):
        assert torch.all(r.weights[0, i, len(words) :] == 0)
    torch.testing.assert_close(r.weights.sum(-1), torch.ones(1, 4))
    torch.testing.assert_close(r.extras["sentence_weights"].sum(), torch.tensor(1.0))
