"""Grading: a learner's response to an item → correct?, a score in [0, 1] and feedback in zh/en.

An empty response is never graded as wrong: it comes back with ``answered=False`` and a message
saying what to give, so the page can ask again and nothing is recorded. Numbers are read
leniently: full-width and other Unicode digits (``３.５``, ``٣``), thousands separators
(``1,024``, ``1 024``), a decimal comma (``0,25``), units after the number (``12 MiB``),
fractions (``1/3``) and percentages (``25%`` counts as 0.25 or as 25).

A choice response comes from the page in the order the options were shown; the stored
``Grade.response`` names the **authored** options (``Item.order``), so answers given under
different shuffles pool in the teacher's item analysis and the CSV export.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import torch

from engine.patterns import PATTERN_NAMES, PATTERNS, overlap_score, paint_prediction
from quiz.items import Item, Text

RATINGS = ("again", "hard", "good", "easy")  # flashcard self-ratings, worst to best
FLASHCARD_SCORE = {"again": 0.0, "hard": 0.5, "good": 1.0, "easy": 1.0}


@dataclass(frozen=True)
class Grade:
    """The verdict on one response. ``response`` is the JSON-ready form that gets stored."""

    answered: bool
    correct: bool
    score: float
    response: Any
    message: Text
    wrong_cells: tuple[tuple[int, int], ...] = field(default=())  # draw_mask only


def _no_answer(zh: str, en: str) -> Grade:
    return Grade(
        answered=False, correct=False, score=0.0, response=None, message={"zh": zh, "en": en}
    )


def _verdict(correct: bool, score: float, response: Any, zh: str, en: str, **kw: Any) -> Grade:
    return Grade(True, correct, min(max(score, 0.0), 1.0), response, {"zh": zh, "en": en}, **kw)


# ── numbers ───────────────────────────────────────────────────────────────────────────────────

_SEPARATORS = {
    "\u066b": ".",
    "\u066c": ",",
    "\u2212": "-",
    "\u2009": " ",
    "\u202f": " ",
    "\u00a0": " ",
}
_NUM = r"[-+]?(?:(?:[1-9]\d{0,2}(?:[ ,_]\d{3})+|\d+)(?:[.,]\d+)?|\.\d+)(?:[eE][-+]?\d+)?"
_TOKEN = re.compile(rf"(?<![A-Za-z0-9_.])({_NUM})(?:\s*/\s*({_NUM}))?(\s*%)?")


@dataclass(frozen=True)
class Parsed:
    """A number read from text; ``problem`` is '' or one of: empty, no_number, several, bad."""

    value: float | None
    percent: bool = False
    problem: str = ""


def normalise_digits(text: str) -> str:
    """NFKC (full-width → ASCII), every Unicode decimal digit → 0–9, Arabic separators, − → -."""
    out = []
    for ch in unicodedata.normalize("NFKC", text):
        digit = unicodedata.decimal(ch, None)
        out.append(str(digit) if digit is not None else _SEPARATORS.get(ch, ch))
    return "".join(out)


def _to_float(token: str) -> float:
    """'1,024.5' → 1024.5, '0,25' → 0.25, '1 024' → 1024: a comma before exactly three digits
    after a group of 1–3 leading digits separates thousands; otherwise it is a decimal comma."""
    grouped = re.fullmatch(r"([-+]?[1-9]\d{0,2}(?:[ ,_]\d{3})+)(.*)", token)
    if grouped:
        token = re.sub(r"[ ,_]", "", grouped.group(1)) + grouped.group(2)
    return float(token.replace(",", "."))


def parse_number(text: str | float | int | None) -> Parsed:
    """Read one number from free text (see the module docstring for what is accepted)."""
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        return Parsed(float(text)) if math.isfinite(text) else Parsed(None, problem="bad")
    if text is None or not str(text).strip():
        return Parsed(None, problem="empty")
    matches = list(_TOKEN.finditer(normalise_digits(str(text))))
    if not matches:
        return Parsed(None, problem="no_number")
    if len(matches) > 1:
        return Parsed(None, problem="several")
    num, den, pct = matches[0].groups()
    try:
        value = _to_float(num) / (_to_float(den) if den else 1.0)
    except (ValueError, ZeroDivisionError):
        return Parsed(None, problem="bad")
    return Parsed(value, percent=bool(pct)) if math.isfinite(value) else Parsed(None, problem="bad")


_NUMBER_PROBLEMS = {
    "empty": ("没有作答：请输入一个数。", "No answer: type a number."),
    "no_number": (
        "答案里没有找到数字：请输入一个数，例如 0.25。",
        "No number found in the answer: type a number, e.g. 0.25.",
    ),
    "several": ("找到了不止一个数：请只输入一个数。", "More than one number found: type just one."),
    "bad": (
        "无法把它读成一个有限的数：请输入一个数，例如 0.25。",
        "That cannot be read as a finite number: type one, e.g. 0.25.",
    ),
}


def _fmt(x: float) -> str:
    return f"{x:,.0f}" if x == int(x) and abs(x) >= 1000 else f"{x:.4g}"


def grade_number(raw: Any, expected: float, tolerance: float) -> Grade:
    """|given − expected| ≤ tolerance (+ a rounding hair); a percentage may count as p/100 or p."""
    p = parse_number(raw)
    if p.value is None:
        return _no_answer(*_NUMBER_PROBLEMS[p.problem])
    slack = tolerance + 1e-9 * max(1.0, abs(expected))
    candidates = (p.value / 100, p.value) if p.percent else (p.value,)
    ok = any(abs(c - expected) <= slack for c in candidates)
    given = candidates[0]
    tol = f" ± {_fmt(tolerance)}" if tolerance else ""
    if ok:
        return _verdict(
            True, 1.0, given, f"正确：{_fmt(expected)}{tol}。", f"Correct: {_fmt(expected)}{tol}."
        )
    return _verdict(
        False,
        0.0,
        given,
        f"不对：你的答案 {_fmt(given)}，正确答案 {_fmt(expected)}{tol}。",
        f"Not quite: you gave {_fmt(given)}; the answer is {_fmt(expected)}{tol}.",
    )


# ── choices ───────────────────────────────────────────────────────────────────────────────────


def grade_single(choice: int | None, key: int, n_options: int, names: str = "") -> Grade:
    """One option: correct iff it is the key. ``names`` letters the options (e.g. "ABCD")."""
    if choice is None or not 0 <= int(choice) < n_options:
        return _no_answer("没有作答：请选择一个选项。", "No answer: pick one option.")
    ok = int(choice) == key
    zh, en = (
        (f"{names[key]}", f"{names[key]}") if names else (f"第 {key + 1} 项", f"option {key + 1}")
    )
    return _verdict(
        ok,
        float(ok),
        int(choice),
        "正确。" if ok else f"不对：正确的是{zh}。",
        "Correct." if ok else f"Not quite: the answer is {en}.",
    )


def grade_multiple(chosen: Iterable[int] | None, key: Sequence[int], n_options: int) -> Grade:
    """Every correct option and no other; partial score = (right picks − wrong picks) / |key|, ≥ 0."""
    picks = sorted({int(c) for c in chosen or () if 0 <= int(c) < n_options})
    if not picks:
        return _no_answer("没有作答：请至少选择一个选项。", "No answer: pick at least one option.")
    right, wrong = len(set(picks) & set(key)), len(set(picks) - set(key))
    ok = set(picks) == set(key)
    names = ", ".join(str(k + 1) for k in sorted(key))
    return _verdict(
        ok,
        (right - wrong) / len(key),
        picks,
        "正确。" if ok else f"不完全对：正确的是第 {names} 项。",
        "Correct." if ok else f"Not quite: the answers are options {names}.",
    )


def grade_true_false(choice: bool | None, key: bool) -> Grade:
    if choice is None:
        return _no_answer("没有作答：请选择“对”或“错”。", "No answer: choose true or false.")
    ok = bool(choice) == key
    word = ("对", "true") if key else ("错", "false")
    return _verdict(
        ok,
        float(ok),
        bool(choice),
        f"{'正确' if ok else '不对'}：这句话是{word[0]}的。",
        f"{'Correct' if ok else 'Not quite'}: the statement is {word[1]}.",
    )


def grade_flashcard(rating: str | None) -> Grade:
    """The learner's own rating of their recall: again (forgot), hard, good, easy."""
    if rating not in RATINGS:
        return _no_answer(
            "没有作答：先回忆答案，再给自己评分。",
            "No answer: recall the answer, then rate yourself.",
        )
    ok = rating != "again"
    return _verdict(
        ok, FLASHCARD_SCORE[rating], rating, f"自评：{rating}。", f"Self-rating: {rating}."
    )


