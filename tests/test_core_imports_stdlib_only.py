"""Guard: the queue rules (queue_server/core) import only the standard library, their own package and ``wording``."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

import queue_server.core

CORE_DIR = Path(queue_server.core.__file__).parent
CORE_PACKAGE = "queue_server.core"
STDLIB = sys.stdlib_module_names
PURE_LEAVES = frozenset({"wording"})
"""The one vocabulary: standard library only itself (tests/test_layers.py), so the core may say its words."""


def forbidden_imports(source: str, module: str, is_package: bool = False) -> list[str]:
    """Imports in ``source`` (the text of ``module``) that leave the stdlib and the core package."""
    package_parts = module.split(".") if is_package else module.split(".")[:-1]
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                keep = len(package_parts) - (node.level - 1)
                base = package_parts[:keep] if keep > 0 else []
                prefix = ".".join(base)
                if node.module:
                    targets = [f"{prefix}.{node.module}" if prefix else node.module]
                else:
                    targets = [f"{prefix}.{alias.name}" if prefix else alias.name for alias in node.names]
            else:
                targets = [node.module or ""]
        elif isinstance(node, ast.Call) and _is_dynamic_import(node.func):
            found.append(f"line {node.lineno}: dynamic import")
            continue
        else:
            continue
        for target in targets:
            inside_core = target == CORE_PACKAGE or target.startswith(CORE_PACKAGE + ".")
            if not inside_core and target.split(".")[0] not in STDLIB | PURE_LEAVES:
                found.append(f"line {node.lineno}: {target}")
    return found


def _is_dynamic_import(func: ast.expr) -> bool:
    """``__import__(...)`` or ``importlib.import_module(...)``."""
    if isinstance(func, ast.Name):
        return func.id in ("__import__", "import_module")
    return isinstance(func, ast.Attribute) and func.attr == "import_module"


def core_modules() -> list[Path]:
    """Every Python file of the core package, sub-packages included."""
    return sorted(CORE_DIR.rglob("*.py"))


def module_name(path: Path) -> str:
    """The dotted name of a core file."""
    relative = path.relative_to(CORE_DIR).with_suffix("")
    parts = [p for p in relative.parts if p != "__init__"]
    return ".".join([CORE_PACKAGE, *parts])


def test_the_core_package_has_the_modules_this_guard_expects():
    names = {p.stem for p in core_modules()}
    assert {"__init__", "office", "model", "selection", "actions", "views", "errors"} <= names


@pytest.mark.parametrize("path", core_modules(), ids=lambda p: p.name)
def test_core_module_imports_only_the_standard_library_and_the_core_package(path: Path):
    source = path.read_text(encoding="utf-8")
    assert forbidden_imports(source, module_name(path), is_package=path.name == "__init__.py") == []


@pytest.mark.parametrize(
    "source",
    [
        "import flask",
        "from sqlite_utils import Database",
        "from .. import config",
        "from ..store import repository",
        "import queue_server.engine",
        "def f():\n    import hypothesis",
        "__import__('flask')",
        "import importlib\nimportlib.import_module('flask')",
    ],
)
def test_the_guard_catches_an_import_outside_the_standard_library_and_the_core(source: str):
    assert forbidden_imports(source, "queue_server.core.actions") != []


@pytest.mark.parametrize(
    "source",
    [
        "from __future__ import annotations",
        "from datetime import datetime\nimport zoneinfo",
        "from . import errors",
        "from .model import Ticket",
        "from queue_server.core.office import Office",
        "import collections.abc",
    ],
)
def test_the_guard_accepts_the_standard_library_and_the_core_package(source: str):
    assert forbidden_imports(source, "queue_server.core.actions") == []
