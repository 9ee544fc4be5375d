"""Content of questions 1–10: schema, verbatim seed text, runnable code and every computed number.

Numbers are checked against independent references (torch.nn modules, torch's own softmax,
numpy's float limits, torch's FLOP counter, a transformers config), never against the YAML itself.
The seed text is read from ``seed/`` of the repository.
"""

from __future__ import annotations

import contextlib
import io
import math
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F
import yaml
from torch.utils.flop_counter import FlopCounterMode

from engine.registry import all_demos
from quiz.generators import check_generator, draw
from quiz.schema import Flashcard, MultipleChoice, Numeric, Question, SingleChoice, Text

ROOT = Path(__file__).resolve().parents[2]
QUESTIONS = ROOT / "questions"
SEED_NAME = "000_ee19f379c031890d.txt"
NUMBERS = range(1, 11)
DEMOS = {
    1: "kernel_regression",
    2: "softmax_temperature",
    3: "self_attention_steps",
    4: "multi_head",
    5: "bert_encoder",
    6: "encoder_decoder",
    7: "seed_module_vs_fixed",
    8: "attention_pooling_classifier",
    9: "efficient_attention",
    10: "vit_patch_attention",
}
TWINS = {3: 28, 8: 20}  # overlapping seed questions must point at each other
GENERATORS = {
    "softmax_weight",
    "scaled_score",
    "score_count",
    "mha_param_count",
    "attention_memory",
}


# ---------------------------------------------------------------- loading


def _path(n: int) -> Path:
    found = sorted(QUESTIONS.glob(f"q{n:02d}-*.yaml"))
    assert len(found) == 1, (
        f"expected one questions/q{n:02d}-*.yaml, found {[p.name for p in found]}"
    )
    return found[0]


def _raw(n: int) -> dict[str, Any]:
    return yaml.safe_load(_path(n).read_text(encoding="utf-8"))


def _question(n: int) -> Question:
    return Question.model_validate(_raw(n))


def _norm(text: str) -> str:
    """Only trailing whitespace is normalised: per line and at both ends of the text."""
    return "\n".join(line.rstrip() for line in text.strip().splitlines())


def _seed_file() -> Path:
    path = ROOT / "seed" / SEED_NAME
    assert path.is_file(), f"seed text {SEED_NAME} is missing from seed/"
    return path


def _seed_sections() -> dict[int, tuple[str, str]]:
    """{N: (heading after '#### N. ', answer after '**答案：**' up to the next heading)}."""
    text = _seed_file().read_text(encoding="utf-8")
    parts = re.split(r"^#### (\d+)\. (.*)$", text, flags=re.M)
    out = {}
    for num, heading, body in zip(parts[1::3], parts[2::3], parts[3::3], strict=True):
        body = re.split(r"^### ", body, flags=re.M)[0]  # the last section stops at the summary
        out[int(num)] = (heading.strip(), _norm(body.split("**答案：**", 1)[1]))
    return out


def _texts(node: Any) -> Iterator[str]:
    """Every string anywhere in a loaded YAML tree."""
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from _texts(value)
    elif isinstance(node, list):
        for value in node:
            yield from _texts(value)


def _python_blocks(text: str) -> list[str]:
    return re.findall(r"```python\n(.*?)```", text, flags=re.S)


def _run(code: str, name: str) -> tuple[dict[str, Any], str]:
    """Execute ``code`` in a fresh namespace; return the namespace and what it printed."""
    ns: dict[str, Any] = {"__name__": f"block_{name}"}
    out = io.StringIO()
    with contextlib.redirect_stdout(out), np.errstate(all="ignore"):
        exec(compile(code, name, "exec"), ns)  # noqa: S102 — our own reviewed teaching code
    return ns, out.getvalue()


def _both(q: Question, field: str = "answer") -> list[str]:
    text: Text = getattr(q, field)
    return [text.en, text.zh]


# ---------------------------------------------------------------- files and schema


@pytest.mark.parametrize("n", NUMBERS)
def test_file_validates_and_is_named_by_its_id(n: int) -> None:
    path = _path(n)
    q = _question(n)
    assert q.id == path.stem and q.number == n
    assert re.fullmatch(r"q\d\d-[a-z0-9]+(-[a-z0-9]+)*", q.id)


