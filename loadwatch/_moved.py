"""Old module names kept for one release: each forwards to its new home with a warning."""

from __future__ import annotations

import importlib
import warnings
from collections.abc import Callable
from typing import Any

#: old module -> new module (renamed in 0.2 so that module names tell concepts apart)
MOVED: dict[str, str] = {
    "loadwatch.analyse": "loadwatch.pipeline",
    "loadwatch.analysis": "loadwatch.result",
    "loadwatch.load": "loadwatch.frames",
    "loadwatch.evaluate": "loadwatch.rules.evaluators",
    "loadwatch.symptoms": "loadwatch.rules.symptoms",
}

#: old public function name -> (module, new name)
RENAMED: dict[str, tuple[str, str]] = {
    "load_settings": ("loadwatch.settings", "read_settings"),
    "load_roster": ("loadwatch.roster", "read_roster"),
}


def forward(old: str) -> Callable[[str], Any]:
    """A module ``__getattr__`` for the shim at ``old``: warn once, then read the new module."""
    new = MOVED[old]
    warnings.warn(f"{old} is now {new}; the old name goes in the next release",
                  DeprecationWarning, stacklevel=3)
    target = importlib.import_module(new)

    def __getattr__(name: str) -> Any:
        return getattr(target, name)

    return __getattr__


def renamed(old: str) -> Callable[..., Any]:
    """A stand-in for the renamed function ``old`` that warns and calls the new one."""
    module, new = RENAMED[old]

    def call(*args: Any, **kwargs: Any) -> Any:
        warnings.warn(f"{old}() is now {new}(); the old name goes in the next release",
                      DeprecationWarning, stacklevel=2)
        return getattr(importlib.import_module(module), new)(*args, **kwargs)

    call.__name__ = old
    call.__doc__ = f"Deprecated: use :func:`{module}.{new}`."
    return call
