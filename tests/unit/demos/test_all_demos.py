"""Properties demos of a kind share: every row of weights sums to 1 and a seed fixes the numbers."""

from __future__ import annotations

import pytest
import torch

from engine.facts import IDENTIFIER, describe, spec_for
from engine.registry import all_demos, get_demo, run_demo

CASES = {  # demo → parameters (a non-default seed where the demo draws its input from one)
    "sequence_labelling": {},
    "target_attention": {},
    "graph_attention": {},
    "speech_alignment": {"seed": 5},
    "tts_alignment": {"seed": 5},
    "tts_failure_modes": {"seed": 5},
    "streaming_asr": {"seed": 5},
    "vit_patch_attention": {"seed": 9},
    "channel_spatial": {"seed": 9},
    "space_time_attention": {"seed": 9},
}


@pytest.mark.parametrize("name", CASES)
def test_rows_sum_to_one_and_seed_determinism(name: str) -> None:
    a, b = run_demo(name, CASES[name]), run_demo(name, CASES[name])
    assert torch.equal(a.weights, b.weights)
    torch.testing.assert_close(a.weights.sum(-1), torch.ones(a.weights.shape[:2]))


FAST = {"efficient_attention": {"max_len": "256", "repeats": 1}}


@pytest.fixture(scope="module")
def every_result():
    return {name: run_demo(name, FAST.get(name, {})) for name in all_demos()}


@pytest.mark.parametrize("name", sorted(all_demos()))
def test_every_fact_is_an_identifier_with_a_label_in_both_languages(every_result, name):
    d = get_demo(name)
    for key in every_result[name].facts:
        assert IDENTIFIER.fullmatch(key), f"{name}: fact {key!r} is not an identifier"
        found = spec_for(key, d.facts)
        assert found is not None, f"{name}: fact {key!r} has no label"
    for f in describe(every_result[name].facts, d.facts):
        zh, en = f.show("zh"), f.show("en")
        assert not zh.startswith(f"{f.id} ="), f"{name}: the Chinese page would show {f.id!r}"
        assert "{" not in zh + en  # every placeholder filled


def test_facts_are_shown_labelled_and_formatted():
    facts = {"ms": 1.23456, "correct": True, "accuracy_additive": 0.995}
    shown = {f.id: f for f in describe(facts, get_demo("bahdanau_additive").facts)}
    assert (
        shown["ms"].show("zh") == "用时 = 1.235 毫秒"
        and shown["ms"].show("en") == "time = 1.235 ms"
    )
    assert shown["correct"].show("zh").endswith("= 是")
    assert shown["accuracy_additive"].show("zh") == "加性打分模型的留出准确率 = 0.995"
    assert shown["accuracy_additive"].show("en") == "held-out accuracy, additive score = 0.995"
