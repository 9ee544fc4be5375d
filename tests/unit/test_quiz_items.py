"""Quiz items: the bank's authored types, and the live items the engine generates.

Live items are checked against independent references written here: mask rules from the
formulas the prompt states, attention weights against ``torch.softmax`` with ``-inf`` masking,
the compute-it numbers by hand with ``math.exp``, and a head's pattern scores by hand on a
synthetic head whose weights are written out in the test.
"""

from __future__ import annotations

import math
import os
import random
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import torch
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.bert import default_bert
from engine.lab import game_round
from engine.patterns import PATTERNS, pick_clear_head
from engine.result import Result
from quiz.bank import Bank, load_bank
from quiz.generators import draw
from quiz.items import (
    LIVE,
    LIVE_QUESTION,
    PATTERN_ITEM,
    Item,
    all_item_ids,
    compute,
    draw_mask,
    from_bank,
    heatmap_weights,
    item_tags,
    live_ids,
    make_item,
    model_available,
    pattern_item,
    predict_pattern,
    presentation_order,
    tag_choices,
    which_heatmap,
)
from quiz.schema import Question

from ..conftest import FIXTURES, ROOT

SEEDS = range(60)


def write_bank(directory: Path) -> Path:
    """Two questions holding every authored item type (single, multiple, true_false, fixed and
    generated numeric, flashcard), tagged ``basics`` and ``masks``."""
    base = yaml.safe_load((FIXTURES / "bank" / "q01-sample.yaml").read_text(encoding="utf-8"))
    t = lambda en, zh=None: {"en": en, "zh": zh or f"（中）{en}"}  # noqa: E731
    first = {
        **base,
        "quiz": [
            {
                "id": "s-single",
                "type": "single",
                "prompt": t("Which scale?"),
                "options": [t("1/√d_k"), t("d_k"), t("1")],
                "answer": 0,
                "explanation": t("Divide by √d_k."),
            },
            {
                "id": "s-multiple",
                "type": "multiple",
                "prompt": t("Which are masks?"),
                "options": [t("causal"), t("padding"), t("softmax"), t("sliding window")],
                "answer": [0, 1, 3],
                "explanation": t("Softmax is not a mask."),
            },
            {
                "id": "s-tf",
                "type": "true_false",
                "prompt": t("Weights sum to one."),
                "answer": True,
                "explanation": t("Softmax rows sum to one."),
            },
            {
                "id": "s-num",
                "type": "numeric",
                "prompt": t("softmax([2,1,0])[0]?"),
                "answer": 0.665,
                "tolerance": 0.001,
                "explanation": t("e²/(e²+e+1)."),
            },
            {
                "id": "s-gen",
                "type": "numeric",
                "generator": "softmax_weight",
                "params": {"n": 4},
                "prompt": t("Compute a weight."),
                "explanation": t("Exponentiate, divide by the sum."),
            },
            {
                "id": "s-card",
                "type": "flashcard",
                "prompt": t("What is Q Kᵀ?"),
                "answer": t("All query–key scores."),
                "explanation": t("One score per pair."),
            },
        ],
    }
    second = {
        **base,
        "id": "q02-masks",
        "number": 2,
        "tags": ["masks"],
        "title": t("Masks"),
        "quiz": [
            {
                "id": "m-tf",
                "type": "true_false",
                "prompt": t("A causal mask hides the future."),
                "answer": True,
                "explanation": t("j ≤ i only."),
            },
            {
                "id": "m-single",
                "type": "single",
                "prompt": t("Causal mask shape?"),
                "options": [t("lower triangle"), t("upper triangle")],
                "answer": 0,
                "explanation": t("j ≤ i."),
            },
        ],
    }
    directory.mkdir(parents=True, exist_ok=True)
    for name, q in (("q01-sample.yaml", first), ("q02-masks.yaml", second)):
        (directory / name).write_text(yaml.safe_dump(q, allow_unicode=True), encoding="utf-8")
    return directory


def right_and_wrong(item: Item) -> tuple[Any, Any]:
    """A correct and a wrong response to ``item``, in the form its page widget returns."""
    t, key = item.type, item.answer
    if t in ("single", "which_heatmap"):
        return key, (key + 1) % len(item.options)
    if t == "multiple":
        return list(key), [i for i in range(len(item.options)) if i not in key]
    if t == "true_false":
        return key, not key
    if t in ("numeric", "compute"):
        return f"{key:.6f}", f"{key + 10 * (item.tolerance + 1):.6f}"
    if t == "flashcard":
        return "good", "again"
    if t == "predict_pattern":
        return key, next(p for p in PATTERNS if p != key)
    wrong = [list(r) for r in key]
    wrong[0][-1] = not wrong[0][-1]  # one cell off
    return [list(r) for r in key], wrong


