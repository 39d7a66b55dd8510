"""``motcua hub …`` (the province hub: init, office, viewer, serve) and ``motcua sync`` (an office ships to it).

psycopg, Flask and waitress are imported inside the handlers: an office
without the ``hub`` extra still builds the whole command tree.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import re
import signal
import sys
import threading
from pathlib import Path
from typing import Any

from ..cli_support import CommandError, add_office_options, default_db_path
from ..config import default_config_path, load_config

DSN_ENV = "MOTCUA_HUB_DSN"
SYNC_NICENESS = 19
"""How much lower than the queue server ``motcua sync`` runs: shipping may wait, a kiosk must not (19, the
lowest: the scheduler's weight 15 against the server's 1024, where niceness 10 still had 110)."""
OFFICE_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$")
"""An office's code at the hub: the province's own short code (e.g. the commune's administrative code)."""


def register(subcommands: argparse._SubParsersAction) -> None:
    """Add ``hub`` (init, office add/list/revoke, viewer add, serve) and ``sync``."""
    hub = subcommands.add_parser("hub", help="the province hub on PostgreSQL").add_subparsers(
        dest="hub_command", metavar="ACTION")
    hub.required = True
    init = hub.add_parser("init", help="create or migrate the hub's PostgreSQL tables")
    _dsn_option(init)
    init.set_defaults(handler=cmd_hub_init)

    office = hub.add_parser("office", help="offices that ship to this hub").add_subparsers(
        dest="office_command", metavar="ACTION")
    office.required = True
    add = office.add_parser("add", help="register an office and print its hub token once")
    add.add_argument("code")
    add.add_argument("--name", required=True)
    _dsn_option(add)
    add.set_defaults(handler=cmd_office_add)
    listing = office.add_parser("list", help="offices, what the hub holds of each, last contact")
    _dsn_option(listing)
    listing.set_defaults(handler=cmd_office_list)
    revoke = office.add_parser("revoke", help="refuse an office's token from now on (its history stays)")
    revoke.add_argument("code")
    _dsn_option(revoke)
    revoke.set_defaults(handler=cmd_office_revoke)

    viewer = hub.add_parser("viewer", help="province readers").add_subparsers(dest="viewer_command", metavar="ACTION")
    viewer.required = True
    add_viewer = viewer.add_parser("add", help="a reader of every office's reports; prints the token once")
    add_viewer.add_argument("name")
    _dsn_option(add_viewer)
    add_viewer.set_defaults(handler=cmd_viewer_add)

    serve = hub.add_parser("serve", help="run the hub's web app")
    _dsn_option(serve)
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8090)
    serve.add_argument("--threads", type=int, default=8)
    serve.set_defaults(handler=cmd_hub_serve)

    sync = subcommands.add_parser("sync", help="ship this office's history to the province hub ([sync])")
    add_office_options(sync)
    sync.add_argument("--once", action="store_true", help="send until the hub is current, then exit")
    sync.set_defaults(handler=cmd_sync)


def _dsn_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--dsn", default=os.environ.get(DSN_ENV),
                        help=f"PostgreSQL connection string (default: ${DSN_ENV}), e.g. 'dbname=motcua_hub'")


def _connect(args: argparse.Namespace) -> Any:
    if not args.dsn:
        raise CommandError(f"no hub database: pass --dsn or set ${DSN_ENV}")
    try:
        import psycopg
    except ImportError:
        raise CommandError("psycopg is not installed: pip install 'motcua[hub]'") from None
    from . import store

    try:
        return store.connect(args.dsn)
    except psycopg.OperationalError as exc:
        raise CommandError(f"cannot reach PostgreSQL: {str(exc).strip().splitlines()[0]}") from None


def cmd_hub_init(args: argparse.Namespace) -> int:
    """Create or migrate the hub's tables."""
    from . import schema

    with _connect(args) as conn:
        applied = schema.apply_migrations(conn)
    print(f"hub ready ({', '.join(applied) if applied else 'already up to date'})")
    return 0


def cmd_office_add(args: argparse.Namespace) -> int:
    """Register an office; its token is printed once (kept hashed)."""
    from . import store

    if not OFFICE_CODE.match(args.code):
        raise CommandError(f"office code {args.code!r}: use letters, digits, '-', '_' or '.', at most 32")
    with _connect(args) as conn:
        try:
            token = store.add_office(conn, args.code, args.name)
        except ValueError as exc:
            raise CommandError(f"{exc}; revoke it or choose another code") from None
    print(token)
    return 0


def cmd_office_list(args: argparse.Namespace) -> int:
    """One line per office."""
    from . import store

    with _connect(args) as conn:
        for office in store.list_offices(conn):
            seen = office.last_contact_at.isoformat(timespec="seconds") if office.last_contact_at else "never"
            state = " (revoked)" if office.revoked else ""
            print(f"{office.code}\t{office.name}{state}\tevents {office.events_ack}\tchanges {office.changes_ack}"
                  f"\tlast contact {seen}")
    return 0


