"""Content of questions 31–35 (beyond the original 30): schema, misconceptions, runnable code and
every number they quote, computed here from the published shapes and formulas, from PyTorch and
transformers, or by running the question's demo — never read back from the YAML itself."""

from __future__ import annotations

import contextlib
import io
import math
import re
from pathlib import Path
from typing import Any

import pytest
import torch
import torch.nn as nn
import yaml

from engine.registry import run_demo
from quiz.schema import Flashcard, MultipleChoice, Numeric, Question, SingleChoice

ROOT = Path(__file__).resolve().parents[2]
NUMBERS = range(31, 36)
DEMOS = {
    31: "gqa_kv_cache",
    32: "rope_scaling",
    33: "alibi_t5_bias",
    34: "sliding_window_sinks",
    35: "flash_attention_steps",
}
MiB, GiB = 2**20, 2**30


def _path(n: int) -> Path:
    (path,) = sorted((ROOT / "questions").glob(f"q{n:02d}-*.yaml"))
    return path


def _raw(n: int) -> dict[str, Any]:
    return yaml.safe_load(_path(n).read_text(encoding="utf-8"))


def _question(n: int) -> Question:
    return Question.model_validate(_raw(n))


def _both(q: Question, field: str = "answer") -> list[str]:
    text = getattr(q, field)
    return [text.en, text.zh]


def _prose(text: str) -> str:
    return re.sub(r"```.*?```", "", text, flags=re.S)


# ---------------------------------------------------------------- files and schema


@pytest.mark.parametrize("n", NUMBERS)
def test_file_validates_and_is_named_by_its_id(n: int) -> None:
    q = _question(n)
    assert q.id == _path(n).stem and q.number == n
    assert q.demo[0].name == DEMOS[n]


@pytest.mark.parametrize("n", NUMBERS)
def test_beyond_the_original_thirty(n: int) -> None:
    q = _question(n)
    assert "beyond-30" in q.tags and len(q.tags) >= 2
    assert q.seed is None and q.corrections == []
    assert 3 <= len(q.misconceptions) <= 6
    for m in q.misconceptions:
        assert m.claim.zh and m.claim.en and m.truth.zh and m.truth.en and m.reference
    # cross-links to the original questions it extends, and only to questions that exist here
    assert any(1 <= s <= 30 for s in q.see_also)
    numbers = {int(p.name[1:3]) for p in (ROOT / "questions").glob("q*.yaml")}
    assert all(s in numbers and s != n for s in q.see_also)


@pytest.mark.parametrize("n", NUMBERS)
def test_answer_length_and_structure(n: int) -> None:
    q = _question(n)
    assert 150 <= len(_prose(q.answer.en).split()) <= 420
    han = re.findall(r"[\u4e00-\u9fff]", _prose(q.answer.zh))
    assert 250 <= len(han) <= 800
    assert 3 <= len(q.key_points) <= 6 and 2 <= len(q.follow_ups) <= 4
    assert 3 <= len(q.references) <= 5
    for ref in q.references:
        assert ref.year and ref.url and ref.url.startswith("https://")


def _zh_texts(node: Any) -> list[str]:
    """Every Chinese text of a loaded YAML tree."""
    if isinstance(node, dict):
        own = [node["zh"]] if isinstance(node.get("zh"), str) else []
        return own + [t for k, v in node.items() if k != "zh" for t in _zh_texts(v)]
    if isinstance(node, list):
        return [t for v in node for t in _zh_texts(v)]
    return []


@pytest.mark.parametrize("n", NUMBERS)
def test_chinese_uses_chinese_quotes(n: int) -> None:
    for text in _zh_texts(_raw(n)):
        outside_code = re.sub(r"`[^`]*`|\$\$.*?\$\$|\$[^$]*\$", "", _prose(text), flags=re.S)
        assert '"' not in outside_code and "'" not in outside_code, text[:60]


# ---------------------------------------------------------------- quiz items