# ── masks ─────────────────────────────────────────────────────────────────────────────────────


def grade_mask(grid: Sequence[Sequence[Any]] | None, key: Sequence[Sequence[bool]]) -> Grade:
    """Cell by cell against the engine's mask: score = fraction of the n² cells that match."""
    n = len(key)
    if grid is None or len(grid) != n or any(len(row) != n for row in grid):
        return _no_answer(
            f"没有作答：请在 {n}×{n} 的格子中勾选。", f"No answer: tick cells of the {n}×{n} grid."
        )
    cells = [[bool(x) for x in row] for row in grid]
    if not any(any(row) for row in cells):
        return _no_answer(
            "一个格子都没有勾选：每种掩码至少允许对角线。",
            "No cell ticked: every mask here allows at least the diagonal.",
        )
    wrong = tuple((i, j) for i in range(n) for j in range(n) if cells[i][j] != bool(key[i][j]))
    ok = not wrong
    score = 1 - len(wrong) / (n * n)
    return _verdict(
        ok,
        score,
        cells,
        "正确：每个格子都对。" if ok else f"有 {len(wrong)} 个格子不对（共 {n * n} 个）。",
        "Correct: every cell is right." if ok else f"{len(wrong)} of {n * n} cells are wrong.",
        wrong_cells=wrong,
    )


