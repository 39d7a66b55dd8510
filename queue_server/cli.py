"""The ``motcua`` command: one console script for every part of the system.

The queue server's own commands live here. Other parts add theirs through a
``register(subcommands)`` function in their own ``cli`` module (listed in
``PART_COMMANDS``), so no part edits another's code. Library errors become
one-line messages here, at the edge, never tracebacks.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Callable, Sequence

PART_COMMANDS = (
    "queue_server.catalog.cli",
    "queue_server.reports.cli",
    "queue_server.appointments.cli",
    "printers.cli",
    "kiosk.cli",
    "display.cli",
    "queue_server.service_cli",
    "queue_server.backup_cli",
)
"""Modules that may add subcommands; a part not built yet is simply absent."""


def default_db_path() -> Path:
    """``$MOTCUA_DB``, else ``motcua.db`` in the user's data folder."""
    if os.environ.get("MOTCUA_DB"):
        return Path(os.environ["MOTCUA_DB"])
    base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "motcua" / "motcua.db"


def add_office_options(parser: argparse.ArgumentParser) -> None:
    """The --config and --db options every server-side command takes."""
    parser.add_argument("--config", type=Path, default=None,
                        help="office TOML file (default: $MOTCUA_CONFIG, then the sample commune office)")
    parser.add_argument("--db", type=Path, default=None,
                        help="SQLite database file (default: $MOTCUA_DB, then the user's data folder)")


def add_client_options(parser: argparse.ArgumentParser) -> None:
    """The --server and --token options of device commands (kiosk, display…)."""
    parser.add_argument("--server", default=os.environ.get("MOTCUA_SERVER", "http://127.0.0.1:8080"),
                        help="queue server URL (default: $MOTCUA_SERVER or http://127.0.0.1:8080)")
    parser.add_argument("--token", default=os.environ.get("MOTCUA_TOKEN"),
                        help="device token from `motcua device add` (default: $MOTCUA_TOKEN)")


class CommandError(Exception):
    """A failure to report to the person at the terminal in one line, exit status 1."""


SERVER_COMMANDS = ("init", "serve", "user", "device", "demo")
"""The queue server's own commands: running them needs none of the other parts' command modules."""


def build_parser(with_parts: bool = True) -> argparse.ArgumentParser:
    """The command tree; ``with_parts`` adds the commands of the parts that are installed."""
    parser = argparse.ArgumentParser(prog="motcua", description="Một cửa: queue, kiosk, display and printing.")
    subcommands = parser.add_subparsers(dest="command", metavar="COMMAND")
    subcommands.required = True
    from . import commands
    from .parts import installed_modules

    commands.register(subcommands)
    if with_parts:
        for module in installed_modules(PART_COMMANDS):
            module.register(subcommands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``motcua`` console script."""
    argv = list(sys.argv[1:] if argv is None else argv)
    # `motcua serve` starts faster without importing the kiosk, display and printer commands.
    parser = build_parser(with_parts=not (argv and argv[0] in SERVER_COMMANDS))
    args = parser.parse_args(argv)
    handler: Callable[[argparse.Namespace], int | None] = args.handler
    try:
        return handler(args) or 0
    except KeyboardInterrupt:
        return 130
    except CommandError as exc:
        print(f"motcua: {exc}", file=sys.stderr)
        return 1
    except ValueError as exc:  # ConfigError and friends carry a readable message
        from .config import ConfigError

        if isinstance(exc, ConfigError):
            print(f"motcua: configuration error: {exc}", file=sys.stderr)
            return 2
        raise


if __name__ == "__main__":
    # Run the package's own module: under `python -m` this file is __main__, and its CommandError
    # would not be the class that commands raise (they import queue_server.cli).
    from queue_server.cli import main as package_main

    sys.exit(package_main())