@pytest.mark.parametrize("n", NUMBERS)
def test_demo_link_names_the_registered_demo(n: int) -> None:
    q = _question(n)
    assert [(d.name, d.params) for d in q.demo] == [(DEMOS[n], {})]
    demos = all_demos()
    assert DEMOS[n] in demos, f"demo {DEMOS[n]!r} is not registered yet"
    demos[DEMOS[n]].check_params({})


@pytest.mark.parametrize("n", NUMBERS)
def test_seed_question_and_answer_are_verbatim(n: int) -> None:
    q = _question(n)
    heading, answer = _seed_sections()[n]
    assert q.seed is not None
    assert q.seed.question.zh == heading
    assert _norm(q.seed.answer.zh) == answer
    assert _norm(q.seed.answer.zh) in _norm(_seed_file().read_text(encoding="utf-8"))


@pytest.mark.parametrize("n", NUMBERS)
def test_seed_translation_keeps_the_code(n: int) -> None:
    """Code blocks of the translation equal the original's, comments aside."""
    q = _question(n)

    def code(text: str) -> list[list[str]]:
        return [
            [ln for ln in b.splitlines() if not ln.lstrip().startswith("#")]
            for b in _python_blocks(text)
        ]

    assert q.seed is not None
    assert code(q.seed.answer.en) == code(q.seed.answer.zh)


@pytest.mark.parametrize("n", NUMBERS)
def test_corrections_quote_the_seed(n: int) -> None:
    q = _question(n)
    _, answer = _seed_sections()[n]
    assert q.corrections, "every seed answer among 1–10 has at least one inaccuracy"
    for c in q.corrections:
        assert _norm(c.seed_says.zh) in answer, c.seed_says.zh
        assert c.reference.strip()


@pytest.mark.parametrize("n", NUMBERS)
def test_answer_length_and_structure(n: int) -> None:
    q = _question(n)
    prose = re.sub(r"```.*?```", "", q.answer.en, flags=re.S)
    assert 150 <= len(prose.split()) <= 400
    han = re.findall(r"[\u4e00-\u9fff]", re.sub(r"```.*?```", "", q.answer.zh, flags=re.S))
    assert 250 <= len(han) <= 800
    assert (
        3 <= len(q.key_points) <= 6 and 2 <= len(q.follow_ups) <= 4 and 1 <= len(q.references) <= 5
    )
    for ref in q.references:
        assert ref.url is None or ref.url.startswith(("https://", "http://"))


@pytest.mark.parametrize(("n", "twin"), TWINS.items())
def test_overlapping_questions_link_their_twin(n: int, twin: int) -> None:
    q = _question(n)
    assert twin in q.see_also
    assert f"question {twin}" in q.answer.en and f"第 {twin} 题" in q.answer.zh


# ---------------------------------------------------------------- quiz items


@pytest.mark.parametrize("n", NUMBERS)
def test_quiz_items_are_varied_and_well_formed(n: int) -> None:
    q = _question(n)
    assert len(q.quiz) >= 5
    assert len({item.type for item in q.quiz}) >= 3
    assert any(isinstance(item, Numeric) for item in q.quiz)
    for item in q.quiz:
        assert item.id.startswith(f"q{n:02d}-")
        if isinstance(item, SingleChoice | MultipleChoice):
            assert 3 <= len(item.options) <= 5
            assert len({o.en for o in item.options}) == len(item.options)
        if isinstance(item, Numeric) and item.generator:
            assert item.generator in GENERATORS
            assert check_generator(item.generator, item.params) == []
        if isinstance(item, Flashcard):
            assert item.answer.en and item.answer.zh


def test_quiz_ids_are_unique_across_questions_1_to_10() -> None:
    ids = [item.id for n in NUMBERS for item in _question(n).quiz]
    assert len(ids) == len(set(ids))


