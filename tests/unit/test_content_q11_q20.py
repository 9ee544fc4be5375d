"""Questions 11–20: schema, verbatim seed text, every computed number, and runnable answer code.

Numbers quoted in the answers and fixed numeric quiz answers are recomputed here from first
principles or with trusted references (the engine's masks, ``nn.MultiheadAttention``,
``nn.Transformer``, ``F.scaled_dot_product_attention``, PyTorch's FLOP counter).
"""

from __future__ import annotations

import ast
import math
import re
from pathlib import Path

import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F
import yaml
from torch.utils.flop_counter import FlopCounterMode

from engine import masks
from quiz.bank import check_file
from quiz.generators import check_generator, draw
from quiz.schema import Numeric, Question

ROOT = Path(__file__).resolve().parents[2]
QUESTIONS = ROOT / "questions"
SEED_NAME = "000_ee19f379c031890d.txt"
SEED_CANDIDATES = (ROOT / "seed" / SEED_NAME,)
NUMBERS = tuple(range(11, 21))
DEMOS = {
    11: "global_vs_local",
    12: "greedy_decoding",
    13: "variant_costs",
    14: "speech_alignment",
    15: "causal_kv_cache",
    16: "dialogue_attention",
    17: "attention_rollout",
    18: "tts_alignment",
    19: "torch_mha",
    20: "sequence_labelling",
}
TWINS = {14: 30, 18: 25, 20: 8}  # questions whose seed texts overlap link to each other


# ---------------------------------------------------------------- helpers


def _path(n: int) -> Path:
    found = sorted(QUESTIONS.glob(f"q{n:02d}-*.yaml"))
    assert len(found) == 1, f"expected one questions/q{n:02d}-*.yaml, found {found}"
    return found[0]


def _load(n: int) -> Question:
    return Question.model_validate(yaml.safe_load(_path(n).read_text(encoding="utf-8")))


@pytest.fixture(scope="module")
def bank() -> dict[int, Question]:
    return {n: _load(n) for n in NUMBERS}


def _norm(text: str) -> str:
    """Only trailing whitespace is normalised (per line and at the end)."""
    return "\n".join(line.rstrip() for line in text.strip().splitlines())


@pytest.fixture(scope="module")
def seed() -> dict[int, tuple[str, str]]:
    """Seed question N → (heading text, answer text after **答案：** up to the next heading)."""
    path = next((p for p in SEED_CANDIDATES if p.is_file()), None)
    assert path is not None, (
        f"seed file {SEED_NAME} not found in {[str(p) for p in SEED_CANDIDATES]}"
    )
    parts = re.split(r"^#### (\d+)\. (.*)$", path.read_text(encoding="utf-8"), flags=re.M)
    out = {}
    for i in range(1, len(parts), 3):
        body = parts[i + 2].split("**答案：**", 1)[1].split("\n### ", 1)[0]
        out[int(parts[i])] = (parts[i + 1].strip(), _norm(body))
    return out


def _item(q: Question, item_id: str):
    return next(item for item in q.quiz if item.id == item_id)


def _code_blocks(markdown: str) -> list[str]:
    return re.findall(r"```python\n(.*?)```", markdown, flags=re.S)


def _without_docstrings(source: str) -> str:
    """AST dump with docstrings removed (comments are never in the AST)."""
    tree = ast.parse(source)
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if (
            isinstance(body, list)
            and body
            and isinstance(body[0], ast.Expr)
            and isinstance(body[0].value, ast.Constant)
            and isinstance(body[0].value.value, str)
        ):
            node.body = body[1:] or [ast.Pass()]
    return ast.dump(tree)


def _both(q: Question) -> tuple[str, str]:
    return q.answer.zh, q.answer.en


# ---------------------------------------------------------------- every file


@pytest.mark.parametrize("n", NUMBERS)
def test_file_validates_and_is_linked(n: int, bank: dict[int, Question]) -> None:
    q = bank[n]
    path = _path(n)
    assert q.id == path.stem and q.number == n
    assert [d.name for d in q.demo] == [DEMOS[n]] and q.demo[0].params == {}
    assert (
        3 <= len(q.key_points) <= 6 and 2 <= len(q.follow_ups) <= 4 and 1 <= len(q.references) <= 5
    )
    if n in TWINS:
        assert TWINS[n] in q.see_also
        assert _path(TWINS[n]).is_file()
        assert f"question {TWINS[n]}" in q.answer.en and f"第 {TWINS[n]} 题" in q.answer.zh
    # the bank loader finds nothing wrong except, while it is being written, the demo itself
    _, issues = check_file(path)
    assert all(i.field == "demo.name" and "unknown demo" in i.message for i in issues), issues