@pytest.fixture(scope="module")
def bank(tmp_path_factory: pytest.TempPathFactory) -> Bank:
    return load_bank(write_bank(tmp_path_factory.mktemp("bank")), strict=True)


# ── authored items ────────────────────────────────────────────────────────────────────────────


def test_every_authored_type_becomes_an_item(bank: Bank):
    items = {i: make_item(bank, i, seed=7) for i in all_item_ids(bank) if i not in LIVE}
    assert {it.type for it in items.values()} == {
        "single",
        "multiple",
        "true_false",
        "numeric",
        "flashcard",
    }
    single, multiple = items["s-single"], items["s-multiple"]
    assert len(single.options) == 3 and single.options[single.answer]["en"] == "1/√d_k"
    assert single.authored(single.answer) == 0  # the authored key, wherever it is shown
    assert sorted(multiple.options[k]["en"] for k in multiple.answer) == [
        "causal",
        "padding",
        "sliding window",
    ]
    assert multiple.authored_set(multiple.answer) == [0, 1, 3]
    assert items["s-tf"].answer is True
    assert items["s-num"].answer == 0.665 and items["s-num"].tolerance == 0.001
    assert items["s-card"].answer == {
        "en": "All query–key scores.",
        "zh": "（中）All query–key scores.",
    }
    assert (
        items["m-tf"].question_id == "q02-masks"
        and items["m-tf"].tags == ("masks",)
        and items["m-tf"].number == 2
    )


def test_generated_numeric_is_drawn_fresh_from_the_seed(bank: Bank):
    a, b = make_item(bank, "s-gen", 1), make_item(bank, "s-gen", 2)
    assert a.answer == draw("softmax_weight", {"n": 4}, 1).answer
    assert a.prompt == draw("softmax_weight", {"n": 4}, 1).prompt
    assert a.prompt != b.prompt  # fresh numbers
    scores = [int(x) for x in re.search(r"\[(.*?)\]", a.prompt["en"]).group(1).split(",")]
    i = int(re.search(r"component (\d+)", a.prompt["en"]).group(1)) - 1
    assert a.answer == pytest.approx(
        math.exp(scores[i]) / sum(math.exp(s) for s in scores), abs=1e-6
    )


# ── option order from the presentation seed ───────────────────────────────────────────────────


def authored_options(bank: Bank, item_id: str) -> list[str]:
    """The English option texts of a bank item, in the order its file gives them."""
    q = next(q for q in bank.questions if any(i.id == item_id for i in q.quiz))
    return [o.en for o in next(i for i in q.quiz if i.id == item_id).options]


@pytest.mark.parametrize("item_id", ["s-single", "s-multiple", "m-single"])
def test_shown_options_are_the_authored_ones_reordered_with_the_key(bank: Bank, item_id: str):
    authored = authored_options(bank, item_id)
    q = next(q for q in bank.questions if any(i.id == item_id for i in q.quiz))
    raw = next(i for i in q.quiz if i.id == item_id)
    keys = {raw.answer} if isinstance(raw.answer, int) else set(raw.answer)
    for seed in SEEDS:
        item = make_item(bank, item_id, seed)
        assert sorted(item.order) == list(range(len(authored)))  # a permutation
        assert [o["en"] for o in item.options] == [authored[a] for a in item.order]
        shown_keys = {item.answer} if item.type == "single" else set(item.answer)
        assert {item.order[k] for k in shown_keys} == keys  # the key follows its option


def test_the_same_seed_gives_the_same_order(bank: Bank):
    for seed in SEEDS:
        a, b = make_item(bank, "s-multiple", seed), make_item(bank, "s-multiple", seed)
        assert (a.options, a.answer, a.order) == (b.options, b.answer, b.order)


def test_other_seeds_give_other_orders(bank: Bank):
    orders = Counter(make_item(bank, "s-multiple", seed).order for seed in SEEDS)
    assert len(orders) >= 12  # of the 4! = 24 orders of four options, over 60 draws
    assert len({make_item(bank, "s-single", seed).order for seed in SEEDS}) == 6  # all 3!


@settings(derandomize=True, max_examples=200, deadline=None)
@given(
    item_id=st.from_regex(r"[a-z0-9][a-z0-9-]{0,40}", fullmatch=True),
    seed=st.integers(0, 2**31 - 1),
    n=st.integers(1, 8),
)
def test_every_presentation_order_is_a_permutation(item_id: str, seed: int, n: int):
    order = presentation_order(item_id, seed, n)
    assert sorted(order) == list(range(n)) and order == presentation_order(item_id, seed, n)