def _fixed_answers() -> dict[str, float]:
    """The true value of every fixed numeric item, computed from independent references."""
    from transformers import BertConfig

    def params(module: nn.Module) -> int:
        return sum(p.numel() for p in module.parameters())

    def tokens(size: int, patch: int) -> int:
        return nn.Conv2d(3, 1, patch, stride=patch)(torch.zeros(1, 3, size, size))[0, 0].numel()

    def linear_params(*shapes: tuple[int, int]) -> int:
        return sum(params(nn.Linear(i, o)) for i, o in shapes)

    bert = BertConfig()  # BERT-base defaults
    g = torch.Generator().manual_seed(0)
    q, k = torch.randn(2, 200_000, 64, generator=g, dtype=torch.float64)
    fp16 = torch.empty(0, dtype=torch.float16).element_size()
    fp32 = torch.empty(0, dtype=torch.float32).element_size()
    x_keys = torch.tensor([0.0, 1.0, 2.0], dtype=torch.float64)
    kernel = torch.softmax(-((0.5 - x_keys) ** 2) / 2, 0)  # Gaussian kernel, width 1
    pos = torch.arange(16)
    longformer = (pos[:, None] - pos[None, :]).abs() <= 2  # sliding window |i − j| ≤ 2 …
    longformer[0, :] = longformer[:, 0] = True  # … plus global token 0, both ways
    mha768 = nn.MultiheadAttention(bert.hidden_size, bert.num_attention_heads)
    head_dim = mha768.head_dim
    return {
        "q01-softmax-three": torch.softmax(torch.tensor([2.0, 1.0, 0.0]), 0)[0].item(),
        "q01-softmax-drawn": (kernel @ torch.tensor([0.0, 1.0, 4.0], dtype=torch.float64)).item(),
        "q02-temperature-two": torch.softmax(torch.tensor([2.0, 0.0]) / 2, 0)[0].item(),
        "q03-fixed-score": (torch.tensor([1.0, 2, 0, 1]) @ torch.tensor([2.0, 0, 1, 2])).item() / 2,
        "q04-head-size": nn.MultiheadAttention(512, 8).head_dim,
        # grouped-query attention: 16 query heads of 32, 4 key/value heads of 32, with biases
        "q04-params-h16": linear_params((512, 512), (512, 4 * 32), (512, 4 * 32), (512, 512)),
        # one head's rows of the query projection (nn.Linear layout: out × in)
        "q04-params-drawn": mha768.in_proj_weight.chunk(3)[0][:head_dim].numel(),
        "q05-total-heads": bert.num_hidden_layers
        * bert.num_attention_heads
        * 384**2
        * fp32
        / 2**20,
        "q05-attention-params": params(
            nn.MultiheadAttention(bert.hidden_size, bert.num_attention_heads)
        ),
        "q06-encoder-layer-params": params(nn.TransformerEncoderLayer(512, 8, 2048)),
        # masked self-attention over 6 target tokens + unmasked cross-attention to 10 sources
        "q06-causal-count-drawn": int(torch.ones(6, 6).tril().sum() + torch.ones(6, 10).sum()),
        "q07-dot-std": (q * k).sum(-1).std().item(),  # empirical: ≈ 8
        "q08-masked-weight": torch.softmax(torch.tensor([2.0, 0.0, 0.0, -math.inf]), 0)[0].item(),
        "q08-softmax-drawn": (
            torch.softmax(torch.tensor([1.0, 0.0, -1.0]), 0)
            @ torch.tensor([[1.0, 0.0], [0.0, 2.0], [3.0, 1.0]])
        )[0].item(),
        "q09-weights-memory": 16 * 4096 * 4096 * fp16 / 2**20,
        "q09-window-drawn": int(longformer.sum()),
        "q10-vit-tokens": tokens(224, 16) + 1,
        "q10-halve-patch": (tokens(224, 8) / tokens(224, 16)) ** 2,
        "q10-count-drawn": (tokens(384, 16) + 1) ** 2,
    }


def test_every_fixed_numeric_answer_is_computed() -> None:
    truth = _fixed_answers()
    seen = set()
    for n in NUMBERS:
        for item in _question(n).quiz:
            if isinstance(item, Numeric) and item.answer is not None:
                assert item.id in truth, f"{item.id}: add an independent computation of its answer"
                slack = 0.05 if item.id == "q07-dot-std" else 1e-9  # a sampled standard deviation
                assert abs(item.answer - truth[item.id]) <= item.tolerance + slack, item.id
                seen.add(item.id)
    assert seen == set(truth)


# ---------------------------------------------------------------- code in the answers


@pytest.mark.parametrize("n", NUMBERS)
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_python_blocks_run(n: int, lang: str) -> None:
    raw = _raw(n)
    blocks = [
        b
        for text in _texts({k: v for k, v in raw.items() if k != "seed"})
        for b in _python_blocks(text)
    ]
    mine = [b for b in blocks if b in raw["answer"][lang]]
    assert mine, "each answer carries one runnable example"
    for i, block in enumerate(mine):
        _run(block, f"q{n:02d}_{lang}_{i}")