@pytest.mark.parametrize("n", NUMBERS)
def test_quiz_items_are_well_formed(n: int, bank: dict[int, Question]) -> None:
    q = bank[n]
    ids = [item.id for item in q.quiz]
    assert len(q.quiz) >= 5 and len({item.type for item in q.quiz}) >= 3
    assert len(set(ids)) == len(ids) and all(i.startswith(f"q{n:02d}-") for i in ids)
    numerics = [item for item in q.quiz if isinstance(item, Numeric)]
    assert numerics, "every question here has a number to compute"
    for item in numerics:
        if item.generator:
            assert check_generator(item.generator, item.params) == []
            for s in range(5):
                drawn = draw(item.generator, item.params, seed=s)
                assert math.isfinite(drawn.answer) and drawn.prompt["en"] and drawn.prompt["zh"]


@pytest.mark.parametrize("n", NUMBERS)
def test_seed_is_verbatim(n: int, bank: dict[int, Question], seed: dict) -> None:
    heading, answer = seed[n]
    q = bank[n]
    assert q.seed is not None
    assert q.seed.question.zh == heading
    assert _norm(q.seed.answer.zh) == answer
    for c in q.corrections:
        assert _norm(c.seed_says.zh) in answer, c.seed_says.zh
    # the translation keeps the seed's code blocks, differing only in comments
    zh_code, en_code = _code_blocks(q.seed.answer.zh), _code_blocks(q.seed.answer.en)
    assert [_without_docstrings(c) for c in zh_code] == [_without_docstrings(c) for c in en_code]


@pytest.mark.parametrize("n", NUMBERS)
def test_answer_code_is_the_same_in_both_languages(n: int, bank: dict[int, Question]) -> None:
    zh, en = (_code_blocks(t) for t in _both(bank[n]))
    assert [_without_docstrings(c) for c in zh] == [_without_docstrings(c) for c in en]


@pytest.mark.parametrize(
    ("n", "lang"),
    [(n, lang) for n in NUMBERS if n != 14 for lang in ("zh", "en")],
)
def test_answer_code_runs(n: int, lang: str, bank: dict[int, Question]) -> None:
    blocks = _code_blocks(getattr(bank[n].answer, lang))
    assert blocks
    for i, source in enumerate(blocks):
        exec(compile(source, f"q{n}-{lang}-block{i}", "exec"), {"__name__": "answer_code"})


def test_q14_has_no_code_to_run(bank: dict[int, Question]) -> None:
    assert _code_blocks(bank[14].answer.en) == [] == _code_blocks(bank[14].answer.zh)


# ---------------------------------------------------------------- Q11 global vs local


def test_q11_window_counts(bank: dict[int, Question]) -> None:
    for n in range(3, 40):
        for w in range(0, n):
            count = int(masks.sliding_window_mask(n, w).sum())
            assert count == n * (2 * w + 1) - w * (w + 1)
    assert int(masks.sliding_window_mask(50, 10).sum()) == 940
    zh, en = _both(bank[11])
    assert "940" in zh and "2500" in zh and "940" in en and "2,500" in en


def test_q11_window_generator_matches_the_explained_formula(bank: dict[int, Question]) -> None:
    item = _item(bank[11], "q11-window-count")
    for s in range(20):
        drawn = draw(item.generator, item.params, seed=s)
        n = int(re.search(r"n = (\d+)", drawn.prompt["en"]).group(1))
        w = int(re.search(r"≤ (\d+)", drawn.prompt["en"]).group(1))
        assert drawn.answer == n * (2 * w + 1) - w * (w + 1)


def test_q11_gaussian_at_the_window_edge(bank: dict[int, Question]) -> None:
    for D in (1, 3, 10):
        sigma = D / 2
        edge = math.exp(-(D**2) / (2 * sigma**2))
        assert math.isclose(edge, math.exp(-2))
    item = _item(bank[11], "q11-gaussian-edge")
    assert abs(item.answer - math.exp(-2)) <= item.tolerance
    assert all("0.135" in t for t in _both(bank[11]))


# ---------------------------------------------------------------- Q12 text generation


