"""Guard: the adapter boundary (README, "Layers") read from every module's imports with ``ast``.

Devices (kiosk, display, printers, speech and the shared kivyenv) reach the
server only through the modules it publishes for them; the server imports no
device package, except its ``motcua`` entry point, which wires each part's
``cli`` module into the one command tree; devices import only the devices
their rule names (never each other's screens or apps).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[1]
SERVER = "queue_server"

CLIENT_SIDE = frozenset({"queue_server.client", "queue_server.config", "queue_server.cli_support",
                         "queue_server.device_token", "queue_server.pairing_screen"})
"""The HTTP client, the office config, the CLI plumbing, and where a device's token comes from (its file,
or the pairing screen's steps): what a device with a command and a server needs."""

PUBLISHED = CLIENT_SIDE | {"queue_server.display_settings"}
"""Everything the server publishes for devices (the [display] settings only for the display)."""

DEVICE_MAY_USE_SERVER: dict[str, frozenset[str]] = {
    "kiosk": CLIENT_SIDE,
    "display": PUBLISHED,
    "printers": CLIENT_SIDE,
    "speech": frozenset(),  # speech and kivyenv know nothing of the server
    "kivyenv": frozenset(),
}

PUBLISHED_MAY_USE = PUBLISHED | {"queue_server.core"}
"""The published modules lean only on each other and the pure core, so a device never pulls in Flask or the store."""

DEVICE_MAY_IMPORT: dict[str, frozenset[str]] = {
    "kiosk": frozenset({"printers", "speech", "kivyenv"}),
    "display": frozenset({"speech", "kivyenv"}),
    "printers": frozenset(),
    "speech": frozenset(),
    "kivyenv": frozenset(),
}
"""Which other device packages each device may import (a device never imports another device's code otherwise)."""

DEVICES = frozenset(DEVICE_MAY_IMPORT)

LEAVES = frozenset({"wording"})
"""Pure packages every layer may import (the one Vietnamese vocabulary); they import no project package."""

SERVER_MAY_SPEAK = frozenset({"queue_server.web.announcements"})
"""The one server module that may import ``speech`` (a leaf knowing nothing of the server): the browser board speaks."""

COMPOSITION_ROOT = "queue_server.cli"
"""The one server module allowed to import devices, and only their ``cli`` modules (``motcua kiosk``, ...)."""


@dataclass(frozen=True)
class Import:
    """One import statement's target, absolute, with where it was written."""

    module: str  # the importing module, e.g. "kiosk.app"
    target: str  # the imported module or name, e.g. "queue_server.client"
    line: int


