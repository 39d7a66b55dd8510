"""Fixtures of the catalogue tests: the sample commune catalogue, its index, a database."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from queue_server.catalog.codec import CatalogFile, read_catalog
from queue_server.catalog.lexicon import default_lexicon
from queue_server.catalog.search import SearchIndex

ROOT = Path(__file__).resolve().parents[2]
SAMPLE_CATALOG = ROOT / "config" / "commune_procedures.json"
COMMUNE = ROOT / "config" / "commune.toml"
SHARED_DATA = ROOT.parent / "shared" / "data"
SEARCH_EVAL = SHARED_DATA / "search_eval.tsv"


def load_sample() -> CatalogFile:
    """The committed sample catalogue, read the way an import reads it."""
    return read_catalog(SAMPLE_CATALOG.read_bytes(), "json", source=SAMPLE_CATALOG.name)


@pytest.fixture(scope="session")
def sample() -> CatalogFile:
    return load_sample()


@pytest.fixture(scope="session")
def index(sample: CatalogFile) -> SearchIndex:
    return SearchIndex(sample.procedures, default_lexicon())


@pytest.fixture
def first_name(index: SearchIndex):
    """The name of the best result for a query (None when nothing matches)."""
    def search(query: str, **options) -> str | None:
        hits = index.search(query, **options)
        return hits[0].procedure.name if hits else None
    return search


def eval_queries() -> list[tuple[str, list[str]]]:
    """The shared evaluation queries with their expected procedure names."""
    with SEARCH_EVAL.open(encoding="utf-8", newline="") as handle:
        return [(row["query"], row["expected_names"].split(";"))
                for row in csv.DictReader(handle, delimiter="\t")]
