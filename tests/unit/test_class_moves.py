"""The class benchmark moves, on each question, a slider whose one step changes the picture."""

from __future__ import annotations

from benchmarks.class_load import slider_moves
from engine.registry import get_demo
from quiz.bank import load_bank

from ..conftest import ROOT


def test_each_learner_moves_a_slider_that_changes_the_picture():
    moves, left_out = slider_moves()
    by_number = {m.number: m for m in moves}
    bank = load_bank(ROOT / "questions")
    with_sliders = {
        q.number
        for q in bank.questions
        if any(p.kind in ("int", "float") for p in get_demo(q.demo[0].name).params)
    }
    assert set(by_number) | set(left_out) == with_sliders and not set(by_number) & set(left_out)
    # Q11: D changes only the local head, where the chart starts
    q11 = by_number[11]
    assert (q11.slider, q11.direction, q11.watch) in ((0, 1, 0), (0, -1, 0))
    assert by_number[5].label == "Layer shown"  # found on the page by its label
    # Q12 generates 6 steps for its default word: "most steps" 9 → 8 changes nothing
    assert 12 in left_out
    # Q18: the guidance width g changes no weight, so the speaking rate is moved instead
    assert by_number[18].slider == 1 and by_number[18].watch == 0
    assert all(m.direction in (1, -1) and m.watch in (0, 1) for m in moves)
    for m in moves:  # the label is the one of the slider the move changes
        d = get_demo(bank.by_number(m.number).demo[0].name)
        sliders = [p for p in d.params if p.kind in ("int", "float")]
        assert m.label == sliders[m.slider].label["en"]


def test_the_class_table_shows_where_the_cpu_went():
    from benchmarks.class_load import Run, summary, table

    def app(first: float, server: float, browsers: float) -> dict:
        run = Run(first=[first], steps=[1.0], full_first=[first], full_steps=[1.5])
        run.server_cpu_s, run.browser_cpu_s = server, {"renderer": browsers, "total": browsers}
        row = summary(run)
        row["mb_per_learner"] = 1.0
        row["server_cpu_per_learner_s"] = round(server / 2, 2)
        row["browser_cpu_per_learner_s"] = round(browsers / 2, 2)
        return row

    bare, atlas = app(10.0, 2.0, 8.0), app(20.0, 4.0, 24.0)
    ratio = {
        k: round(atlas[k] / bare[k], 2) if bare[k] else None
        for k, v in bare.items()
        if isinstance(v, (int, float))
    }
    lines = table({"2_learners": {"bare": bare, "atlas": atlas, "ratio": ratio}}).splitlines()
    assert "CPU s per learner: server / browser" in lines[0]
    assert "| 1.0 / 4.0 |" in lines[2] and "| 2.0 / 12.0 |" in lines[3]
    assert "| 2.0× / 3.0× |" in lines[4]
    assert atlas["browser_cpu_s"] == {"renderer": 24.0, "total": 24.0}
