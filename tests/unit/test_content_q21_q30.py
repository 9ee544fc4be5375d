"""Questions 21–30: schema, verbatim seed text, runnable code blocks and every computed number.

Each number a question quotes (a fixed numeric answer, a count or a formula value in an
explanation) is recomputed here from first principles — parameter counts from ``torch.nn``
modules, score counts from boolean masks, softmax values from ``torch.softmax`` — rather
than read back from the files.
"""

from __future__ import annotations

import ast
import hashlib
import math
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import torch
import yaml
from torch import nn

from quiz.generators import check_generator, draw
from quiz.schema import Numeric, Question

ROOT = Path(__file__).resolve().parents[2]
QUESTIONS = ROOT / "questions"
NUMBERS = range(21, 31)
SEED_NAME = "000_ee19f379c031890d.txt"

DEMOS = {
    21: "channel_spatial",
    22: "bahdanau_additive",
    23: "target_attention",
    24: "soft_vs_hard",
    25: "tts_failure_modes",
    26: "hierarchical_attention",
    27: "graph_attention",
    28: "positional_equivariance",
    29: "space_time_attention",
    30: "streaming_asr",
}
TWINS = {25: [18], 28: [3], 30: [14]}

# sha256 (first 16 hex digits) of each seed question and answer, whitespace-normalised as in
# ``_norm``, taken from the seed file; they pin the verbatim text wherever the file is. The file
# itself is read from seed/ for a character-level comparison.
SEED_HASHES = {
    21: ("966e653595d93c44", "a5bb2a811fb1e8e1"),
    22: ("776bc2c83576371e", "554cfc945831ef22"),
    23: ("756294dfd9ba0b5d", "b4ee9ebfe8b288fc"),
    24: ("9a1e3f42c305bd1a", "1385122d80ecb1f7"),
    25: ("9616503b2c4545ef", "92f16f839cc08a26"),
    26: ("8a5bedc21397d90b", "319c0abd32acf364"),
    27: ("2ee3b0b890c700e0", "9293baa06b6be389"),
    28: ("221079ea29667ed6", "77edb7cda23c1ad1"),
    29: ("eb82c41b26dd22dc", "0dc8bc94f0c1e0f1"),
    30: ("1b9d8307fe6f977c", "7ba6e6c9a776b9a2"),
}


def _norm(text: str) -> str:
    """Strip trailing whitespace of every line and of the whole text."""
    return "\n".join(line.rstrip() for line in text.strip().split("\n"))


def _sha(text: str) -> str:
    return hashlib.sha256(_norm(text).encode("utf-8")).hexdigest()[:16]


def _path(n: int) -> Path:
    (path,) = QUESTIONS.glob(f"q{n:02d}-*.yaml")
    return path


def _load(n: int) -> Question:
    return Question.model_validate(yaml.safe_load(_path(n).read_text(encoding="utf-8")))


def _seed_file() -> Path:
    path = ROOT / "seed" / SEED_NAME
    assert path.is_file(), f"seed text {SEED_NAME} is missing from seed/"
    return path


def _seed_from_file(text: str, n: int) -> tuple[str, str]:
    """Question = heading after '#### n. '; answer = after '**答案：**' up to the next heading."""
    m = re.search(rf"^#### {n}\. (.+)$", text, re.M)
    assert m, f"question {n} not found in the seed file"
    rest = text[m.end() :]
    start = rest.index("**答案：**") + len("**答案：**")
    end = re.search(r"^#{3,4} ", rest[start:], re.M)
    answer = rest[start : start + end.start()] if end else rest[start:]
    return _norm(m.group(1)), _norm(answer)


def _strings(node: object) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for v in node.values():
            yield from _strings(v)
    elif isinstance(node, list):
        for v in node:
            yield from _strings(v)


def _python_blocks(markdown: str) -> list[str]:
    return re.findall(r"```python\n(.*?)```", markdown, re.S)


