"""``motcua backup`` and ``motcua restore``: the office's history survives a dead disk or a bad day.

Backups are taken while the server runs (kiosks keep issuing); a restore
needs the server stopped, since a running server keeps the replaced file
open and would go on writing to it.
"""

from __future__ import annotations

import argparse
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from .cli_support import CommandError, add_office_options, default_db_path
from .config import load_config

DEFAULT_KEEP = 14


def register(subcommands: argparse._SubParsersAction) -> None:
    """Add ``backup`` and ``restore``."""
    backup = subcommands.add_parser("backup", help="write one checked copy of the database into DIR (server may run)")
    add_office_options(backup)
    backup.add_argument("folder", type=Path, metavar="DIR", help="folder of the backups (created if missing)")
    backup.add_argument("--keep", type=int, default=DEFAULT_KEEP,
                        help=f"how many backups to keep in DIR, newest first (default {DEFAULT_KEEP})")
    backup.set_defaults(handler=cmd_backup)

    restore = subcommands.add_parser("restore", help="put a backup in place of the database (server stopped)")
    add_office_options(restore)
    restore.add_argument("file", type=Path, metavar="FILE", nargs="?", help="a backup written by `motcua backup`")
    restore.add_argument("--from-hub", action="store_true",
                         help="instead, rebuild an empty database from the province hub named in [sync]")
    restore.set_defaults(handler=cmd_restore)


def _office_now(args: argparse.Namespace) -> datetime:
    """Backups are named in the office's time, as its staff read them."""
    return datetime.now(ZoneInfo(load_config(args.config).office.timezone))


def cmd_backup(args: argparse.Namespace) -> int:
    """Write, check and name one backup; print its path last."""
    from .store.backup import BackupError, backup_database

    db_path = args.db or default_db_path()
    try:
        path = backup_database(db_path, args.folder, _office_now(args), args.keep)
    except (BackupError, OSError) as exc:
        raise CommandError(f"backup failed: {exc}") from None
    print(f"Backup checked (integrity ok), the newest {args.keep} kept in {args.folder}")
    print(path)
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    """Replace the database by a backup, keeping the replaced file aside."""
    from .commands import single_server_lock
    from .store.backup import BackupError, restore_database

    if args.from_hub or args.file is None:
        from .hub.cli import cmd_restore_from_hub

        return cmd_restore_from_hub(args)
    db_path = args.db or default_db_path()
    now = _office_now(args)
    with single_server_lock(db_path):  # refuses while a server runs on this database
        try:
            kept = restore_database(args.file, db_path, now)
        except (BackupError, OSError) as exc:
            raise CommandError(f"restore failed: {exc}; the database was not changed") from None
    print(f"Restored {args.file} as {db_path}")
    if kept:
        print(f"The replaced database is kept as {kept}")
    print("Start the server again: it numbers on from the restored tickets.")
    return 0
