"""Demos of Q5, Q6, Q12, Q19 against nn.TransformerEncoderLayer/DecoderLayer and nn.MultiheadAttention."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from engine.attention import MHAParams, multi_head_attention
from engine.demos.q05_bert_encoder import BertLayer, bert_input, encoder_layer, tokenize
from engine.demos.q19_torch_mha import params_from_torch, seeded_mha, torch_mha_call
from engine.masks import causal_mask
from engine.registry import ParamError, run_demo
from engine.seq2seq import (
    BOS,
    DecoderLayer,
    EncoderLayer,
    decode_ids,
    encode_letters,
    greedy_decode,
    make_batch,
    random_words,
    trained_model,
    transform,
)


def _rand(g: torch.Generator, *shape: int, std: float = 0.3) -> torch.Tensor:
    return torch.randn(*shape, generator=g) * std


# ── Q5 BERT-style encoder ───────────────────────────────────────────────────────────
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


# ── Q6 / Q12 encoder–decoder ────────────────────────────────────────────────────────
def _copy_attn(ours, theirs: nn.MultiheadAttention) -> None:
    with torch.no_grad():
        theirs.in_proj_weight.copy_(torch.cat([ours.q.weight, ours.k.weight, ours.v.weight]))
        theirs.in_proj_bias.copy_(torch.cat([ours.q.bias, ours.k.bias, ours.v.bias]))
        theirs.out_proj.weight.copy_(ours.o.weight), theirs.out_proj.bias.copy_(ours.o.bias)


def _copy_rest(ours, theirs, norms: int) -> None:
    with torch.no_grad():
        theirs.linear1.load_state_dict(ours.ff[0].state_dict())
        theirs.linear2.load_state_dict(ours.ff[2].state_dict())
        for i in range(1, norms + 1):
            getattr(theirs, f"norm{i}").load_state_dict(getattr(ours, f"norm{i}").state_dict())


def test_seq2seq_layers_equal_torch_transformer_layers():
    d, h = 16, 2
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        enc, dec = EncoderLayer(d, h, 32), DecoderLayer(d, h, 32)
        t_enc = nn.TransformerEncoderLayer(d, h, 32, dropout=0.0, batch_first=True).train()
        t_dec = nn.TransformerDecoderLayer(d, h, 32, dropout=0.0, batch_first=True).train()
        src, tgt = torch.randn(2, 5, d), torch.randn(2, 4, d)
    _copy_attn(enc.self_attn, t_enc.self_attn), _copy_rest(enc, t_enc, 2)
    (
        _copy_attn(dec.self_attn, t_dec.self_attn),
        _copy_attn(dec.cross_attn, t_dec.multihead_attn),
        _copy_rest(dec, t_dec, 3),
    )
    keep = torch.tensor([[True] * 5, [True] * 3 + [False] * 2])
    with torch.no_grad():
        mem, _ = enc(src, keep)
        torch.testing.assert_close(
            mem, t_enc(src, src_key_padding_mask=~keep), atol=1e-5, rtol=1e-5
        )
        y, w_self, w_cross = dec(tgt, mem, keep)
        ref = t_dec(tgt, mem, tgt_mask=~causal_mask(4), memory_key_padding_mask=~keep)
    torch.testing.assert_close(y, ref, atol=1e-5, rtol=1e-5)
    assert torch.triu(w_self, 1).abs().max() == 0 and w_cross[1, :, :, 3:].abs().max() == 0


@pytest.mark.parametrize("task", ["reverse", "copy"])
def test_trained_model_solves_its_task(task):
    model = trained_model(task)
    words = random_words(torch.Generator().manual_seed(99), 200, 2, 8)
    src, _, _ = make_batch(words, task, 8)
    with torch.no_grad():
        memory, _ = model.encode(src)
        ys = torch.full((len(words), 1), BOS)
        for _ in range(9):
            logits, _, _ = model.decode(ys, memory, src)
            ys = torch.cat([ys, logits[:, -1].argmax(-1, keepdim=True)], 1)
    accuracy = np.mean(
        [decode_ids(ys[i, 1:].tolist()) == transform(w, task) for i, w in enumerate(words)]
    )
    assert accuracy >= 0.95


@pytest.mark.parametrize("task, target", [("reverse", [4, 3, 2, 1, 0]), ("copy", [0, 1, 2, 3, 4])])
def test_encoder_decoder_cross_attention_follows_the_task(task, target):
    r = run_demo("encoder_decoder", {"source": "world", "task": task})
    assert r.facts["correct"] and r.facts["output"] == transform("WORLD", task)
    assert r.key_labels == tuple("WORLD") and r.query_labels[0] == "<s>"
    assert r.weights.mean(0)[:5].argmax(-1).tolist() == target  # anti-diagonal / diagonal
    assert torch.triu(r.extras["decoder_self"], 1).abs().max() == 0
    torch.testing.assert_close(r.extras["encoder_self"].sum(-1), torch.ones(2, 5))


@pytest.mark.parametrize(
    "bad, message", [("AB1", "only letters"), ("A", "2 to 8"), ("ABCDEFGHI", "2 to 8")]
)
def test_bad_source_is_refused_with_a_clear_message(bad, message):
    for name in ("encoder_decoder", "greedy_decoding"):
        with pytest.raises(ParamError, match=message):
            run_demo(name, {"source": bad})


def test_greedy_steps_match_one_teacher_forced_pass():
    model = trained_model("reverse")
    src = torch.tensor([encode_letters("HELLO")])
    with torch.no_grad():
        steps = greedy_decode(model, src, 9)
        ys = torch.tensor([[BOS, *steps.tokens[:-1]]])
        memory, _ = model.encode(src)
        logits, _, w_cross = model.decode(ys, memory, src)
    # causal decoder: step t's distribution and cross-attention equal row t of one pass over the whole output
    torch.testing.assert_close(steps.probs, logits[0].softmax(-1), atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(steps.cross, w_cross[0], atol=1e-6, rtol=1e-5)
    assert steps.probs.argmax(-1).tolist() == steps.tokens


def test_greedy_decoding_demo():
    r = run_demo("greedy_decoding", {"source": "HELLO"})
    assert r.facts["output"] == "OLLEH" and r.facts["stopped_at_eos"]
    assert r.query_labels[0] == "1: O" and r.query_labels[-1] == "6: </s>"
    assert [row[0] for row in r.extras["top_tokens"]] == ["O", "L", "L", "E", "H", "</s>"]
    torch.testing.assert_close(r.weights[0], r.extras["per_head"].mean(0))
    assert r.facts["decoder_positions_computed"] == 21
    short = run_demo("greedy_decoding", {"source": "HELLO", "max_steps": 1})
    assert short.weights.shape == (1, 1, 5) and not short.facts["stopped_at_eos"]


# ── Q19 nn.MultiheadAttention vs the engine ─────────────────────────────────────────
@pytest.mark.parametrize("h", [1, 2, 4, 8])
@pytest.mark.parametrize("causal", [False, True])
def test_engine_mha_equals_torch_mha(h, causal):
    d, L = 32, 7
    mha = seeded_mha(d, h, seed=h, device=torch.device("cpu"))
    x = torch.randn(2, L, d, generator=torch.Generator().manual_seed(1))
    keep = torch.tensor([[True] * L, [True] * 4 + [False] * 3])
    allowed = causal_mask(L) if causal else None
    with torch.no_grad():
        out_t, w_t = mha(
            x,
            x,
            x,
            key_padding_mask=~keep,
            attn_mask=None if allowed is None else ~allowed,
            need_weights=True,
            average_attn_weights=False,
        )
        out_e, w_e = multi_head_attention(
            x, x, params_from_torch(mha), h, attn_mask=allowed, key_padding_mask=keep
        )
    assert w_t.shape == (2, h, L, L)
    torch.testing.assert_close(out_e, out_t, atol=1e-6, rtol=0)
    torch.testing.assert_close(w_e, w_t, atol=1e-6, rtol=0)


def test_passing_engine_masks_to_torch_unchanged_is_wrong():
    mha = seeded_mha(16, 2, seed=0, device=torch.device("cpu"))
    x = torch.randn(1, 5, 16, generator=torch.Generator().manual_seed(0))
    keep = torch.tensor([[True, True, True, False, False]])
    with torch.no_grad():
        _, right = torch_mha_call(mha, x, keep, None)
        _, wrong = mha(
            x, x, x, key_padding_mask=keep, need_weights=True, average_attn_weights=False
        )
    # un-inverted, PyTorch keeps exactly the keys it should have dropped
    assert right[..., 3:].abs().max() == 0 and wrong[..., :3].abs().max() == 0


def test_torch_mha_demo_facts():
    r = run_demo(
        "torch_mha", {"heads": "8", "d_model": 64, "causal": True, "pad": 3, "n_tokens": 10}
    )
    f = r.facts
    assert f["max_diff_output"] < 1e-6 and f["max_diff_weights"] < 1e-6
    assert f["torch_weights_shape"] == [2, 8, 10, 10] and f["weight_on_padding_max"] == 0
    assert r.key_labels[-3:] == ("[PAD]",) * 3
    torch.testing.assert_close(r.weights, r.extras["engine_weights"], atol=1e-6, rtol=0)