def test_q01_kernel_regression_numbers() -> None:
    x_k, y_v = torch.tensor([0.0, 1, 2, 3]), torch.tensor([0.0, 1, 4, 9])
    w = torch.exp(-((1.5 - x_k) ** 2) / 2)
    w = w / w.sum()  # Gaussian kernel weights, normalised by hand
    for text in _both(_question(1)):
        assert " ".join(f"{v:.3f}" for v in w.tolist()) in text
        assert f"≈ {(w @ y_v).item():.2f}" in text


def test_q02_seed_code_overflows_and_ignores_rows() -> None:
    seed = _question(2).seed
    assert seed is not None
    ns, printed = _run(_python_blocks(seed.answer.zh)[0], "q02_seed")
    np.testing.assert_allclose(
        ns["attention_weights"],
        torch.softmax(torch.arange(1.0, 6.0, dtype=torch.float64), 0).numpy(),
    )
    with np.errstate(over="ignore", invalid="ignore"):  # the overflow is the point
        assert np.isnan(
            ns["attention"](np.array([1000.0, 1001.0, 1002.0]))
        ).all()  # "[nan nan nan]"
    batch = ns["attention"](np.array([[1.0, 2.0], [3.0, 4.0]]))
    assert batch.sum() == pytest.approx(1.0) and not np.allclose(
        batch.sum(-1), 1.0
    )  # whole matrix, not rows


def test_q02_quoted_numbers() -> None:
    q = _question(2)
    seed_case = torch.softmax(torch.arange(1.0, 6.0, dtype=torch.float64), 0).tolist()
    shifted = torch.softmax(torch.tensor([1000.0, 1001.0, 1002.0], dtype=torch.float64), 0).tolist()
    scores = torch.tensor(
        [[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0]], dtype=torch.float64
    ) @ torch.tensor([1.0, 0.0], dtype=torch.float64)
    w = torch.softmax(scores / math.sqrt(2), 0)
    out = (w @ torch.tensor([10.0, 20.0, 30.0], dtype=torch.float64)).item()
    limits = [math.log(np.finfo(np.float64).max), math.log(np.finfo(np.float32).max)]
    for text in _both(q):
        assert " ".join(f"{v:.4f}" for v in seed_case) in text
        assert " ".join(f"{v:.4f}" for v in shifted) in text
        assert f"[{w[0]:.3f} {w[1]:.3f} {w[2]:.2f}]" in text and f"{out:.2f}" in text
        assert all(f"{lim:.2f}" in text for lim in limits)
    tau_one = torch.softmax(torch.tensor([2.0, 0.0]), 0)[0].item()
    item = next(i for i in q.quiz if i.id == "q02-temperature-two")
    assert f"{tau_one:.3f}" in item.explanation.en


def _item(q: Question, item_id: str) -> Any:
    return next(item for item in q.quiz if item.id == item_id)


def test_q02_half_precision_exp_limits() -> None:
    """exp overflows above ln(max): ≈ 11.09 in float16, ≈ 88.72 in bfloat16 as in float32."""
    q = _question(2)
    fp16 = math.log(torch.finfo(torch.float16).max)
    bf16 = math.log(torch.finfo(torch.bfloat16).max)
    fp32 = math.log(torch.finfo(torch.float32).max)
    assert f"{fp16:.2f}" == "11.09" and f"{bf16:.2f}" == f"{fp32:.2f}" == "88.72"
    half = torch.tensor([fp16 - 0.01, fp16 + 0.01], dtype=torch.float16)
    assert torch.isfinite(torch.exp(half[0])) and torch.isinf(torch.exp(half[1]))
    assert torch.isinf(torch.exp(torch.tensor(11.1, dtype=torch.float16)))  # quoted in the item
    assert torch.isinf(torch.exp(torch.tensor(fp32 + 0.1, dtype=torch.bfloat16)))
    for text in _both(q):
        assert f"{fp16:.2f}" in text and "65504" in text and "bfloat16" in text
    item = _item(q, "q02-half-overflow")
    assert isinstance(item, SingleChoice)
    assert item.options[item.answer].en.startswith(f"About {fp16:.2f}")
    assert f"{torch.finfo(torch.bfloat16).max:.3g}" == "3.39e+38"


