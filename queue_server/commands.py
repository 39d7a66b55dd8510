"""The queue server's own ``motcua`` commands: init, serve, user, device, demo."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from . import auth
from .cli_support import CommandError, add_office_options, default_db_path
from .config import load_config

log = logging.getLogger("motcua")

DEFAULT_THREADS = 128  # one per open live-feed stream plus request workers
RESERVED_THREADS = 16  # never taken by live-feed streams: kiosks and clerks are always answered
DEMO_PORT = 8080


def register(subcommands: argparse._SubParsersAction) -> None:
    """Add init, serve, user (add/list/disable/enable/password), device (add/list/revoke/pair) and demo."""
    init = subcommands.add_parser("init", help="create or migrate the database")
    add_office_options(init)
    init.set_defaults(handler=cmd_init)

    serve = subcommands.add_parser("serve", help="run the queue server")
    add_office_options(serve)
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (0.0.0.0 for the office LAN)")
    serve.add_argument("--port", type=int, default=DEMO_PORT)
    serve.add_argument("--threads", type=int, default=DEFAULT_THREADS,
                       help=f"worker threads: each open live-feed stream holds one, "
                            f"{RESERVED_THREADS} stay for requests")
    serve.set_defaults(handler=cmd_serve)

    user = subcommands.add_parser("user", help="manage people who sign in").add_subparsers(dest="user_command",
                                                                                            metavar="ACTION")
    user.required = True
    add = user.add_parser("add", help="add a clerk or admin")
    add.add_argument("name")
    add.add_argument("--role", choices=auth.PERSON_ROLES, required=True)
    add.add_argument("--counter", type=int, action="append", default=[], help="a counter this clerk works at (repeat)")
    add.add_argument("--password-stdin", action="store_true", required=True,
                     help="read the password from standard input")
    add_office_options(add)
    add.set_defaults(handler=cmd_user_add)
    _user_admin_commands(user)

    device = subcommands.add_parser("device", help="manage devices").add_subparsers(dest="device_command",
                                                                                     metavar="ACTION")
    device.required = True
    add_device = device.add_parser("add", help="add a device and print its token once")
    add_device.add_argument("name")
    add_device.add_argument("--role", choices=auth.DEVICE_ROLES, required=True)
    add_office_options(add_device)
    add_device.set_defaults(handler=cmd_device_add)
    list_devices = device.add_parser("list", help="list devices and whether their token works")
    add_office_options(list_devices)
    list_devices.set_defaults(handler=cmd_device_list)
    revoke = device.add_parser("revoke", help="stop a device's token from working (stolen or retired device)")
    revoke.add_argument("name")
    add_office_options(revoke)
    revoke.set_defaults(handler=cmd_device_revoke)
    pair = device.add_parser("pair", help="pair the kiosk or board showing CODE on its first start, "
                             "or (with --counter) the rating tablet showing it at /danh-gia/<counter>")
    pair.add_argument("code", help="the 6 digits the device shows")
    pair.add_argument("--name", required=True, help="the device's name, e.g. kiosk-sanh or quay-3-tablet")
    pair.add_argument("--counter", type=int, default=None, help="a rating tablet: the counter it faces")
    add_office_options(pair)
    pair.set_defaults(handler=cmd_device_pair)

    demo = subcommands.add_parser("demo", help="everything on one machine with the sample office")
    demo.add_argument("--port", type=int, default=DEMO_PORT)
    demo.add_argument("--no-windows", action="store_true", help="do not open the kiosk and display windows")
    demo.add_argument("--province", action="store_true",
                      help="a province hub on a throwaway PostgreSQL and three offices syncing to it "
                           "(--port is the hub's)")
    demo.set_defaults(handler=cmd_demo)


def _paths(args: argparse.Namespace) -> tuple[Path | None, Path]:
    return args.config, args.db or default_db_path()


RESTORE_HINT = ("put back the last good backup with the server stopped: motcua restore BACKUP.db --db {path} "
                "(a copy `motcua backup` wrote; the service keeps them in /var/backups/motcua)")
WHAT_TO_DO = {
    "folder": "pass --db with the database file (e.g. {path}/motcua.db) or move the folder away",
    "not_database": "check --db names the office database, else " + RESTORE_HINT,
    "damaged": RESTORE_HINT,
    "read_only": "motcua writes every ticket to it: give the user who runs motcua write access "
                 "(chown/chmod u+w, chattr -i) or pass --db with a writable file",
    "read_only_folder": "motcua writes its database and the -wal/-shm files there: make the folder writable "
                        "for the user who runs motcua or pass --db with a file in a writable folder",
}
"""A refused database's fault -> what the operator does about it (the one line motcua answers)."""