def module_name(path: Path) -> str:
    """The dotted name of a project file (``kiosk/screens/home.py`` → ``kiosk.screens.home``)."""
    parts = list(path.relative_to(PROJECT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(source: str, module: str, is_package: bool = False) -> Iterator[Import]:
    """Every import in ``source`` (top level or inside functions), relative ones made absolute, one per name."""
    package = module.split(".") if is_package else module.split(".")[:-1]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Import(module, alias.name, node.lineno)
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            prefix = ".".join([*base, node.module] if node.module else base)
            for alias in node.names:  # each name may be a module: "from queue_server import engine"
                yield Import(module, f"{prefix}.{alias.name}" if prefix else alias.name, node.lineno)
        elif isinstance(node, ast.Call) and _is_dynamic_import(node.func) and node.args:
            name = node.args[0]
            literal = name.value if isinstance(name, ast.Constant) and isinstance(name.value, str) else None
            yield Import(module, literal or "<a name computed at run time>", node.lineno)


def _is_dynamic_import(func: ast.expr) -> bool:
    """``__import__(...)`` or ``importlib.import_module(...)``: a string import the guard must see too."""
    if isinstance(func, ast.Name):
        return func.id in ("__import__", "import_module")
    return isinstance(func, ast.Attribute) and func.attr == "import_module"


def _within(target: str, modules: frozenset[str] | set[str]) -> bool:
    """Whether ``target`` is one of ``modules`` or inside one of them."""
    return any(target == m or target.startswith(m + ".") for m in modules)


def violation(imp: Import) -> str | None:
    """Why an import breaks the layer rule, or None when it keeps it."""
    source_top, target_top = imp.module.split(".")[0], imp.target.split(".")[0]
    where = f"{imp.module} line {imp.line} imports {imp.target}"
    if imp.target.startswith("<"):
        return f"{where}: import by a literal name, so this guard can check it"
    if source_top in LEAVES and target_top in {SERVER, *DEVICES, *LEAVES} - {source_top}:
        return f"{where}: {source_top} is a leaf every part uses, so it imports no project package"
    if source_top in DEVICES:
        allowed = DEVICE_MAY_USE_SERVER[source_top]
        if target_top == SERVER and not _within(imp.target, allowed):
            return f"{where}: {source_top} may use of the server only {sorted(allowed) or 'nothing'}"
        if target_top in DEVICES - {source_top} and target_top not in DEVICE_MAY_IMPORT[source_top]:
            return f"{where}: {source_top} may import only {sorted(DEVICE_MAY_IMPORT[source_top]) or 'no device'}"
    elif source_top == SERVER:
        wires_a_part = imp.module == COMPOSITION_ROOT and _within(imp.target, {f"{target_top}.cli"})
        speaks = imp.module in SERVER_MAY_SPEAK and target_top == "speech"
        if target_top in DEVICES and not wires_a_part and not speaks:
            return f"{where}: the server imports no device package (only {COMPOSITION_ROOT} wires <part>.cli)"
        if _within(imp.module, PUBLISHED) and target_top == SERVER and not _within(imp.target, PUBLISHED_MAY_USE):
            return f"{where}: a module published for devices may use only {sorted(PUBLISHED_MAY_USE)}"
    return None


def project_modules() -> list[Path]:
    """Every Python file of the server and the device packages."""
    tops = (SERVER, *sorted(DEVICES), *sorted(LEAVES))
    return sorted(path for top in tops for path in (PROJECT / top).rglob("*.py"))


def violations_in(source: str, module: str, is_package: bool = False) -> list[str]:
    """Every broken rule in one module's source."""
    return [v for imp in imports_of(source, module, is_package) if (v := violation(imp)) is not None]


def test_every_layer_package_is_there():
    assert {p.relative_to(PROJECT).parts[0] for p in project_modules()} == {SERVER, *DEVICES, *LEAVES}


def test_the_published_modules_exist():
    for name in PUBLISHED | {COMPOSITION_ROOT}:
        assert (PROJECT / (name.replace(".", "/") + ".py")).is_file(), name


@pytest.mark.parametrize("path", project_modules(), ids=lambda p: str(p.relative_to(PROJECT)))
def test_module_keeps_the_layer_rule(path: Path):
    source = path.read_text(encoding="utf-8")
    assert violations_in(source, module_name(path), is_package=path.name == "__init__.py") == []


@pytest.mark.parametrize("module, source", [
    ("kiosk.app", "from queue_server.store.db import connect"),
    ("kiosk.screens.home", "import queue_server.web.app"),
    ("kiosk.app", "from queue_server import engine"),
    ("kiosk.app", "from display.board import reduce"),
    ("kiosk.app", "def f():\n    from display import app"),
    ("display.app", "from kiosk.widgets import BigButton"),
    ("display.app", "from printers.job import PrintJob"),
    ("printers.job", "from speech import Speaker"),
    ("speech.speaker", "from queue_server.config import load_config"),
    ("kivyenv", "from queue_server.client import QueueClient"),
    ("kiosk.settings", "from queue_server.display_settings import DisplayConfig"),
    ("queue_server.web.display_page", "from display.launch import run_board"),
    ("queue_server.engine", "import speech"),
    ("queue_server.web.announcements", "from display.board import reduce"),
    ("queue_server.demo", "from kiosk import cli"),
    ("queue_server.cli", "from kiosk.launch import run_kiosk"),
    ("queue_server.cli", "import kiosk"),
    ("queue_server.client", "from .store.db import connect"),
    ("queue_server.display_settings", "from .web.errors import ApiError"),
    ("kiosk.app", "import importlib\nimportlib.import_module('queue_server.engine')"),
    ("queue_server.web.app", "__import__('display.launch')"),
    ("kiosk.app", "import importlib\nimportlib.import_module(NAME)"),
    ("wording.waits", "from queue_server.config import load_config"),
    ("wording.numbers", "from speech import read_number"),
])
def test_the_guard_catches_an_import_across_the_boundary(module: str, source: str):
    assert violations_in(source, module) != []


@pytest.mark.parametrize("module, source", [
    ("kiosk.app", "from queue_server.client import QueueClient"),
    ("kiosk.settings", "from queue_server.config import load_config"),
    ("kiosk.cli", "from queue_server.cli_support import CommandError"),
    ("display.app", "from queue_server.display_settings import DisplayConfig"),
    ("kiosk.printing", "from printers.job import PrintJob"),
    ("kiosk.read_aloud", "from speech import Speaker"),
    ("display.launch", "from kivyenv import prepare_kivy"),
    ("kiosk.screens.home", "from ..widgets import BigButton"),
    ("queue_server.cli", "from kiosk import cli as kiosk_cli"),
    ("queue_server.web.display_page", "from ..display_settings import load_display_config"),
    ("queue_server.config", "from .core.office import Office"),
    ("queue_server.web.announcements", "from speech import render_announcement"),
    ("speech.texts", "from wording import read_number"),
    ("printers.ticket", "from wording import wait_text"),
    ("queue_server.core.views", "from wording import wait_text"),
])
def test_the_guard_accepts_what_the_rule_allows(module: str, source: str):
    assert violations_in(source, module) == []
