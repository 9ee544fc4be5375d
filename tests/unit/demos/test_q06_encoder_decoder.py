"""Tests of the demo q06_encoder_decoder: the engine code against trusted references and its behaviour."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from engine.masks import causal_mask
from engine.registry import ParamError, run_demo
from engine.toys.seq2seq import (
    BOS,
    DecoderLayer,
    EncoderLayer,
    decode_ids,
    encode_letters,
    greedy_decode,
    load,
    make_batch,
    random_words,
    transform,
)


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
    model = load(task)
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
    model = load("reverse")
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