def check_database_or_explain(db_path: Path) -> None:
    """Refuse a bad database file in one line (which file, what is wrong, what to do), before anything writes to it."""
    from .store.db import UnusableDatabase, check_usable

    try:
        check_usable(db_path)
    except UnusableDatabase as exc:
        fix = WHAT_TO_DO[exc.fault].format(path=db_path)
        raise CommandError(f"{exc}; nothing was changed; {fix}") from None


@contextmanager
def _database(db_path: Path) -> Iterator:
    """The database with every migration applied, after checking that it is usable."""
    from .store.db import connect
    from .store.schema import apply_migrations

    check_database_or_explain(db_path)
    db = connect(db_path)
    try:
        apply_migrations(db)
        yield db
    finally:
        db.close()


def cmd_init(args: argparse.Namespace) -> int:
    """Create or migrate the database."""
    config_path, db_path = _paths(args)
    config = load_config(config_path)
    with _database(db_path) as db:
        _load_sample_catalog(db, config)
    print(f"Database ready: {db_path} (office: {config.office.name})")
    return 0


def _load_sample_catalog(db, config) -> None:
    """Give a new database the office's procedure catalogue (``[catalog] file``), if it has none yet."""
    from .catalog.store import ensure_sample_catalog

    ensure_sample_catalog(db, config)


def cmd_user_add(args: argparse.Namespace) -> int:
    """Add a clerk or admin; the password comes from standard input, never the command line."""
    _, db_path = _paths(args)
    password = sys.stdin.readline().rstrip("\r\n")
    config = load_config(args.config)
    unknown = [n for n in args.counter if config.office.counter(n) is None]
    if unknown:
        known = ", ".join(str(c.number) for c in config.office.counters)
        raise CommandError(f"no counter {unknown[0]} in {config.path}; counters: {known}")
    with _database(db_path) as db:
        try:
            auth.add_user(db.conn, args.name, password, args.role, args.counter)
        except auth.AuthError as exc:
            raise CommandError(str(exc)) from None
    print(f"Added {args.role} {auth.normalize_username(args.name)}")
    return 0


def cmd_device_add(args: argparse.Namespace) -> int:
    """Add a device; its token is printed once and stored only hashed."""
    _, db_path = _paths(args)
    with _database(db_path) as db:
        try:
            token = auth.add_device(db.conn, args.name, args.role)
        except auth.AuthError as exc:
            raise CommandError(str(exc)) from None
    print(token)
    print(f"Device {args.name} ({args.role}) added. Keep this token: it is not shown again.", file=sys.stderr)
    return 0


def _user_admin_commands(user: argparse._SubParsersAction) -> None:
    """user list, disable, enable, password: each change ends the person's sessions at once."""
    listing = user.add_parser("list", help="list people, their role and whether they may sign in")
    add_office_options(listing)
    listing.set_defaults(handler=cmd_user_list)
    for action, help_text in (("disable", "stop a person signing in and end their sessions"),
                              ("enable", "let a disabled person sign in again")):
        parser = user.add_parser(action, help=help_text)
        parser.add_argument("name")
        add_office_options(parser)
        parser.set_defaults(handler=cmd_user_active, active=action == "enable")
    password = user.add_parser("password", help="set a new password (ends the person's sessions)")
    password.add_argument("name")
    password.add_argument("--password-stdin", action="store_true", required=True,
                          help="read the password from standard input")
    add_office_options(password)
    password.set_defaults(handler=cmd_user_password)


def cmd_user_list(args: argparse.Namespace) -> int:
    """Print every person: name, role, counters, active/disabled, open sessions."""
    _, db_path = _paths(args)
    with _database(db_path) as db:
        people = auth.list_users(db.conn)
    for p in people:
        counters = ",".join(str(c) for c in p["counters"]) or "-"
        print(f"{p['name']}\t{p['role']}\tcounters {counters}\t{'active' if p['active'] else 'disabled'}"
              f"\t{p['sessions']} session(s)")
    return 0


