"""Pattern scores and types on synthetic heads with known patterns, then on MiniLM's real heads."""

from __future__ import annotations

import math
from collections import Counter

import pytest
import torch

from engine.bert import default_bert, run_text
from engine.patterns import (
    PATTERNS,
    attention_rollout,
    dominant_pattern,
    head_type,
    head_types,
    overlap_score,
    paint_prediction,
    pattern_scores,
    segments_of,
    type_masses,
)

TOKENS = ("[CLS]", "the", "cat", "sat", ",", "on", "the", "mat", ".", "[SEP]")
L = len(TOKENS)


def one_hot_rows(targets: list[int]) -> torch.Tensor:
    """(L, L) with row i all on key targets[i]."""
    w = torch.zeros(len(targets), len(targets))
    w[torch.arange(len(targets)), torch.tensor(targets)] = 1.0
    return w


def previous_head() -> torch.Tensor:
    return one_hot_rows([0] + list(range(L - 1)))  # row 0 has no previous token: it looks at itself


def next_head() -> torch.Tensor:
    return one_hot_rows([*range(1, L), L - 1])


def score(w: torch.Tensor, name: str) -> float:
    return float(pattern_scores(w, TOKENS)[PATTERNS.index(name)])


def kind(w: torch.Tensor, tokens=TOKENS, type_ids=None) -> str:
    return head_types(w[None, None], tokens, type_ids)[0][0]


def test_pure_previous_token_head():
    w = previous_head()
    assert score(w, "previous") == 1.0
    assert score(w, "next") == 0.0 and score(w, "self") == pytest.approx(1 / L)
    assert dominant_pattern(pattern_scores(w, TOKENS)) == "previous"
    assert kind(w) == "diagonal"


def test_pure_next_token_and_self_heads():
    assert score(next_head(), "next") == 1.0 and score(next_head(), "previous") == 0.0
    assert dominant_pattern(pattern_scores(next_head(), TOKENS)) == "next"
    eye = torch.eye(L)
    assert score(eye, "self") == 1.0 and dominant_pattern(pattern_scores(eye, TOKENS)) == "self"
    assert kind(eye) == "diagonal"


@pytest.mark.parametrize("name,column", [("cls", 0), ("sep", L - 1), ("punctuation", 4)])
def test_heads_that_all_look_at_one_token(name, column):
    w = one_hot_rows([column] * L)
    assert score(w, name) == 1.0
    assert dominant_pattern(pattern_scores(w, TOKENS)) == name
    assert kind(w) == "vertical"


def test_punctuation_counts_every_punctuation_token():
    w = torch.zeros(L, L)
    w[:, 4], w[:, 8] = 0.5, 0.5  # "," and "."
    assert score(w, "punctuation") == 1.0


def test_uniform_head_is_broad_with_hand_computed_entropy():
    w = torch.full((L, L), 1.0 / L)
    assert score(w, "broad") == pytest.approx(1.0, abs=1e-6)  # H = log L, the maximum
    assert dominant_pattern(pattern_scores(w, TOKENS)) == "broad"
    assert kind(w) == "heterogeneous"
    two = torch.zeros(L, L)
    two[:, :2] = 0.5  # H = log 2 in every row
    assert score(two, "broad") == pytest.approx(math.log(2) / math.log(L), abs=1e-6)


def test_a_half_cls_half_previous_head_is_vertical_plus_diagonal():
    w = 0.5 * one_hot_rows([0] * L) + 0.5 * previous_head()
    s = pattern_scores(w, TOKENS)
    assert float(s[PATTERNS.index("cls")]) == pytest.approx(0.5 + 0.5 * 2 / L)
    assert kind(w) == "vertical+diagonal"
    assert dominant_pattern(s) == "cls"


def test_block_head_needs_two_segments():
    tokens = ("[CLS]", "a", "b", "c", "d", "e", ".", "f", "g", "h", "i", "j", ".", "[SEP]")
    assert segments_of(tokens) == (0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 2)
    w = torch.zeros(14, 14)
    w[0, 0] = w[13, 13] = 1.0
    w[1:7, 1:6] = 0.2  # the first sentence's rows spread over its five words
    w[7:13, 7:12] = 0.2
    assert kind(w, tokens) == "block"
    single = tokens[:6] + ("[SEP]",)
    u = torch.zeros(7, 7)
    u[:, 1:6] = 0.2
    assert kind(u, single) == "heterogeneous", "one sentence has no blocks"


def test_segments_follow_token_types():
    tokens = ("[CLS]", "a", "[SEP]", "b", "[SEP]")
    assert segments_of(tokens, (0, 0, 0, 1, 1)) == (0, 0, 0, 1, 1)


def test_type_rules_in_order():
    assert head_type(0.9, 0.1, 0.0, 0.0, 1) == "vertical"
    assert head_type(0.1, 0.85, 0.0, 0.0, 1) == "diagonal"
    assert head_type(0.45, 0.45, 0.0, 0.0, 1) == "vertical+diagonal"
    assert head_type(0.1, 0.3, 0.8, 0.5, 2) == "block"
    assert head_type(0.1, 0.3, 0.8, 0.5, 1) == "heterogeneous"


