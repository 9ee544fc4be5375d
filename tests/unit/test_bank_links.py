"""Links between questions: ``see_also`` goes both ways in the real bank.

If question A lists B under ``see_also``, B lists A: a learner who follows a link can follow it
back, and two questions that discuss the same thing point at each other.
"""

from __future__ import annotations

from collections.abc import Iterable

from quiz.bank import load_bank
from quiz.schema import Question

from ..conftest import ROOT


def one_way_links(questions: Iterable[Question]) -> list[str]:
    """Every link A → B whose way back B → A is missing, or that points at A itself."""
    qs = list(questions)
    back = {q.number: set(q.see_also) for q in qs}
    problems = []
    for q in qs:
        for n in q.see_also:
            if n == q.number:
                problems.append(f"Q{q.number} ({q.id}) lists itself in see_also")
            elif n in back and q.number not in back[n]:
                problems.append(
                    f"Q{q.number} ({q.id}) lists Q{n}, but Q{n} does not list Q{q.number}"
                )
    return problems


def _q(number: int, see_also: list[int]) -> Question:
    base = load_bank(ROOT / "tests" / "fixtures" / "bank").questions[0]
    return base.model_copy(
        update={"number": number, "id": f"q{number:02d}-x", "see_also": see_also}
    )


def test_one_way_and_self_links_are_found():
    qs = [_q(1, [2, 3]), _q(2, [1]), _q(3, []), _q(4, [4])]
    assert one_way_links(qs) == [
        "Q1 (q01-x) lists Q3, but Q3 does not list Q1",
        "Q4 (q04-x) lists itself in see_also",
    ]
    assert one_way_links([_q(1, [2]), _q(2, [1])]) == []


def test_see_also_is_symmetric_in_the_real_bank():
    bank = load_bank(ROOT / "questions", strict=False)
    assert len(bank.questions) >= 2
    problems = one_way_links(bank.questions)
    assert not problems, "\n".join(problems)
    by_number = {q.number: q for q in bank.questions}
    assert 10 in by_number[21].see_also  # both discuss ViT
    assert 26 in by_number[16].see_also  # both discuss hierarchical attention