@pytest.mark.parametrize("n", NUMBERS)
def test_quiz_items_are_varied_and_well_formed(n: int) -> None:
    q = _question(n)
    assert len(q.quiz) >= 6
    assert len({item.type for item in q.quiz}) >= 3
    assert sum(isinstance(item, Numeric) for item in q.quiz) >= 2
    for item in q.quiz:
        assert item.id.startswith(f"q{n:02d}-")
        if isinstance(item, SingleChoice | MultipleChoice):
            assert 3 <= len(item.options) <= 5
            assert len({o.en for o in item.options}) == len(item.options)
        if isinstance(item, Numeric):
            assert item.answer is not None and re.search(r"\d", item.explanation.en)
        if isinstance(item, Flashcard):
            assert item.answer.en and item.answer.zh


def test_correct_options_are_spread_over_positions() -> None:
    singles = [i.answer for n in NUMBERS for i in _question(n).quiz if isinstance(i, SingleChoice)]
    assert len(set(singles)) >= 3
    multiples = [
        tuple(i.answer) for n in NUMBERS for i in _question(n).quiz if isinstance(i, MultipleChoice)
    ]
    assert len(set(multiples)) >= 3


def test_quiz_ids_are_unique() -> None:
    ids = [item.id for n in NUMBERS for item in _question(n).quiz]
    assert len(ids) == len(set(ids))


