"""Load and validate a question bank: every file, field, demo link and parameter.

Errors read ``file:line: field: message``; every error is reported, not only the first.
YAML is read with ``SafeLoader`` only, so a bank can never construct Python objects.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from engine.registry import ParamError, UnknownDemo, get_demo
from engine.sanitize import has_lone_surrogate, preview
from quiz.generators import check_generator
from quiz.schema import Question

log = logging.getLogger(__name__)

MAX_FILE_BYTES = 1_000_000  # checked with stat before reading; at most this + 1 bytes are read
MAX_DEPTH = 32  # nesting levels of mappings and lists (the shipped bank uses 6)
MAX_NODES = 20_000  # values in one file, as written (the shipped files have about 400)
MAX_EXPANDED = 20_000  # values in one file with every alias expanded
MAX_ALIASES = 50  # ``*name`` references in one file
MAX_INT_DIGITS = 30  # an integer with more digits is refused before it is converted
MAX_MESSAGE_CHARS = 300  # an issue's message is cut to this length
REMOTE_IMAGES_ENV = "ATLAS_ALLOW_REMOTE_IMAGES"  # "1": Markdown may show images from other sites


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


_MERGE = "tag:yaml.org,2002:merge"


class _Refused(yaml.MarkedYAMLError):
    """A file refused while it was read (too deep, too many aliases, a duplicate key, …)."""


class _BadValue(yaml.MarkedYAMLError):
    """A tagged or plain value that cannot be read as its type (``!!int abc``, ``!!bool maybe``)."""


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    return []


class BankLoader(yaml.SafeLoader):
    """``SafeLoader`` with bounds: nesting depth, node count, aliases and their expansion, integer
    digits; duplicate mapping keys refused; a value that cannot be built becomes a located error.

    Every bound is checked on the composed nodes, before any Python value is constructed, so an
    alias chain ("billion laughs") is refused without ever being expanded.
    """

    def __init__(self, stream: str):
        super().__init__(stream)
        self._depth = self._nodes = self._aliases = 0
        self._sizes: dict[int, int] = {}  # id(node) → nodes it stands for, aliases expanded

    def fetch_flow_collection_start(self, token_class: type) -> None:
        """The scanner's ``[``/``{`` nesting, refused early (its look-ahead is slow on deep flows)."""
        super().fetch_flow_collection_start(token_class)
        if self.flow_level > MAX_DEPTH:
            raise _Refused(
                problem=f"nested more than {MAX_DEPTH} levels deep", problem_mark=self.get_mark()
            )

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node:
        mark = self.peek_event().start_mark
        self._nodes += 1
        if self._nodes > MAX_NODES:
            raise _Refused(problem=f"more than {MAX_NODES:,} values in one file", problem_mark=mark)
        if self.check_event(yaml.AliasEvent):
            self._aliases += 1
            if self._aliases > MAX_ALIASES:
                raise _Refused(
                    problem=f"more than {MAX_ALIASES} YAML aliases (*name) in one file",
                    problem_mark=mark,
                )
            node = super().compose_node(parent, index)
            if id(node) not in self._sizes:
                raise _Refused(
                    problem="an alias refers to a value that holds it", problem_mark=mark
                )
            return node
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise _Refused(problem=f"nested more than {MAX_DEPTH} levels deep", problem_mark=mark)
        try:
            node = super().compose_node(parent, index)
        finally:
            self._depth -= 1
        size = 1 + sum(self._sizes[id(c)] for c in _children(node))
        if size > MAX_EXPANDED:
            raise _Refused(
                problem=f"this value expands to more than {MAX_EXPANDED:,} values "
                "(YAML aliases repeat what they point to)",
                problem_mark=node.start_mark,
            )
        self._sizes[id(node)] = size
        return node

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep=deep)
        except yaml.YAMLError:
            raise
        except (ValueError, TypeError, KeyError, AttributeError, IndexError, OverflowError) as e:
            raise _BadValue(
                problem=f"cannot read {preview(node.value) if isinstance(node, yaml.ScalarNode) else 'this value'}"
                f" as {node.tag.rsplit(':', 1)[-1]} ({type(e).__name__})",
                problem_mark=node.start_mark,
            ) from None

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        if not isinstance(node, yaml.MappingNode):
            return super().construct_mapping(node, deep=deep)  # reports the shape problem
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == _MERGE:
                continue
            key = self.construct_object(key_node)
            try:
                first = seen.get(key)
            except TypeError:
                continue  # an unhashable key: the base class reports it
            if first is not None:
                raise _Refused(
                    problem=f"duplicate key {preview(key)} (first on line {first}); "
                    "each key may appear only once",
                    problem_mark=key_node.start_mark,
                )
            seen[key] = key_node.start_mark.line + 1
        return super().construct_mapping(node, deep=deep)

    def construct_yaml_int(self, node: yaml.ScalarNode) -> int:
        digits = sum(c.isalnum() for c in str(node.value))
        if digits > MAX_INT_DIGITS:
            raise _Refused(
                problem=f"integer of {digits:,} digits; at most {MAX_INT_DIGITS} are allowed",
                problem_mark=node.start_mark,
            )
        return super().construct_yaml_int(node)


