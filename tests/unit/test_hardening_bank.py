"""The bank loader never raises: one regression test per way a file used to take the bank down.

Each bad file is left out with a ``file:line: field: message`` issue, and the good file beside it
is still served.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml

import quiz.bank as bank_module
from quiz.bank import MAX_DEPTH, MAX_FILE_BYTES, MAX_INT_DIGITS, load_bank

from ..conftest import FIXTURES, ROOT

SAMPLE = FIXTURES / "bank" / "q01-sample.yaml"
REAL = ROOT / "questions" / "q04-multi-head-attention.yaml"

# 19 KB of "billion laughs": nine levels of nine aliases each = 9^9 ≈ 387 million leaves.
BOMB = (
    'id: q02-bomb\nnumber: 2\ndemo:\n  name: multi_head\n  params:\n    n_tokens: &l0 ["lol"]\n'
    + "".join(
        f"    p{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]\n" + "#" * 2000 + "\n"
        for i in range(1, 10)
    )
)


@pytest.fixture
def bank_dir(tmp_path: Path) -> Path:
    shutil.copy(SAMPLE, tmp_path / "q01-sample.yaml")
    return tmp_path


def refused(directory: Path, name: str, text: str | bytes) -> list[str]:
    """Write ``name``, load leniently: the sample is still served, ``name`` is refused; its issues."""
    path = directory / name
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    b = load_bank(directory, strict=False)
    assert [q.id for q in b.questions] == ["q01-sample"]
    assert b.refused == (name,)
    messages = [str(i) for i in b.issues]
    assert messages and all(m.startswith(f"{name}:") for m in messages), messages
    assert all(len(m) < 600 for m in messages), messages
    return messages


def real_with(old: str, new: str) -> str:
    text = REAL.read_text(encoding="utf-8")
    assert old in text
    return (
        text.replace(old, new, 1)
        .replace("id: q04-", "id: q99-", 1)
        .replace("number: 4", "number: 99", 1)
    )


def with_params(lines: str) -> str:
    """The real q04 file (renamed q99) with ``lines`` as its demo's parameters."""
    return real_with("  name: multi_head\n", f"  name: multi_head\n  params:\n    {lines}\n")


