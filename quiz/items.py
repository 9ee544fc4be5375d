"""Quiz items as a learner meets them: the bank's authored items, and items made live by the engine.

Live items draw fresh random inputs from a seed every time they are shown, so they cannot be
memorised:

- *which heatmap is it?* — four attention heatmaps computed by the engine on random inputs under
  four different masks; pick the one that matches a named mechanism;
- *draw the mask* — tick the cells of an n × n grid that a described mask allows; the key is the
  engine's own mask function from :mod:`engine.masks`;
- *compute it* — a number from a live run of the engine's scaled dot-product attention;
- *predict the pattern* — the tokens of a sentence that a hidden head of the pretrained model
  reads; name where the head mostly looks (offered only where a pretrained model is installed).

An item is plain data (texts, the key, and for heatmaps the engine's ``Result`` objects); the
page draws it and :mod:`quiz.grading` grades it.

A choice item's options are shown in an order drawn from its presentation seed (the same seed,
the same order: a reload shows what was shown), unless its author pinned them with
``shuffle: false``. ``Item.options`` and ``Item.answer`` are in the shown order; ``Item.order``
maps each shown position back to the authored option, which is what the store records.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Literal

import torch

from engine import masks
from engine.attention import scaled_dot_product_attention
from engine.bert import Bert, ModelMissing, default_bert, model_dir
from engine.lab import game_round
from engine.patterns import CLEAR, PATTERN_NAMES, PATTERNS, dominant_pattern, pattern_scores
from engine.result import Result
from quiz.bank import Bank
from quiz.generators import draw
from quiz.schema import Flashcard, MultipleChoice, Numeric, Question, SingleChoice, TrueFalse

Text = dict[str, str]  # {"zh": …, "en": …}
ItemType = Literal[
    "single",
    "multiple",
    "true_false",
    "numeric",
    "flashcard",
    "which_heatmap",
    "draw_mask",
    "compute",
    "predict_pattern",
]
BANK_TYPES: tuple[str, ...] = ("single", "multiple", "true_false", "numeric", "flashcard")
LIVE_TYPES: tuple[str, ...] = ("which_heatmap", "draw_mask", "compute", "predict_pattern")
LIVE_QUESTION = "live"  # question id recorded for live items (a bank slug can never contain ':')
LIVE_TAG = "live"
PATTERN_ITEM = "live:predict-pattern"  # one FSRS card per learner, shared by the quiz and the lab
PATTERN_TAG = "model-lab"
LIVE_TAGS: dict[str, tuple[str, ...]] = {
    "live:which-heatmap": (LIVE_TAG, "masks"),
    "live:draw-mask": (LIVE_TAG, "masks"),
    "live:compute": (LIVE_TAG, "softmax"),
    PATTERN_ITEM: (PATTERN_TAG,),  # pretrained-model items; "live" stays the engine-computed ones
}


@dataclass(frozen=True)
class Item:
    """One item ready to show: prompt, choices or grid, and the key to grade it against.

    ``answer`` holds the key: an option index (single, which_heatmap), a tuple of indices
    (multiple), a bool (true_false), a float (numeric, compute), a text (flashcard), an
    (n, n) tuple of tuples of bool (draw_mask; True = may attend), or a pattern name from
    :data:`engine.patterns.PATTERNS` (predict_pattern). Option indices are positions in
    ``options`` as shown; ``order[shown]`` is the authored index of that option (empty when the
    shown order is the only order, as for the live items).
    """

    item_id: str
    question_id: str
    type: ItemType
    prompt: Text
    explanation: Text
    tags: tuple[str, ...]
    answer: Any
    number: int | None = None  # the bank question's number, for a link to its study page
    options: tuple[Text, ...] = ()
    tolerance: float = 0.0
    results: tuple[Result, ...] = ()  # which_heatmap: the four pictures; predict_pattern: the head
    seed: int | None = None
    shares: tuple[float, ...] = ()  # predict_pattern: the head's score of each of PATTERNS
    order: tuple[int, ...] = ()  # single, multiple: shown position → authored option index

    @property
    def live(self) -> bool:
        return self.type in LIVE_TYPES

    def authored(self, shown: int) -> int:
        """The authored index of the option shown at position ``shown``: order[shown]."""
        return self.order[shown] if self.order else shown

    def authored_set(self, shown: Iterable[int]) -> list[int]:
        """Shown positions → their authored indices, sorted (a multiple-choice response)."""
        return sorted(self.authored(i) for i in shown)


def text(t: Any) -> Text:
    """A ``{"zh", "en"}`` dict from a schema ``Text`` or a dict."""
    return {"zh": t.zh, "en": t.en} if hasattr(t, "zh") else dict(t)


# ── the bank's authored items ─────────────────────────────────────────────────────────────────


def presentation_order(item_id: str, seed: int, n: int) -> tuple[int, ...]:
    """A uniform permutation of range(n) drawn from (item_id, seed): shown position → authored index.

    Seeded by SHA-256 of both, so it is the same in every process (never Python's salted hash).
    """
    digest = hashlib.sha256(f"{item_id}\x00{seed}".encode()).digest()
    order = list(range(n))
    random.Random(int.from_bytes(digest[:8], "big")).shuffle(order)
    return tuple(order)


def _choice_item(it: SingleChoice | MultipleChoice, seed: int, base: dict[str, Any]) -> Item:
    """Options in the order drawn from ``seed`` (authored order if pinned), the key re-indexed."""
    n = len(it.options)
    order = presentation_order(it.id, seed, n) if it.shuffle else tuple(range(n))
    shown = {a: s for s, a in enumerate(order)}  # authored index → shown position
    if isinstance(it, SingleChoice):
        key: Any = shown[it.answer]
    else:
        key = tuple(sorted(shown[a] for a in it.answer))
    options = tuple(text(it.options[a]) for a in order)
    return Item(**base, answer=key, options=options, order=order)


def from_bank(q: Question, item_id: str, seed: int) -> Item:
    """The authored item ``item_id`` of question ``q``, presented from ``seed``: options in the
    order drawn from it, a generator numeric's numbers drawn from it."""
    it = next(i for i in q.quiz if i.id == item_id)
    base = dict(
        item_id=it.id,
        question_id=q.id,
        type=it.type,
        prompt=text(it.prompt),
        explanation=text(it.explanation),
        tags=tuple(q.tags),
        number=q.number,
        seed=seed,
    )
    if isinstance(it, (SingleChoice, MultipleChoice)):
        return _choice_item(it, seed, base)
    if isinstance(it, TrueFalse):
        return Item(**base, answer=it.answer)
    if isinstance(it, Flashcard):
        return Item(**base, answer=text(it.answer))
    assert isinstance(it, Numeric)
    if it.generator is None:
        return Item(**base, answer=float(it.answer), tolerance=it.tolerance)
    d = draw(it.generator, it.params, seed)
    why = {k: f"{d.explanation[k]}\n\n{base['explanation'][k]}" for k in ("zh", "en")}
    return Item(
        **{**base, "prompt": d.prompt, "explanation": why}, answer=d.answer, tolerance=d.tolerance
    )


# ── masks: the mechanisms that live items ask about ───────────────────────────────────────────


@dataclass(frozen=True)
class Mechanism:
    """A named attention pattern: its mask from :mod:`engine.masks`, a name, and how to spot it."""

    key: str
    name: Text
    rule: Callable[[dict[str, int]], Text]  # the rule with its parameters filled in
    mask: Callable[[int, dict[str, int]], torch.Tensor]  # (n, params) → (n, n) bool
    looks: Text


def _mechanisms() -> dict[str, Mechanism]:
    """Every mechanism the live items use, by key."""
    ms = [
        Mechanism(
            "bidirectional",
            {"zh": "双向（完整）注意力", "en": "bidirectional (full) attention"},
            lambda p: {"zh": "每个查询看到所有键", "en": "every query sees every key"},
            lambda n, p: torch.ones(n, n, dtype=torch.bool),
            {
                "zh": "没有任何为零的格子：每一行都铺满。",
                "en": "no cell is zero: every row is spread over all keys.",
            },
        ),
        Mechanism(
            "causal",
            {"zh": "因果（解码器）注意力", "en": "causal (decoder) attention"},
            lambda p: {"zh": "allowed[i, j] = j ≤ i", "en": "allowed[i, j] = j ≤ i"},
            lambda n, p: masks.causal_mask(n),
            {
                "zh": "对角线以上全为零：下三角。",
                "en": "everything above the diagonal is zero: a lower triangle.",
            },
        ),
        Mechanism(
            "sliding_window",
            {"zh": "滑动窗口（局部）注意力", "en": "sliding-window (local) attention"},
            lambda p: {
                "zh": f"allowed[i, j] = |i − j| ≤ {p['w']}",
                "en": f"allowed[i, j] = |i − j| ≤ {p['w']}",
            },
            lambda n, p: masks.sliding_window_mask(n, p["w"]),
            {"zh": "只有对角线附近的一条窄带。", "en": "only a narrow band around the diagonal."},
        ),
        Mechanism(
            "causal_window",
            {"zh": "因果滑动窗口注意力", "en": "causal sliding-window attention"},
            lambda p: {
                "zh": f"allowed[i, j] = 0 ≤ i − j ≤ {p['w']}",
                "en": f"allowed[i, j] = 0 ≤ i − j ≤ {p['w']}",
            },
            lambda n, p: masks.sliding_window_mask(n, p["w"], causal=True),
            {
                "zh": "对角线及其左侧的一条窄带。",
                "en": "a narrow band on and just left of the diagonal.",
            },
        ),
        Mechanism(
            "strided",
            {"zh": "跨步（稀疏）注意力", "en": "strided (sparse) attention"},
            lambda p: {
                "zh": f"allowed[i, j] = |i − j| < {p['s']} 或 (i − j) mod {p['s']} = 0",
                "en": f"allowed[i, j] = |i − j| < {p['s']} or (i − j) mod {p['s']} = 0",
            },
            lambda n, p: masks.strided_mask(n, p["s"]),
            {
                "zh": "对角带之外还有间隔规则的斜线。",
                "en": "a diagonal band plus regularly spaced diagonal stripes.",
            },
        ),
        Mechanism(
            "global_local",
            {
                "zh": "全局 + 局部注意力（Longformer）",
                "en": "global + local attention (Longformer)",
            },
            lambda p: {
                "zh": f"|i − j| ≤ {p['w']}，且前 {p['g']} 个词元看到所有词元、也被所有词元看到",
                "en": f"|i − j| ≤ {p['w']}, and the first {p['g']} tokens see and are seen by all",
            },
            lambda n, p: masks.global_local_mask(n, p["w"], p["g"]),
            {
                "zh": "对角带，加上铺满的前几行和前几列。",
                "en": "a diagonal band plus full first rows and first columns.",
            },
        ),
    ]
    return {m.key: m for m in ms}


def _draw_params(rng: random.Random) -> dict[str, int]:
    return {"w": rng.choice([1, 2]), "s": rng.choice([3, 4]), "g": rng.choice([1, 2])}


# ── live item: which heatmap is it? ───────────────────────────────────────────────────────────


def heatmap_weights(mask: torch.Tensor, seed: int, d_k: int = 8) -> torch.Tensor:
    """softmax(Q Kᵀ/√d_k + M) for random Q, K ~ N(0, 1) drawn from ``seed``.  (n, n) bool → (n, n)."""
    n = mask.size(0)
    g = torch.Generator().manual_seed(seed)
    q, k, v = (torch.randn(n, d_k, generator=g) for _ in range(3))  # each (n, d_k)
    _, weights = scaled_dot_product_attention(q, k, v, attn_mask=mask)
    return weights


def which_heatmap(seed: int) -> Item:
    """Four heatmaps under four masks of random inputs; the answer is the one of the named mechanism."""
    rng, mech = random.Random(seed), _mechanisms()
    n, p = rng.choice([13, 14, 15, 16]), _draw_params(rng)
    keys = rng.sample(sorted(mech), 4)
    letters, labels = "ABCD", tuple(str(i) for i in range(n))
    results = tuple(
        Result(
            heatmap_weights(mech[k].mask(n, p), seed + i).unsqueeze(0),
            labels,
            labels,
            facts={"mechanism": k, "name": mech[k].name},
        )
        for i, k in enumerate(keys)
    )
    target = rng.randrange(4)
    m = mech[keys[target]]
    return Item(
        item_id="live:which-heatmap",
        question_id=LIVE_QUESTION,
        type="which_heatmap",
        prompt={
            "zh": f"下面四张热力图来自随机输入上的注意力。哪一张是**{m.name['zh']}**？",
            "en": f"These four heatmaps show attention on random inputs. Which one is **{m.name['en']}**?",
        },
        explanation={
            lg: f"**{letters[target]}** — {m.looks[lg]} ({m.rule(p)[lg]})\n\n"
            + "; ".join(f"{c}: {mech[k].name[lg]}" for c, k in zip(letters, keys, strict=True))
            for lg in ("zh", "en")
        },
        tags=LIVE_TAGS["live:which-heatmap"],
        answer=target,
        seed=seed,
        results=results,
        options=tuple({"zh": c, "en": c} for c in letters),
    )


# ── live item: draw the mask ──────────────────────────────────────────────────────────────────


def draw_mask(seed: int) -> Item:
    """An n × n grid to tick where query i (row) may attend to key j (column) under a described mask."""
    rng, mech = random.Random(seed), _mechanisms()
    grid = torch.ones(1, 1, dtype=torch.bool)
    while bool(grid.all()):  # a mask that allows every cell would ask nothing: draw again
        n, p = rng.choice([5, 6, 7, 8]), _draw_params(rng)
        m = mech[
            rng.choice(["causal", "sliding_window", "causal_window", "strided", "global_local"])
        ]
        grid = m.mask(n, p)
    key = tuple(tuple(bool(x) for x in row) for row in grid.tolist())
    allowed = int(grid.sum())
    return Item(
        item_id="live:draw-mask",
        question_id=LIVE_QUESTION,
        type="draw_mask",
        prompt={
            "zh": f"n = {n}，**{m.name['zh']}**（{m.rule(p)['zh']}）。勾选查询 i（行）可以关注键 j（列）的格子。",
            "en": f"n = {n}, **{m.name['en']}** ({m.rule(p)['en']}). Tick the cells where query i (row) may attend to key j (column).",
        },
        explanation={
            "zh": f"{m.rule(p)['zh']}：共 {allowed} 个允许的格子（完整注意力为 {n * n}）。{m.looks['zh']}",
            "en": f"{m.rule(p)['en']}: {allowed} allowed cells (full attention has {n * n}). Looks like {m.looks['en']}",
        },
        tags=LIVE_TAGS["live:draw-mask"],
        answer=key,
        seed=seed,
    )


# ── live item: compute it ─────────────────────────────────────────────────────────────────────


def compute(seed: int) -> Item:
    """One query, three keys, d_k = 4: a weight or the output of the engine's attention, to compute."""
    rng = random.Random(seed)
    q = [rng.randint(-2, 2) for _ in range(4)]
    ks = [[rng.randint(-2, 2) for _ in range(4)] for _ in range(3)]
    vs = [rng.randint(-3, 5) for _ in range(3)]
    Q = torch.tensor([q], dtype=torch.float64)  # (1, d_k)
    K = torch.tensor(ks, dtype=torch.float64)  # (3, d_k)
    V = torch.tensor(vs, dtype=torch.float64).unsqueeze(1)  # (3, 1)
    out, w = scaled_dot_product_attention(Q, K, V)  # (1, 1), (1, 3)
    scores = [sum(a * b for a, b in zip(q, k, strict=True)) / 2 for k in ks]
    given = f"q = {q}, k₁ = {ks[0]}, k₂ = {ks[1]}, k₃ = {ks[2]}, d_k = 4"
    sc = ", ".join(f"{s:g}" for s in scores)
    ws = ", ".join(f"{x:.3f}" for x in w[0].tolist())
    if rng.random() < 0.5:
        j = rng.randrange(3)
        value, tol = float(w[0, j]), 0.0015
        ask = {
            "zh": f"{given}。键 k{j + 1} 的注意力权重 softmax(q·kⱼ/√d_k) 是多少？（保留三位小数）",
            "en": f"{given}. What is the attention weight on k{j + 1}, softmax(q·kⱼ/√d_k)? (3 decimals)",
        }
    else:
        value, tol = float(out[0, 0]), 0.006
        ask = {
            "zh": f"{given}，值 v = {vs}。输出 Σⱼ wⱼ vⱼ 是多少？（保留两位小数）",
            "en": f"{given}, values v = {vs}. What is the output Σⱼ wⱼ vⱼ? (2 decimals)",
        }
    why = {
        "zh": f"分数 q·kⱼ/√4 = [{sc}]；softmax 后 w = [{ws}]；答案 {value:.4f}。",
        "en": f"Scores q·kⱼ/√4 = [{sc}]; softmax gives w = [{ws}]; the answer is {value:.4f}.",
    }
    return Item(
        item_id="live:compute",
        question_id=LIVE_QUESTION,
        type="compute",
        prompt=ask,
        explanation=why,
        tags=LIVE_TAGS["live:compute"],
        answer=value,
        tolerance=tol,
        seed=seed,
    )


# ── live item: predict the pattern ───────────────────────────────────────────────────────────


def _pattern_explanation(layer: int, head: int, key: str, shares: tuple[float, ...]) -> Text:
    """The hidden head named, and its score on every pattern, in zh and en."""
    name, share = PATTERN_NAMES[key], shares[PATTERNS.index(key)]
    table = {
        lg: " · ".join(f"{PATTERN_NAMES[p][lg]} {v:.2f}" for p, v in zip(PATTERNS, shares, strict=True))
        for lg in ("zh", "en")
    }  # fmt: skip
    return {
        "zh": f"隐藏的是 **第 {layer} 层第 {head} 头**：{name['zh']}（得分 {share:.2f}）。"
        f"各模式得分：{table['zh']}。注意力份额最大的模式若 ≥ {CLEAR}，就是这个头的模式；"
        "否则熵高的头算作“广泛”。",
        "en": f"The hidden head was **layer {layer}, head {head}**: {name['en']} (score "
        f"{share:.2f}). Score of each pattern: {table['en']}. A head follows the pattern that "
        f"takes the largest share of its attention when that share is ≥ {CLEAR}; otherwise a "
        "head of high entropy counts as broad.",
    }


# scores = pattern_scores(A, tokens) for the head's weights A (L, L);  key = dominant_pattern(scores)
def pattern_item(result: Result, seed: int) -> Item:
    """Predict-the-pattern for one head: its tokens, and the pattern it mostly follows as the key.

    ``result`` holds the head as weights (1, L, L) with ``extras`` layer and head (from 1) and,
    optionally, tokens (WordPiece; else the labels) and model, as :func:`game_round` returns it.
    """
    x = result.extras
    scores = pattern_scores(result.weights[0], x.get("tokens", result.query_labels))  # (7,)
    key = dominant_pattern(scores)
    if key not in PATTERNS:
        raise ValueError(f"layer {x['layer']}, head {x['head']} has no clear pattern to predict")
    shares = tuple(float(v) for v in scores)
    model = x.get("model") or "BERT"
    return Item(
        item_id=PATTERN_ITEM,
        question_id=LIVE_QUESTION,
        type="predict_pattern",
        prompt={
            "zh": f"预训练模型 {model} 的一个隐藏的头正在读下面的词元。它主要看哪里？",
            "en": f"A hidden head of the pretrained model {model} reads the tokens below. Where does it mostly look?",
        },
        explanation=_pattern_explanation(x["layer"], x["head"], key, shares),
        tags=LIVE_TAGS[PATTERN_ITEM],
        answer=key,
        options=tuple(PATTERN_NAMES[p] for p in PATTERNS),
        results=(result,),
        seed=seed,
        shares=shares,
    )


def predict_pattern(seed: int, bert: Bert | None = None) -> Item:
    """A sentence and a head of the pretrained model with a clear pattern, drawn from ``seed``.

    Raises :class:`engine.bert.ModelMissing` when no pretrained model is installed.
    """
    head = game_round(bert if bert is not None else default_bert("cpu"), seed)
    return pattern_item(head, seed)


# ── live item: predict where a head of the induction toy looks (shipped weights) ─────────────

INDUCTION_ITEM = "live:predict-induction"
LIVE_TAGS[INDUCTION_ITEM] = ("induction-heads",)  # a trained toy's item, like PATTERN_ITEM
INDUCTION_ROLES = {  # where query i of a sequence of period P may look: role → key position
    "previous": ({"zh": "前一个位置 i−1", "en": "the previous position i−1"}, lambda i, P: i - 1),
    "after_copy": (
        {"zh": "当前词元上一次出现之后的那个位置", "en": "the position just after the earlier copy of the current token"},
        lambda i, P: i - P + 1 if i >= P else None,
    ),
    "self": ({"zh": "自身 i", "en": "itself, i"}, lambda i, P: i),
    "first": ({"zh": "第一个位置 0", "en": "the first position, 0"}, lambda i, P: 0),
}  # fmt: skip


def _induction_query(w: torch.Tensor, P: int, layer: int, rng: random.Random) -> tuple[int, int]:
    """A query of head ``w`` (L, L) whose strongest key is one of the roles; → (query, role index)."""
    where = lambda i: [pos(i, P) for _, pos in INDUCTION_ROLES.values()]  # noqa: E731
    queries = range(3, P) if layer == 0 else range(P + 1, w.size(0))  # layer 1: first period
    fits = [i for i in queries if int(w[i].argmax()) in where(i)]
    if not fits:
        raise ValueError(f"layer {layer + 1} of the induction toy has no clear target (P = {P})")
    i = rng.choice(fits)
    return i, where(i).index(int(w[i].argmax()))


def induction_item(seed: int) -> Item:
    """A head of the shipped induction toy, a sequence and a query; the key is where the head looks most."""
    from engine.registry import run_demo  # local: keeps this item's change in one place

    rng = random.Random(seed)  # run_demo loads the shipped weights: nothing trains here
    P, layer = rng.randint(6, 12), rng.choice([0, 1])
    r = run_demo("induction_heads", {"period": P, "seed": rng.randrange(10_000)})
    w = r.weights[layer]  # (L, L): this head
    i, answer = _induction_query(w, P, layer, rng)
    roles = list(INDUCTION_ROLES)
    where = [INDUCTION_ROLES[k][1](i, P) for k in roles]
    seq = " ".join(r.query_labels)
    shares = {lg: "; ".join(f"{INDUCTION_ROLES[k][0][lg]} {float(w[i, j]):.2f}" for k, j in zip(roles, where, strict=True) if j is not None) for lg in ("zh", "en")}  # fmt: skip
    tok = r.query_labels[i]
    return Item(
        item_id=INDUCTION_ITEM,
        question_id=LIVE_QUESTION,
        type="single",
        prompt={
            "zh": f"两层纯注意力玩具模型（第 38 题）读入序列 `{seq}`（位置:词元，周期 P = {P}）。"
            f"它**第 {layer + 1} 层**的头在查询位置 i = {i}（`{tok}`）上把大部分注意力放在哪里？",
            "en": f"The two-layer attention-only toy (question 38) reads `{seq}` (position:token, period "
            f"P = {P}). At query position i = {i} (`{tok}`), where does its **layer {layer + 1}** head put most of its attention?",
        },
        explanation={
            "zh": f"该行的实际权重：{shares['zh']}。第 1 层是前一词元头（A[i, i−1] ≈ 1）；"
            "第 2 层是归纳头：在重复部分，它看向当前词元上一次出现之后的词元，并把它复制为预测。",
            "en": f"The row's actual weights: {shares['en']}. Layer 1 is a previous-token head "
            "(A[i, i−1] ≈ 1); layer 2 is an induction head: in the repeat it looks at the token just "
            "after the earlier copy of the current token and copies it as the prediction.",
        },
        tags=LIVE_TAGS[INDUCTION_ITEM],
        answer=answer,
        options=tuple(INDUCTION_ROLES[k][0] for k in roles),
        results=(
            Result(w[None], r.query_labels, r.key_labels, facts={"layer": layer + 1, "query": i}),
        ),
        seed=seed,
    )


LIVE: dict[str, Callable[[int], Item]] = {
    "live:which-heatmap": which_heatmap,
    "live:draw-mask": draw_mask,
    "live:compute": compute,
    INDUCTION_ITEM: induction_item,
    PATTERN_ITEM: predict_pattern,
}


def model_available() -> bool:
    """True when a pretrained model is installed (its files are there; nothing is loaded)."""
    try:
        model_dir()
    except ModelMissing:
        return False
    return True


def live_ids() -> list[str]:
    """The live items this installation can make: all of them, less the model's without a model."""
    return [i for i in LIVE if i != PATTERN_ITEM or model_available()]


def live_item(item_id: str, seed: int) -> Item | None:
    """The live item ``item_id`` drawn from ``seed``; None when no pretrained model is installed."""
    try:
        return LIVE[item_id](seed)
    except ModelMissing:
        return None


# ── looking items up ──────────────────────────────────────────────────────────────────────────


def all_item_ids(bank: Bank) -> list[str]:
    """Every item id a learner can meet: the bank's, in question order, then the live ones."""
    return [i.id for q in bank.questions for i in q.quiz] + live_ids()


def item_tags(bank: Bank, item_id: str) -> tuple[str, ...]:
    """The tags of the item's question (live items: ``live`` and their topic)."""
    if item_id in LIVE_TAGS:
        return LIVE_TAGS[item_id]
    q = question_of(bank, item_id)
    return tuple(q.tags) if q else ()


def tag_choices(bank: Bank) -> list[str]:
    """Every tag a session can start from: the bank's and those of the live items offered here."""
    return sorted({*bank.tags, *(t for i in live_ids() for t in LIVE_TAGS[i])})


def question_of(bank: Bank, item_id: str) -> Question | None:
    """The bank question that holds ``item_id``, or None (a live item, or one no longer in the bank)."""
    return next((q for q in bank.questions if any(i.id == item_id for i in q.quiz)), None)


def make_item(bank: Bank, item_id: str, seed: int) -> Item | None:
    """The item ``item_id`` drawn from ``seed``; None when the bank no longer holds it."""
    if item_id in LIVE:
        return live_item(item_id, seed)
    q = question_of(bank, item_id)
    return from_bank(q, item_id, seed) if q else None
