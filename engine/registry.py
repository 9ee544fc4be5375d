"""The demo registry: named, pure functions of typed, bounded parameters and a device.

A demo is declared with :func:`demo` next to its parameter specs. The registry finds every
``Demo`` defined in the modules of :mod:`engine.demos` (nothing runs at import time), checks
parameters in one place, times the run and returns a :class:`~engine.result.Result`.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import importlib
import inspect
import math
import pkgutil
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from engine.devices import one_cpu_thread, resolve_device, timed
from engine.result import Result
from engine.sanitize import TextError, TextRule, clean_text, preview

Kind = Literal["int", "float", "bool", "choice", "text"]
Text = dict[str, str]  # {"zh": …, "en": …}


class ParamError(ValueError):
    """One or more parameters were refused; ``problems`` lists each as ``name: message``."""

    def __init__(self, demo: str, problems: list[str]):
        self.demo, self.problems = demo, problems
        super().__init__(f"demo {demo!r}: " + "; ".join(problems))


class UnknownDemo(KeyError):
    def __init__(self, name: str, known: list[str]):
        self.name = name
        super().__init__(f"unknown demo {preview(name)}; known demos: {', '.join(known)}")

    def __str__(self) -> str:
        return str(self.args[0])


_TRUE, _FALSE = {"true", "1", "yes", "on"}, {"false", "0", "no", "off"}


@dataclass(frozen=True)
class ParamSpec:
    """One parameter: type, range or choices, default, and a label in zh/en."""

    name: str
    kind: Kind
    default: Any
    label: Text
    min: float | None = None
    max: float | None = None
    step: float | None = None
    choices: tuple[str, ...] = ()
    max_length: int = 300
    help: Text | None = None

    pattern: str | None = None  # text: the whole value must match this regular expression
    accepts: str | None = None  # text: what ``pattern`` accepts, in words (for ``allowed``)

    def slider_step(self) -> int | float:
        """How far one step of its slider moves a number: ``step``, else 1 for an int and a
        hundredth of the range for a float."""
        if self.kind == "int":
            return int(self.step or 1)
        return self.step or (self.max - self.min) / 100

    def allowed(self) -> str:
        """Human-readable statement of what this parameter accepts."""
        if self.kind in ("int", "float"):
            return f"{self.kind} from {self.min:g} to {self.max:g}"
        if self.kind == "choice":
            return "one of " + ", ".join(repr(c) for c in self.choices)
        if self.kind == "bool":
            return "true or false"
        if self.accepts:
            return self.accepts
        return f"text of 1 to {self.max_length} printable characters"

    def check(self, value: Any) -> Any:
        """The value coerced to this kind; ``ValueError`` naming the parameter and what is allowed.

        The message shows a bounded preview of the value (:func:`engine.sanitize.preview`), never
        its full ``repr``; any error while looking at the value (a huge integer, a deep list) is
        reported the same way.
        """
        try:
            return self._check(value)
        except ParamValueError:
            raise
        except (ValueError, TypeError, OverflowError, RecursionError, MemoryError):
            raise self._bad(value) from None

    def _bad(self, value: Any) -> ParamValueError:
        return ParamValueError(
            f"{self.name}: {preview(value)} is not allowed; expected {self.allowed()}"
        )

    def _check(self, value: Any) -> Any:
        if isinstance(value, str) and self.kind != "text":
            value = _parse(value.strip(), self.kind)
        if self.kind == "bool":
            if not isinstance(value, bool):
                raise self._bad(value)
            return value
        if self.kind in ("int", "float"):
            return self._number(value)
        if self.kind == "choice":
            if isinstance(value, int) and not isinstance(value, bool) and abs(value) < 10**12:
                value = str(value)  # ``heads: 4`` in YAML means the choice "4"
            elif isinstance(value, float) and math.isfinite(value) and str(value) in self.choices:
                value = str(value)
            if not isinstance(value, str) or value not in self.choices:
                raise self._bad(value)
            return value
        return self._text(value)

    def _number(self, value: Any) -> int | float:
        """An int or float within [min, max]; a huge int is compared exactly, never made a float."""
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self._bad(value)
        if isinstance(value, float) and (
            not math.isfinite(value) or (self.kind == "int" and not value.is_integer())
        ):
            raise self._bad(value)
        if not (self.min <= value <= self.max):
            raise self._bad(value)
        return int(value) if self.kind == "int" else float(value)

    def _text(self, value: Any) -> str:
        """Text through :func:`engine.sanitize.clean_text`, then length and ``pattern`` checked."""
        if not isinstance(value, str):
            raise self._bad(value)
        if len(value) > self.max_length:
            raise ParamValueError(
                f"{self.name}: text of {len(value):,} characters is too long; "
                f"expected {self.allowed()}"
            )
        if any(unicodedata.category(c) == "Cc" and c not in "\n\t" for c in value):
            raise ParamValueError(f"{self.name}: control characters are not allowed in text")
        try:
            text = clean_text(value, TextRule(self.name, self.max_length, multiline=True))
        except TextError as e:
            raise ParamValueError(f"{self.name}: {e.en}; expected {self.allowed()}") from None
        if self.pattern is not None and not re.fullmatch(self.pattern, text):
            raise self._bad(value)
        return text


class ParamValueError(ValueError):
    """A value refused by :meth:`ParamSpec.check`; the message starts with the parameter's name."""