def test_alias_bomb_is_refused_quickly_in_little_memory(tmp_path: Path):
    """The alias chain is refused before it is expanded: well under 1 s and 100 MB (subprocess)."""
    (tmp_path / "q02-bomb.yaml").write_text(BOMB, encoding="utf-8")
    assert 15_000 < len(BOMB) < 25_000
    script = textwrap.dedent(
        f"""
        import json, resource, sys, time
        sys.path.insert(0, {str(ROOT)!r})
        from quiz.bank import load_bank
        from engine.registry import all_demos
        all_demos()  # imports torch and every demo: not the bomb's cost
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        t = time.perf_counter()
        b = load_bank({str(tmp_path)!r}, strict=False)
        seconds = time.perf_counter() - t
        after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(json.dumps({{"s": seconds, "kb": after - before, "issues": [str(i) for i in b.issues]}}))
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=300, check=True
    )
    got = json.loads(out.stdout.strip().splitlines()[-1])
    assert got["s"] < 1.0 and got["kb"] < 100 * 1024, got
    (msg,) = got["issues"]
    assert msg.startswith("q02-bomb.yaml:") and "expands to more than" in msg


@pytest.mark.parametrize(
    "text",
    [
        "id: x\nlist: " + "[" * 600 + "]" * 600 + "\n",
        "id: x\nmap: " + "{a: " * 600 + "1" + "}" * 600 + "\n",
        "id: x\n" + "".join("  " * i + f"k{i}:\n" for i in range(600)) + "  " * 600 + "end\n",
        "id: x\nl:\n" + "".join("  " * (i + 1) + "-\n" for i in range(600)) + "  " * 601 + "end\n",
    ],
    ids=["flow-list", "flow-map", "block-map", "block-list"],
)
def test_deep_nesting_is_refused(bank_dir: Path, text: str):
    (msg,) = refused(bank_dir, "q02-deep.yaml", text)
    assert f"nested more than {MAX_DEPTH} levels deep" in msg


@pytest.mark.parametrize("value", ["1", "true", "3.5", "null", '"multi_head"', "[1, 2]"])
def test_demo_of_the_wrong_type_is_an_issue(bank_dir: Path, value: str):
    text = real_with("demo:", f"demo: {value}\nunused_demo:")
    messages = refused(bank_dir, "q99-demo.yaml", text)
    assert any(":demo:" in m.replace(" ", "") or ": demo" in m for m in messages), messages


def test_demo_set_to_true_in_a_small_file(bank_dir: Path):
    messages = refused(bank_dir, "q02-demo.yaml", "id: q02\nnumber: 2\ndemo: true\n")
    assert any("demo" in m for m in messages)


@pytest.mark.parametrize("digits", [31, 309, 400, 4_301, 10_000])
def test_huge_integers_are_refused_before_conversion(bank_dir: Path, digits: int):
    (msg,) = refused(bank_dir, "q02-int.yaml", f"id: q02\nnumber: {'9' * digits}\n")
    assert msg.startswith("q02-int.yaml:2:") and f"at most {MAX_INT_DIGITS}" in msg
    assert "9" * 61 not in msg  # the number itself is never repeated in full


def test_huge_integer_in_a_demo_parameter(bank_dir: Path):
    text = with_params("n_tokens: " + "9" * 400)
    messages = refused(bank_dir, "q99-param.yaml", text)
    assert any("integer of 400 digits" in m for m in messages), messages


def test_large_number_parameter_within_digit_limit_is_refused_by_its_spec(bank_dir: Path):
    text = with_params("n_tokens: 1" + "0" * 29)
    messages = refused(bank_dir, "q99-param.yaml", text)
    assert any("n_tokens" in m and "expected int from" in m for m in messages), messages


@pytest.mark.parametrize(
    ("tagged", "kind"),
    [
        ("!!bool maybe", "bool"),
        ("!!timestamp 3", "timestamp"),
        ("!!int abc", "int"),
        ("!!float abc", "float"),
        ("!!timestamp 2024-13-45", "timestamp"),
        ("!!int 0x", "int"),
        ("!!binary 'a'", "binary"),
        ("!!set [1, 2]", "set"),
        ("!!omap {a: 1}", "omap"),
        ("!!str {a: 1}", "str"),
        ("!!python/name:os.system ''", "python"),
        ("!custom value", "custom"),
    ],
)
def test_explicit_tags_with_bad_values_are_issues(bank_dir: Path, tagged: str, kind: str):
    (msg,) = refused(bank_dir, "q02-tag.yaml", f"id: q02\nnumber: {tagged}\n")
    assert msg.startswith("q02-tag.yaml:2: (file): YAML error:"), msg


def test_duplicate_keys_are_refused(bank_dir: Path):
    (msg,) = refused(bank_dir, "q02-dup.yaml", "id: q02\nnumber: 2\nid: q03\n")
    assert msg.startswith("q02-dup.yaml:3:") and "duplicate key 'id' (first on line 1)" in msg


def test_duplicate_keys_in_a_nested_mapping_of_a_real_file(bank_dir: Path):
    text = with_params("n_tokens: 4\n    n_tokens: 5")
    (msg,) = refused(bank_dir, "q99-dup.yaml", text)
    assert "duplicate key 'n_tokens'" in msg


def test_a_recursive_alias_is_refused(bank_dir: Path):
    (msg,) = refused(bank_dir, "q02-rec.yaml", "id: q02\nloop: &a [*a]\n")
    assert "alias refers to a value that holds it" in msg


def test_too_many_aliases_are_refused(bank_dir: Path):
    text = "id: q02\nx: &a 1\nys: [" + ", ".join(["*a"] * 60) + "]\n"
    (msg,) = refused(bank_dir, "q02-alias.yaml", text)
    assert "YAML aliases" in msg


def test_a_huge_file_is_refused_before_it_is_read(bank_dir: Path, monkeypatch: pytest.MonkeyPatch):
    """A sparse 1.5 GB file: its size is read with stat, and not one byte of it is read."""
    path = bank_dir / "q02-huge.yaml"
    with path.open("wb") as f:
        f.truncate(1_500_000_000)
    opened: list[Path] = []
    real_open = Path.open

    def spy(self: Path, *args, **kwargs):
        opened.append(self)
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", spy)
    b = load_bank(bank_dir, strict=False)
    assert path not in opened
    (msg,) = [str(i) for i in b.issues]
    assert (
        msg
        == f"q02-huge.yaml:1: (file): file is 1,500,000,000 bytes; at most {MAX_FILE_BYTES:,} are allowed"
    )


def test_a_file_that_grows_after_stat_is_read_only_up_to_the_limit(
    bank_dir: Path, monkeypatch: pytest.MonkeyPatch
):
    (bank_dir / "q02-grow.yaml").write_bytes(b"a: b\n" * (MAX_FILE_BYTES // 4))
    monkeypatch.setattr(bank_module, "MAX_FILE_BYTES", 100)
    real_stat = Path.stat
    monkeypatch.setattr(
        Path,
        "stat",
        lambda self, **kw: (
            type("S", (), {"st_size": 10, "st_mode": real_stat(self).st_mode})()
            if self.name == "q02-grow.yaml"
            else real_stat(self, **kw)
        ),
    )
    data, node, issues = bank_module.read_yaml(bank_dir / "q02-grow.yaml")
    assert data is None and "file is 101 bytes; at most 100" in str(issues[0])


def sample_as(qid: str, number: int) -> dict:
    """The sample question's data under another id and number (quiz item ids renamed too)."""
    data = yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))
    data.update(id=qid, number=number)
    for item in data["quiz"]:
        item["id"] = item["id"].replace("q01-sample", qid)
    return data


