"""Chinese style of the bank: one term per concept, and “ ” as quotation marks.

Every ``zh`` text of every question file is scanned for the alternatives that
``questions/README.md`` ("Chinese style") flags, and for ASCII double quotes used as quotation
marks in prose (outside `code`, fenced code and $math$). The verbatim original text — the seed's
question, answer and closing summary, and every ``seed_says`` quote — is exempt.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from ..conftest import ROOT

QUESTIONS = ROOT / "questions"
FLAGGED = {  # alternative → the glossary's term
    "降采样": "下采样",
    "片段嵌入": "段嵌入",
    "转导器": "Transducer / RNN-T",
    "脆弱实现": "容易出错的实现",
    "三类后代": "三类后续模型",
    "是诊断，不是分数": "用于诊断，而不是打分",
    "用什么被匹配": "与什么匹配",
}
VERBATIM = re.compile(r"^seed\.(question|answer|closing\.text)\.zh$|(^|\.)seed_says\.zh$")
NOT_PROSE = [
    re.compile(r"^[ \t]*(```|~~~).*?^[ \t]*\1[^\n]*$", re.M | re.S),  # fenced code
    re.compile(r"(`+)(?!`).+?(?<!`)\1(?!`)", re.S),  # inline code
    re.compile(r"\$\$.+?\$\$", re.S),  # display math
    re.compile(r"(?<!\\)\$[^$\n]+?(?<!\\)\$"),  # inline math
]


def zh_texts(node: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """(field path, text) of every string under a ``zh`` key, e.g. ``quiz[2].options[1].zh``."""
    if isinstance(node, dict):
        for k, v in node.items():
            sub = f"{path}.{k}" if path else str(k)
            if k == "zh" and isinstance(v, str):
                yield sub, v
            else:
                yield from zh_texts(v, sub)
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from zh_texts(v, f"{path}[{i}]")


def prose(text: str) -> str:
    """The text with fenced code, inline code and math removed (each replaced by a space)."""
    for pattern in NOT_PROSE:
        text = pattern.sub(" ", text)
    return text


def style_hits(data: Any) -> list[tuple[str, str]]:
    """(field, what is wrong) for every flagged term and every ASCII quote in zh prose."""
    hits = []
    for field, text in zh_texts(data):
        if VERBATIM.search(field):
            continue
        for bad, good in FLAGGED.items():
            if bad in text:
                hits.append((field, f"{bad} (use {good})"))
        n = prose(text).count('"')
        if n:
            hits.append((field, f'{n} ASCII " in prose (use “ ”)'))
        if text.count("“") != text.count("”"):
            hits.append((field, "unbalanced “ ”"))
    return hits


def test_the_scanner_flags_terms_and_prose_quotes_only():
    data = {
        "answer": {"zh": '先降采样，再做“注意力”。他说"好"。', "en": '"fine"'},
        "quiz": [
            {"options": [{"zh": '代码 `x = "a"` 与 $f("x")$ 不算', "en": "x"}]},
            {"explanation": {"zh": '```python\nprint("hi")\n```\n转导器', "en": "x"}},
            {"prompt": {"zh": '$$s = "q"$$ 与 ``a "b" c`` 都不算', "en": "x"}},
        ],
        "seed": {
            "answer": {"zh": '原文"降采样"原样保留', "en": "x"},
            "closing": {
                "text": {"zh": '原文"总结"', "en": "x"},
                "corrections": [
                    {
                        "seed_says": {"zh": '"总结"', "en": "x"},
                        "correction": {"zh": '更正里的"引号"要改', "en": "x"},
                    }
                ],
            },
        },
        "corrections": [{"seed_says": {"zh": '片段嵌入"', "en": "x"}}],
    }
    assert style_hits(data) == [
        ("answer.zh", "降采样 (use 下采样)"),
        ("answer.zh", '2 ASCII " in prose (use “ ”)'),
        ("quiz[1].explanation.zh", "转导器 (use Transducer / RNN-T)"),
        ("seed.closing.corrections[0].correction.zh", '2 ASCII " in prose (use “ ”)'),
    ]


def test_the_glossary_in_the_readme_lists_every_flagged_term():
    readme = (QUESTIONS / "README.md").read_text(encoding="utf-8")
    glossary = readme[readme.index("## Chinese style") :]
    for bad, good in FLAGGED.items():
        assert bad in glossary and good in glossary, bad


@pytest.mark.parametrize("path", sorted(QUESTIONS.glob("q*.yaml")), ids=lambda p: p.name)
def test_chinese_text_follows_the_glossary(path: Path):
    hits = style_hits(yaml.safe_load(path.read_text(encoding="utf-8")))
    assert not hits, "\n".join(f"{path.name}: {field}: {what}" for field, what in hits)
