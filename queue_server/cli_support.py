"""What every ``motcua`` subcommand shares: the one-line error, the common options, the default database.

Its own module, imported by the server's commands and by the devices' alike,
so that no command module imports the entry point (``queue_server.cli``)
and the entry point imports them without a cycle.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path


class CommandError(Exception):
    """A failure to report to the person at the terminal in one line, exit status 1."""


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


def add_client_options(parser: argparse.ArgumentParser, pairs_as: str | None = None) -> None:
    """The --server and --token options of device commands (kiosk, display…).

    A device that pairs by a code on its first start (``pairs_as`` "kiosk" or
    "display") also takes --token-file: where the token it was given is kept.
    """
    parser.add_argument("--server", default=os.environ.get("MOTCUA_SERVER", "http://127.0.0.1:8080"),
                        help="queue server URL (default: $MOTCUA_SERVER or http://127.0.0.1:8080)")
    parser.add_argument("--token", default=os.environ.get("MOTCUA_TOKEN"),
                        help="device token from `motcua device add` (default: $MOTCUA_TOKEN)")
    if pairs_as is not None:
        parser.add_argument("--token-file", type=Path, default=None, metavar="PATH",
                            help=f"the token this {pairs_as} got by pairing, used when there is no --token "
                                 f"(default: {pairs_as}-token in the user's state folder, "
                                 f"e.g. ~/.local/state/motcua/{pairs_as}-token); without either it shows a "
                                 "pairing code for an admin to confirm in /admin")
