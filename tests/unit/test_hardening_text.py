"""Text from people, in one place (engine.sanitize), and parameter checks that never blow up."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.registry import ParamError, ParamSpec, get_demo
from engine.sanitize import (
    CLASS_CODE,
    NAME,
    PREVIEW_CHARS,
    TextError,
    TextRule,
    clean_text,
    preview,
)
from engine.toys.seq2seq import clean_source
from quiz.generators import check_generator

INVISIBLE = [
    "\u200b",
    "\u200c",
    "\u200d",
    "\u2060",
    "\ufeff",
    "\u202e",
    "\u202a",
    "\u2066",
    "\u2069",
]


@pytest.mark.parametrize("junk", ["".join(INVISIBLE), "\u200b", "\u202e\u202c", " \u200b \u2066 "])
def test_text_of_only_invisible_characters_is_refused_with_a_clear_message(junk: str):
    with pytest.raises(TextError) as e:
        clean_text(junk, NAME)
    assert "only invisible characters" in e.value.en and "不可见" in e.value.zh


def test_blank_text_says_it_is_empty():
    with pytest.raises(TextError, match="is empty"):
        clean_text("   ", NAME)


def test_lone_surrogates_are_refused():
    for bad in ["\udcff", "ab\ud800", "\udfff cd"]:
        with pytest.raises(TextError, match="lone surrogate"):
            clean_text(bad, NAME)


def test_names_are_nfc_without_invisible_or_bidi_characters_and_bounded():
    decomposed = "Zoe\u0301 \u200bLi\u202e"  # e + combining acute, zero-width space, RLO
    assert clean_text(decomposed, NAME) == "Zoé Li"
    assert unicodedata.is_normalized("NFC", clean_text(decomposed, NAME))
    assert clean_text("  many   spaces\tand\nlines ", NAME) == "many spaces and lines"
    assert len(clean_text("x" * 500, NAME)) == NAME.max_length
    assert clean_text("７Ｂ\u200b-2025", CLASS_CODE) == "７Ｂ-2025"  # NFC keeps full-width
    assert clean_text("line one\nline two\t!", TextRule("text", 100, multiline=True)) == (
        "line one\nline two\t!"
    )


@pytest.mark.parametrize(
    "value",
    [10**5000, "x" * 10**6, [[[[1] * 1000] * 1000] * 3], {"k" * 999: "v" * 999}, b"\x00" * 10**5],
    ids=["int", "str", "nested", "dict", "bytes"],
)
def test_preview_is_bounded_and_printable(value: object):
    text = preview(value)
    assert len(text) <= PREVIEW_CHARS and text.isprintable()


def test_huge_integer_parameter_from_the_command_line_gets_a_clear_message():
    """``atlas demo multi_head --param n_tokens=<400 nines>``: refused, naming the parameter."""
    d = get_demo("multi_head")
    for value in ["9" * 400, 10**400, -(10**400), 10**5000, "1e999", float("nan")]:
        with pytest.raises(ParamError) as e:
            d.check_params({"n_tokens": value})
        (problem,) = e.value.problems
        assert problem.startswith("n_tokens: ") and "expected int from" in problem
        assert len(problem) < 200


def test_lone_surrogate_in_demo_text_is_refused():
    """``atlas demo pretrained_heads --param text=$'\\xff'`` (the shell gives U+DCFF)."""
    with pytest.raises(ParamError, match="text: .*lone surrogate"):
        get_demo("pretrained_heads").check_params({"text": "\udcff"})


def test_invisible_only_demo_text_is_refused_and_invisible_characters_are_dropped():
    d = get_demo("pretrained_heads")
    with pytest.raises(ParamError, match="only invisible characters"):
        d.check_params({"text": "\u200b\u2066\u2069"})
    assert d.check_params({"text": "the\u200b cat\u202e"})["text"] == "the cat"


def test_unknown_parameter_names_are_bounded_in_messages():
    with pytest.raises(ParamError) as e:
        get_demo("multi_head").check_params({"k" * 10_000: 1})
    assert len(str(e.value)) < 300
    (problem,) = check_generator("n" * 10_000, {})
    assert len(problem) < 400


@pytest.mark.parametrize("name", ["encoder_decoder", "greedy_decoding"])
def test_seq2seq_source_help_states_what_is_accepted(name: str):
    spec = get_demo(name).spec("source")
    assert spec is not None
    assert "only letters A–Z, 2 to 8" in spec.allowed()
    assert "printable characters" not in spec.allowed()


@settings(max_examples=300, derandomize=True, database=None, deadline=None,
          suppress_health_check=[HealthCheck.too_slow])  # fmt: skip
@given(st.text(alphabet="ABCXYZabz 1-é\t", max_size=24))
def test_seq2seq_spec_accepts_exactly_what_the_demo_accepts(source: str):
    """The parameter check and the demo's own ``clean_source`` agree on every input."""
    spec = get_demo("encoder_decoder").spec("source")
    try:
        clean_source(source)
        demo_ok = True
    except ValueError:
        demo_ok = False
    try:
        spec.check(source)
        spec_ok = True
    except ValueError:
        spec_ok = False
    assert spec_ok == demo_ok


def test_a_spec_with_a_huge_choice_value_does_not_crash():
    spec = ParamSpec("heads", "choice", "4", {"zh": "头", "en": "Heads"}, choices=("1", "4"))
    for value in [10**5000, float("inf"), [1], None, {"a": 1}]:
        with pytest.raises(ValueError, match="^heads: "):
            spec.check(value)
    assert spec.check(4) == "4" and spec.check("1") == "1"
