#!/usr/bin/env python3
"""Turn the published commune procedures (CSV) into the sample office's catalogue.

    .venv/bin/python scripts/convert_procedures.py \\
        ../shared/data/procedures_xa.csv config/commune_procedures.json

Each row keeps its published values. Two things are added, both from data:
the service that takes the procedure (``config/commune_procedures.services.tsv``,
field → service) and, for the few rows the national catalogue lists without
a code, a local code ``local-<name>`` that says so. The output is validated
by the same reader as ``motcua catalog import``; commit it.
"""

from __future__ import annotations

import argparse
import csv
import io
import re
import sys
import unicodedata
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from queue_server.catalog.codec import RowRules, parse_field_services, read_catalog, write_catalog  # noqa: E402
from queue_server.config import load_config  # noqa: E402

DEFAULT_VERSION = "xa-2025.07"


def local_code(name: str) -> str:
    """A readable, stable code for a procedure published without one (whole words, ≤ 48 chars)."""
    plain = unicodedata.normalize("NFD", name.lower().replace("đ", "d"))
    words = re.findall(r"[a-z0-9]+", "".join(ch for ch in plain if not unicodedata.combining(ch)))
    code = "local"
    for word in words:
        if len(code) + 1 + len(word) > 48:
            break
        code += "-" + word
    return code


def with_codes(data: bytes) -> bytes:
    """The CSV with a local code in every row whose code is empty."""
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({**row, "code": row["code"].strip() or local_code(row["name"])})
    return out.getvalue().encode("utf-8")


def main(argv: list[str] | None = None) -> int:
    """Convert, validate and write the catalogue."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    parser.add_argument("source", type=Path, help="published procedures CSV")
    parser.add_argument("output", type=Path, help="catalogue file to write (.json or .csv)")
    parser.add_argument("--services", type=Path, default=ROOT / "config" / "commune_procedures.services.tsv",
                        help="field → service table")
    parser.add_argument("--config", type=Path, default=ROOT / "config" / "commune.toml",
                        help="office whose services the mapping must use")
    parser.add_argument("--version", default=DEFAULT_VERSION, help="catalogue version to record")
    args = parser.parse_args(argv)

    office = load_config(args.config).office
    mapping = parse_field_services(args.services.read_text(encoding="utf-8"), str(args.services))
    rules = RowRules(services=[s.code for s in office.services], field_services=mapping)
    catalog = read_catalog(with_codes(args.source.read_bytes()), "csv", source=str(args.source), rules=rules)
    unmapped = sorted({p.field for p in catalog.procedures if not p.service})
    if unmapped:
        print(f"no service for field(s): {', '.join(unmapped)}; add them to {args.services}", file=sys.stderr)
        return 1
    procedures = [replace(p, catalog_version=args.version) for p in catalog.procedures]
    fmt = "json" if args.output.suffix == ".json" else "csv"
    args.output.write_bytes(write_catalog(args.version, procedures, fmt))
    print(f"{len(procedures)} procedures → {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
