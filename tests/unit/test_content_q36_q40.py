"""Content of questions 36–40: schema, the layout's names, the quiz's shape, and every quoted number.

Numbers are recomputed here from shapes and formulas, from PyTorch (FLOP counter, FlexAttention's
BlockMask) or from the shipped toy's manifest and weights — never read back from the YAML.
"""

from __future__ import annotations

import math
import re
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import torch
import yaml
from torch.utils.flop_counter import FlopCounterMode

from engine.registry import all_demos, run_demo
from engine.toys import induction as ind
from quiz.schema import MultipleChoice, Numeric, Question, SingleChoice

ROOT = Path(__file__).resolve().parents[2]
QUESTIONS = ROOT / "questions"
NUMBERS = range(36, 41)
DEMOS = {
    36: "linear_attention",
    37: "latent_attention",
    38: "induction_heads",
    39: "attention_masks",
    40: "cross_attention_maps",
}
EXTENDS = {36: {9, 15}, 37: {4, 15}, 38: {13, 17}, 39: {15}, 40: {6, 10}}


def _path(n: int) -> Path:
    [found] = sorted(QUESTIONS.glob(f"q{n:02d}-*.yaml"))
    return found


def _raw(n: int) -> dict[str, Any]:
    return yaml.safe_load(_path(n).read_text(encoding="utf-8"))


def _question(n: int) -> Question:
    return Question.model_validate(_raw(n))


def _texts(node: Any, lang: str | None = None) -> Iterator[str]:
    """Every string in a loaded YAML tree (only one language's where ``lang`` is given)."""
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for key, value in node.items():
            if lang is None or key not in ("zh", "en") or key == lang:
                yield from _texts(value, lang)
    elif isinstance(node, list):
        for value in node:
            yield from _texts(value, lang)


def _says(n: int, *numbers: str) -> None:
    """Each number, as written, appears in both the English and the Chinese text."""
    raw = _raw(n)
    for lang in ("en", "zh"):
        text = "\n".join(_texts(raw, lang))
        for s in numbers:
            assert s in text, f"q{n} ({lang}) does not say {s!r}"


def _says_en(n: int, *phrases: str) -> None:
    """Each phrase appears in the English text."""
    text = "\n".join(_texts(_raw(n), "en"))
    for s in phrases:
        assert s in text, f"q{n} (en) does not say {s!r}"


def _item(n: int, item_id: str):
    return next(i for i in _question(n).quiz if i.id == item_id)


# ---------------------------------------------------------------- shape of every question


@pytest.mark.parametrize("n", NUMBERS)
def test_file_validates_with_the_layout_names_and_misconceptions(n):
    q = _question(n)
    assert q.id == _path(n).stem and q.number == n and q.seed is None and q.corrections == []
    assert "beyond-30" in q.tags and len(q.tags) >= 2
    assert [d.name for d in q.demo] == [DEMOS[n]] and DEMOS[n] in all_demos()
    assert (ROOT / "engine" / "demos" / f"q{n}_{DEMOS[n]}.py").is_file()
    assert (ROOT / "visuals" / "figures" / f"q{n}_{DEMOS[n]}.py").is_file()
    assert len(q.misconceptions) >= 3 and all(m.reference.strip() for m in q.misconceptions)
    assert EXTENDS[n] <= set(q.see_also) and n not in q.see_also
    assert len(q.references) >= 3 and all(r.url for r in q.references)


@pytest.mark.parametrize("n", NUMBERS)
def test_quiz_has_six_items_of_three_types_with_worked_numbers(n):
    q = _question(n)
    assert len(q.quiz) >= 6 and len({i.type for i in q.quiz}) >= 3
    assert all(i.id.startswith(f"q{n}-") for i in q.quiz)
    numeric = [i for i in q.quiz if isinstance(i, Numeric)]
    assert len(numeric) >= 2
    for i in numeric:  # worked arithmetic: the explanation shows the answer it arrives at
        shown = f"{i.answer:,.0f}" if i.answer == int(i.answer) else f"{i.answer:g}"
        assert shown in i.explanation.en and shown in i.explanation.zh, (i.id, shown)
    firsts = [i.answer for i in q.quiz if isinstance(i, SingleChoice)]
    firsts += [min(i.answer) for i in q.quiz if isinstance(i, MultipleChoice)]
    assert firsts and any(a != 0 for a in firsts)


def test_the_bank_gains_thirty_items_with_unique_ids():
    ids = [i.id for n in NUMBERS for i in _question(n).quiz]
    assert len(ids) == len(set(ids)) >= 30


# ---------------------------------------------------------------- q36 linear attention


def test_q36_costs_states_and_quiz_numbers():
    n, d = 4096, 64
    g = torch.Generator().manual_seed(0)
    q, k, v = (torch.randn(n, d, generator=g) for _ in range(3))
    with FlopCounterMode(display=False) as soft:
        (q @ k.T) @ v
    with FlopCounterMode(display=False) as lin:
        q @ (k.T @ v)
    madds_soft, madds_lin = soft.get_total_flops() // 2, lin.get_total_flops() // 2
    assert (madds_soft, madds_lin) == (2 * n * n * d, 2 * n * d * d)
    _says(36, f"{madds_soft:,}", f"{madds_lin:,}", f"{madds_soft // madds_lin}")
    state, cache = d * d + d, 2 * n * d
    _says(36, f"{state:,}", f"{cache:,}", f"{cache // state}", f"{state / (2 * d):g}")
    assert _item(36, "q36-state-size").answer == 128 * 128
    assert _item(36, "q36-ratio").answer == 8192 / 128
    r = run_demo("linear_attention", {"d_k": "8", "n_tokens": 16})
    assert r.facts["rank_linear_kernel"] == 8 < r.facts["rank_softmax_kernel"] == 16
    _says_en(36, "rank 8")


