"""Every text of the shipped bank renders as Markdown with no stray emphasis markers.

CommonMark does not close ``**`` after punctuation that is followed by a letter — a common
trap in Chinese (``**自注意力（self-attention）**中``) — and the page would show raw asterisks.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
import yaml
from markdown_it import MarkdownIt

from ..conftest import ROOT

FILES = sorted((ROOT / "questions").glob("q*.yaml"))


def texts(node: object, path: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(node, str):
        yield path, node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from texts(value, f"{path}.{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from texts(value, f"{path}[{i}]")


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_no_raw_emphasis_markers(path):
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data.pop("seed", None)  # the original text is shown as it was written
    md = MarkdownIt()
    for where, text in texts(data):
        html = re.sub(r"<code[^>]*>.*?</code>", "", md.render(text), flags=re.S)
        assert "**" not in html, f"{path.name}{where}: '**' left unrendered"


def test_the_check_catches_the_trap():
    html = MarkdownIt().render("在**自注意力（self-attention）**中")
    assert "**" in html
    assert "**" not in MarkdownIt().render("在**自注意力**（self-attention）中")