def cmd_user_active(args: argparse.Namespace) -> int:
    """Disable (sessions revoked at once) or enable a person."""
    _, db_path = _paths(args)
    with _database(db_path) as db:
        try:
            auth.set_user_active(db.conn, args.name, args.active)
        except auth.AuthError as exc:
            raise CommandError(str(exc)) from None
    name = auth.normalize_username(args.name)
    print(f"Enabled {name}" if args.active else f"Disabled {name}; their sessions are ended")
    return 0


def cmd_user_password(args: argparse.Namespace) -> int:
    """Set a person's password from standard input; their open sessions end."""
    _, db_path = _paths(args)
    password = sys.stdin.readline().rstrip("\r\n")
    with _database(db_path) as db:
        try:
            auth.set_password(db.conn, args.name, password)
        except auth.AuthError as exc:
            raise CommandError(str(exc)) from None
    print(f"Password changed for {auth.normalize_username(args.name)}; their sessions are ended")
    return 0


def cmd_device_list(args: argparse.Namespace) -> int:
    """Print every device: name, role, last seen, active/revoked."""
    _, db_path = _paths(args)
    with _database(db_path) as db:
        devices = auth.list_devices(db.conn)
    for d in devices:
        print(f"{d['name']}\t{d['role']}\tlast seen {d['last_seen_at'] or 'never'}"
              f"\t{'active' if d['active'] else 'revoked'}")
    return 0


def cmd_device_revoke(args: argparse.Namespace) -> int:
    """Revoke a device's token: a running server refuses it from the next request."""
    _, db_path = _paths(args)
    with _database(db_path) as db:
        try:
            auth.revoke_device(db.conn, args.name)
        except auth.AuthError as exc:
            raise CommandError(str(exc)) from None
    print(f"Revoked device {args.name}: its token no longer works")
    return 0


def cmd_device_pair(args: argparse.Namespace) -> int:
    """Confirm a rating tablet's pairing code: the tablet signs itself in as a rating device within seconds."""
    from datetime import UTC, datetime

    from . import pairing

    if args.counter is None:
        return _pair_kiosk_or_board(args)
    config_path, db_path = _paths(args)
    config = load_config(config_path)
    if config.office.counter(args.counter) is None:
        raise CommandError(f"no counter {args.counter} in {config.path}; counters: "
                           + ", ".join(str(c.number) for c in config.office.counters))
    with _database(db_path) as db:
        try:
            name = pairing.confirm_pairing(db.conn, args.code, args.name, args.counter, datetime.now(UTC))
        except pairing.PairingError as exc:
            raise CommandError(str(exc)) from None
    print(f"Paired {name} (rating) at counter {args.counter}: the tablet starts within a few seconds")
    return 0


def _pair_kiosk_or_board(args: argparse.Namespace) -> int:
    """Confirm the code a kiosk or a lobby board shows on its first start: it collects its token within seconds."""
    from datetime import UTC, datetime

    from . import device_pairing

    now = datetime.now(UTC)
    _, db_path = _paths(args)
    with _database(db_path) as db:
        try:
            paired = device_pairing.confirm(db.conn, "cli", args.code, args.name, now)
        except device_pairing.PairingRefused as exc:
            raise CommandError(exc.message) from None
    print(f"Paired {paired['name']} ({paired['role']}): the device starts within a few seconds")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    """Run the queue server until interrupted."""
    config_path, db_path = _paths(args)
    config = load_config(config_path)
    serve(config, db_path, args.host, args.port, args.threads)
    return 0