# ---------------------------------------------------------------- q37 MLA


def test_q37_deepseek_v2_cache_numbers():
    layers, n_h, d_h, d_c, d_r, bf16 = 60, 128, 128, 512, 64, 2
    mha, gqa, mqa, mla = (
        2 * n_h * d_h * layers,
        2 * 8 * d_h * layers,
        2 * d_h * layers,
        (d_c + d_r) * layers,
    )
    _says(37, *(f"{x:,}" for x in (mha, gqa, mqa, mla)))
    kib = {k: v * bf16 / 1024 for k, v in {"mha": mha, "gqa": gqa, "mqa": mqa, "mla": mla}.items()}
    assert kib == {"mha": 3840, "gqa": 240, "mqa": 30, "mla": 67.5}
    _says(37, "3,840 KiB", "240 KiB", "30 KiB", "67.5 KiB", "3.75 MiB")
    _says(37, f"{mha / mla:.1f}", f"{(d_c + d_r) / d_h:g}", f"{(d_c + d_r) / (2 * d_h):g}")
    ctx = 128 * 1024
    assert mha * bf16 * ctx / 2**30 == 480 and mla * bf16 * ctx / 2**30 == 8.4375
    _says(37, "480 GiB", "8.4375 GiB")
    assert _item(37, "q37-per-layer").answer == mla
    assert _item(37, "q37-mha-ratio").answer == round(mha / mla, 1)
    assert mla * bf16 == 69_120
    _says(37, "69,120")
    r = run_demo("latent_attention")
    assert r.facts["deepseek_v2_mla_numbers"] == mla and r.facts["mla_as_gqa_groups"] == 2.25


# ---------------------------------------------------------------- q38 induction heads


def test_q38_numbers_come_from_the_shipped_toy():
    m, cfg = ind.manifest_metrics(), ind.config()
    _says(38, f"{m['prev_token_score_l1']:.2f}", f"{m['induction_score_l2']:.2f}")
    _says(38, f"{m['loss_first_half']:.2f}", f"{m['loss_repeated_half']:.2f}")
    _says(38, f"{math.log(cfg.vocab):.2f}", f"{cfg.steps}", f"{cfg.vocab}", f"{cfg.d_model}")
    params = sum(p.numel() for p in ind.load().parameters())
    _says(38, f"{params:,}")
    assert (cfg.layers, cfg.heads, cfg.half, cfg.min_period) == (2, 1, 12, 6)
    _says_en(38, "6 to 12")
    assert _item(38, "q38-offset").answer == 14 - 10 + 1
    assert _item(38, "q38-uniform").answer == round(math.log(24), 2)
    f = run_demo("induction_heads").facts  # the ablations the text quotes
    assert f["loss_repeat_no_layer1"] > 5 > math.log(cfg.vocab)
    assert 2.5 < f["loss_repeat_no_layer2"] < 3.5 and f["loss_repeat_intact"] < 0.05


# ---------------------------------------------------------------- q39 masks


def test_q39_tiles_keys_and_cell_counts():
    from torch.nn.attention.flex_attention import create_block_mask

    from engine.demos import q39_attention_masks as qm

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        causal = create_block_mask(
            qm.causal(), None, None, 1024, 1024, device="cpu", BLOCK_SIZE=128
        )
        docs = create_block_mask(qm.documents(qm.doc_ids(1024, 4)), None, None, 1024, 1024, device="cpu", BLOCK_SIZE=128)  # fmt: skip
    computed = [round(64 * (1 - b.sparsity() / 100)) for b in (causal, docs)]
    assert computed == [36, 12]
    _says(39, f"{100 * 36 / 64:g} %", f"{100 * 12 / 64:g} %")
    _says_en(39, "36 of 64", "12 of 64")
    f = run_demo("attention_masks", {"n_tokens": 12, "n_queries": 4}).facts
    assert (f["keys_seen_by_last_query_top_left"], f["keys_seen_by_last_query_bottom_right"]) == (
        4,
        12,
    )
    prefix = int(qm.materialize(qm.prefix_lm(3), 6, 6).sum())
    plain = int(torch.ones(6, 6).tril().sum())
    assert (prefix, plain) == (24, 21) and _item(39, "q39-prefix-count").answer == prefix
    assert _item(39, "q39-tiles").answer == computed[1]
    _says(39, "1,024")


# ---------------------------------------------------------------- q40 cross-attention


def test_q40_score_counts_and_the_demo_claim():
    sd_queries, tokens = (512 // 8) ** 2, 77
    _says(40, f"{sd_queries:,}", f"{sd_queries * tokens:,}", f"{sd_queries**2:,}")
    _says(40, f"{32 * 257:,}", f"{257**2:,}", "32 × 768", "64")
    assert _item(40, "q40-sd-scores").answer == sd_queries * tokens
    assert _item(40, "q40-qformer").answer == 32 * 257
    assert run_demo("cross_attention_maps").facts["mass_on_own_object_min"] > 0.5
    assert re.search(r"\b16\b", _raw(40)["misconceptions"][1]["truth"]["en"])