BankLoader.add_constructor("tag:yaml.org,2002:int", BankLoader.construct_yaml_int)


def _read_bytes(path: Path) -> bytes:
    """At most ``MAX_FILE_BYTES + 1`` bytes of ``path``, after its size was checked by ``stat``."""
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise _TooBig(size)
    with path.open("rb") as f:
        raw = f.read(MAX_FILE_BYTES + 1)
    if len(raw) > MAX_FILE_BYTES:
        raise _TooBig(len(raw))
    return raw


class _TooBig(Exception):
    def __init__(self, size: int):
        self.size = size


def _parse(text: str) -> tuple[Any, yaml.Node | None]:
    """One document composed (bounded) and constructed from those nodes by :class:`BankLoader`."""
    loader = BankLoader(text)
    try:
        node = loader.get_single_node()
        return (loader.construct_document(node) if node is not None else None), node
    finally:
        loader.dispose()


def read_yaml(path: Path) -> tuple[Any, yaml.Node | None, list[BankIssue]]:
    """Parse ``path`` safely; return (data, node tree, issues). Never raises."""
    name = path.name

    def issue(line: int, msg: str, fld: str = "(file)") -> tuple[None, None, list[BankIssue]]:
        return None, None, [BankIssue(name, line, fld, msg)]

    try:
        raw = _read_bytes(path)
    except _TooBig as e:
        return issue(1, f"file is {e.size:,} bytes; at most {MAX_FILE_BYTES:,} are allowed")
    except OSError as e:
        return issue(1, f"cannot read file: {e.strerror or e}")
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
        data, node = _parse(text)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = mark.line + 1 if mark else 1
        what = _bounded(str(e.problem or e).strip())
        if isinstance(e, yaml.constructor.ConstructorError):
            what = f"{what} — YAML tags that build objects are not allowed in a question bank"
        return issue(line, f"YAML error: {what}")
    except yaml.YAMLError as e:
        return issue(1, f"YAML error: {_bounded(str(e))}")
    except RecursionError:
        return issue(1, f"YAML error: nested more than {MAX_DEPTH} levels deep")
    except (ValueError, TypeError, KeyError, AttributeError, IndexError, OverflowError) as e:
        return issue(1, f"YAML error: cannot read a value ({type(e).__name__})")
    if not isinstance(data, dict):
        return issue(1, f"top level must be a mapping of fields, not {type(data).__name__}")
    return data, node, []


def _bounded(message: str, limit: int = MAX_MESSAGE_CHARS) -> str:
    """``message`` cut to ``limit`` characters (``…`` when cut)."""
    return message if len(message) <= limit else message[: limit - 1] + "…"


def check_file(path: Path) -> tuple[Question | None, list[BankIssue]]:
    """Validate one file: schema, demo links and their parameters, numeric generators, images.

    Never raises: anything unexpected while checking becomes an issue of this file.
    """
    try:
        return _check_file(path)
    except Exception as e:  # noqa: BLE001 — one bad file must never take the bank down
        log.exception("unexpected error while checking %s", path)
        return None, [
            BankIssue(path.name, 1, "(file)", f"cannot check this file ({type(e).__name__})")
        ]


def _check_file(path: Path) -> tuple[Question | None, list[BankIssue]]:
    data, node, issues = read_yaml(path)
    if issues:
        return None, issues
    out = _link_issues(data, path.name, node) + _text_issues(path.name, node)
    try:
        q = Question.model_validate(data)
    except ValidationError as e:
        for err in e.errors(include_url=False, include_input=False):
            line, fpath = _walk(node, err["loc"])
            out.insert(0, BankIssue(path.name, line, _field(fpath), _bounded(str(err["msg"]))))
        return None, sorted(out, key=lambda i: i.line)
    return (None, out) if out else (q, [])