def cmd_office_revoke(args: argparse.Namespace) -> int:
    """Refuse an office's token."""
    from . import store

    with _connect(args) as conn:
        if not store.revoke_office(conn, args.code):
            raise CommandError(f"no active office {args.code}; see motcua hub office list")
    print(f"revoked {args.code}")
    return 0


def cmd_viewer_add(args: argparse.Namespace) -> int:
    """A province reader's token, printed once."""
    from . import store

    with _connect(args) as conn:
        print(store.add_viewer(conn, args.name))
    return 0


def cmd_hub_serve(args: argparse.Namespace) -> int:
    """Serve the hub with waitress until interrupted (SIGTERM too)."""
    from waitress.server import create_server

    from . import schema
    from .app import MAX_COMPRESSED_BYTES, create_app

    with _connect(args) as conn:
        if schema.apply_migrations(conn):
            print("motcua: hub tables created or upgraded", flush=True)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        server = create_server(create_app(args.dsn), host=args.host, port=args.port, threads=args.threads,
                                        max_request_body_size=MAX_COMPRESSED_BYTES)
    except OSError as exc:
        raise CommandError(f"cannot listen on {args.host}:{args.port} ({exc.strerror}); pass another --port") from None
    signal.signal(signal.SIGTERM, _interrupt)
    print(f"motcua: hub serving on http://{args.host}:{args.port}", flush=True)
    try:
        with contextlib.suppress(KeyboardInterrupt):
            server.run()
    finally:
        server.close()
    return 0


def _interrupt(*_: object) -> None:
    """SIGTERM (systemd, a test cutting the link) ends the serve loop as Ctrl-C does."""
    raise KeyboardInterrupt


def cmd_sync(args: argparse.Namespace) -> int:
    """Ship the office's history to the hub named in ``[sync]``; forever, or until current with --once."""
    from .sync import Syncer, SyncFailed
    from .sync_settings import shipped_settings, sync_settings
    from .sync_worker import PARENT_ENV, watch_parent

    config = load_config(args.config or default_config_path())
    settings = sync_settings(config)
    if settings is None:
        raise CommandError(f"{config.path} has no [sync] section: add hub_url and office_code")
    db_path = Path(args.db or default_db_path())
    if not db_path.exists():
        raise CommandError(f"no database at {db_path}: run motcua init first")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    _lower_priority()
    syncer = Syncer(settings, db_path, shipped_settings(config))
    try:
        if args.once:
            try:
                batches = syncer.catch_up()
            except SyncFailed as exc:
                raise CommandError(f"sync failed: {exc}") from None
            print(f"hub current after {batches} batch(es)")
            return 0
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        if os.environ.get(PARENT_ENV):  # started by motcua serve, which stops it (SIGTERM) after its own Ctrl-C
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            watch_parent(stop)
        print(f"motcua: syncing to {settings.hub_url} as {settings.office_code}", file=sys.stderr, flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            syncer.run(stop)
    finally:
        syncer.close()
    return 0


def _lower_priority() -> None:
    """Background work on the queue's PC: the scheduler serves the server's threads first when both want a core."""
    try:
        os.nice(SYNC_NICENESS)
    except OSError as exc:  # a system-call filter that forbids it: ship at the server's priority rather than not
        logging.getLogger(__name__).warning("cannot lower the sync worker's priority (%s)", exc.strerror)


def cmd_restore_from_hub(args: argparse.Namespace) -> int:
    """``motcua restore --from-hub``: rebuild an empty database from the hub (server stopped)."""
    from ..commands import single_server_lock
    from .restore import RestoreRefused, restore_from_hub
    from .sync import SyncFailed
    from .sync_settings import sync_settings

    if not args.from_hub:
        raise CommandError("name a backup FILE, or pass --from-hub to rebuild from the province hub")
    config = load_config(args.config or default_config_path())
    settings = sync_settings(config)
    if settings is None:
        raise CommandError(f"{config.path} has no [sync] section: add hub_url and office_code")
    db_path = Path(args.db or default_db_path())
    with single_server_lock(db_path):  # refuses while a server runs on this database
        try:
            restored = restore_from_hub(settings, db_path)
        except (RestoreRefused, SyncFailed) as exc:
            raise CommandError(f"restore from the hub failed: {exc}; the database was not changed") from None
    print(f"Restored {restored.events} events, {restored.tickets} tickets, {restored.ratings} ratings and "
          f"{restored.appointments} bookings of {settings.office_code} into {db_path}")
    tables = restored.tables or {}
    print(f"Also: {tables.get('catalog_versions', 0)} catalogue revision(s), {tables.get('booking_blocks', 0)} "
          f"booking block(s), {tables.get('office_days', 0)} office day(s), {tables.get('dossiers', 0)} imported "
          f"dossier(s), {restored.people} people.")
    if restored.people:
        print("People have no password (the hub never holds one): nobody can sign in until an admin sets one. "
              "Set the first admin's with: motcua user password NAME; the others' on /admin (Đặt lại mật khẩu).")
    print("Devices are not restored: pair each kiosk, board and rating tablet again (new tokens).")
    print("Next: motcua init (the catalogue, if the hub had none), then start the server (it syncs with [sync]).")
    return 0
