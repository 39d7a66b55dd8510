"""The catalogue tests' data: the committed sample catalogue and the shared search evaluation queries."""

from __future__ import annotations

import csv
from pathlib import Path

from queue_server.catalog.codec import CatalogFile, read_catalog

ROOT = Path(__file__).resolve().parents[2]
SAMPLE_CATALOG = ROOT / "config" / "commune_procedures.json"
COMMUNE = ROOT / "config" / "commune.toml"
SHARED_DATA = ROOT.parent / "shared" / "data"
SEARCH_EVAL = SHARED_DATA / "search_eval.tsv"


def load_sample() -> CatalogFile:
    """The committed sample catalogue, read the way an import reads it."""
    return read_catalog(SAMPLE_CATALOG.read_bytes(), "json", source=SAMPLE_CATALOG.name)


def eval_queries() -> list[tuple[str, list[str]]]:
    """The shared evaluation queries with their expected procedure names."""
    with SEARCH_EVAL.open(encoding="utf-8", newline="") as handle:
        return [(row["query"], row["expected_names"].split(";"))
                for row in csv.DictReader(handle, delimiter="\t")]
