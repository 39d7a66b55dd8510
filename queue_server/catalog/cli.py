"""``motcua catalog import FILE`` and ``motcua catalog export FILE``."""

from __future__ import annotations

import argparse
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from .codec import CatalogFileError, detect_format, write_catalog
from .store import active_catalog, apply_migrations, import_catalog, office_rules, open_database, read_catalog_file


def register(subcommands: Any) -> None:
    """Add the ``catalog`` command group to ``motcua``."""
    from queue_server.cli_support import add_office_options

    catalog = subcommands.add_parser("catalog", help="import or export the procedure catalogue")
    actions = catalog.add_subparsers(dest="catalog_command", metavar="ACTION")
    actions.required = True

    importer = actions.add_parser("import", help="replace a catalogue version with a CSV or JSON file")
    importer.add_argument("file", type=Path, help="catalogue file (.csv or .json, UTF-8)")
    importer.add_argument("--version", help="catalogue version (default: the file's own, else today's date)")
    importer.add_argument("--format", choices=("csv", "json"), help="file format (default: from the file name)")
    add_office_options(importer)
    importer.set_defaults(handler=cmd_import)

    exporter = actions.add_parser("export", help="write the live catalogue to a CSV or JSON file")
    exporter.add_argument("file", type=Path, help="file to write ('-' for standard output)")
    exporter.add_argument("--format", choices=("csv", "json"), help="file format (default: from the file name)")
    add_office_options(exporter)
    exporter.set_defaults(handler=cmd_export)


def cmd_import(args: argparse.Namespace) -> int:
    """Validate the whole file, then replace its version in one transaction."""
    from queue_server.cli_support import CommandError, default_db_path
    from queue_server.config import load_config

    config = load_config(args.config)
    if not args.file.is_file():
        raise CommandError(f"{args.file}: no such file")
    bar = ProgressBar("Kiểm tra", sys.stderr)
    try:
        catalog = read_catalog_file(args.file, office_rules(config), _format(args), progress=bar)
    except CatalogFileError as exc:
        bar.abandon()
        raise CommandError(str(exc)) from None
    version = args.version or catalog.version or datetime.now(UTC).strftime("%Y-%m-%d")
    db = open_database(args.db or default_db_path())
    apply_migrations(db)
    bar = ProgressBar("Ghi", sys.stderr)
    revision = import_catalog(db, version, catalog.procedures, source=args.file.name, progress=bar)
    print(f"Imported {len(catalog.procedures)} procedures as catalogue version {version} (revision {revision}).")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    """Write the live version."""
    from queue_server.cli_support import CommandError, default_db_path

    fmt = _format(args)
    db = open_database(args.db or default_db_path())
    apply_migrations(db)
    active = active_catalog(db)
    if active.version is None:
        raise CommandError("the database has no catalogue yet; run `motcua init` or `motcua catalog import FILE`")
    data = write_catalog(active.version, active.procedures, fmt)
    if str(args.file) == "-":
        sys.stdout.buffer.write(data)
    else:
        args.file.write_bytes(data)
        print(f"Exported {len(active.procedures)} procedures of version {active.version} to {args.file}.")
    return 0


def _format(args: argparse.Namespace) -> str:
    """The chosen or implied file format."""
    from queue_server.cli_support import CommandError

    if args.format:
        return args.format
    try:
        return detect_format(args.file.name)
    except ValueError as exc:
        raise CommandError(f"{exc}") from None


class ProgressBar:
    """A one-line progress bar on a terminal; silent when output is not a terminal."""

    WIDTH = 30

    def __init__(self, label: str, stream: TextIO, min_total: int = 200) -> None:
        self.label, self.stream, self.min_total = label, stream, min_total
        self.shown = False
        self.started = time.monotonic()

    def __call__(self, done: int, total: int) -> None:
        """Show progress (only for files big enough to wait for)."""
        if total < self.min_total or not self.stream.isatty():
            return
        filled = self.WIDTH * done // max(total, 1)
        self.stream.write(f"\r{self.label} [{'#' * filled}{'.' * (self.WIDTH - filled)}] {done}/{total}")
        self.shown = True
        if done >= total:
            self.stream.write(f" ({time.monotonic() - self.started:.1f} s)\n")
            self.shown = False
        self.stream.flush()

    def abandon(self) -> None:
        """End a bar cut short by an error on its own line."""
        if self.shown:
            self.stream.write("\n")
            self.stream.flush()