def test_the_order_does_not_depend_on_the_process():
    """The same order in fresh interpreters with different string-hash salts."""
    here = [presentation_order(f"item-{k}", seed, 5) for k in range(3) for seed in range(5)]
    code = (
        "from quiz.items import presentation_order; "
        "print([presentation_order(f'item-{k}', s, 5) for k in range(3) for s in range(5)])"
    )
    for salt in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": salt}
        out = subprocess.run(
            [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
        )
        assert out.returncode == 0, out.stderr
        assert out.stdout.strip() == str(here)


def test_each_shown_position_holds_the_key_about_equally_often(bank: Bank):
    """Uniform shuffles: over 600 draws of a 3-option item the key is in each place ≈ 1/3."""
    where = Counter(make_item(bank, "s-single", seed).answer for seed in range(600))
    assert set(where) == {0, 1, 2}
    assert all(0.25 < n / 600 < 0.42 for n in where.values()), where


def test_shuffle_false_keeps_the_authored_order():
    raw = yaml.safe_load((FIXTURES / "bank" / "q01-sample.yaml").read_text(encoding="utf-8"))
    t = lambda en: {"en": en, "zh": f"（中）{en}"}  # noqa: E731
    options = [t("too small"), t("small"), t("large"), t("too large")]  # an ordered scale
    raw["quiz"] = [
        {"id": "pinned", "type": "single", "prompt": t("How big?"), "options": options,
         "answer": 2, "shuffle": False, "explanation": t("Large.")},
        {"id": "pinned-m", "type": "multiple", "prompt": t("Which big?"), "options": options,
         "answer": [2, 3], "shuffle": False, "explanation": t("Large ones.")},
    ]  # fmt: skip
    q = Question.model_validate(raw)
    for seed in SEEDS:
        single, multiple = from_bank(q, "pinned", seed), from_bank(q, "pinned-m", seed)
        assert [o["en"] for o in single.options] == ["too small", "small", "large", "too large"]
        assert (single.answer, single.order) == (2, (0, 1, 2, 3))
        assert (multiple.answer, multiple.options) == ((2, 3), single.options)
    del raw["quiz"][0]["shuffle"]
    assert Question.model_validate(raw).quiz[0].shuffle is True  # shuffled unless pinned


def test_which_heatmap_puts_the_answer_in_every_place():
    where = Counter(which_heatmap(seed).answer for seed in range(120))
    assert set(where) == {0, 1, 2, 3} and max(where.values()) < 0.4 * 120, where


def test_the_pattern_to_predict_is_drawn_evenly_not_by_how_many_heads_show_it():
    """Predict-the-pattern lists the patterns in a fixed order, so its key must not favour one:
    a pattern is drawn first, then a head. Here 10 heads attend to [CLS], one to the previous
    token and one to itself; each of the three patterns is the key about a third of the time."""
    dominant = [["cls"] * 10 + ["previous", "self"], ["mixed"] * 12]
    drawn = Counter(pick_clear_head(dominant, random.Random(s))[2] for s in range(600))
    assert set(drawn) == {"cls", "previous", "self"}
    assert all(0.25 < n / 600 < 0.42 for n in drawn.values()), drawn


def test_lookup_of_unknown_and_live_items(bank: Bank):
    assert make_item(bank, "no-such-item", 0) is None
    assert all_item_ids(bank)[-len(LIVE) :] == list(LIVE)
    assert list(LIVE)[-1] == PATTERN_ITEM == "live:predict-pattern"
    assert item_tags(bank, "live:draw-mask") == ("live", "masks")
    assert item_tags(bank, PATTERN_ITEM) == ("model-lab",)
    assert {"live", "masks", "softmax", "model-lab", "basics"} <= set(tag_choices(bank))
    assert item_tags(bank, "s-tf") == ("basics",)


# ── draw the mask ─────────────────────────────────────────────────────────────────────────────


def reference_mask(text: str, n: int) -> list[list[bool]]:
    """The mask an English prompt or explanation states, from its formula (independent of the engine)."""
    rng = range(n)
    if "every query sees every key" in text:
        return [[True for _ in rng] for _ in rng]
    if m := re.search(r"0 ≤ i − j ≤ (\d+)", text):
        w = int(m.group(1))
        return [[0 <= i - j <= w for j in rng] for i in rng]
    if m := re.search(r"\|i − j\| < (\d+) or \(i − j\) mod \d+ = 0", text):
        s = int(m.group(1))
        return [[abs(i - j) < s or (i - j) % s == 0 for j in rng] for i in rng]
    if m := re.search(r"\|i − j\| ≤ (\d+), and the first (\d+) tokens", text):
        w, g = int(m.group(1)), int(m.group(2))
        return [[abs(i - j) <= w or i < g or j < g for j in rng] for i in rng]
    if m := re.search(r"\|i − j\| ≤ (\d+)", text):
        w = int(m.group(1))
        return [[abs(i - j) <= w for j in rng] for i in rng]
    assert "allowed[i, j] = j ≤ i" in text, text
    return [[j <= i for j in rng] for i in rng]


@pytest.mark.parametrize("seed", SEEDS)
def test_draw_mask_key_matches_the_rule_the_prompt_states(seed: int):
    item = draw_mask(seed)
    n = int(re.search(r"n = (\d+)", item.prompt["en"]).group(1))
    assert len(item.answer) == n and all(len(r) == n for r in item.answer)
    assert [list(r) for r in item.answer] == reference_mask(item.prompt["en"], n)
    assert item.question_id == LIVE_QUESTION and item.type == "draw_mask"
    assert str(sum(map(sum, item.answer))) in item.explanation["en"]


def test_draw_mask_never_asks_for_a_full_grid():
    assert not any(all(all(r) for r in draw_mask(s).answer) for s in range(300))


def test_draw_mask_covers_every_mechanism():
    names = {re.search(r"\*\*(.*?)\*\*", draw_mask(s).prompt["en"]).group(1) for s in SEEDS}
    assert len(names) == 5


# ── which heatmap is it? ──────────────────────────────────────────────────────────────────────


def test_heatmap_weights_match_a_torch_softmax_reference():
    mask = torch.rand(9, 9, generator=torch.Generator().manual_seed(0)) > 0.4
    mask |= torch.eye(9, dtype=torch.bool)
    w = heatmap_weights(mask, seed=5, d_k=8)
    g = torch.Generator().manual_seed(5)
    q, k, _ = (torch.randn(9, 8, generator=g) for _ in range(3))
    ref = torch.softmax((q @ k.T / math.sqrt(8)).masked_fill(~mask, -math.inf), dim=-1)
    torch.testing.assert_close(w, ref)


@pytest.mark.parametrize("seed", SEEDS[:25])
def test_which_heatmap_target_shows_the_named_mechanism(seed: int):
    item = which_heatmap(seed)
    assert len(item.results) == 4 and len(item.options) == 4 and 0 <= item.answer < 4
    supports = []
    for r in item.results:
        w = r.weights[0]
        torch.testing.assert_close(w.sum(-1), torch.ones(w.size(0)))
        supports.append(w > 0)
    assert len({tuple(s.flatten().tolist()) for s in supports}) == 4  # four different patterns
    n = item.results[0].weights.size(-1)
    expected = torch.tensor(reference_mask(item.explanation["en"], n))
    assert torch.equal(
        supports[item.answer], expected
    )  # the target shows the rule the answer names
    named = re.search(r"\*\*(.*?)\*\*", item.prompt["en"]).group(1)
    assert f"{'ABCD'[item.answer]}: {named}" in item.explanation["en"]


def test_which_heatmap_options_do_not_give_the_answer_away():
    item = which_heatmap(3)
    assert [o["en"] for o in item.options] == ["A", "B", "C", "D"]


def test_live_items_are_fresh_each_seed():
    assert not torch.equal(which_heatmap(1).results[0].weights, which_heatmap(2).results[0].weights)
    assert len({compute(s).prompt["en"] for s in range(20)}) == 20


# ── compute it ────────────────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize("seed", SEEDS[:30])
def test_compute_answer_by_hand(seed: int):
    item = compute(seed)
    p = item.prompt["en"]
    vecs = [[int(x) for x in v.split(",")] for v in re.findall(r"= \[([-\d, ]+)\]", p)]
    q, ks = vecs[0], vecs[1:4]
    scores = [sum(a * b for a, b in zip(q, k, strict=True)) / math.sqrt(4) for k in ks]
    e = [math.exp(s) for s in scores]
    w = [x / sum(e) for x in e]
    if "values v" in p:
        v = vecs[4]
        expected = sum(wi * vi for wi, vi in zip(w, v, strict=True))
    else:
        j = int(re.search(r"weight on k(\d)", p).group(1)) - 1
        expected = w[j]
    assert item.answer == pytest.approx(expected, abs=1e-9)
    assert item.tolerance in (0.0015, 0.006)


# ── predict the pattern ───────────────────────────────────────────────────────────────────────

TOKENS = ("[CLS]", "the", "cat", "sat", ".", "[SEP]")


def synthetic_head(rows: list[list[float]] | None = None) -> Result:
    """A head on ``TOKENS`` as the model lab returns one; by default a previous-token head:
    query 0 looks at itself, every later query puts 0.8 on the token before it and 0.2 on itself."""
    if rows is None:
        rows = [[0.0] * 6 for _ in range(6)]
        rows[0][0] = 1.0
        for i in range(1, 6):
            rows[i][i - 1], rows[i][i] = 0.8, 0.2
    w = torch.tensor(rows).unsqueeze(0)  # (1, L, L)
    extras = {"layer": 2, "head": 5, "tokens": TOKENS, "model": "toy-bert"}
    return Result(w, TOKENS, TOKENS, head_labels=("L2 H5",), extras=extras)


def test_pattern_item_of_a_synthetic_previous_token_head_by_hand():
    item = pattern_item(synthetic_head(), seed=3)
    h = -(0.8 * math.log(0.8) + 0.2 * math.log(0.2))  # entropy of rows 1–5; row 0 has none
    by_hand = {
        "previous": 0.8,  # mean of A[i, i−1] over the 5 queries that have a previous token
        "next": 0.0,
        "self": (1.0 + 5 * 0.2) / 6,
        "cls": (1.0 + 0.8) / 6,  # rows 0 and 1 look at [CLS]
        "sep": 0.2 / 6,  # only [SEP] itself
        "punctuation": (0.2 + 0.8) / 6,  # '.' itself, and [SEP] looking back at it
        "broad": 5 * h / 6 / math.log(6),
    }
    assert item.shares == pytest.approx([by_hand[p] for p in PATTERNS], abs=1e-6)
    assert (item.item_id, item.type, item.question_id) == (PATTERN_ITEM, "predict_pattern", "live")
    assert item.answer == "previous" and item.seed == 3 and item.live
    assert item.tags == ("model-lab",)
    assert [o["en"] for o in item.options][:3] == ["previous token", "next token", "self"]
    assert "toy-bert" in item.prompt["en"] and "layer 2" not in item.prompt["en"]  # hidden
    assert "**layer 2, head 5**: previous token (score 0.80)" in item.explanation["en"]
    assert "第 2 层第 5 头" in item.explanation["zh"]


def test_pattern_item_refuses_a_head_without_a_clear_pattern():
    # 0.45 on keys i+2 and i+3 (mod 6), 0.1 on itself: no share reaches 0.5 and the entropy
    # −(2·0.45 ln 0.45 + 0.1 ln 0.1)/ln 6 ≈ 0.53 is below the 0.6 of a broad head
    rows = [[0.0] * 6 for _ in range(6)]
    for i in range(6):
        rows[i][(i + 2) % 6], rows[i][(i + 3) % 6], rows[i][i] = 0.45, 0.45, 0.1
    with pytest.raises(ValueError, match="layer 2, head 5 has no clear pattern"):
        pattern_item(synthetic_head(rows), seed=0)


@pytest.mark.parametrize("seed", range(4))
def test_predict_pattern_draws_the_model_labs_game_round(seed: int, bank: Bank):
    bert = default_bert("cpu")
    item, head = predict_pattern(seed), game_round(bert, seed)
    x = head.extras
    assert item.answer == head.facts["pattern"]  # the pattern the game hides for this seed
    assert item.shares == pytest.approx(x["scores"][x["layer"] - 1, x["head"] - 1].tolist())
    assert item.results[0].query_labels == head.query_labels
    torch.testing.assert_close(item.results[0].weights, head.weights)
    assert f"layer {x['layer']}, head {x['head']}" in item.explanation["en"]
    assert make_item(bank, PATTERN_ITEM, seed).answer == item.answer


def test_predict_pattern_is_fresh_each_seed():
    drawn = {
        (i.results[0].extras["text"], i.results[0].extras["layer"], i.results[0].extras["head"])
        for i in (predict_pattern(s) for s in range(8))
    }
    assert len(drawn) >= 4


def test_without_a_model_the_pattern_item_is_not_offered(
    bank: Bank, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    assert model_available() and PATTERN_ITEM in live_ids()
    monkeypatch.setenv("ATLAS_MODEL_DIR", str(tmp_path))  # a folder with no model files
    assert not model_available()
    assert live_ids() == [i for i in LIVE if i != PATTERN_ITEM]
    assert PATTERN_ITEM not in all_item_ids(bank) and "model-lab" not in tag_choices(bank)
    assert make_item(bank, PATTERN_ITEM, 0) is None
    assert make_item(bank, "live:compute", 0) is not None