def test_q03_permuted_sentence_keeps_each_tokens_output() -> None:
    """Without positions, "dog bites man" and "man bites dog" give "dog" the same output."""
    torch.manual_seed(0)
    emb = {w: torch.randn(8) for w in ("dog", "bites", "man")}
    mha = nn.MultiheadAttention(8, 2, batch_first=True)

    def outputs(words: list[str]) -> torch.Tensor:
        x = torch.stack([emb[w] for w in words])[None]
        return mha(x, x, x, need_weights=False)[0][0]

    a, b = outputs(["dog", "bites", "man"]), outputs(["man", "bites", "dog"])
    torch.testing.assert_close(a[0], b[2], rtol=1e-5, atol=1e-6)
    assert _item(_question(3), "q03-equivariance").answer is True


def test_q03_self_attention_claims() -> None:
    g = torch.Generator().manual_seed(1)
    q, k, v = torch.randn(3, 6, 8, generator=g)
    perm = torch.randperm(6, generator=g)
    out = F.scaled_dot_product_attention(q, k, v)
    assert torch.allclose(
        F.scaled_dot_product_attention(q[perm], k[perm], v[perm]), out[perm], atol=1e-6
    )
    n, d = 4096, 512  # the follow-up's "about 8 times": n²·d against n·d²
    ratio = (n * n * d) / (n * d * d)
    assert ratio == 8 and "about 8 times" in _question(3).follow_ups[1].answer.en


def test_q04_parameter_count_and_head_size() -> None:
    count = sum(p.numel() for p in nn.MultiheadAttention(512, 8).parameters())
    for text in _both(_question(4)):
        assert f"{count:,}" in text and "512/8 = 64" in text


def test_q04_head_size_from_shapes_gqa_and_per_head_counts() -> None:
    mha = nn.MultiheadAttention(512, 8, batch_first=True)
    x = torch.randn(2, 5, 512)
    _, w = mha(x, x, x, average_attn_weights=False)
    assert tuple(mha.in_proj_weight.shape) == (1536, 512) and tuple(w.shape) == (2, 8, 5, 5)
    assert mha.head_dim == 512 // 8 == _item(_question(4), "q04-head-size").answer
    # grouped-query attention: 16 query heads share 4 key/value heads; SDPA's enable_gqa
    # equals repeating each key/value head for its group of 4 query heads
    g = torch.Generator().manual_seed(0)
    q = torch.randn(1, 16, 6, 32, generator=g)
    k, v = torch.randn(2, 1, 4, 6, 32, generator=g)
    torch.testing.assert_close(
        F.scaled_dot_product_attention(q, k, v, enable_gqa=True),
        F.scaled_dot_product_attention(
            q, k.repeat_interleave(4, dim=1), v.repeat_interleave(4, dim=1)
        ),
        rtol=1e-5,
        atol=1e-6,
    )
    full = sum(p.numel() for p in nn.MultiheadAttention(512, 16).parameters())
    item = _item(_question(4), "q04-params-h16")
    assert f"{full:,}" in item.explanation.en and f"{int(item.answer):,}" in item.explanation.en
    # one head's slice of W_Q times the number of heads is one full-width W_Q
    per_head = _item(_question(4), "q04-params-drawn").answer
    assert (
        per_head * 12 == 768**2
        and f"{768**2:,}" in _item(_question(4), "q04-params-drawn").explanation.en
    )


def test_q05_memory_item_explanation_matches_its_generator() -> None:
    item = _item(_question(5), "q05-memory-drawn")
    lengths = set()
    for seed in range(30):
        drawn = draw(item.generator, item.params, seed=seed)
        lengths.add(int(re.search(r"n = (\d+)", drawn.prompt["en"]).group(1)))
    assert min(lengths) >= 1024 > 512  # beyond BERT's 512 positions, as the item says
    for text in (item.explanation.en, item.explanation.zh):
        assert "1024" in text and "512" in text


def test_q06_bleu_of_the_base_and_big_models() -> None:
    """Vaswani et al. 2017, Table 2: big 28.4 / 41.8, base 27.3 / 38.1 (facts, not computed)."""
    en = _question(6).answer.en
    big = next(s for s in en.split(". ") if "28.4" in s)
    assert "big model" in big and "41.8" in big
    assert big.index("big model") < big.index("28.4")
    assert "base model above (27.3 and 38.1)" in en and "65M" in en
    zh = _question(6).answer.zh
    assert "大模型在 WMT 2014 英德上达到 28.4 BLEU、英法上达到 41.8 BLEU" in zh
    assert "基础模型（27.3 和 38.1）" in zh