@pytest.mark.parametrize(
    "markdown",
    [
        "![a diagram](https://example.com/track.png)",
        "![](http://example.com/x.png)",
        "![x]( //example.com/x.png )",
        "See ![x][pic]\n\n[pic]: https://example.com/x.png",
        '<img src="https://example.com/x.png">',
    ],
)
def test_remote_images_are_refused(bank_dir: Path, monkeypatch: pytest.MonkeyPatch, markdown: str):
    monkeypatch.delenv(bank_module.REMOTE_IMAGES_ENV, raising=False)
    data = sample_as("q02-img", 2)
    data["answer"]["en"] = data["answer"]["en"] + "\n\n" + markdown
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    (msg,) = refused(bank_dir, "q02-img.yaml", text)
    assert ": answer.en: image from another site" in msg and "ATLAS_ALLOW_REMOTE_IMAGES=1" in msg
    monkeypatch.setenv(bank_module.REMOTE_IMAGES_ENV, "1")
    assert {q.id for q in load_bank(bank_dir, strict=False).questions} == {"q01-sample", "q02-img"}


def test_local_and_data_images_are_allowed(bank_dir: Path):
    data = sample_as("q02-img", 2)
    data["answer"]["en"] += "\n\n![local](figures/x.png) ![inline](data:image/png;base64,AAAA)"
    (bank_dir / "q02-img.yaml").write_text(yaml.safe_dump(data, allow_unicode=True))
    assert len(load_bank(bank_dir, strict=False).questions) == 2


def test_the_shipped_bank_has_no_issue():
    b = load_bank(ROOT / "questions", strict=False)
    assert len(b.questions) == len(list((ROOT / "questions").glob("*.yaml"))) and b.issues == ()


def test_an_unexpected_error_while_checking_is_an_issue(
    bank_dir: Path, monkeypatch: pytest.MonkeyPatch
):
    def boom(*_a, **_k):
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(bank_module, "_link_issues", boom)
    b = load_bank(bank_dir, strict=False)
    assert b.questions == () and [str(i) for i in b.issues] == [
        "q01-sample.yaml:1: (file): cannot check this file (ZeroDivisionError)"
    ]


def test_a_lone_surrogate_escape_in_bank_text_is_an_issue(bank_dir: Path):
    data = sample_as("q02-sur", 2)
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    text = text.replace("en: Attention is a soft look-up.", 'en: "Attention \\ud800 look-up."')
    assert "\\ud800" in text
    messages = refused(bank_dir, "q02-sur.yaml", text)
    assert any(": answer.en: text holds a lone surrogate" in m for m in messages), messages


def test_a_missing_directory_is_an_issue_when_lenient(tmp_path: Path):
    b = load_bank(tmp_path / "nowhere", strict=False)
    assert b.questions == () and [i.message for i in b.issues] == [
        "not a directory of question files"
    ]
