"""One figure module per demo: ``visuals/figures/qNN_<demo>.py`` defines ``draw(result, lang)``.

A figure is found by the name of the demo that produced the result, the same name its
question's demo module and test carry (``engine/demos/qNN_<demo>.py``,
``tests/unit/demos/test_qNN_<demo>.py``): nothing to register, nothing to keep in sync.
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
import re
from collections.abc import Callable

from matplotlib.figure import Figure

from engine.result import Result

Draw = Callable[[Result, str], Figure]
_NAME = re.compile(r"^q\d{2}_(?P<demo>[a-z0-9_]+)$")


@functools.cache
def figures() -> dict[str, Draw]:
    """Every demo name that has a figure module, and that module's ``draw``."""
    found: dict[str, Draw] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        m = _NAME.match(info.name)
        if not m:
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        name = m.group("demo")
        if name in found:
            raise RuntimeError(f"two figure modules draw demo {name!r}")
        found[name] = module.draw
    return found


def figure_for(demo: str) -> Draw | None:
    """The ``draw`` function of ``demo``'s figure module, or ``None`` if it has none."""
    return figures().get(demo)