def test_q06_layer_parameter_counts() -> None:
    layer = nn.TransformerEncoderLayer(512, 8, 2048)
    ffn = sum(p.numel() for m in (layer.linear1, layer.linear2) for p in m.parameters())
    total = sum(p.numel() for p in layer.parameters())
    q = _question(6)
    assert (
        f"{total:,}" in q.key_points[3].en and f"{ffn:,} of {total:,}" in q.follow_ups[1].answer.en
    )


def test_q07_seed_module_breaks_on_batches_and_saturates() -> None:
    seed = _question(7).seed
    assert seed is not None
    ns, _ = _run(_python_blocks(seed.answer.zh)[0], "q07_seed")
    assert ns["output"].shape == (10, 512)  # the seed's own 2-D example runs
    module = ns["AttentionModule"](16)
    x = torch.randn(2, 3, 16)
    with pytest.raises(RuntimeError, match=r"t\(\) expects a tensor with <= 2 dimensions"):
        module(x, x, x)
    scores = torch.randn(2, 3, 3)
    assert torch.allclose(
        nn.Softmax(dim=1)(scores).sum(dim=1), torch.ones(2, 3)
    )  # columns, not rows
    g = torch.Generator().manual_seed(0)
    q, k = torch.randn(2, 64, 512, generator=g)
    raw, scaled = (q @ k.T).softmax(-1), (q @ k.T / math.sqrt(512)).softmax(-1)
    assert raw.amax(-1).mean() > 0.9 > 0.5 > scaled.amax(-1).mean()
    for text in _both(_question(7)):
        assert f"{math.sqrt(512):.1f}" in text


def test_q07_mask_conventions() -> None:
    """sdpa: True = may attend; nn.MultiheadAttention: True = may not."""
    torch.manual_seed(0)
    x = torch.randn(1, 3, 4)
    allowed = torch.tensor([[True, False, False]] * 3)
    mha = nn.MultiheadAttention(4, 1, batch_first=True)
    _, w = mha(x, x, x, attn_mask=~allowed)
    assert torch.allclose(w[0, :, 0], torch.ones(3))
    q = torch.randn(1, 3, 4)
    out = F.scaled_dot_product_attention(q, x, x, attn_mask=allowed)
    assert torch.allclose(out, x[:, :1].expand(1, 3, 4))


def test_q07_mentions_enable_gqa() -> None:
    for text in _both(_question(7)):
        assert "enable_gqa=True" in text and "2.5" in text


def test_q09_memory_and_flop_crossover() -> None:
    n, d = 64, 32
    x = torch.randn(n, d)
    dense = nn.ModuleList(
        [nn.Linear(d, d) for _ in range(4)] + [nn.Linear(d, 4 * d), nn.Linear(4 * d, d)]
    )
    with FlopCounterMode(display=False) as dense_flops:
        for m in dense[:4]:
            m(x)
        dense[5](dense[4](x))
    with FlopCounterMode(display=False) as attn_flops:
        (x @ x.T).softmax(-1) @ x
    assert dense_flops.get_total_flops() == 24 * n * d * d
    assert attn_flops.get_total_flops() == 4 * n * n * d
    crossover = 24 * 768 * 768 // (4 * 768)  # 4n²d = 24nd²  ⇔  n = 6d
    q = _question(9)
    assert crossover == 4608 and f"{crossover:,}" in q.follow_ups[2].answer.en
    mib = 16 * 4096 * 4096 * torch.empty(0, dtype=torch.float16).element_size() / 2**20
    assert all(f"{mib:.0f} MiB" in text for text in _both(q))


def test_q10_token_counts() -> None:
    patches = 224 // 16
    for text in _both(_question(10)):
        text = text.replace("{,}", ",")  # LaTeX thousands separator
        assert f"{patches * patches}" in text and f"{patches * patches + 1}" in text
        assert f"{(patches * patches) ** 2:,}" in text
        assert f"{224 * 224:,}^2" in text and f"{(224 * 224) ** 2 / 1e9:.1f}" in text


def test_q10_vit_pretraining_claims_name_bit_and_jft() -> None:
    """Dosovitskiy et al. 2021 §4.3: ImageNet-21k only matches BiT; the clear win needs JFT-300M."""
    q = _question(10)
    card = _item(q, "q10-vit-data")
    for text in (q.follow_ups[0].answer.en, card.answer.en, q.answer.en):
        assert "matched" in text and "BiT" in text and "JFT-300M" in text
    for text in (q.follow_ups[0].answer.zh, card.answer.zh, q.answer.zh):
        assert "BiT ResNet 持平" in text and "JFT-300M" in text
