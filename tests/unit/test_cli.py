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
    assert set(row) == {"demo", "import_s", "first_call_s", "warm_ms", "render_ms"}
    assert row["warm_ms"] > 0 and row["render_ms"] > 0
    assert row["first_call_s"] < 10  # loads shipped weights: no training (which took ~10 s)


def test_toys_train_refuses_an_unknown_name(capsys):
    assert main(["toys", "train", "warp_drive"]) == 2
    assert "unknown toy warp_drive; known: sentiment" in capsys.readouterr().err
