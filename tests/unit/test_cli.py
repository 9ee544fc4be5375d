"""The ``atlas`` command: validate, demo, errors that say what is allowed."""

from __future__ import annotations

import json
import shutil

from cli import main

from ..conftest import FIXTURES, ROOT


def test_validate_shipped_bank(capsys):
    files = len(list((ROOT / "questions").glob("q*.yaml")))
    assert main(["validate", str(ROOT / "questions")]) == 0
    assert capsys.readouterr().out.strip() == f"{files} questions, 0 errors"


def test_validate_reports_every_error_and_exits_1(tmp_path, capsys):
    shutil.copy(FIXTURES / "bank" / "q01-sample.yaml", tmp_path)
    (tmp_path / "q02-empty.yaml").write_text("")
    (tmp_path / "q03-broken.yaml").write_text("id: [\n")
    assert main(["validate", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "q02-empty.yaml:1: (file): file is empty" in err and "q03-broken.yaml:2:" in err
    assert err.strip().endswith("2 errors in 2 files")


def test_demo_list(capsys):
    assert main(["demo", "--list"]) == 0
    out = capsys.readouterr().out
    assert "scaled_dot_product" in out and "n_tokens = 8  (int from 2 to 32)" in out


def test_demo_writes_png(tmp_path, capsys):
    png = tmp_path / "mh.png"
    assert (
        main(
            ["demo", "multi_head", "--param", "heads=2", "--param", "n_tokens=5", "--png", str(png)]
        )
        == 0
    )
    line = capsys.readouterr().out.splitlines()[0]
    facts = json.loads(line)
    assert facts["weights_shape"] == [2, 5, 5] and facts["device"] == "cpu"
    assert png.read_bytes()[:4] == b"\x89PNG"


def test_demo_bad_value_names_what_is_allowed(capsys):
    assert main(["demo", "multi_head", "--param", "heads=3"]) == 2
    assert "expected one of '1', '2', '4', '8'" in capsys.readouterr().err


def test_demo_unknown_name(capsys):
    assert main(["demo", "warp_drive"]) == 2
    assert "unknown demo 'warp_drive'; known demos:" in capsys.readouterr().err


def test_demo_bad_device(capsys):
    assert main(["demo", "multi_head", "--device", "tpu"]) == 2
    assert "choose one of: cpu" in capsys.readouterr().err


def test_bench_demos_measures_a_first_call_in_a_fresh_process(capsys):
    assert main(["bench", "demos", "--quick", "--demo", "attention_pooling_classifier"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split()[:3] == ["demo", "first", "call"]
    row = json.loads(out[-1])["result"][0]
    assert row["demo"] == "attention_pooling_classifier"
    assert set(row) == {"demo", "import_s", "first_call_s", "warm_ms", "live_ms", "figure_ms"}
    assert row["warm_ms"] > 0 and row["figure_ms"] > row["live_ms"] > 0  # a PNG costs more
    assert row["first_call_s"] < 10  # loads shipped weights: no training (which took ~10 s)


def test_the_sweep_covers_every_parameter_range_and_choice():
    from benchmarks.demos import p95, sweep_points, sweep_values
    from engine.registry import get_demo

    d = get_demo("multi_head")
    for p in d.params:
        values = sweep_values(p)
        if p.kind in ("int", "float"):
            assert len(values) >= 5 or len(values) == int((p.max - p.min) / (p.step or 1)) + 1
            assert min(values) == p.min and max(values) == p.max
        if p.kind == "choice":
            assert values == list(p.choices)
    points = sweep_points(d)
    assert all(len(pt) == 1 for pt in points)
    assert {next(iter(pt)) for pt in points} >= {p.name for p in d.params if p.kind != "text"}
    assert p95([float(i) for i in range(1, 101)]) == 95.0 and p95([]) == 0.0


def test_bench_demos_sweeps_and_reports_the_p95(capsys):
    assert main(["bench", "demos", "--demo", "attention_pooling_classifier"]) == 0
    out = capsys.readouterr().out.splitlines()
    row = json.loads(out[-1])["result"][0]
    from benchmarks.demos import sweep_points
    from engine.registry import get_demo

    assert row["sweep_n"] + row["sweep_refused"] == len(
        sweep_points(get_demo("attention_pooling_classifier"))
    )
    assert row["figure_p95_ms"] > 0 and row["live_p95_ms"] > 0 and row["live_n"] == row["sweep_n"]
    assert "figure_ms: median" in out[-2]  # the summary line under the table


def test_bench_class_is_wired_to_the_class_benchmark(monkeypatch, capsys):
    import benchmarks.class_load as class_load

    seen = {}

    def fake_run(learners: str, steps: int, think: float, walk: bool) -> dict:
        seen.update(learners=learners, steps=steps, think=think, walk=walk)
        return {"learners": learners}

    monkeypatch.setattr(class_load, "run", fake_run)
    monkeypatch.setattr(class_load, "table", lambda result: f"TABLE {result['learners']}")
    args = ["--learners", "2,3", "--steps", "4", "--think", "1.5", "--walk"]
    assert main(["bench", "class", *args]) == 0
    out = capsys.readouterr().out.splitlines()
    assert seen == {"learners": "2,3", "steps": 4, "think": 1.5, "walk": True}
    assert out[0] == "TABLE 2,3"
    assert json.loads(out[-1]) == {"benchmark": "class", "result": {"learners": "2,3"}}


def test_bench_class_minutes_runs_one_class_for_that_long(monkeypatch, capsys):
    import benchmarks.class_load as class_load

    seen = {}
    monkeypatch.setattr(class_load, "soak", lambda **kw: seen.update(kw) or {"flat": True})
    assert main(["bench", "class", "--learners", "7,30", "--minutes", "2.5"]) == 0
    assert seen == {"learners": 7, "minutes": 2.5, "steps": 5}
    assert json.loads(capsys.readouterr().out.splitlines()[-1]) == {
        "benchmark": "class-soak",
        "result": {"flat": True},
    }


def test_bench_all_does_not_start_a_class(monkeypatch):
    import cli

    monkeypatch.setattr(cli, "BENCHMARKS", {"class": "benchmarks.class_load"})
    assert main(["bench"]) == 0  # nothing but the class benchmark is known: nothing runs


def test_toys_train_refuses_an_unknown_name(capsys):
    assert main(["toys", "train", "warp_drive"]) == 2
    assert "unknown toy warp_drive; known: sentiment" in capsys.readouterr().err


def test_bench_demos_table_marks_a_demo_without_a_live_chart_and_counts_the_targets():
    from benchmarks.demos import table

    rows = [
        {"demo": "a", "first_call_s": 0.1, "warm_ms": 1.0, "live_ms": 5.0, "figure_ms": 300.0},
        {"demo": "b", "first_call_s": 2.0, "warm_ms": 1.0, "live_ms": None, "figure_ms": 90.0},
    ]
    lines = table(rows).splitlines()
    assert lines[2].split()[0] == "a" and lines[3].split()[3] == "—"  # slowest figure first
    assert "live_ms: median 5, 1/1 ≤ 100" in lines[-1]
    assert "figure_ms: median 300, 1/2 ≤ 100" in lines[-1]
    assert "first_call_s: median 2, 1/2 ≤ 1" in lines[-1]


def test_bench_gc_summarises_each_generation_and_tables_both_settings():
    from benchmarks.gc_pauses import summarise, table

    raw = {"frozen": 5, "tracked": 100, "figures": 3, "wall_s": 1.5}
    raw["pauses"] = {"0": [0.1, 0.2], "1": [2.0], "2": [300.0, 100.0]}
    r = summarise(raw)
    assert r["gen2"] == {"collections": 2, "total_ms": 400.0, "p95_ms": 300.0, "max_ms": 300.0}
    assert r["gen1"]["collections"] == 1 and r["gen0"]["total_ms"] == 0.3
    empty = summarise({**raw, "pauses": {"0": [], "1": [], "2": []}})
    assert empty["gen2"] == {"collections": 0, "total_ms": 0.0, "p95_ms": 0.0, "max_ms": 0.0}
    lines = table({"thawed": r, "frozen": empty}).splitlines()
    assert len(lines) == 2 + 6
    assert lines[4] == "| thawed | 100 | 3 | 1.5 | 2 | 2 | 400.0 | 300.0 | 300.0 |"
    import cli

    assert cli.BENCHMARKS["gc"] == "benchmarks.gc_pauses"  # `atlas bench gc`


def test_bench_priority_tables_each_background_setting():
    import cli
    from benchmarks.background_priority import stats, table

    r = stats([100.0, 120.0, 110.0, 500.0])
    assert r == {"p50_ms": 115.0, "p95_ms": 500.0, "max_ms": 500.0}
    result = {"none": {**r, "p50_vs_none": 1.0}, "19": {**r, "p50_ms": 575.0, "p50_vs_none": 5.0}}
    lines = table(result).splitlines()
    assert lines[2] == "| none | 115.0 ms | 500.0 ms | 500.0 ms | 1.0× |"
    assert lines[3].startswith("| nice 19 | 575.0 ms |") and lines[3].endswith("| 5.0× |")
    assert cli.BENCHMARKS["priority"] == "benchmarks.background_priority"