def test_type_masses_are_shares_that_add_up():
    w = torch.softmax(torch.randn(3, L, L, generator=torch.Generator().manual_seed(0)), dim=-1)
    m = type_masses(w, TOKENS, segments_of(TOKENS))
    assert ((m.vertical + m.diagonal) <= 1 + 1e-6).all()
    assert ((m.block_off <= m.block + 1e-6) & (m.block <= 1 + 1e-6)).all()


def test_rollout_of_identity_heads_is_identity_and_hand_example():
    eye = torch.eye(4).expand(2, 3, 4, 4)
    torch.testing.assert_close(attention_rollout(eye), torch.eye(4).expand(2, 4, 4))
    a = torch.tensor([[1.0, 0.0], [1.0, 0.0]])  # every token looks at token 0
    r = attention_rollout(a.expand(2, 1, 2, 2))
    # Ā = ½A + ½I = [[1, 0], [½, ½]];  Ā² = [[1, 0], [¾, ¼]]
    torch.testing.assert_close(r[0], torch.tensor([[1.0, 0.0], [0.5, 0.5]]))
    torch.testing.assert_close(r[1], torch.tensor([[1.0, 0.0], [0.75, 0.25]]))


def test_painting_and_overlap_score():
    actual = torch.tensor([0.7, 0.2, 0.1, 0.0])
    assert overlap_score(paint_prediction(4, [0]), actual) == pytest.approx(0.7)
    assert overlap_score(paint_prediction(4, [0, 1]), actual) == pytest.approx(0.5 + 0.2)
    assert overlap_score(actual, actual) == pytest.approx(1.0)
    assert overlap_score(paint_prediction(4, []), actual) == 0.0
    with pytest.raises(ValueError, match="outside 0…3"):
        paint_prediction(4, [4])


# ---- MiniLM's real heads -------------------------------------------------------------------

SENTENCES = [
    "The cat sat on the mat, and it purred softly.",
    "Researchers at the university published a new study on climate change yesterday.",
    "I can't believe it's already December; the year went by so fast!",
    "She opened the door, looked outside, and saw nothing but fog.",
    "A man is playing a guitar on the street corner.",
    "Why do birds fly south for the winter?",
    "The quick brown fox jumps over the lazy dog.",
    "After dinner, we walked along the river and talked about our plans for the summer.",
    "Python is a programming language that lets you work quickly.",
    "My brother bought three apples, two oranges, and a banana at the market.",
    "Café au lait is my favourite drink in the morning.",
    "Attention heads learn to look at the previous word in many layers.",
]


@pytest.fixture(scope="module")
def measured():
    """Scores (sentences, layers, heads, 7) and dominant labels for every head on every sentence."""
    bert = default_bert("cpu")
    scores, labels = [], []
    for text in SENTENCES:
        enc, out = run_text(bert, text)
        s = pattern_scores(out.attentions[:, 0], enc.tokens)
        scores.append(s)
        labels.append([[dominant_pattern(s[a, b]) for b in range(12)] for a in range(6)])
    return torch.stack(scores), labels


def consistent(labels, pattern: str) -> set[str]:
    """Heads whose label is ``pattern`` on every sentence."""
    return {
        f"L{a + 1}H{b + 1}"
        for a in range(6)
        for b in range(12)
        if Counter(x[a][b] for x in labels)[pattern] == len(labels)
    }


def test_minilm_stable_heads(measured):
    scores, labels = measured
    found = {p: consistent(labels, p) for p in ("previous", "next", "cls")}
    print({p: sorted(h) for p, h in found.items()})
    assert found["previous"] == {"L1H3"}
    assert found["next"] == {"L2H9"}
    assert {"L3H8", "L3H10", "L5H6"} <= found["cls"]
    i = PATTERNS.index
    assert (
        scores[:, 0, 2, i("previous")].min() > 0.99
    )  # L1H3 is an almost perfect previous-token head
    assert scores[:, 1, 8, i("next")].min() > 0.5
    assert scores[:, 2, 9, i("cls")].min() > 0.7 and scores[:, 4, 5, i("cls")].min() > 0.7


def test_minilm_broad_heads_sit_in_layer_one(measured):
    scores, labels = measured
    broad = consistent(labels, "broad")
    assert {"L1H1", "L1H4", "L1H8"} <= broad
    assert scores[:, 0, 3, PATTERNS.index("broad")].min() > 0.8


def test_minilm_previous_head_is_diagonal_and_cls_heads_vertical():
    bert = default_bert("cpu")
    enc, out = run_text(bert, SENTENCES[1])
    types = head_types(out.attentions[:, 0], enc.tokens, enc.type_ids)
    assert types[0][2] == "diagonal"
    assert types[2][9] == "vertical" and types[4][5] == "vertical"


def test_game_rounds_hide_a_head_with_a_clear_pattern_and_cover_rare_patterns():
    from engine.lab import game_round

    bert = default_bert("cpu")
    seen = set()
    for seed in range(12):
        r = game_round(bert, seed)
        x = r.extras
        assert r.facts["pattern"] == x["dominant"][x["layer"] - 1][x["head"] - 1] != "mixed"
        assert game_round(bert, seed).facts == r.facts  # the same seed draws the same round
        seen.add(r.facts["pattern"])
    assert {"previous", "next", "cls", "broad"} <= seen, seen