def _parse(text: str, kind: Kind) -> Any:
    if kind == "bool":
        low = text.lower()
        return True if low in _TRUE else False if low in _FALSE else text
    if kind in ("int", "float"):
        if len(text) > 100:
            return text  # no number a demo takes is written with more characters
        try:
            return (
                float(text) if kind == "float" or "." in text or "e" in text.lower() else int(text)
            )
        except ValueError:
            return text
    return text


@dataclass(frozen=True)
class Demo:
    """A registered demo: its function, title, parameter specs and the functions it shows."""

    name: str
    fn: Callable[..., Result]
    title: Text
    params: tuple[ParamSpec, ...]
    shows: tuple[Callable[..., Any], ...]
    facts: Mapping[str, Any] = dataclasses.field(default_factory=dict)  # id → engine.facts.FactSpec
    hover_head: int = 0  # the head the hover chart shows first: one the parameters change

    def defaults(self) -> dict[str, Any]:
        return {p.name: p.default for p in self.params}

    def spec(self, name: str) -> ParamSpec | None:
        return next((p for p in self.params if p.name == name), None)

    def check_params(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        """Defaults overlaid with ``raw``, each value checked; ``ParamError`` lists every problem."""
        values, problems = self.defaults(), []
        for key, value in raw.items():
            spec = self.spec(key) if isinstance(key, str) else None
            if spec is None:
                names = ", ".join(p.name for p in self.params) or "none"
                problems.append(f"{param_name(key)}: unknown parameter; this demo takes: {names}")
                continue
            try:
                values[key] = spec.check(value)
            except ValueError as e:
                problems.append(str(e))
        if problems:
            raise ParamError(self.name, problems)
        return values


def param_name(key: object) -> str:
    """A parameter name as given, for a message: plain if short and printable, else a preview."""
    if isinstance(key, str) and len(key) <= 40 and key.isprintable() and ":" not in key:
        return key
    return preview(key, 40)


def demo(
    name: str,
    title: Text,
    params: tuple[ParamSpec, ...] = (),
    shows: tuple[Callable, ...] = (),
    facts: Mapping[str, Any] | None = None,
    hover_head: int = 0,
) -> Callable[[Callable[..., Result]], Demo]:
    """Declare ``fn(device, **params) -> Result`` as a demo; ``shows`` adds engine functions to display,
    ``facts`` labels the facts it measures (id → :class:`engine.facts.FactSpec`), ``hover_head``
    is the head the page's hover chart starts on (the one its sliders change, where others do not)."""

    def wrap(fn: Callable[..., Result]) -> Demo:
        for p in params:
            p.check(p.default)  # a bad default is a programming error: fail loudly at first use
        return Demo(
            name=name, fn=fn, title=title, params=tuple(params), shows=(fn, *shows),
            facts=dict(facts or {}), hover_head=hover_head,
        )  # fmt: skip

    return wrap


@functools.cache
def all_demos() -> dict[str, Demo]:
    """Every ``Demo`` defined in a module of :mod:`engine.demos`, by name."""
    import engine.demos as pkg

    found: dict[str, Demo] = {}
    for info in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{pkg.__name__}.{info.name}")
        for obj in vars(module).values():
            if isinstance(obj, Demo):
                if obj.name in found and found[obj.name] is not obj:
                    raise RuntimeError(f"two demos are named {obj.name!r}")
                found[obj.name] = obj
    return dict(sorted(found.items()))


def get_demo(name: str) -> Demo:
    demos = all_demos()
    if name not in demos:
        raise UnknownDemo(name, list(demos))
    return demos[name]


def run_demo(name: str, params: Mapping[str, Any] | None = None, device: str = "cpu") -> Result:
    """Check parameters, run the demo on ``device``, and record device and milliseconds.

    On the CPU a demo runs on one thread: its matrices are tiny, and on a busy machine a
    parallel region waits for its slowest thread (ten times slower, measured).
    """
    d = get_demo(name)
    values = d.check_params(params or {})
    dev = resolve_device(device)
    with one_cpu_thread() if dev.type == "cpu" else contextlib.nullcontext():
        result, ms = timed(lambda: d.fn(device=dev, **values), dev)
    facts = {"device": str(dev), "ms": round(ms, 3), **result.facts}
    return dataclasses.replace(result, facts=facts, demo=name)


def source_of(d: Demo) -> str:
    """The source code of the demo function and of the engine functions it shows."""
    return "\n\n".join(inspect.getsource(f) for f in d.shows)
