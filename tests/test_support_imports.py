"""Guard: test modules share helpers through tests/support, never by importing a conftest or a test module.

A conftest is pytest's to load: importing one from a test module runs it a
second time under another name and hides which fixtures a directory really
has. Shared fixtures go through ``pytest_plugins`` in tests/conftest.py;
shared classes and builders live in tests/support. The helpers the suite
once defined in several places are defined there once.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
SUPPORT = TESTS / "support"
SHARED_HELPERS = {"FakeClock", "InProcess", "FakePrinter", "OfficeDb", "ServerPool"}
"""Classes that exist once, in tests/support (each was once copied or imported from a conftest)."""


def imported_modules(tree: ast.AST) -> list[tuple[int, str]]:
    """(line, module) for every import in a parsed file; relative modules keep their leading dots."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = "." * node.level + (node.module or "")
            if node.module:
                found.append((node.lineno, base))
            separator = "." if node.module else ""
            found += [(node.lineno, f"{base}{separator}{alias.name}") for alias in node.names]
    return found


def conftest_imports(source: str) -> list[str]:
    """The imports of a conftest module in ``source`` (absolute, relative or ``from . import conftest``)."""
    return [f"line {line}: {module}" for line, module in imported_modules(ast.parse(source))
            if module.rsplit(".", 1)[-1] == "conftest"]


def imports_of_test_modules(source: str) -> list[str]:
    """The imports of another test module (``test_*``) in ``source``: its helpers belong in tests/support."""
    return [f"line {line}: {module}" for line, module in imported_modules(ast.parse(source))
            if module.rsplit(".", 1)[-1].startswith("test_")]



def defined_classes(source: str) -> set[str]:
    """The names of the classes a module defines at any depth."""
    return {node.name for node in ast.walk(ast.parse(source)) if isinstance(node, ast.ClassDef)}


def python_files() -> list[Path]:
    """Every Python file of the suite."""
    return sorted(TESTS.rglob("*.py"))


@pytest.mark.parametrize("source", [
    "from tests.server.conftest import InProcess",
    "from .conftest import ticket",
    "from . import conftest",
    "import tests.console.conftest as console_fixtures",
    "def f():\n    from tests.appointments.conftest import kiosk\n",
])
def test_the_guard_sees_every_way_of_importing_a_conftest(source: str) -> None:
    assert len(conftest_imports(source)) == 1


def test_the_guard_lets_support_imports_through() -> None:
    assert conftest_imports("from tests.support.servers import InProcess\nfrom .fakesse import counter\n") == []


def test_no_module_of_the_suite_imports_a_conftest() -> None:
    found = {str(path.relative_to(TESTS)): hits for path in python_files()
             if (hits := conftest_imports(path.read_text(encoding="utf-8")))}
    assert found == {}, "import these from tests/support (fixtures through pytest_plugins in tests/conftest.py)"


def test_the_guard_sees_an_import_from_another_test_module() -> None:
    assert imports_of_test_modules("from .test_encode import read_qr") == ["line 1: .test_encode"]
    assert imports_of_test_modules("from tests.support.qr import read_qr\nfrom . import builders\n") == []


def test_no_module_of_the_suite_imports_a_test_module() -> None:
    found = {str(path.relative_to(TESTS)): hits for path in python_files()
             if (hits := imports_of_test_modules(path.read_text(encoding="utf-8")))}
    assert found == {}, "move the shared helper to tests/support and import it from there"


def test_each_shared_helper_is_defined_once_in_tests_support() -> None:
    homes: dict[str, list[str]] = {name: [] for name in SHARED_HELPERS}
    for path in python_files():
        for name in defined_classes(path.read_text(encoding="utf-8")) & SHARED_HELPERS:
            homes[name].append(str(path.relative_to(TESTS)))
    assert all(len(places) == 1 and places[0].startswith("support/") for places in homes.values()), homes
