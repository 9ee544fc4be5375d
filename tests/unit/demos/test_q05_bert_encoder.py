"""Tests of the demo q05_bert_encoder: the engine code against trusted references and its behaviour."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from engine.attention import MHAParams
from engine.demos.q05_bert_encoder import BertLayer, bert_input, encoder_layer, tokenize
from engine.registry import ParamError, run_demo


def _rand(g: torch.Generator, *shape: int, std: float = 0.3) -> torch.Tensor:
    return torch.randn(*shape, generator=g) * std


def _bert_layer(d: int, g: torch.Generator) -> BertLayer:
    attn = MHAParams(*(_rand(g, d, d) for _ in range(4)), *(_rand(g, d) for _ in range(4)))
    ln = lambda: (1 + _rand(g, d), _rand(g, d))  # noqa: E731 — non-trivial γ, β
    return BertLayer(
        attn, _rand(g, d, 4 * d), _rand(g, 4 * d), _rand(g, 4 * d, d), _rand(g, d), ln(), ln()
    )


def _torch_encoder_layer(lay: BertLayer, d: int, h: int) -> nn.TransformerEncoderLayer:
    t = nn.TransformerEncoderLayer(
        d, h, 4 * d, dropout=0.0, activation="gelu", layer_norm_eps=1e-12, batch_first=True
    )
    a = lay.attn
    with torch.no_grad():
        # PyTorch stores y = x Wᵀ + b, the engine x @ W + b: transpose
        t.self_attn.in_proj_weight.copy_(torch.cat([a.W_q.T, a.W_k.T, a.W_v.T]))
        t.self_attn.in_proj_bias.copy_(torch.cat([a.b_q, a.b_k, a.b_v]))
        t.self_attn.out_proj.weight.copy_(a.W_o.T)
        t.self_attn.out_proj.bias.copy_(a.b_o)
        t.linear1.weight.copy_(lay.W_1.T), t.linear1.bias.copy_(lay.b_1)
        t.linear2.weight.copy_(lay.W_2.T), t.linear2.bias.copy_(lay.b_2)
        for norm, (gamma, beta) in ((t.norm1, lay.ln_1), (t.norm2, lay.ln_2)):
            norm.weight.copy_(gamma), norm.bias.copy_(beta)
    return t.train()  # dropout is 0; train mode keeps PyTorch on its reference (non-fused) path


@pytest.mark.parametrize("h", [1, 4])
def test_bert_encoder_layer_equals_torch_transformer_encoder_layer(h):
    d, g = 32, torch.Generator().manual_seed(h)
    lay = _bert_layer(d, g)
    x = torch.randn(2, 7, d, generator=g)
    keep = torch.tensor([[True] * 7, [True] * 4 + [False] * 3])  # sentence 2 has 3 [PAD]
    ours, w = encoder_layer(x, lay, h, keep)
    t = _torch_encoder_layer(lay, d, h)
    with torch.no_grad():
        ref = t(x, src_key_padding_mask=~keep)
        _, w_ref = t.self_attn(
            x, x, x, key_padding_mask=~keep, need_weights=True, average_attn_weights=False
        )
    torch.testing.assert_close(ours, ref, atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(w, w_ref, atol=1e-6, rtol=1e-5)
    assert w[1, :, :, 4:].abs().max() == 0


def test_bert_input_layout_and_tokenizer():
    tokens, seg = bert_input(["a", "b"], ["c"], pad=1)
    assert tokens == ["[CLS]", "a", "b", "[SEP]", "c", "[SEP]", "[PAD]"]
    assert seg == [0, 0, 0, 0, 1, 1, 0]
    assert tokenize("Hello, 世界!") == ["hello", ",", "世", "界", "!"]
    assert len(tokenize("w " * 50)) == 10


def test_bert_demo_is_bidirectional_and_hides_padding():
    r = run_demo("bert_encoder", {"pad": 3, "heads": "2", "layer": 4})
    assert r.key_labels[-3:] == ("[PAD]",) * 3 and r.key_labels[0] == "[CLS]"
    assert r.weights[:, :, -3:].abs().max() == 0
    assert r.facts["weight_to_right_mean"] > 0.2  # every token also reads the tokens after it
    torch.testing.assert_close(r.weights.sum(-1), torch.ones(2, r.weights.size(1)))
    with pytest.raises(ParamError, match="sentence_a"):
        run_demo("bert_encoder", {"sentence_a": " "})
