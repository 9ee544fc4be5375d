"""Q5 — a BERT-style bidirectional encoder: [CLS] A [SEP] B [SEP], three embeddings summed.

Randomly initialised (seeded) but computed exactly as BERT computes: token + segment +
position embeddings → LayerNorm → post-LN encoder layers of full (unmasked) multi-head
self-attention and a GELU feed-forward. [PAD] tokens are hidden from every query by the
key-padding mask. The pretrained model has its own page; this one shows the mechanism.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass

import torch
import torch.nn.functional as F

from engine.attention import MHAParams, multi_head_attention
from engine.facts import fact
from engine.params import SEED
from engine.registry import ParamError, ParamSpec, demo
from engine.result import Result

CLS, SEP, PAD = "[CLS]", "[SEP]", "[PAD]"
MAX_WORDS = 10  # per sentence
N_LAYERS = 4
MAX_POS = 2 * MAX_WORDS + 3 + 4  # [CLS] A [SEP] B [SEP] + up to 4 [PAD]
LN_EPS = 1e-12  # BERT's LayerNorm epsilon
_WORD = re.compile(r"[\u3400-\u9fff]|[a-z0-9']+|[^\sa-z0-9\u3400-\u9fff]")


def tokenize(text: str) -> list[str]:
    """Lower-cased words, punctuation marks and single Chinese characters; at most MAX_WORDS."""
    return _WORD.findall(text.lower())[:MAX_WORDS]


@dataclass(frozen=True)
class BertLayer:
    """One encoder layer: attention projections, FFN (d → 4d → d) and two LayerNorms (γ, β)."""

    attn: MHAParams
    W_1: torch.Tensor  # (d, 4d)
    b_1: torch.Tensor
    W_2: torch.Tensor  # (4d, d)
    b_2: torch.Tensor
    ln_1: tuple[torch.Tensor, torch.Tensor]
    ln_2: tuple[torch.Tensor, torch.Tensor]


@dataclass(frozen=True)
class BertParams:
    E_seg: torch.Tensor  # (2, d) segment A / segment B
    E_pos: torch.Tensor  # (MAX_POS, d) learned positions
    ln: tuple[torch.Tensor, torch.Tensor]
    layers: tuple[BertLayer, ...]


def token_vectors(tokens: list[str], d: int, seed: int, device: torch.device) -> torch.Tensor:
    """E_tok rows: one N(0, 1) vector per word, seeded by (seed, word), so a word keeps its vector.  → (L, d)."""
    rows = [
        torch.randn(
            d, generator=torch.Generator().manual_seed(seed * 7919 + zlib.crc32(t.encode()))
        )
        for t in tokens
    ]
    return torch.stack(rows).to(device)


def init_bert(d: int, seed: int, device: torch.device) -> BertParams:
    """Seeded weights: projections ~ N(0, 1/fan_in), zero biases, LayerNorm γ = 1, β = 0."""
    g = torch.Generator().manual_seed(seed)

    def w(*shape: int, std: float) -> torch.Tensor:
        return (torch.randn(*shape, generator=g) * std).to(device)

    def zeros(n: int) -> torch.Tensor:
        return torch.zeros(n, device=device)

    ln = (torch.ones(d, device=device), zeros(d))
    layers = []
    for _ in range(N_LAYERS):
        W_q, W_k, W_v, W_o = (w(d, d, std=d**-0.5) for _ in range(4))
        attn = MHAParams(W_q, W_k, W_v, W_o, zeros(d), zeros(d), zeros(d), zeros(d))
        W_1, W_2 = w(d, 4 * d, std=d**-0.5), w(4 * d, d, std=(4 * d) ** -0.5)
        layers.append(BertLayer(attn, W_1, zeros(4 * d), W_2, zeros(d), ln, ln))
    # segment and position vectors are drawn smaller than word vectors, so words dominate the sum
    return BertParams(w(2, d, std=0.5), w(MAX_POS, d, std=0.5), ln, tuple(layers))


# x_i = LayerNorm(E_tok[w_i] + E_seg[s_i] + E_pos[i])
def bert_embeddings(tok: torch.Tensor, segments: torch.Tensor, p: BertParams) -> torch.Tensor:
    """Sum of token, segment and position embeddings, then LayerNorm.  (L, d), (L,) → (L, d)."""
    L, d = tok.shape
    x = tok + p.E_seg[segments] + p.E_pos[:L]
    return F.layer_norm(x, (d,), *p.ln, eps=LN_EPS)


# x ← LN(x + MultiHead(x, x, x));   x ← LN(x + GELU(x W_1 + b_1) W_2 + b_2)
def encoder_layer(
    x: torch.Tensor, layer: BertLayer, h: int, keep: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """One post-LN encoder layer; every token sees every real token, left and right.

    (N, L, d), keep (N, L) bool (True = real token) → (N, L, d), weights (N, h, L, L).
    """
    d = x.size(-1)
    a, weights = multi_head_attention(x, x, layer.attn, h, key_padding_mask=keep)  # no causal mask
    x = F.layer_norm(x + a, (d,), *layer.ln_1, eps=LN_EPS)
    ff = F.gelu(x @ layer.W_1 + layer.b_1) @ layer.W_2 + layer.b_2
    return F.layer_norm(x + ff, (d,), *layer.ln_2, eps=LN_EPS), weights


def bert_input(a: list[str], b: list[str], pad: int) -> tuple[list[str], list[int]]:
    """Tokens ``[CLS] a [SEP] b [SEP] [PAD]…`` and segment ids (0 for A, 1 for B, 0 for padding)."""
    tokens = [CLS, *a, SEP, *b, SEP] + [PAD] * pad
    segments = [0] * (len(a) + 2) + [1] * (len(b) + 1) + [0] * pad
    return tokens, segments


def attention_facts(w: torch.Tensor, n_a: int, n_b: int) -> dict[str, float]:
    """Where the weight goes: to [PAD] (must be 0), to later tokens, from sentence A to B.  w (h, L, L)."""
    pad_cols = w[:, :, n_a + n_b :]
    return {
        "weight_on_pad_max": float(pad_cols.max()) if pad_cols.numel() else 0.0,
        "weight_to_right_mean": round(float(torch.triu(w, diagonal=1).sum(-1).mean()), 3),
        "weight_A_to_B_mean": round(float(w[:, 1 : n_a - 1, n_a : n_a + n_b].sum(-1).mean()), 3),
    }


FACTS = {
    "pad": fact("填充词元数", "padding tokens"),
    "weight_on_pad_max": fact("填充位上的最大权重", "largest weight on padding"),
    "weight_to_right_mean": fact("看向右侧的平均权重", "mean weight to the right"),
    "weight_A_to_B_mean": fact("句 A 看向句 B 的平均权重", "mean weight from sentence A to B"),
}


@demo(
    "bert_encoder",
    title={"zh": "BERT 式双向编码器注意力", "en": "BERT-style bidirectional encoder attention"},
    params=(
        ParamSpec(
            "sentence_a",
            "text",
            "the cat sat on the mat",
            {"zh": "句子 A", "en": "Sentence A"},
            max_length=120,
        ),
        ParamSpec(
            "sentence_b",
            "text",
            "it was tired",
            {"zh": "句子 B", "en": "Sentence B"},
            max_length=120,
        ),
        ParamSpec(
            "heads", "choice", "4", {"zh": "头数 h", "en": "Heads h"}, choices=("1", "2", "4", "8")
        ),
        ParamSpec(
            "layer",
            "int",
            1,
            {"zh": "显示第几层", "en": "Layer shown"},
            min=1,
            max=N_LAYERS,
            step=1,
        ),
        ParamSpec(
            "pad", "int", 2, {"zh": "[PAD] 个数", "en": "[PAD] tokens"}, min=0, max=4, step=1
        ),
        SEED,
    ),
    shows=(bert_embeddings, encoder_layer),
    facts=FACTS,
)
def bert_encoder_demo(
    device: torch.device,
    sentence_a: str,
    sentence_b: str,
    heads: str,
    layer: int,
    pad: int,
    seed: int,
) -> Result:
    """Embed a sentence pair BERT's way and run four encoder layers; show one layer's heads."""
    a, b = tokenize(sentence_a), tokenize(sentence_b)
    if not a or not b:
        raise ParamError(
            "bert_encoder", ["sentence_a/sentence_b: each needs at least one word or character"]
        )
    h, d = int(heads), 64
    tokens, seg = bert_input(a, b, pad)
    p = init_bert(d, seed, device)
    segments = torch.tensor(seg, device=device)
    x = bert_embeddings(token_vectors(tokens, d, seed, device), segments, p)[None]  # (1, L, d)
    keep = torch.tensor([[t != PAD for t in tokens]], device=device)  # (1, L), True = real token
    per_layer = []
    for lay in p.layers:
        x, w = encoder_layer(x, lay, h, keep)
        per_layer.append(w[0])  # (h, L, L)
    w = per_layer[layer - 1].cpu()
    n_a = len(a) + 2  # [CLS] a [SEP]
    facts = {"L": len(tokens), "pad": pad, "heads": h, "d_model": d, "d_k": d // h}
    facts |= {"layers": N_LAYERS, **attention_facts(w, n_a, len(b) + 1)}
    extras = {"segments": seg, "n_a": n_a, "n_real": len(tokens) - pad, "layer": layer}
    labels = tuple(f"H{i + 1}" for i in range(h))
    return Result(
        w,
        tuple(tokens),
        tuple(tokens),
        head_labels=labels,
        facts=facts,
        extras=extras,
    )
