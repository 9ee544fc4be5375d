"""Load and validate a question bank: every file, field, demo link and parameter.

Errors read ``file:line: field: message``; every error is reported, not only the first.
YAML is read with ``SafeLoader`` only, so a bank can never construct Python objects.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from engine.registry import ParamError, UnknownDemo, get_demo
from quiz.generators import check_generator
from quiz.schema import Question

MAX_FILE_BYTES = 1_000_000


@dataclass(frozen=True)
class BankIssue:
    """One problem in one file, located by line and field."""

    file: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.field}: {self.message}"


class BankError(ValueError):
    """A bank with problems; ``issues`` holds every one of them."""

    def __init__(self, issues: list[BankIssue]):
        self.issues = issues
        super().__init__("\n".join(map(str, issues)))


@dataclass(frozen=True)
class Bank:
    """The valid questions, in number order, and the issues of the files that were refused."""

    questions: tuple[Question, ...]
    issues: tuple[BankIssue, ...] = ()
    refused: tuple[str, ...] = ()
    files: dict[str, str] = field(default_factory=dict)  # question id → file name

    def by_number(self, number: int) -> Question | None:
        return next((q for q in self.questions if q.number == number), None)

    def by_id(self, qid: str) -> Question | None:
        return next((q for q in self.questions if q.id == qid), None)

    @property
    def tags(self) -> list[str]:
        return sorted({t for q in self.questions for t in q.tags})


def _walk(node: yaml.Node | None, loc: Iterable[Any]) -> tuple[int, list[str]]:
    """Line of the deepest YAML node reached along a pydantic ``loc``, and the field path walked."""
    line = node.start_mark.line + 1 if node is not None else 1
    path: list[str] = []
    for part in loc:
        if isinstance(node, yaml.MappingNode) and isinstance(part, str):
            match = next((v for k, v in node.value if getattr(k, "value", None) == part), None)
            if match is None:
                if part in {
                    "single",
                    "multiple",
                    "true_false",
                    "numeric",
                    "flashcard",
                } or part.startswith("function-"):
                    continue  # a discriminator tag or validator name, not a key in the file
                path.append(part)
                break
            node = match
            path.append(part)
        elif (
            isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value)
        ):
            node = node.value[part]
            path.append(f"[{part}]")
        else:
            path.append(f"[{part}]" if isinstance(part, int) else str(part))
            break
        line = node.start_mark.line + 1
    return line, path


def _field(path: list[str]) -> str:
    return "".join(p if p.startswith("[") else f".{p}" for p in path).lstrip(".") or "(file)"


def read_yaml(path: Path) -> tuple[Any, yaml.Node | None, list[BankIssue]]:
    """Parse ``path`` safely; return (data, node tree, issues)."""
    name = path.name

    def issue(line: int, msg: str, fld: str = "(file)") -> tuple[None, None, list[BankIssue]]:
        return None, None, [BankIssue(name, line, fld, msg)]

    try:
        raw = path.read_bytes()
    except OSError as e:
        return issue(1, f"cannot read file: {e.strerror or e}")
    if len(raw) > MAX_FILE_BYTES:
        return issue(1, f"file is {len(raw):,} bytes; at most {MAX_FILE_BYTES:,} are allowed")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        return issue(
            raw[: e.start].count(b"\n") + 1,
            f"not valid UTF-8 (byte 0x{raw[e.start]:02x} at offset {e.start}); save the file as UTF-8",
        )
    if not text.strip():
        return issue(
            1,
            "file is empty; a question needs id, number, title, demo, answer, … (see questions/README.md)",
        )
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.load(text, Loader=yaml.SafeLoader)  # noqa: S506 — SafeLoader: plain data only
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = mark.line + 1 if mark else 1
        what = str(e.problem or e).strip()
        if isinstance(e, yaml.constructor.ConstructorError):
            what = f"{what} — YAML tags that build objects are not allowed in a question bank"
        return issue(line, f"YAML error: {what}")
    except yaml.YAMLError as e:
        return issue(1, f"YAML error: {e}")
    if not isinstance(data, dict):
        return issue(1, f"top level must be a mapping of fields, not {type(data).__name__}")
    return data, node, []


def check_file(path: Path) -> tuple[Question | None, list[BankIssue]]:
    """Validate one file: schema, demo links and their parameters, numeric generators."""
    data, node, issues = read_yaml(path)
    if issues:
        return None, issues
    out = _link_issues(data, path.name, node)
    try:
        q = Question.model_validate(data)
    except ValidationError as e:
        for err in e.errors():
            line, fpath = _walk(node, err["loc"])
            out.insert(0, BankIssue(path.name, line, _field(fpath), err["msg"]))
        return None, sorted(out, key=lambda i: i.line)
    return (None, out) if out else (q, [])


def _link_issues(data: dict[str, Any], name: str, node: yaml.Node | None) -> list[BankIssue]:
    """Every demo link and numeric generator checked against the registries (on the raw data,
    so that these problems are reported even when other fields are wrong too)."""
    out: list[BankIssue] = []
    links = data.get("demo")
    located = (
        [(["demo"], links)]
        if isinstance(links, dict)
        else [(["demo", i], x) for i, x in enumerate(links or []) if isinstance(links, list)]
    )
    for loc, link in located:
        if not isinstance(link, dict) or not isinstance(link.get("name"), str):
            continue  # the schema reports the shape problem
        params = link.get("params") or {}
        try:
            get_demo(link["name"]).check_params(params if isinstance(params, dict) else {})
        except UnknownDemo as e:
            out.append(_issue(name, node, [*loc, "name"], str(e)))
        except ParamError as e:
            for problem in e.problems:
                key = problem.split(":", 1)[0]
                out.append(
                    _issue(name, node, [*loc, "params", key], f"demo {link['name']!r}: {problem}")
                )
    items = data.get("quiz")
    for i, item in enumerate(items if isinstance(items, list) else []):
        if isinstance(item, dict) and isinstance(item.get("generator"), str):
            params = item.get("params") if isinstance(item.get("params"), dict) else {}
            for problem in check_generator(item["generator"], params):
                out.append(_issue(name, node, ["quiz", i, "generator"], problem))
    return out


def _issue(name: str, node: yaml.Node | None, loc: list[Any], message: str) -> BankIssue:
    line, fpath = _walk(node, loc)
    return BankIssue(name, line, _field(fpath), message)


def _child(node: yaml.Node | None, key: str) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        return next((v for k, v in node.value if getattr(k, "value", None) == key), None)
    return None


def load_bank(directory: Path, strict: bool = True) -> Bank:
    """Every ``*.yaml``/``*.yml`` file in ``directory``; ``strict`` raises ``BankError`` on any issue.

    Non-strict, a refused file is left out and its issues kept, so the valid rest can be served.
    """
    directory = Path(directory)
    if not directory.is_dir():
        raise BankError(
            [BankIssue(str(directory), 0, "(directory)", "not a directory of question files")]
        )
    paths = sorted(p for p in directory.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())
    good: list[tuple[Path, Question]] = []
    issues: list[BankIssue] = []
    refused: list[str] = []
    for path in paths:
        q, problems = check_file(path)
        if q is None:
            refused.append(path.name)
            issues += problems
        else:
            good.append((path, q))
    good, dup_issues, dup_refused = _duplicates(good)
    issues += dup_issues
    refused += dup_refused
    issues += _see_also(good)
    if strict and issues:
        raise BankError(issues)
    good.sort(key=lambda pq: pq[1].number)
    return Bank(
        questions=tuple(q for _, q in good),
        issues=tuple(issues),
        refused=tuple(refused),
        files={q.id: p.name for p, q in good},
    )


def _duplicates(
    good: list[tuple[Path, Question]],
) -> tuple[list[tuple[Path, Question]], list[BankIssue], list[str]]:
    """Refuse a later file whose id, number or quiz item id an earlier file already uses."""
    seen_id: dict[str, str] = {}
    seen_num: dict[int, str] = {}
    seen_item: dict[str, str] = {}
    kept, issues, refused = [], [], []
    for path, q in good:
        problems = []
        if q.id in seen_id:
            problems.append(("id", f"duplicate id {q.id!r}; already used in {seen_id[q.id]}"))
        if q.number in seen_num:
            problems.append(
                ("number", f"duplicate number {q.number}; already used in {seen_num[q.number]}")
            )
        ids = [item.id for item in q.quiz]
        for item_id in ids:
            if item_id in seen_item or ids.count(item_id) > 1:
                where = seen_item.get(item_id, path.name)
                problems.append(
                    ("quiz", f"duplicate quiz item id {item_id!r}; already used in {where}")
                )
        if problems:
            refused.append(path.name)
            issues += [BankIssue(path.name, _line_of(path, key), key, msg) for key, msg in problems]
            continue
        seen_id[q.id], seen_num[q.number] = path.name, path.name
        seen_item.update({i: path.name for i in ids})
        kept.append((path, q))
    return kept, issues, refused


def _see_also(good: list[tuple[Path, Question]]) -> list[BankIssue]:
    numbers = {q.number for _, q in good}
    return [
        BankIssue(
            p.name, _line_of(p, "see_also"), "see_also", f"question {n} does not exist in this bank"
        )
        for p, q in good
        for n in q.see_also
        if n not in numbers
    ]


def _line_of(path: Path, key: str) -> int:
    _, node, _ = read_yaml(path)
    found = _child(node, key)
    return found.start_mark.line + 1 if found is not None else 1
