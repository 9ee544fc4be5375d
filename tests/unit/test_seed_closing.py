"""The original text's closing summary is kept verbatim, on the original text's last question, with
corrections that quote it; checked character for character against the seed file."""

from __future__ import annotations

import re

import pytest
import yaml
from pydantic import ValidationError

from quiz.schema import Question, Seed

from ..conftest import ROOT

SEED_FILE = ROOT / "seed" / "000_ee19f379c031890d.txt"
QUESTIONS = ROOT / "questions"


def _norm(text: str) -> str:
    """Strip trailing whitespace of every line and of the whole text."""
    return "\n".join(line.rstrip() for line in text.strip().split("\n"))


def closing_from_seed_file(text: str) -> str:
    """The text under the last '### 总结' heading, without the file's trailing <|vq_…|> token."""
    heading = list(re.finditer(r"^### 总结[ \t]*$", text, re.M))
    assert heading, "no '### 总结' heading in the seed file"
    body = text[heading[-1].end() :]
    return _norm(re.sub(r"<\|vq_\d+\|>\s*$", "", body))


def _questions() -> list[Question]:
    return [
        Question.model_validate(yaml.safe_load(p.read_text(encoding="utf-8")))
        for p in sorted(QUESTIONS.glob("q*.yaml"))
    ]


def test_the_seed_files_closing_is_read_without_the_artifact():
    closing = closing_from_seed_file(SEED_FILE.read_text(encoding="utf-8"))
    assert closing.startswith("注意力机制在深度学习中的应用非常广泛")
    assert closing.endswith("谢谢！") and "<|" not in closing and "###" not in closing


def test_the_closing_summary_is_verbatim_on_the_last_question():
    questions = _questions()
    holders = [q for q in questions if q.seed and q.seed.closing]
    original = [q.number for q in questions if q.seed]  # questions beyond the 30 have no seed
    assert [q.number for q in holders] == [max(original)]
    closing = holders[0].seed.closing
    seed_text = SEED_FILE.read_text(encoding="utf-8")
    assert _norm(closing.text.zh) == closing_from_seed_file(seed_text)  # character for character
    for c in closing.corrections:
        assert c.seed_says.zh in closing.text.zh, c.seed_says.zh
    assert any("计算效率" in c.seed_says.zh for c in closing.corrections)


def test_a_correction_that_does_not_quote_the_closing_is_refused():
    t = {"zh": "原文", "en": "original"}
    closing = {
        "text": {"zh": "注意力提高了效率。", "en": "Attention improves efficiency."},
        "corrections": [
            {"seed_says": {"zh": "提高了速度", "en": "x"}, "correction": t, "reference": "r"}
        ],
    }
    with pytest.raises(ValidationError, match="not quoted from the closing"):
        Seed.model_validate({"question": t, "answer": t, "closing": closing})
    closing["corrections"][0]["seed_says"]["zh"] = "提高了效率"
    assert Seed.model_validate({"question": t, "answer": t, "closing": closing}).closing
