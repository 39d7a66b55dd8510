"""Fixtures of the reports tests: a fresh in-process office (tests/support/reports_office.py) per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.reports_office import Office, play_morning, running_office


@pytest.fixture
def office(tmp_path: Path) -> Iterator[Office]:
    """A fresh office for one test."""
    with running_office(tmp_path) as result:
        yield result


@pytest.fixture(scope="module")
def morning(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Office]:
    """The played morning, once per test module (its tests only read)."""
    with running_office(tmp_path_factory.mktemp("morning")) as office:
        play_morning(office)
        yield office