def test_q12_pointer_generator_mixture(bank: dict[int, Question]) -> None:
    p_gen, p_vocab, copies = 0.7, 0.1, (0.3, 0.2)
    expected = p_gen * p_vocab + (1 - p_gen) * sum(copies)
    item = _item(bank[12], "q12-pointer-mixture")
    assert abs(item.answer - expected) <= item.tolerance and math.isclose(expected, 0.22)


# ---------------------------------------------------------------- Q13 evaluation


def _layer_flops(n: int, d: int, h: int) -> tuple[int, int]:
    """FLOPs of the projections and of the attention core, counted by PyTorch."""
    x = torch.randn(1, n, d)
    proj = [nn.Linear(d, d, bias=False) for _ in range(4)]
    with FlopCounterMode(display=False) as counter:
        q, k, v = (p(x).view(1, n, h, d // h).transpose(1, 2) for p in proj[:3])
        out = torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(d // h), -1) @ v
        proj[3](out.transpose(1, 2).reshape(1, n, d))
    total = counter.get_total_flops()
    with FlopCounterMode(display=False) as core:
        torch.softmax(q @ k.transpose(-2, -1), -1) @ v
    return total - core.get_total_flops(), core.get_total_flops()


def test_q13_flop_formulas_and_crossover(bank: dict[int, Question]) -> None:
    for n, d, h in ((64, 32, 4), (48, 96, 8)):
        projections, attention = _layer_flops(n, d, h)
        assert projections == 8 * n * d * d and attention == 4 * n * n * d
    assert _layer_flops(2 * 64, 64, 4)[0] == _layer_flops(2 * 64, 64, 4)[1]  # equal at n = 2d
    assert _item(bank[13], "q13-flops-crossover").answer == 2 * 768
    assert all("1024" in t for t in _both(bank[13]))  # "n > 1024 for d = 512"


def test_q13_memory_entropy_and_heads(bank: dict[int, Question]) -> None:
    assert 12 * 4096**2 * 4 / 2**20 == 768
    assert all("768 MiB" in t for t in _both(bank[13]))
    item = _item(bank[13], "q13-entropy-uniform")
    a = torch.full((16,), 1 / 16, dtype=torch.float64)
    assert abs(item.answer - float(-(a * a.log()).sum())) <= item.tolerance
    # multi-query attention, d = 512, 8 query heads sharing one key/value head of 64
    mha = sum(p.numel() for p in nn.MultiheadAttention(512, 8, bias=False).parameters())
    mqa = sum(
        p.numel()
        for out in (512, 64, 64, 512)  # W_Q, W_K, W_V, W_O
        for p in nn.Linear(512, out, bias=False).parameters()
    )
    cache_mha, cache_mqa = 2 * 512, 2 * 64  # keys + values per token and layer
    assert cache_mha / cache_mqa == 8 and mha / mqa == pytest.approx(16 / 9) and mha / mqa < 2
    item = _item(bank[13], "q13-heads-params")
    assert item.answer is False
    for text in (item.explanation.en, item.explanation.zh):
        assert f"{mha:,}".replace(",", "{,}") in text and f"{mqa:,}".replace(",", "{,}") in text
        assert f"{mha / mqa:.2f}" in text and f"{1 - mqa / mha:.0%}".rstrip("%") in text


def test_q13_linformer_memory_and_flash_speedup(bank: dict[int, Question]) -> None:
    fp16 = torch.empty(0, dtype=torch.float16).element_size()
    n, k, h = 4096, 256, 12
    linformer, full = h * n * k * fp16 / 2**20, h * n * n * fp16 / 2**20
    assert _item(bank[13], "q13-weights-memory").answer == linformer == 24
    assert f"{full:.0f}" in _item(bank[13], "q13-weights-memory").explanation.en
    # share of a layer's FLOPs that FlashAttention can speed up at n = 256, d = 4096
    n, d = 256, 4096
    share = 4 * n * n * d / (24 * n * d * d)
    assert share == pytest.approx(n / (6 * d)) and round(share * 100) == 1
    item = _item(bank[13], "q13-flash-why")
    assert "$n=256$" in item.options[item.answer].en and "1 %" in item.explanation.en


# ---------------------------------------------------------------- Q14 speech recognition


def test_q14_frame_counts(bank: dict[int, Question]) -> None:
    frames = round(10 / 0.010)
    assert frames == 1000
    tokens = 40  # decoder queries of the cross-attention item
    assert _item(bank[14], "q14-encoder-scores").answer == tokens * (frames // 4) == 10000
    assert (frames // 4) ** 2 == 62500  # the encoder's self-attention, quoted in the answer
    assert _item(bank[14], "q14-las-pyramid").answer == frames / 2**3 == 125
    zh, en = _both(bank[14])
    assert "62500" in zh and "62{,}500" in en and "250" in zh and "250" in en


# ---------------------------------------------------------------- Q15 causal attention


def test_q15_score_counts(bank: dict[int, Question]) -> None:
    n = 1024
    assert int(masks.causal_mask(n).sum()) == n * (n + 1) // 2 == 524800
    zh, en = _both(bank[15])
    assert "524800" in zh and "1048576" in zh and "524,800" in en and "1,048,576" in en


def test_q15_first_row_and_the_future(bank: dict[int, Question]) -> None:
    torch.manual_seed(0)
    L, E = 4, 8
    mha = nn.MultiheadAttention(E, 2, batch_first=True)
    x = torch.randn(1, L, E)
    causal = torch.triu(torch.ones(L, L, dtype=torch.bool), diagonal=1)
    _, w = mha(x, x, x, attn_mask=causal)
    item = _item(bank[15], "q15-first-row")
    assert torch.allclose(w[0, 0], torch.tensor([1.0, 0, 0, 0]))
    assert item.options[item.answer].en == "$[1,0,0,0]$"
    # appending a token leaves every earlier output unchanged
    q, k, v = torch.randn(3, 6, 8).unbind(0)
    short = F.scaled_dot_product_attention(q[:5], k[:5], v[:5], is_causal=True)
    longer = F.scaled_dot_product_attention(q, k, v, is_causal=True)
    assert torch.allclose(longer[:5], short, atol=1e-6)
    assert _item(bank[15], "q15-future-edit").answer is False


def test_q15_lower_right_causal_bias_for_cached_queries(bank: dict[int, Question]) -> None:
    """causal_lower_right(L, S): query i sees keys j ≤ i + S − L; is_causal aligns top left."""
    from torch.nn.attention.bias import causal_lower_right

    L, S, E = 2, 5, 8
    g = torch.Generator().manual_seed(0)
    q, k, v = torch.randn(1, 1, L, E, generator=g), *torch.randn(2, 1, 1, S, E, generator=g)
    allowed = torch.ones(L, S, dtype=torch.bool).tril(diagonal=S - L)
    torch.testing.assert_close(
        F.scaled_dot_product_attention(q, k, v, attn_mask=causal_lower_right(L, S)),
        F.scaled_dot_product_attention(q, k, v, attn_mask=allowed),
        rtol=1e-5,
        atol=1e-6,
    )
    # the last cached query sees every key, like a full recomputation's last row
    full = F.scaled_dot_product_attention(
        torch.cat([torch.randn(1, 1, S - L, E, generator=g), q], 2), k, v, is_causal=True
    )
    torch.testing.assert_close(
        full[..., -L:, :],
        F.scaled_dot_product_attention(q, k, v, attn_mask=allowed),
        rtol=1e-5,
        atol=1e-6,
    )
    answer = bank[15].follow_ups[0].answer
    assert "causal_lower_right(L, S)" in answer.en and "causal_lower_right(L, S)" in answer.zh


# ---------------------------------------------------------------- Q16 dialogue


def test_q16_hierarchical_counts_and_turn_weight(bank: dict[int, Question]) -> None:
    turns, per_turn = 6, 20
    hierarchical = turns * per_turn**2 + turns**2
    flat = (turns * per_turn) ** 2
    assert _item(bank[16], "q16-hierarchical-count").answer == hierarchical == 2436
    assert flat == 14400
    zh, en = _both(bank[16])
    assert "2436" in zh and "14400" in zh and "2,436" in en and "14,400" in en
    # flat model: softmax over all history tokens, then the turn's tokens summed
    scores = torch.tensor([0.0, 0.0, 1.0, 0.0, 2.0, 1.0], dtype=torch.float64)
    turn = torch.tensor([0, 0, 1, 1, 2, 2])
    per_turn = torch.zeros(3, dtype=torch.float64).index_add(0, turn, scores.softmax(-1))
    item = _item(bank[16], "q16-turn-weight")
    assert abs(item.answer - float(per_turn[2])) <= item.tolerance
    assert float(per_turn[2]) != pytest.approx(float(scores[4:].softmax(-1).sum()))
    explanation = item.explanation.en
    assert f"{scores.exp().sum():.3f}" in explanation and f"{per_turn[2]:.3f}" in explanation


# ---------------------------------------------------------------- Q17 attention weights


def test_q17_rollout_entry(bank: dict[int, Question]) -> None:
    A = torch.tensor([[0.6, 0.4], [0.2, 0.8]], dtype=torch.float64)
    A_res = 0.5 * A + 0.5 * torch.eye(2, dtype=torch.float64)
    R = A_res @ A_res
    item = _item(bank[17], "q17-rollout")
    assert abs(item.answer - float(R[0, 1])) <= item.tolerance
    assert torch.allclose(R.sum(-1), torch.ones(2, dtype=torch.float64))


def test_q17_norm_weighted_share(bank: dict[int, Question]) -> None:
    a = torch.tensor([2.0, 1.0, 0.0], dtype=torch.float64).softmax(-1)
    # value vectors with norms 1, 4, 2; the contribution of token j is ||a_j v_j||
    v = torch.tensor([[1.0, 0.0], [0.0, 4.0], [1.2, 1.6]], dtype=torch.float64)
    contribution = (a[:, None] * v).norm(dim=-1)
    share = contribution / contribution.sum()
    item = _item(bank[17], "q17-softmax-weight")
    assert abs(item.answer - float(share[1])) <= item.tolerance
    assert int(a.argmax()) == 0 and int(share.argmax()) == 1
    explanation = item.explanation.en
    for value in (*a.tolist(), *contribution.tolist()):
        assert f"{value:.3f}" in explanation
    assert f"{contribution.sum():.3f}" in explanation


def test_q17_weights_are_not_parameters(bank: dict[int, Question]) -> None:
    torch.manual_seed(0)
    mha = nn.MultiheadAttention(8, 2, batch_first=True)
    before = [p.clone() for p in mha.parameters()]
    x1, x2 = torch.randn(2, 1, 3, 8)
    _, w1 = mha(x1, x1, x1)
    _, w2 = mha(x2, x2, x2)
    assert not torch.allclose(w1, w2)  # recomputed for every input …
    assert all(
        torch.equal(a, b) for a, b in zip(before, mha.parameters(), strict=True)
    )  # … no update
    assert _item(bank[17], "q17-not-parameters").answer is False


# ---------------------------------------------------------------- Q18 speech synthesis


def test_q18_guided_penalty_and_steps(bank: dict[int, Question]) -> None:
    g = 0.2
    penalty = 1 - math.exp(-((10 / 50 - 100 / 200) ** 2) / (2 * g * g))
    assert abs(penalty - 0.675) < 1e-3  # the value asserted in the answer's code
    # the offset where the penalty is half its maximum, found by bisection on the penalty itself
    lo, hi = 0.0, 1.0
    for _ in range(60):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if 1 - math.exp(-(mid**2) / (2 * g * g)) < 0.5 else (lo, mid)
    item = _item(bank[18], "q18-guided-penalty")
    assert abs(item.answer - lo) <= item.tolerance
    explanation = item.explanation.en
    assert f"{2 * g * g * math.log(2):.4f}" in explanation and f"{lo * 50:.0f}" in explanation
    frames = round(4 / 0.0125)
    assert frames == 320 and round(1 / 0.0125) == 80
    assert _item(bank[18], "q18-decoder-steps").answer == frames / 2
    zh, en = _both(bank[18])
    assert "320" in zh and "80" in zh and "320 frames" in en and "80 frames per second" in en


# ---------------------------------------------------------------- Q19 PyTorch MHA


def test_q19_parameter_count(bank: dict[int, Question]) -> None:
    count = sum(p.numel() for p in nn.MultiheadAttention(512, 8).parameters())
    assert count == 4 * 512**2 + 4 * 512
    assert any("1,050,624" in kp.en for kp in bank[19].key_points)
    cross = nn.MultiheadAttention(512, 8, kdim=256, vdim=256)
    shapes = {name: tuple(p.shape) for name, p in cross.named_parameters()}
    assert "in_proj_weight" not in shapes and shapes["k_proj_weight"] == (512, 256)
    item = _item(bank[19], "q19-mha-params")
    assert item.answer == sum(p.numel() for p in cross.parameters())
    assert f"{int(item.answer):,}".replace(",", "{,}") in item.explanation.en
    assert "1{,}050{,}624" in item.explanation.en and str(int(item.answer)) in item.explanation.zh


def test_q19_grouped_query_attention(bank: dict[int, Question]) -> None:
    torch.manual_seed(0)
    d_model, h_q, h_kv, d_k, L = 512, 8, 2, 64, 5
    w_q, w_k, w_v = (nn.Linear(d_model, n * d_k, bias=False) for n in (h_q, h_kv, h_kv))
    w_o = nn.Linear(h_q * d_k, d_model, bias=False)
    item = _item(bank[19], "q19-mha-params-fresh")
    assert item.answer == sum(p.numel() for m in (w_q, w_k, w_v, w_o) for p in m.parameters())
    x = torch.randn(1, L, d_model)
    q = w_q(x).view(1, L, h_q, d_k).transpose(1, 2)
    k, v = (w(x).view(1, L, h_kv, d_k).transpose(1, 2) for w in (w_k, w_v))
    with torch.no_grad():
        gqa = F.scaled_dot_product_attention(q, k, v, enable_gqa=True)
        # the reference: every K/V head shared by h_q / h_kv consecutive query heads
        reps = h_q // h_kv
        ref = F.scaled_dot_product_attention(
            q, k.repeat_interleave(reps, 1), v.repeat_interleave(reps, 1)
        )
    torch.testing.assert_close(gqa, ref, rtol=1e-5, atol=1e-6)
    assert "enable_gqa" in bank[19].answer.en and "enable_gqa" in bank[19].answer.zh


@pytest.mark.filterwarnings("ignore:enable_nested_tensor is True:UserWarning")
def test_q19_seed_code_builds_six_decoder_layers(bank: dict[int, Question]) -> None:
    model = nn.Transformer(32, 4, 2)  # the seed's positional call, smaller d_model
    assert len(model.encoder.layers) == 2 and len(model.decoder.layers) == 6
    assert model.batch_first is False and nn.MultiheadAttention(8, 2).batch_first is False
    item = _item(bank[19], "q19-decoder-layers")
    assert item.options[item.answer].en == "6"


@pytest.mark.filterwarnings("ignore:enable_nested_tensor is True:UserWarning")
def test_q19_transformer_adds_no_causal_mask_and_no_positions(bank: dict[int, Question]) -> None:
    torch.manual_seed(0)
    model = nn.Transformer(16, 2, 1, 1, dim_feedforward=32, dropout=0.0).eval()
    src, tgt = torch.randn(5, 1, 16), torch.randn(4, 1, 16)  # (S, N, E): batch_first=False
    edited = tgt.clone()
    edited[-1] += 1.0  # change only the last target position
    with torch.no_grad():
        leak = (model(src, tgt)[0] - model(src, edited)[0]).abs().max()
        mask = nn.Transformer.generate_square_subsequent_mask(4)
        safe = (
            (model(src, tgt, tgt_mask=mask)[0] - model(src, edited, tgt_mask=mask)[0]).abs().max()
        )
        perm = torch.tensor([2, 0, 4, 1, 3])
        enc, enc_perm = model.encoder(src), model.encoder(src[perm])
    assert leak > 1e-4 and safe < 1e-6  # no causal mask unless tgt_mask is passed
    assert torch.allclose(enc[perm], enc_perm, atol=1e-5)  # order-blind: no positional encoding
    assert _item(bank[19], "q19-positional").answer is False


def test_q19_mask_meanings_are_opposite(bank: dict[int, Question]) -> None:
    torch.manual_seed(0)
    x = torch.randn(1, 3, 8)
    mask = torch.zeros(3, 3, dtype=torch.bool)
    mask[0, 1] = True
    _, w = nn.MultiheadAttention(8, 1, batch_first=True)(x, x, x, attn_mask=mask)
    assert w[0, 0, 1] == 0  # nn.MultiheadAttention: True = may not attend
    sdpa_mask = mask.clone()
    sdpa_mask[1:] = True  # rows 1 and 2 may attend everywhere; row 0 only to key 1
    out = F.scaled_dot_product_attention(x[0], x[0], torch.eye(3), attn_mask=sdpa_mask)
    assert torch.allclose(out[0], torch.tensor([0.0, 1.0, 0.0]))  # SDPA: True = may attend
    item = _item(bank[19], "q19-mask-meaning")
    assert "may not attend" in item.options[item.answer].en


# ---------------------------------------------------------------- Q20 sequence labelling


def test_q20_tag_and_head_counts(bank: dict[int, Question]) -> None:
    types = ("PER", "LOC", "ORG", "MISC")
    bio = ["O"] + [f"{p}-{t}" for t in types for p in "BI"]
    assert _item(bank[20], "q20-bio-tags").answer == len(bio) == 2 * len(types) + 1
    head = nn.Linear(768, len(bio))
    assert _item(bank[20], "q20-head-params").answer == sum(p.numel() for p in head.parameters())