def _fixed_answers() -> dict[str, float]:
    """The true value of every fixed numeric item, from the published shapes and formulas."""
    from transformers import LlamaConfig
    from transformers.models.t5.modeling_t5 import T5Attention

    from engine.demos.q33_alibi_t5_bias import alibi_slopes

    llama = LlamaConfig(
        hidden_size=8192, num_hidden_layers=80, num_attention_heads=64, num_key_value_heads=8
    )
    d_head = llama.hidden_size // llama.num_attention_heads
    fp16 = torch.empty(0, dtype=torch.float16).element_size()
    per_token = 2 * llama.num_hidden_layers * llama.num_key_value_heads * d_head * fp16
    theta = 10000.0 ** (-torch.arange(0, 128, 2, dtype=torch.float64) / 128)
    t5 = T5Attention._relative_position_bucket(torch.tensor([-40]), True, 32, 128)
    s = torch.tensor([4.0, 1.0], dtype=torch.float64)
    mistral = 2 * 32 * 8 * 128 * fp16
    w_alibi = torch.softmax(
        torch.tensor([0.0, -0.25 * 8], dtype=torch.float64), 0
    )  # distances 0, 8
    return {
        "q31-llama-bytes": per_token,
        "q31-batch-gib": per_token * 4096 * 8 / GiB,
        "q31-mha-ratio": llama.num_attention_heads / llama.num_key_value_heads,
        "q31-decode-intensity": (4 * 32) / (2 * 8 * fp16),  # FLOPs 4·H·s·d over bytes 2·H_kv·s·d·b
        "q32-slowest-wavelength": round(2 * math.pi / theta[-1].item()),
        "q32-ntk-base": round(10000 * 4 ** (128 / 126)),
        "q32-yarn-factor": round(0.1 * math.log(16) + 1, 3),
        "q33-slope-sixteen": round(alibi_slopes(16)[2].item(), 4),
        "q33-weight-ratio": round((w_alibi[1] / w_alibi[0]).item(), 3),
        "q33-t5-bucket": int(t5),
        "q34-mistral-span": 32 * 4096,
        "q34-mistral-cache": mistral * 4096 / MiB,
        "q34-slot": 10000 % 4096,
        "q35-score-mib": 8192**2 * fp16 / MiB,
        "q35-rescale": round((math.exp(2 - 4) * 3 + torch.exp(s - s.max()).sum()).item(), 3),
        "q35-tiles": (4096 // 128) * (4096 // 64),
    }


def test_every_fixed_numeric_answer_is_computed() -> None:
    truth, seen = _fixed_answers(), set()
    for n in NUMBERS:
        for item in _question(n).quiz:
            if isinstance(item, Numeric):
                assert item.id in truth, f"{item.id}: add an independent computation of its answer"
                assert abs(item.answer - truth[item.id]) <= item.tolerance + 1e-9, item.id
                seen.add(item.id)
    assert seen == set(truth)


# ---------------------------------------------------------------- numbers quoted in the text


def _all_text(n: int) -> list[str]:
    q = _question(n)
    parts = [q.answer, q.look_for, *q.key_points, *(m.truth for m in q.misconceptions)]
    parts += [f.answer for f in q.follow_ups]
    return [p.en for p in parts] + [p.zh for p in parts]


def _quoted(n: int, number: str, langs: tuple[str, ...] = ("en", "zh")) -> None:
    texts = _all_text(n)
    half = len(texts) // 2
    for lang, part in (("en", texts[:half]), ("zh", texts[half:])):
        if lang in langs:
            assert any(number in t for t in part), f"q{n} ({lang}) does not quote {number}"


def test_q31_numbers() -> None:
    from engine.demos.q31_gqa_kv_cache import H100_BYTES_PER_S, H100_FLOPS, LLAMA2_70B, kv_table

    table = kv_table(LLAMA2_70B, 4096)
    assert table["gqa"]["bytes_per_token"] == 327_680
    _quoted(31, "327{,}680")
    _quoted(31, f"{table['gqa']['bytes_per_token'] / MiB:g} MiB")  # 0.3125 MiB
    _quoted(31, f"{table['gqa']['gib']:g} GiB")  # 1.25 GiB
    _quoted(31, f"{table['mha']['bytes_per_token'] / MiB:g} MiB")  # 2.5 MiB
    _quoted(31, f"{table['mha']['gib']:g} GiB")  # 10 GiB
    _quoted(31, f"{table['mqa']['bytes_per_token'] // 1024} KiB")  # 40 KiB
    _quoted(31, f"{table['mqa']['gib'] * 1024:g} MiB")  # 160 MiB
    _quoted(31, f"{table['mqa']['gib']:.3g} GiB")  # 0.156 GiB, in the look-for text
    _quoted(31, f"≈ {round(H100_FLOPS / H100_BYTES_PER_S)}")  # ridge ≈ 295
    batch16 = table["gqa"]["bytes_per_token"] * 4096 * 16 / GiB
    _quoted(31, f"{batch16:g} GiB")  # 20 GiB
    _quoted(31, f"{table['mha']['gib'] * 16:g} GiB")  # 160 GiB as MHA

    def kv_params(kv_heads: int) -> int:  # W_K and W_V of one layer, as nn.Linear sizes them
        return 2 * nn.Linear(8192, kv_heads * 128, bias=False).weight.numel()

    saved = (kv_params(64) - kv_params(8)) * LLAMA2_70B["layers"]
    assert saved == 2 * 8192 * 7168 * 80
    _quoted(31, f"{saved / 1e9:.1f} billion", ("en",))  # 9.4 billion
    _quoted(31, f"{saved / 1e8:.0f} 亿", ("zh",))  # 94 亿 (zh)
    weights_gib = 70e9 * 2 / GiB  # 70 billion fp16 weights
    _quoted(31, f"{weights_gib:.0f} GiB")  # about 130 GiB


def test_q32_numbers() -> None:
    theta = 10000.0 ** (-torch.arange(0, 128, 2, dtype=torch.float64) / 128)
    _quoted(32, f"{round(2 * math.pi / theta[-1].item()):,}".replace(",", ","))  # 54,410
    _quoted(32, f"{0.1 * math.log(4) + 1:.4f}")  # 1.1386
    r = run_demo("rope_scaling")  # the look-for text: overshoot s for plain RoPE, 1 for PI and YaRN
    assert r.facts["angle_overshoot_none"] == pytest.approx(4.0)
    assert r.facts["angle_overshoot_pi"] == r.facts["angle_overshoot_yarn"] == 1.0


def test_q33_numbers() -> None:
    from engine.demos.q33_alibi_t5_bias import alibi_slopes, t5_bucket

    _quoted(33, f"{math.exp(-10):.1e}".replace("e-05", "\\times10^{-5}"))  # 4.5×10⁻⁵
    assert alibi_slopes(8).tolist() == [2.0**-h for h in range(1, 9)]
    assert alibi_slopes(12)[8:].tolist() == pytest.approx([2**-0.5, 2**-1.5, 2**-2.5, 2**-3.5])
    _quoted(33, "2^{-0.5},2^{-1.5},2^{-2.5},2^{-3.5}")
    # "distances 0–7 one bucket each … every distance ≥ 128 sharing the last bucket"
    rel = -torch.arange(0, 400)
    buckets = t5_bucket(rel)
    assert buckets[:8].tolist() == list(range(8)) and buckets[8] == 8
    assert set(buckets[128:].tolist()) == {15} and buckets[127] == 15
    _quoted(33, "0–7")


def test_q34_numbers() -> None:
    from engine.demos.q34_sliding_window_sinks import receptive_field

    assert receptive_field(200, 10, 5)[-1] == 5 * (10 - 1) + 1
    _quoted(34, "131K")  # 32 × 4096 = 131,072
    assert 32 * 4096 == 131_072
    per_token = 2 * 32 * 8 * 128 * 2
    _quoted(34, f"{per_token // 1024} KiB")  # 128 KiB
    _quoted(34, f"{per_token * 4096 // MiB} MiB")  # 512 MiB
    r = run_demo("sliding_window_sinks")  # the look-for text: about 1.1 and about 0.16
    assert f"{r.facts['error_window_only']:.1f}" == "1.1"
    assert f"{r.facts['error_with_sinks']:.2f}" == "0.16"
    _quoted(34, "1.1")
    _quoted(34, "0.16")
    off = run_demo("sliding_window_sinks", {"sink_score": 0.0})  # "no longer helps, slightly worse"
    assert off.facts["error_with_sinks"] > off.facts["error_window_only"]


def test_q35_numbers() -> None:
    _quoted(35, f"{8192**2 * 2 // MiB} MiB")  # 128 MiB
    r = run_demo("flash_attention_steps")
    assert r.facts["max_abs_diff_vs_full"] < 1e-5  # "about 10^-6"
    _quoted(35, "10^{-6}")
    causal = run_demo("flash_attention_steps", {"causal": True})
    assert causal.facts["io_flash_elements"] < r.facts["io_flash_elements"]  # causal tiles skipped


# ---------------------------------------------------------------- code in the answers


@pytest.mark.parametrize("n", NUMBERS)
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_python_block_runs(n: int, lang: str) -> None:
    blocks = re.findall(r"```python\n(.*?)```", getattr(_question(n).answer, lang), flags=re.S)
    assert len(blocks) == 1, "each answer carries one runnable example"
    torch.manual_seed(0)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(blocks[0], f"q{n}_{lang}", "exec"), {"__name__": f"q{n}_{lang}"})  # noqa: S102
    if n == 31:
        assert out.getvalue().split() == ["327680", "1.25"]


def test_q32_close_up_claim() -> None:
    # look-for text: PI's curve is plain RoPE's stretched by s (score at Δ = 4 equals plain's at Δ = 1),
    # while NTK-aware and YaRN stay almost as steep as plain RoPE near Δ = 0
    r = run_demo("rope_scaling", {"scale": 4.0})
    c = r.extras["curves"]
    torch.testing.assert_close(c["pi"][4 * torch.arange(6)], c["none"][:6], rtol=1e-5, atol=1e-6)
    drop = {m: float(1 - c[m][4] / c[m][0]) for m in c}  # fall over the first 4 offsets
    assert drop["pi"] < 0.2 * min(drop["none"], drop["ntk"], drop["yarn"])
    assert min(drop["ntk"], drop["yarn"]) > 0.75 * drop["none"]
