"""The optional parts of motcua: a part that is not built or installed is simply absent."""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Iterable


def installed_modules(names: Iterable[str]) -> list[ModuleType]:
    """Import each named module that exists; a missing one is skipped, a broken one still fails loudly."""
    modules = []
    for name in names:
        try:
            modules.append(importlib.import_module(name))
        except ModuleNotFoundError as exc:
            if exc.name and name.startswith(exc.name):
                continue
            raise
    return modules