# ── a pretrained head's pattern ───────────────────────────────────────────────────────────────

NAME_MODE, PAINT_MODE = "name", "paint"  # the two ways to predict a hidden head
PAINT_RIGHT = 0.5  # a painted row counts as right from this overlap with the real row


def grade_pattern(guess: str | None, key: str, shares: Sequence[float]) -> Grade:
    """Naming a head's pattern: right iff ``guess`` is ``key``; says how the guess scores on it.

    ``shares`` is the head's score of each of :data:`engine.patterns.PATTERNS`, (7,).
    """
    if guess not in PATTERNS:
        return _no_answer("请选择一个模式。", "Choose a pattern.")
    ok, share = guess == key, float(shares[PATTERNS.index(guess)])
    name = PATTERN_NAMES[key]
    return _verdict(
        ok,
        float(ok),
        {"mode": NAME_MODE, "guess": guess, "pattern": key},
        f"{'正确' if ok else '不对'}：这个头是「{name['zh']}」；你选的模式得分 {share:.2f}。",
        f"{'Right' if ok else 'Not quite'}: this head is '{name['en']}'; your pattern scores {share:.2f} on it.",
    )


# overlap(p, a) = Σ_j min(p_j, a_j),  p = equal weight on the painted keys
def grade_paint(painted: Iterable[int] | None, query: int, row: torch.Tensor, key: str) -> Grade:
    """Painting where ``query`` looks: score = overlap with the real row (S,); right from 0.5."""
    n = row.numel()
    picks = sorted({int(j) for j in painted or () if 0 <= int(j) < n})
    if not picks:
        return _no_answer("请至少选一个词元。", "Pick at least one token.")
    score = overlap_score(paint_prediction(n, picks), row)
    return _verdict(
        score >= PAINT_RIGHT,
        score,
        {"mode": PAINT_MODE, "painted": picks, "query": query, "pattern": key},
        f"你的预测与真实注意力重合 {score:.0%}（≥ {PAINT_RIGHT:.0%} 算对）。",
        f"Your prediction overlaps the real attention by {score:.0%} (≥ {PAINT_RIGHT:.0%} counts as right).",
    )


def grade_prediction(item: Item, response: Any) -> Grade:
    """A predict-the-pattern answer: a pattern name, or ``{"painted": [j…], "query": i}``."""
    if isinstance(response, Mapping) and "painted" in response:
        query = int(response.get("query", 1))
        row = item.results[0].weights[0, query]  # (S,): the real row of the hidden head
        return grade_paint(response["painted"], query, row, item.answer)
    return grade_pattern(response, item.answer, item.shares)


def skipped() -> Grade:
    """ "I don't know": an answer that is wrong (score 0), recorded so the item comes back soon."""
    return _verdict(False, 0.0, None, "跳过：这是答案。", "Skipped: here is the answer.")


def as_authored(item: Item, g: Grade) -> Grade:
    """The grade with its choice response mapped from shown positions to authored option indices."""
    if not g.answered or g.response is None:
        return g
    if item.type == "single":
        return replace(g, response=item.authored(g.response))
    return replace(g, response=item.authored_set(g.response))


def grade(item: Item, response: Any) -> Grade:
    """Grade ``response`` to ``item`` by the item's type (a choice given as shown positions)."""
    t = item.type
    if t == "single":
        return as_authored(item, grade_single(response, item.answer, len(item.options)))
    if t == "which_heatmap":
        return grade_single(response, item.answer, len(item.options), "ABCD")
    if t == "multiple":
        return as_authored(item, grade_multiple(response, item.answer, len(item.options)))
    if t == "true_false":
        return grade_true_false(response, item.answer)
    if t in ("numeric", "compute"):
        return grade_number(response, item.answer, item.tolerance)
    if t == "flashcard":
        return grade_flashcard(response)
    if t == "draw_mask":
        return grade_mask(response, item.answer)
    if t == "predict_pattern":
        return grade_prediction(item, response)
    raise ValueError(f"unknown item type {t!r}")