def serve(config, db_path: Path, host: str, port: int, threads: int = DEFAULT_THREADS,
          ready: threading.Event | None = None) -> None:
    """Serve the office with waitress (see README: why waitress) until interrupted."""
    from .engine import QueueEngine
    from .store.db import connect
    from .store.retention import DailyPruner
    from .web.app import create_app
    from .web.guarded_server import create_guarded_server

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    warning = loopback_public_url_warning(config.office.public_url, host)
    if warning:
        print(warning, file=sys.stderr, flush=True)
    check_database_or_explain(db_path)
    with single_server_lock(db_path):
        engine = QueueEngine(config, db_path).start()
        pruner = DailyPruner(lambda: connect(db_path).conn, config.limits.events_keep_days).start()
        try:
            app = create_app(config, db_path, engine=engine, max_streams=max(1, threads - RESERVED_THREADS))
            try:
                server = create_guarded_server(app, host=host, port=port, threads=threads,
                                               connection_limit=max(100, threads * 4),
                                               max_body_bytes=config.limits.max_body_bytes,
                                               trusted=app.extensions["motcua.trusted_addresses"])
            except OSError as exc:  # port taken, address not on this machine…
                raise CommandError(f"cannot listen on {host}:{port} ({exc.strerror}); "
                                   "stop what uses it or pass another --port") from None
            log.info("motcua serving %s on http://%s:%s (db %s)", config.office.name, host, port, db_path)
            print(f"motcua: serving on http://{host}:{port}", flush=True)
            sync_worker = None
            try:
                sync_worker = _start_sync_worker(app, config, db_path)
                if ready is not None:
                    ready.set()
                _end_streams_on_interrupt(engine)
                server.run()
            except KeyboardInterrupt:
                pass
            finally:
                server.close()
                if sync_worker is not None:
                    sync_worker.stop()
        finally:
            pruner.stop()
            engine.stop()


def _start_sync_worker(app, config, db_path: Path):
    """With ``[sync]`` in the office file, the worker that ships to the hub runs with the server (docs/hub.md)."""
    from .hub.sync_worker import start_sync_worker

    worker = start_sync_worker(config, db_path)
    app.extensions["motcua.sync_worker"] = worker
    if worker is not None:
        print(f"motcua: shipping to the province hub {config.section('sync')['hub_url']}", flush=True)
    return worker


def loopback_public_url_warning(public_url: str, host: str) -> str | None:
    """One line for the operator when ticket QR codes would point at this machine's loopback
    while the server listens for other machines (phones could not open them); else None."""
    from urllib.parse import urlsplit

    link_host = urlsplit(public_url).hostname if public_url else None
    if link_host is None or not _is_loopback(link_host) or _is_loopback(host):
        return None
    return (f"motcua: warning: [office] public_url = {public_url} is this machine's loopback, but the server listens "
            f"on {host}: phones cannot open the ticket QR codes; remove public_url or set the address phones reach")


def _is_loopback(host: str) -> bool:
    """True for localhost and 127.x / ::1 addresses (a DNS name other than localhost is not)."""
    import ipaddress

    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _end_streams_on_interrupt(engine) -> None:
    """On Ctrl+C end the live-feed streams first: waitress waits up to 5 s for busy threads before it stops."""
    if (threading.current_thread() is not threading.main_thread()
            or signal.getsignal(signal.SIGINT) is not signal.default_int_handler):
        return

    def interrupt(signum, frame):
        engine.broker.close()
        raise KeyboardInterrupt

    signal.signal(signal.SIGINT, interrupt)


@contextmanager
def single_server_lock(db_path: Path) -> Iterator[None]:
    """Refuse a second server on the same database: its in-memory queue would diverge.

    Re-entrant within a process, so ``motcua demo`` can take it before it
    touches the demo database and still start the server under it.
    """
    db_path.parent.mkdir(parents=True, exist_ok=True)
    key = str(db_path.resolve())
    try:
        import fcntl
    except ImportError:  # Windows: rely on the operator
        yield
        return
    if key in _LOCKS_HELD:
        yield
        return
    with open(str(db_path) + ".lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise CommandError(f"another motcua server already uses {db_path}; stop it first") from None
        _LOCKS_HELD.add(key)
        try:
            yield
        finally:
            _LOCKS_HELD.discard(key)


_LOCKS_HELD: set[str] = set()
"""Databases whose server lock this process holds."""


def cmd_demo(args: argparse.Namespace) -> int:
    """The sample commune office on this machine: server, sign-ins, and windows where there is a screen."""
    if args.province:
        from .hub.demo_province import run_province_demo

        return run_province_demo(port=args.port)
    from .demo import run_demo

    return run_demo(port=args.port, open_windows=not args.no_windows)