_IMAGE = re.compile(
    r"!\[[^\]]*\]\(\s*<?\s*([^)\s>]*)|<img\b[^>]*\bsrc\s*=\s*[\"']?([^\"'\s>]*)", re.I
)
_REF = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)", re.M)


def remote_images_allowed() -> bool:
    """Whether bank Markdown may show images from other sites (``ATLAS_ALLOW_REMOTE_IMAGES=1``)."""
    return os.environ.get(REMOTE_IMAGES_ENV, "").strip() == "1"


def _is_remote(url: str) -> bool:
    return (
        url.startswith("//")
        or bool(re.match(r"[a-z][a-z0-9+.-]*:", url, re.I))
        and not url.lower().startswith("data:")
    )


def _text_issues(name: str, node: yaml.Node | None) -> list[BankIssue]:
    """An issue for every text with a lone surrogate, and for every Markdown or HTML image whose
    address is on another site (unless ``ATLAS_ALLOW_REMOTE_IMAGES=1``)."""
    allowed = remote_images_allowed()
    out = []
    for path, scalar in _scalars(node):
        text = str(scalar.value)
        if has_lone_surrogate(text):
            out.append(
                BankIssue(
                    name,
                    scalar.start_mark.line + 1,
                    _field(path),
                    "text holds a lone surrogate (an escape such as \\ud800 that is not a "
                    "character); write the character itself",
                )
            )
            continue
        if allowed or "![" not in text and "<img" not in text.lower():
            continue
        refs = {m.group(1) for m in _REF.finditer(text)}
        urls = [u for m in _IMAGE.finditer(text) for u in m.groups() if u] + sorted(refs) * (
            "![" in text
        )
        remote = next((u for u in urls if _is_remote(u)), None)
        if remote is not None:
            out.append(
                BankIssue(
                    name,
                    scalar.start_mark.line + 1,
                    _field(path),
                    f"image from another site ({preview(remote)}): every learner's browser would "
                    f"fetch it; put the picture in a demo or figure, or set {REMOTE_IMAGES_ENV}=1",
                )
            )
    return out


def _scalars(node: yaml.Node | None) -> Iterator[tuple[list[str], yaml.ScalarNode]]:
    """Every scalar value node with its field path (each node once, aliases not followed twice)."""
    seen: set[int] = set()
    stack: list[tuple[list[str], yaml.Node]] = [([], node)] if node is not None else []
    while stack:
        path, n = stack.pop()
        if id(n) in seen:
            continue
        seen.add(id(n))
        if isinstance(n, yaml.ScalarNode):
            yield path, n
        elif isinstance(n, yaml.SequenceNode):
            stack += [([*path, f"[{i}]"], c) for i, c in enumerate(n.value)]
        elif isinstance(n, yaml.MappingNode):
            stack += [
                ([*path, str(k.value)[:40]], v)
                for k, v in n.value
                if isinstance(k, yaml.ScalarNode)
            ]


def _link_issues(data: dict[str, Any], name: str, node: yaml.Node | None) -> list[BankIssue]:
    """Every demo link and numeric generator checked against the registries (on the raw data,
    so that these problems are reported even when other fields are wrong too)."""
    out: list[BankIssue] = []
    links = data.get("demo")
    located = (
        [(["demo"], links)]
        if isinstance(links, dict)
        else [(["demo", i], x) for i, x in enumerate(links if isinstance(links, list) else [])]
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
                    _issue(
                        name,
                        node,
                        [*loc, "params", key],
                        f"demo {preview(link['name'])}: {problem}",
                    )
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
    return BankIssue(name, line, _field(fpath), _bounded(message))


def _child(node: yaml.Node | None, key: str) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        return next((v for k, v in node.value if getattr(k, "value", None) == key), None)
    return None


def load_bank(directory: Path, strict: bool = True) -> Bank:
    """Every ``*.yaml``/``*.yml`` file in ``directory``; ``strict`` raises ``BankError`` on any issue.

    Non-strict, a refused file is left out and its issues kept, so the valid rest can be served.
    """
    directory = Path(directory)
    try:
        if not directory.is_dir():
            raise NotADirectoryError
        paths = sorted(
            p for p in directory.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file()
        )
    except OSError as e:
        why = (
            "not a directory of question files"
            if isinstance(e, NotADirectoryError)
            else f"cannot list the directory: {e.strerror or type(e).__name__}"
        )
        problem = BankIssue(str(directory), 0, "(directory)", why)
        if strict:
            raise BankError([problem]) from None
        return Bank(questions=(), issues=(problem,))
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
