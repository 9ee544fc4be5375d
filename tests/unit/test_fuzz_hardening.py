"""Fuzzing: mutated real bank files and every demo's parameters never raise, and every message
names its file or parameter.

Seeded (``derandomize=True``) and bounded: ``ATLAS_FUZZ_EXAMPLES`` examples per test (default
100 for the bank, twice that for parameters). ``ATLAS_FUZZ_REPORT=<path>`` writes the cases
tried and handled per probe class as JSON, e.g.
``ATLAS_FUZZ_EXAMPLES=2000 ATLAS_FUZZ_REPORT=fuzz.json pytest tests/unit/test_fuzz_hardening.py``.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.registry import ParamError, all_demos, param_name
from quiz.bank import check_file

from ..conftest import ROOT

EXAMPLES = int(os.environ.get("ATLAS_FUZZ_EXAMPLES", "100"))
FILES = sorted((ROOT / "questions").glob("q*.yaml"), key=lambda p: p.stat().st_size)[:8]
TEXTS = {p.name: p.read_text(encoding="utf-8") for p in FILES}
TRIED: Counter[str] = Counter()
HANDLED: Counter[str] = Counter()
REFUSED: Counter[str] = Counter()
FUZZ = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

TAGS = [
    "!!bool", "!!int", "!!float", "!!timestamp", "!!binary", "!!str", "!!null", "!!set",
    "!!omap", "!!pairs", "!!seq", "!!map", "!!merge", "!!value", "!!python/object:os.system",
    "!!python/name:os.system", "!!python/object/apply:os.system", "!custom", "!<tag:x,2000:y>",
]  # fmt: skip
NASTY_TEXT = [
    "\u200b", "\u202e\u2066", "\ufeff", "①", "²", "٣", "\\ud800", "\\udfff", "\\0", "\\x07",
    "\\e", "&a", "*a", "*undefined", "<<: *a", "{", "[", "]", "}", ":", "- ", "? ", "|", ">",
    "%YAML 1.1", "---", "...", "#", "'", '"', "@", "`", "true", "no", "~", "null", ".inf", "-.inf",
    ".nan", "0x1F", "0o17", "1_000", "190:20:30", "2001-12-14t21:59:43.10-05:00", "1e999",
]  # fmt: skip


def nasty_scalar() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(NASTY_TEXT),
        st.integers(1, 6000).map(lambda n: "9" * n),
        st.integers(-(10**40), 10**40).map(str),
        st.floats(allow_nan=True, allow_infinity=True).map(repr),
        st.text(max_size=40).map(json.dumps),  # a double-quoted YAML string of any text
        st.integers(1, 200).map(lambda n: "[" * n + "]" * n),
        st.integers(1, 200).map(lambda n: "{a: " * n + "1" + "}" * n),
        st.text(st.characters(exclude_categories=("Cs",)), max_size=30),
    )


# ── mutations of a real file, one probe class each ────────────────────────────────────────────


def _value_lines(lines: list[str]) -> list[int]:
    return [i for i, line in enumerate(lines) if ": " in line and not line.lstrip().startswith("#")]


def _set_value(lines: list[str], i: int, value: str) -> None:
    key = lines[i].split(": ", 1)[0]
    lines[i] = f"{key}: {value}"


@st.composite
def mutated(draw: Any) -> tuple[str, str, bytes]:
    """(probe class, file name, bytes): one real file with one kind of damage."""
    name = draw(st.sampled_from(sorted(TEXTS)))
    lines = TEXTS[name].split("\n")
    where = _value_lines(lines)
    kind = draw(st.sampled_from(MUTATIONS))
    i = draw(st.sampled_from(where))
    if kind == "tag":
        _set_value(lines, i, f"{draw(st.sampled_from(TAGS))} {lines[i].split(': ', 1)[1]}")
    elif kind == "tag_bad_value":
        _set_value(lines, i, f"{draw(st.sampled_from(TAGS))} {draw(nasty_scalar())}")
    elif kind == "nasty_value":
        _set_value(lines, i, draw(nasty_scalar()))
    elif kind == "wrong_type":
        _set_value(
            lines, i, draw(st.sampled_from(["1", "true", "null", "[]", "{}", "[1, [2]]", "-1"]))
        )
    elif kind == "demo_field":
        j = next(k for k, line in enumerate(lines) if line.startswith("demo:"))
        lines[j] = f"demo: {draw(nasty_scalar())}"
    elif kind == "demo_params":
        j = next(k for k, line in enumerate(lines) if line.startswith("demo:"))
        key = draw(st.one_of(st.sampled_from(["n_tokens", "heads", "d_k", "text", "mask", "seed"]),
                             st.text(st.characters(exclude_categories=("Cs", "Cc")), min_size=1, max_size=8).map(json.dumps)))  # fmt: skip
        lines[j + 1 : j + 1] = ["  params:", f"    {key}: {draw(nasty_scalar())}"]
    elif kind == "duplicate_line":
        lines.insert(i, lines[i])
    elif kind == "delete_lines":
        del lines[i : i + draw(st.integers(1, 40))]
    elif kind == "indent":
        lines[i] = (
            " " * draw(st.integers(1, 9)) + lines[i] if draw(st.booleans()) else lines[i].lstrip()
        )
    elif kind == "alias":
        width, depth = draw(st.integers(1, 12)), draw(st.integers(1, 12))
        head = ["bomb0: &b0 [x]"] + [
            f"bomb{d}: &b{d} [{', '.join([f'*b{d - 1}'] * width)}]" for d in range(1, depth)
        ]
        lines[0:0] = head
        _set_value(lines, i + len(head), f"*b{depth - 1}")
    elif kind == "image":
        url = draw(
            st.sampled_from(["https://e.com/x.png", "//e.com/x", "http://1.2.3.4/p", "x.png"])
        )
        _set_value(lines, i, json.dumps(f"see ![pic]({url}) here"))
    data = "\n".join(lines).encode("utf-8")
    if kind == "bytes":
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.binary(min_size=1, max_size=16)) + data[at:]
    if kind == "truncate":
        data = data[: draw(st.integers(0, len(data)))]
    return kind, name, data


MUTATIONS = [
    "tag", "tag_bad_value", "nasty_value", "wrong_type", "demo_field", "demo_params",
    "duplicate_line", "delete_lines", "indent", "alias", "image", "bytes", "truncate",
]  # fmt: skip


@pytest.fixture(scope="module")
def workdir() -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as d:
        yield Path(d)
    _report()


def _report() -> None:
    path = os.environ.get("ATLAS_FUZZ_REPORT")
    if path:
        table = {
            k: {"tried": TRIED[k], "handled": HANDLED[k], "refused": REFUSED[k]}
            for k in sorted(TRIED)
        }
        Path(path).write_text(json.dumps({"examples": EXAMPLES, "probes": table}, indent=1))  # fmt: skip


@FUZZ
@given(case=mutated())
def test_mutated_bank_files_never_raise_and_every_issue_names_the_file(workdir: Path, case):
    kind, name, data = case
    TRIED[f"bank:{kind}"] += 1
    path = workdir / name
    path.write_bytes(data)
    q, issues = check_file(path)  # any exception fails the test
    assert (q is None) == bool(issues)
    for issue in issues:
        text = str(issue)
        assert text.startswith(f"{name}:") and issue.message and issue.line >= 0, text
        assert len(text) < 800, text[:200]
    HANDLED[f"bank:{kind}"] += 1
    REFUSED[f"bank:{kind}"] += bool(issues)


# ── every demo's parameters ───────────────────────────────────────────────────────────────────

DEMOS = sorted(all_demos())


def values() -> st.SearchStrategy[tuple[str, Any]]:
    """(probe class, value) pairs: what a bank, a URL or a command line can put in a parameter."""
    tagged = {
        "int": st.integers(-1000, 1000),
        "huge_int": st.integers(300, 6000).map(lambda n: 10**n - 1),
        "float": st.floats(allow_nan=True, allow_infinity=True),
        "bool_none": st.sampled_from([True, False, None]),
        "numeric_string": st.one_of(
            st.sampled_from(["²", "①", "٣", "1e999", "nan", "-inf", " 4 ", "4.0", "0x10", "1_0"]),
            st.integers(1, 5000).map(lambda n: "9" * n),
        ),  # fmt: skip
        "text": st.text(st.characters(exclude_categories=("Cs",)), max_size=60),
        "long_text": st.integers(100, 20_000).map(lambda n: "a" * n),
        "surrogate": st.tuples(st.text(max_size=5), st.integers(0xD800, 0xDFFF)).map(
            lambda t: t[0] + chr(t[1])
        ),
        "invisible": st.lists(
            st.sampled_from(["\u200b", "\u202e", "\u2066", "\ufeff", "\u2060"]),
            min_size=1,
            max_size=8,
        ).map("".join),  # fmt: skip
        "container": st.recursive(
            st.integers() | st.text(max_size=5),
            lambda c: st.lists(c, max_size=4) | st.dictionaries(st.text(max_size=3), c, max_size=3),
            max_leaves=20,
        ),  # fmt: skip
    }
    return st.sampled_from(sorted(tagged)).flatmap(lambda k: tagged[k].map(lambda v: (k, v)))


@settings(FUZZ, max_examples=2 * EXAMPLES)
@given(
    demo=st.sampled_from(DEMOS),
    which=st.integers(0, 10),
    unknown=st.text(max_size=12),
    value=values(),
)
def test_every_demo_parameter_check_never_raises_and_names_the_parameter(
    workdir: Path, demo: str, which: int, unknown: str, value: tuple[str, Any]
):
    kind, v = value
    d = all_demos()[demo]
    names = [p.name for p in d.params]
    key = names[which] if which < len(names) else unknown
    TRIED[f"param:{kind}"] += 1
    try:
        checked = d.check_params({key: v})
    except ParamError as e:
        (problem,) = e.problems
        assert problem.startswith(f"{param_name(key)}: "), problem[:200]
        spec = d.spec(key) if isinstance(key, str) else None
        bound = len(spec.allowed()) if spec else len(", ".join(names))
        assert len(problem) < bound + 250, problem[:200]  # never grows with the value given
        REFUSED[f"param:{kind}"] += 1
    else:
        assert set(checked) == set(names)
    HANDLED[f"param:{kind}"] += 1