def _without_docstrings(code: str) -> str:
    """AST dump with docstrings removed (comments never reach the AST)."""
    tree = ast.parse(code)
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        first = body[0] if isinstance(body, list) and body else None
        value = first.value if isinstance(first, ast.Expr) else None
        if isinstance(value, ast.Constant) and isinstance(value.value, str):
            node.body = body[1:] or [ast.Pass()]
    return ast.dump(tree)


def _params(*modules: nn.Module) -> int:
    return sum(p.numel() for m in modules for p in m.parameters())


# ---------------------------------------------------------------- independent computations


def _se_params() -> float:
    """SE block, C = 256, r = 16, with biases: Linear(C, C/r) + Linear(C/r, C)."""
    return _params(nn.Linear(256, 16), nn.Linear(16, 256))


def _vit_scores() -> float:
    """ViT-B/16, 224×224 + [CLS]: count the cells of an all-True (tokens × tokens) mask."""
    tokens = (224 // 16) ** 2 + 1
    return float(torch.ones(tokens, tokens, dtype=torch.bool).sum())


def _additive_params() -> float:
    """W_a (d_s→d_a), U_a (d_h→d_a), v_a (d_a→1), no biases; d_s = 512, d_h = 1024, d_a = 512."""
    w, u, v = (
        nn.Linear(512, 512, bias=False),
        nn.Linear(1024, 512, bias=False),
        nn.Linear(512, 1, bias=False),
    )
    return _params(w, u, v)


def _toy_additive_scores() -> torch.Tensor:
    """e_j = v tanh(W s + U h_j), v = 2, W s = 0.5, U h = [0.5, −0.5, 1.5] → (3,)."""
    return 2.0 * torch.tanh(0.5 + torch.tensor([0.5, -0.5, 1.5], dtype=torch.float64))


def _toy_additive_weight() -> float:
    return float(torch.softmax(_toy_additive_scores(), dim=-1)[2])


def _din_cost() -> float:
    """DIN (one call per candidate × behaviour) over SASRec-style (L × L self-attention + M dots)."""
    din = torch.ones(500, 100, dtype=torch.bool).sum()
    sasrec = torch.ones(100, 100, dtype=torch.bool).sum() + torch.ones(500).sum()
    return float(din / sasrec)


def _expected_hard() -> float:
    """E_{s~α}[v_s], exact and by sampling (the sample mean must agree)."""
    alpha, v = (
        torch.tensor([0.5, 0.3, 0.2], dtype=torch.float64),
        torch.tensor([2.0, 4.0, 10.0], dtype=torch.float64),
    )
    exact = float(alpha @ v)
    gen = torch.Generator().manual_seed(0)
    samples = v[torch.multinomial(alpha, 200_000, replacement=True, generator=gen)]
    assert abs(float(samples.mean()) - exact) < 0.03
    return exact


def _guided_penalties(g: float = 0.2) -> torch.Tensor:
    """W[n, t] = 1 − exp(−(n/N − t/T)² / 2g²) for N = T = 4, positions 0..3 → (4, 4)."""
    pos = torch.arange(4, dtype=torch.float64) / 4
    return 1 - torch.exp(-((pos[:, None] - pos[None, :]) ** 2) / (2 * g * g))


def _guided_weight() -> float:
    """Guided-attention loss (1/NT) Σ A·W of a stuck alignment: every frame on token 0."""
    stuck = torch.zeros(4, 4, dtype=torch.float64)
    stuck[0, :] = 1.0
    diagonal = torch.eye(4, dtype=torch.float64)
    W = _guided_penalties()
    assert float((diagonal * W).mean()) == 0.0
    return float((stuck * W).mean())


def _han_weights() -> tuple[torch.Tensor, torch.Tensor]:
    """Sentence weights β = softmax([2, 0, 0]) and sentence 1's word weights α = softmax([1, 0])."""
    beta = torch.softmax(torch.tensor([2.0, 0.0, 0.0], dtype=torch.float64), -1)
    alpha = torch.softmax(torch.tensor([1.0, 0.0], dtype=torch.float64), -1)
    return beta, alpha


def _hier_cost() -> float:
    """30 sentences × 40 words: block-diagonal (within-sentence) mask + a 30 × 30 sentence mask."""
    within = torch.block_diag(*[torch.ones(40, 40)] * 30).sum()
    return float(within + torch.ones(30, 30).sum())


def _pe_wavelength(d: int, i: int) -> float:
    """2π / ω_i with ω_i = exp(−ln(10000)·2i/d), the frequency used by the answer's code."""
    freq = torch.exp(-math.log(10000.0) * torch.arange(0, d, 2, dtype=torch.float64) / d)
    return float(2 * math.pi / freq[i])


def _gat_params() -> float:
    """GAT layer, F = 1433, F' = 8, K = 8 heads, no biases: per head W (F'×F) and a (2F')."""
    heads = [(nn.Linear(1433, 8, bias=False), nn.Parameter(torch.zeros(16))) for _ in range(8)]
    return float(sum(_params(w) + a.numel() for w, a in heads))


def _space_time_masks(t: int, n: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Joint, temporal (same location) and spatial (same frame) masks over t·n tokens."""
    pos = torch.arange(t * n)
    frame, loc = pos // n, pos % n
    joint = torch.ones(t * n, t * n, dtype=torch.bool)
    return joint, loc[:, None] == loc[None, :], frame[:, None] == frame[None, :]


def _joint_count() -> float:
    return float(_space_time_masks(8, 196)[0].sum())


def _divided_count() -> float:
    _, temporal, spatial = _space_time_masks(8, 196)
    return float(temporal.sum() + spatial.sum())


def _asr_full_scores() -> float:
    """10 s at a 10 ms shift → 1000 frames → 4× subsampling → 250 frames; full n × n mask."""
    frames = round(10.0 / 0.010) // 4
    return float(torch.ones(frames, frames, dtype=torch.bool).sum())


def _asr_rerun_scores() -> float:
    """Full attention rerun over the prefix at every new frame: Σ_n (n × n mask) for n = 1..250."""
    frames = round(10.0 / 0.010) // 4
    return float(sum(torch.ones(n, n, dtype=torch.bool).sum() for n in range(1, frames + 1)))


def _reach(mask: torch.Tensor, layers: int) -> torch.Tensor:
    """Which inputs each top-layer frame depends on after ``layers`` masked attention layers."""
    reach = torch.eye(mask.size(0), dtype=torch.bool)
    for _ in range(layers):
        reach = (mask.float() @ reach.float()) > 0
    return reach


def _lookahead_ms() -> float:
    """12 layers, right context 2 frames each, 40 ms frames: furthest future input seen by frame 0."""
    idx = torch.arange(64)
    mask = idx[None, :] <= idx[:, None] + 2  # j ≤ i + 2: the past plus 2 frames ahead
    furthest = int(torch.nonzero(_reach(mask, 12)[0]).max())
    return furthest * 40.0


FIXED: dict[str, Callable[[], float]] = {
    "q21-se-params": _se_params,
    "q21-vit-scores": _vit_scores,
    "q22-additive-params": _additive_params,
    "q22-softmax-align": _toy_additive_weight,
    "q23-cost": _din_cost,
    "q24-expected-hard": _expected_hard,
    "q24-softmax-weight": lambda: float(torch.softmax(torch.tensor([2.0, 1.0, 0.0]) / 0.5, -1)[0]),
    "q25-guided-weight": _guided_weight,
    "q26-effective-weight": lambda: float(_han_weights()[0][0] * _han_weights()[1][0]),
    "q26-hier-cost": _hier_cost,
    "q27-gat-params": _gat_params,
    "q28-pe-value": lambda: math.sin(2 / 10000**0),
    "q28-score-count": lambda: _pe_wavelength(512, 64),
    "q29-joint-count": _joint_count,
    "q29-divided-count": _divided_count,
    "q30-full-scores": _asr_rerun_scores,
    "q30-lookahead": _lookahead_ms,
}


# ---------------------------------------------------------------- structure and schema


@pytest.mark.parametrize("n", NUMBERS)
def test_file_is_a_valid_question(n: int) -> None:
    path = _path(n)
    q = _load(n)
    assert q.id == path.stem and q.number == n
    assert [d.name for d in q.demo] == [DEMOS[n]] and not q.demo[0].params
    assert set(TWINS.get(n, [])) <= set(q.see_also) and n not in q.see_also
    assert q.seed is not None
    assert (
        3 <= len(q.key_points) <= 6 and 2 <= len(q.follow_ups) <= 4 and 1 <= len(q.references) <= 5
    )
    assert len(q.quiz) >= 5 and len({item.type for item in q.quiz}) >= 3
    assert all(item.id.startswith(f"q{n}-") for item in q.quiz)
    assert any(isinstance(item, Numeric) for item in q.quiz)
    for ref in q.references:
        assert ref.url is None or re.fullmatch(
            r"https://(arxiv\.org/abs/\d{4}\.\d{4,5}|aclanthology\.org/[A-Z]\d{2}-\d{4}/)", ref.url
        )


def test_quiz_ids_are_unique_across_these_questions() -> None:
    ids = [item.id for n in NUMBERS for item in _load(n).quiz]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("n", NUMBERS)
def test_no_control_characters(n: int) -> None:
    """A stray YAML escape (\\t in "\\top", say) would hide a TAB or other control character."""
    data = yaml.safe_load(_path(n).read_text(encoding="utf-8"))
    for text in _strings(data):
        bad = [c for c in text if ord(c) < 32 and c != "\n"]
        assert not bad, f"control character {bad[0]!r} in {text[:60]!r}"


@pytest.mark.parametrize("n", NUMBERS)
def test_twins_are_named_in_the_answer(n: int) -> None:
    q = _load(n)
    for twin in TWINS.get(n, []):
        assert f"第 {twin} 题" in q.answer.zh and f"Question {twin}" in q.answer.en


# ---------------------------------------------------------------- seed text


@pytest.mark.parametrize("n", NUMBERS)
def test_seed_is_verbatim(n: int) -> None:
    seed = _load(n).seed
    assert seed is not None
    q_hash, a_hash = SEED_HASHES[n]
    assert (_sha(seed.question.zh), _sha(seed.answer.zh)) == (q_hash, a_hash)
    text = _seed_file().read_text(encoding="utf-8")  # character for character
    assert (_norm(seed.question.zh), _norm(seed.answer.zh)) == _seed_from_file(text, n)
    normalised = _norm(text)
    assert _norm(seed.answer.zh) in normalised and _norm(seed.question.zh) in normalised


@pytest.mark.parametrize("n", NUMBERS)
def test_corrections_quote_the_seed(n: int) -> None:
    q = _load(n)
    assert q.seed is not None and q.corrections
    for c in q.corrections:
        assert c.seed_says.zh in q.seed.answer.zh, c.seed_says.zh
        assert c.reference.strip()


# ---------------------------------------------------------------- code blocks


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("n", NUMBERS)
def test_python_blocks_run(n: int, lang: str) -> None:
    answer = _load(n).answer.get(lang)
    blocks = _python_blocks(answer)
    assert blocks, "every answer in 21–30 carries a runnable example"
    for code in blocks:
        with torch.random.fork_rng():
            exec(compile(code, f"q{n}-{lang}", "exec"), {"__name__": f"q{n}_{lang}"})


@pytest.mark.parametrize("n", NUMBERS)
def test_both_languages_show_the_same_code_and_formulas(n: int) -> None:
    answer = _load(n).answer
    zh, en = _python_blocks(answer.zh), _python_blocks(answer.en)
    assert [_without_docstrings(c) for c in zh] == [_without_docstrings(c) for c in en]
    display = re.compile(r"\$\$(.+?)\$\$", re.S)
    assert display.findall(answer.zh) == display.findall(answer.en)


# ---------------------------------------------------------------- numbers


def test_every_fixed_numeric_answer_is_computed() -> None:
    fixed = {
        item.id: item
        for n in NUMBERS
        for item in _load(n).quiz
        if isinstance(item, Numeric) and item.generator is None
    }
    assert set(fixed) == set(FIXED)
    for qid, compute in FIXED.items():
        item = fixed[qid]
        value = compute()
        assert abs(item.answer - value) <= max(item.tolerance, 1e-9), (qid, item.answer, value)


def test_generator_items_are_valid_and_draw() -> None:
    for n in NUMBERS:
        for item in _load(n).quiz:
            if isinstance(item, Numeric) and item.generator is not None:
                assert check_generator(item.generator, item.params) == [], item.id
                drawn = draw(item.generator, item.params, seed=n)
                assert math.isfinite(drawn.answer)


def _quiz(n: int, qid: str):
    return next(item for item in _load(n).quiz if item.id == qid)


def test_quoted_intermediate_numbers() -> None:
    """The worked numbers inside explanations and answers, recomputed."""
    se = _quiz(21, "q21-se-params").explanation.en
    assert f"= {256 * 16 + 16}" in se and f"= {16 * 256 + 256}" in se
    assert (224 // 16) ** 2 == 196 and "196" in _load(21).answer.en and "196" in _load(21).answer.zh
    cost = _quiz(23, "q23-cost").explanation.en
    assert all(
        f"{x:,}".replace(",", "{,}") in cost for x in (500 * 100, 100 * 100, 100 * 100 + 500)
    )
    add = _quiz(22, "q22-additive-params").explanation.en
    assert str(512 * 512) in add and str(512 * 1024) in add
    toy = _quiz(22, "q22-softmax-align").explanation.en
    e = _toy_additive_scores()
    assert all(f"{x:.3f}" in toy for x in e[[0, 2]].tolist()) and float(e[1]) == 0.0
    assert all(f"{x:.3f}" in toy for x in e.exp()[[0, 2]].tolist())
    assert f"{e.exp().sum():.3f}" in toy and f"{_toy_additive_weight():.3f}" in toy
    assert f"{0.5 * 2 + 0.3 * 4 + 0.2 * 10:.1f}" in _quiz(24, "q24-expected-hard").explanation.en
    tempered = _quiz(24, "q24-softmax-weight").explanation.en
    e = torch.tensor([2.0, 1.0, 0.0], dtype=torch.float64)
    assert f"{(e / 0.5).exp().sum():.3f}" in tempered and f"{e.exp().sum():.3f}" in tempered
    assert f"{e.softmax(-1)[0]:.3f}" in tempered and f"{(e / 0.5).softmax(-1)[0]:.3f}" in tempered
    assert float((e / 0.01).softmax(-1)[0]) > 0.999  # τ → 0: the hard argmax choice
    guided = _quiz(25, "q25-guided-weight").explanation.en
    row = _guided_penalties()[0]
    assert f"{2 * 0.2**2:.2f}" in guided and f"{0.25**2 / 0.08:.5f}" in guided
    assert all(f"{w:.3f}" in guided for w in row[1:].tolist())
    assert f"{row.sum():.3f}" in guided and f"{_guided_weight():.3f}" in guided
    han = _quiz(26, "q26-effective-weight").explanation.en
    beta, alpha = _han_weights()
    assert f"{beta[0]:.3f}" in han and f"{alpha[0]:.3f}" in han
    assert f"{math.exp(2) + 2:.3f}" in han and f"{math.e + 1:.3f}" in han
    assert torch.isclose((beta[0] * alpha).sum(), beta[0])  # the words of a sentence add up to β
    hier = _quiz(26, "q26-hier-cost").explanation.en
    assert str(30 * 40**2) in hier and str(30**2) in hier and str((30 * 40) ** 2) in hier
    gat = _quiz(27, "q27-gat-params").explanation.en
    assert str(1433 * 8) in gat and str(1433 * 8 + 16) in gat
    joint, divided = _joint_count(), _divided_count()
    video = _load(29).answer
    assert f"{int(divided):,}".replace(",", "{,}") in video.en and str(int(divided)) in video.zh
    assert f"{joint / 1e6:.2f}" in video.en and f"{joint / divided:.1f}" in video.en
    split = _quiz(29, "q29-divided-count").explanation.en
    assert str(8 * 196 * 8) in split and str(8 * 196 * 196) in split
    asr = _load(30).answer.en
    assert f"{int(_asr_full_scores()):,}" in asr and "250 frames" in asr
    rerun = _quiz(30, "q30-full-scores").explanation.en
    cached = int(torch.tril(torch.ones(250, 250, dtype=torch.bool)).sum())
    assert f"{cached:,}".replace(",", "{,}") in rerun and "62{,}500" in rerun
    assert f"about {_asr_rerun_scores() / _asr_full_scores():.0f} times" in rerun


def test_q21_se_and_vit_facts_are_quoted_with_their_numbers() -> None:
    """Hu et al. 2018, Table 2: ResNet-50 24.80 → SE-ResNet-50 23.29 top-1 error, 25.6M → 28.1M."""
    gain, extra = 24.80 - 23.29, 28.1 / 25.6 - 1
    assert round(gain, 2) == 1.51 and round(100 * extra) == 10
    q = _load(21)
    for text in (q.answer.en, q.corrections[0].correction.en):
        assert "24.80 %" in text and "23.29 %" in text and f"{gain:.1f} points" in text
        assert f"about {100 * extra:.0f} % more parameters" in text
        assert "ImageNet-21k" in text and "only matches BiT" in text and "JFT-300M" in text
    for text in (q.answer.zh, q.corrections[0].correction.zh):
        assert "24.80%" in text and "23.29%" in text and f"{gain:.1f} 个百分点" in text
        assert f"约 {100 * extra:.0f}%" in text and "持平" in text and "JFT-300M" in text


def test_code_block_counts_match_the_masks() -> None:
    """Counts asserted inside code blocks, recomputed from masks here."""
    pos = torch.arange(12)
    chunk = (pos[None, :] // 4) <= (pos[:, None] // 4)
    assert int(chunk.sum()) == 96 and "== 96" in _load(30).answer.en
    joint, temporal, spatial = _space_time_masks(4, 9)
    assert int(joint.sum()) == 1296 and int(temporal.sum() + spatial.sum()) == 468
    assert "== 1296" in _load(29).answer.en and "== 468" in _load(29).answer.en
    assert _params(nn.Linear(64, 4), nn.Linear(4, 64)) == 580 and "# 580" in _load(21).answer.en


def test_q28_equivariant_not_invariant_and_raw_scores_are_symmetric() -> None:
    torch.manual_seed(0)
    n, d = 6, 8
    w_q, w_k, w_v = (torch.randn(d, d) / math.sqrt(d) for _ in range(3))
    x, perm = torch.randn(n, d), torch.tensor([3, 0, 5, 1, 4, 2])

    def sa(inp: torch.Tensor) -> torch.Tensor:
        return torch.nn.functional.scaled_dot_product_attention(inp @ w_q, inp @ w_k, inp @ w_v)

    out, shuffled = sa(x), sa(x[perm])
    torch.testing.assert_close(shuffled, out[perm], rtol=1e-5, atol=1e-6)  # equivariant
    assert not torch.allclose(shuffled, out, atol=1e-3)  # … not invariant index by index
    torch.testing.assert_close(shuffled.mean(0), out.mean(0), rtol=1e-5, atol=1e-6)  # pooled
    assert _quiz(28, "q28-equivariance").answer is False
    unit = torch.nn.functional.normalize(x, dim=-1)  # equal norms
    raw = unit @ unit.T
    assert torch.equal(raw, raw.T) and torch.equal(raw.argmax(-1), torch.arange(n))
    item = _quiz(28, "q28-qkv")
    assert "symmetric" in item.options[item.answer].en
    wave = _quiz(28, "q28-score-count").explanation.en
    assert f"{_pe_wavelength(512, 64):.2f}" in wave and f"{1 / 10000**0.25:.1f}" in wave


def test_chunked_lookahead_does_not_grow_with_depth() -> None:
    """The claim of question 30: stacked chunked layers still see no further than the chunk's end."""
    pos = torch.arange(32)
    chunk = (pos[None, :] // 4) <= (pos[:, None] // 4)
    reach = _reach(chunk, 12)
    furthest = torch.stack([torch.nonzero(row).max() for row in reach])
    assert torch.equal(furthest, (pos // 4) * 4 + 3)
