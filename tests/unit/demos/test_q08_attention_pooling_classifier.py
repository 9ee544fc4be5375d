"""Tests of the demo q08_attention_pooling_classifier: the engine code against trusted references and its behaviour."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from engine.demos import q08_attention_pooling_classifier as q08
from engine.registry import run_demo
from engine.toys import sentiment

D = torch.float64


def rand(*shape, seed=0):
    return torch.randn(*shape, generator=torch.Generator().manual_seed(seed), dtype=D)


def test_corpus_is_bundled_and_balanced():
    pairs = sentiment.load_corpus()
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
    model, vocab = sentiment.load()
    train, test = sentiment.split(sentiment.load_corpus())
    assert sentiment.accuracy(model, vocab, train) >= 0.95
    assert sentiment.accuracy(model, vocab, test) >= 0.6
    r = run_demo("attention_pooling_classifier", {"sentence": "the coffee was excellent"})
    assert r.facts["prediction"] == "pos"
    assert r.key_labels[int(r.weights[0, 0].argmax())] == "excellent"
    torch.testing.assert_close(r.weights.sum(-1), torch.ones(1, 1))
