"""Fixtures of the catalogue tests: the sample commune catalogue and its index (data in tests/support/catalog.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from queue_server.catalog.codec import CatalogFile
from queue_server.catalog.lexicon import default_lexicon
from queue_server.catalog.search import SearchIndex
from tests.support.catalog import load_sample


@pytest.fixture(scope="session")
def sample() -> CatalogFile:
    """The committed sample catalogue, read once."""
    return load_sample()


@pytest.fixture(scope="session")
def index(sample: CatalogFile) -> SearchIndex:
    """The search index over the sample catalogue with the default lexicon."""
    return SearchIndex(sample.procedures, default_lexicon())


@pytest.fixture
def first_name(index: SearchIndex) -> Callable[..., str | None]:
    """The name of the best result for a query (None when nothing matches)."""
    def search(query: str, **options: Any) -> str | None:
        hits = index.search(query, **options)
        return hits[0].procedure.name if hits else None
    return search
