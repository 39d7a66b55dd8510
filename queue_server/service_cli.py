"""``motcua service install``: systemd units that keep a server, kiosk or lobby board running for years.

The unit templates ship in ``queue_server/deploy_units`` (``{{name}}`` placeholders);
this module renders them with this installation's ``motcua`` path and the office's
config file, writes them under ``--root`` (``/`` by default), creates the service
user and says what to enable. See docs/deploy.md.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from .cli_support import CommandError
from .config import OfficeConfig, load_config

ROLES = ("server", "kiosk", "display", "hub")
SERVER_USER = "motcua"
SCREEN_USER = "motcua-screen"
HUB_USER = "motcua-hub"  # the province hub's machine: also its PostgreSQL role (peer authentication)
HOMES = {SERVER_USER: "/var/lib/motcua", SCREEN_USER: "/var/lib/motcua-screen", HUB_USER: "/var/lib/motcua-hub"}
HUB_ENV = Path("/etc/motcua/hub.env")
DEFAULT_HUB_PORT = 8090
# The screen, touch, sound and printer devices a kiosk or board opens (lp: /dev/usb/lp*, dialout: serial printers).
SCREEN_GROUPS = ("video", "render", "input", "audio", "lp", "dialout")
DEFAULT_PORT = 8080
DEFAULT_BACKUP_DIR = Path("/var/backups/motcua")
DEFAULT_KEEP = 30  # a month of daily copies
CAGE_OPTIONS = "-d -s"  # no client-side decorations; Ctrl+Alt+Fn still reaches a console for the technician
# Folders that ProtectHome=yes hides from a service: a motcua or office file there needs read-only instead.
HOME_FOLDERS = (Path("/home"), Path("/root"), Path("/run/user"))
SCREEN_NAME = re.compile(r"^[A-Za-z0-9_.-]+$")  # a systemd instance name that needs no escaping
PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")

PAM_SERVICE = """\
# The logind session of motcua's kiosk and lobby boards (PAMName=motcua-screen): no password
# is asked, systemd starts the session itself. Written by `motcua service install`.
auth     required pam_unix.so nullok
account  required pam_unix.so
session  required pam_unix.so
session  required pam_systemd.so
"""


@dataclass(frozen=True)
class PlannedFile:
    """A file the installer writes; ``keep`` files (tokens) are never overwritten."""

    path: Path
    text: str
    mode: int = 0o644
    keep: bool = False
    fill_in: str = "MOTCUA_SERVER and MOTCUA_TOKEN"
    """What the operator writes into a ``keep`` file after the install."""


@dataclass
class InstallPlan:
    """Everything one ``motcua service install`` does, computed before anything is touched."""

    files: list[PlannedFile] = field(default_factory=list)
    folders: list[tuple[Path, str]] = field(default_factory=list)
    user: str = SERVER_USER
    groups: tuple[str, ...] = ()
    enable: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def register(subcommands: argparse._SubParsersAction) -> None:
    """Add ``motcua service install``."""
    service = subcommands.add_parser("service", help="run motcua under systemd (server, kiosk, lobby boards)")
    actions = service.add_subparsers(dest="service_command", metavar="ACTION")
    actions.required = True
    install = actions.add_parser("install", help="write the systemd units of this PC's role and create its user",
                                 description="Write the systemd units of this PC's role into /etc/systemd/system "
                                             "(or --root), create the service user and print what to enable.")
    install.add_argument("--role", choices=ROLES, required=True, help="what this PC runs")
    install.add_argument("--screen", default=None,
                         help="with --role display: the [[display.screens]] name (default: the first)")
    install.add_argument("--config", type=Path, default=None,
                         help="the office TOML file the units use (default: $MOTCUA_CONFIG), "
                              "e.g. /etc/motcua/office.toml")
    install.add_argument("--server", default=None, metavar="URL",
                         help="kiosk/display: the queue server's address, written into the new token file")
    install.add_argument("--host", default=None,
                         help="server, hub: the address to serve on (server: default 0.0.0.0, the office "
                              "network, 127.0.0.1 behind a local proxy; hub: default 127.0.0.1, behind HTTPS)")
    install.add_argument("--port", type=int, default=None,
                         help=f"server, hub: the port to serve on (default {DEFAULT_PORT}, hub {DEFAULT_HUB_PORT})")
    install.add_argument("--backup-dir", type=Path, default=DEFAULT_BACKUP_DIR,
                         help=f"server: where daily backups go (default {DEFAULT_BACKUP_DIR})")
    install.add_argument("--keep", type=int, default=DEFAULT_KEEP,
                         help=f"server: how many daily backups to keep (default {DEFAULT_KEEP})")
    install.add_argument("--motcua", type=Path, default=None,
                         help="the motcua program the units run (default: this one)")
    install.add_argument("--cage", type=Path, default=None,
                         help="kiosk/display: the cage program (default: cage on $PATH, else /usr/bin/cage)")
    install.add_argument("--root", type=Path, default=Path("/"),
                         help="write under this folder instead of / (no user is created)")
    install.add_argument("--dry-run", action="store_true", help="print what would be written and run, change nothing")
    install.set_defaults(handler=cmd_service_install)


def cmd_service_install(args: argparse.Namespace) -> int:
    """Plan the role's files, then show them (``--dry-run``) or write them."""
    motcua = _absolute(args.motcua) if args.motcua else installed_motcua()
    if args.role == "hub":  # the province's machine: no office file
        plan = plan_hub_install(motcua, host=args.host or "127.0.0.1", port=args.port or DEFAULT_HUB_PORT)
    else:
        config = load_config(_config_path(args.config))
        plan = plan_install(args.role, config, motcua, screen=args.screen, server=args.server,
                            host=args.host or "0.0.0.0", port=args.port or DEFAULT_PORT,
                            backup_dir=_absolute(args.backup_dir), keep=args.keep,
                            cage=_absolute(args.cage) if args.cage else find_cage())
    root = args.root.resolve()
    if args.dry_run:
        print_plan(plan, root)
    else:
        apply_plan(plan, root)
    print_next_steps(plan, root, dry_run=args.dry_run)
    return 0


def _config_path(given: Path | None) -> Path:
    """The office file the units name: given, else $MOTCUA_CONFIG; never the sample by accident."""
    if given is None and os.environ.get("MOTCUA_CONFIG"):
        given = Path(os.environ["MOTCUA_CONFIG"])
    if given is None:
        raise CommandError("say which office the service runs: --config /etc/motcua/office.toml "
                           "(copy a sample from config/ and edit it)")
    return _absolute(given)


def _absolute(path: Path) -> Path:
    return Path(os.path.abspath(path))


def _unit_safe(path: Path, what: str) -> Path:
    """A path that goes into a unit's ExecStart as it is: no spaces (word splitting) nor % (specifiers)."""
    if re.search(r"[\s%\"'\\]", str(path)):
        raise CommandError(f"{what} {path}: a path with spaces, quotes or % cannot go into a systemd unit; "
                           "move it (e.g. /opt/motcua, /etc/motcua/office.toml)")
    return path


def installed_motcua() -> Path:
    """The ``motcua`` script beside the running Python (a venv's bin/), else the one on $PATH."""
    beside = Path(sys.executable).parent / "motcua"
    if beside.is_file():
        return _absolute(beside)
    found = shutil.which("motcua")
    if found is None:
        raise CommandError("cannot find the motcua program; pass --motcua /path/to/motcua")
    return _absolute(Path(found))


def find_cage() -> Path:
    """cage on $PATH, else where Debian's package puts it."""
    found = shutil.which("cage")
    return Path(found) if found else Path("/usr/bin/cage")


def unit_template(name: str) -> str:
    """The text of a unit template shipped in queue_server/deploy_units."""
    return resources.files("queue_server.deploy_units").joinpath(name).read_text(encoding="utf-8")


def render(template: str, values: dict[str, str]) -> str:
    """Fill ``{{name}}`` placeholders; a name without a value is a bug, not an empty string."""
    def value(match: re.Match[str]) -> str:
        try:
            return values[match.group(1)]
        except KeyError:
            raise KeyError(f"unit template placeholder {{{{{match.group(1)}}}}} has no value") from None

    return PLACEHOLDER.sub(value, template)


def protect_home(*paths: Path) -> str:
    """``yes`` hides /home from the service; ``read-only`` when motcua or the office file lives there."""
    inside = any(folder == path or folder in path.parents for path in paths for folder in HOME_FOLDERS)
    return "read-only" if inside else "yes"


def plan_install(role: str, config: OfficeConfig, motcua: Path, *, screen: str | None = None,
                 server: str | None = None, host: str = "0.0.0.0", port: int = DEFAULT_PORT,
                 backup_dir: Path = DEFAULT_BACKUP_DIR, keep: int = DEFAULT_KEEP,
                 cage: Path = Path("/usr/bin/cage")) -> InstallPlan:
    """The files, folders, user and units of one role (nothing is touched)."""
    if keep < 1:
        raise CommandError(f"--keep {keep}: keep at least 1 backup")
    _check_host(host)
    for path, what in ((motcua, "motcua program"), (config.path, "office file"), (backup_dir, "backup folder"),
                       (cage, "cage")):
        _unit_safe(path, what)
    values = {"motcua": str(motcua), "config": str(config.path), "office": config.office.name.replace("%", "%%"),
              "protect_home": protect_home(motcua, config.path)}
    units = Path("/etc/systemd/system")
    if role == "server":
        values.update(user=SERVER_USER, host=host, port=str(port), backup_dir=str(backup_dir),
                      keep=str(keep), timezone=config.office.timezone)
        plan = InstallPlan(user=SERVER_USER, folders=[(backup_dir, SERVER_USER)],
                           enable=["motcua-server.service", "motcua-backup.timer"])
        names: tuple[str, ...] = ("motcua-server.service", "motcua-backup.service", "motcua-backup.timer")
        plan.notes.append(f"open {port}/TCP to the office network (kiosks, boards, clerks' browsers, phones)")
    else:
        groups = tuple(g for g in SCREEN_GROUPS if _group_exists(g)) or SCREEN_GROUPS[:1]
        values.update(user=SCREEN_USER, groups=" ".join(groups), cage=str(cage), cage_options=CAGE_OPTIONS)
        plan = InstallPlan(user=SCREEN_USER, groups=groups)
        if role == "kiosk":
            names, env_name, enable = ("motcua-kiosk.service",), "kiosk.env", "motcua-kiosk.service"
        else:
            screen = _screen_name(config, screen)
            names, env_name = ("motcua-display@.service",), f"display-{screen}.env"
            enable = f"motcua-display@{screen}.service"
        plan.enable.append(enable)
        plan.files.append(PlannedFile(Path("/etc/motcua") / env_name, _token_file(role, server), 0o600, keep=True))
        plan.files.append(PlannedFile(Path("/etc/pam.d/motcua-screen"), PAM_SERVICE))
        if not cage.is_file():
            plan.notes.append(f"{cage} is missing: apt-get install cage xwayland")
    plan.files[:0] = [PlannedFile(units / name, render(unit_template(name), values)) for name in names]
    return plan


def _check_host(host: str) -> None:
    if not re.fullmatch(r"[\w.:\[\]-]+", host):
        raise CommandError(f"--host {host!r}: an IP address or a name, e.g. 0.0.0.0 or 127.0.0.1")


def plan_hub_install(motcua: Path, *, host: str = "127.0.0.1", port: int = DEFAULT_HUB_PORT) -> InstallPlan:
    """The province hub's unit, its user and the root-only file with the PostgreSQL DSN (nothing is touched)."""
    _check_host(host)
    _unit_safe(motcua, "motcua program")
    values = {"motcua": str(motcua), "user": HUB_USER, "host": host, "port": str(port), "env_file": str(HUB_ENV),
              "protect_home": protect_home(motcua)}
    name = "motcua-hub.service"
    dsn_file = ("# The hub's PostgreSQL (libpq connection string); the unit reads it, root only.\n"
                f"# Before the first start: runuser -u postgres -- createuser {HUB_USER}\n"
                f"#                         runuser -u postgres -- createdb -O {HUB_USER} motcua_hub\n"
                "MOTCUA_HUB_DSN=dbname=motcua_hub\n")
    plan = InstallPlan(user=HUB_USER, enable=[name], files=[
        PlannedFile(Path("/etc/systemd/system") / name, render(unit_template(name), values)),
        PlannedFile(HUB_ENV, dsn_file, 0o600, keep=True, fill_in="MOTCUA_HUB_DSN (the default suits a local "
                                                                  "PostgreSQL with the role and database above)")])
    plan.notes.append(f"put HTTPS in front (a reverse proxy to {host}:{port}); offices post their batches there")
    plan.notes.append(f"then: motcua hub office add CODE --name … (MOTCUA_HUB_DSN from {HUB_ENV}) for each office")
    return plan


def _group_exists(name: str) -> bool:
    import grp  # POSIX only: imported here so `motcua` still starts on Windows

    try:
        grp.getgrnam(name)
    except KeyError:
        return False
    return True


def _screen_name(config: OfficeConfig, screen: str | None) -> str:
    """The board's [[display.screens]] name, checked against the office file."""
    names = [str(s.get("name")) for s in config.section("display").get("screens", []) if isinstance(s, dict)]
    if screen is None:
        if not names:
            raise CommandError(f"{config.path} has no [[display.screens]]; add one or pass --screen NAME")
        screen = names[0]
    if names and screen not in names:
        raise CommandError(f"no screen {screen!r} in {config.path}; screens: {', '.join(names)}")
    if not SCREEN_NAME.match(screen):
        raise CommandError(f"screen name {screen!r}: use letters, digits, '-', '_' or '.' (it names a systemd unit)")
    return screen


def _token_file(role: str, server: str | None) -> str:
    """The environment file with the device's server address and token (kept secret: mode 0600)."""
    address = server or "http://SERVER-ADDRESS:8080"
    return (f"# The queue server and this {role}'s token: `motcua device add NAME --role {role}` on the server.\n"
            f"MOTCUA_SERVER={address}\n"
            "MOTCUA_TOKEN=\n")


def under(root: Path, path: Path) -> Path:
    """``path`` (absolute) inside ``root``."""
    return root / path.relative_to(path.anchor)


def print_plan(plan: InstallPlan, root: Path) -> None:
    """What ``apply_plan`` would do, for --dry-run."""
    for planned in plan.files:
        target = under(root, planned.path)
        kept = " (kept if it exists)" if planned.keep else ""
        print(f"--- would write {target} (mode {planned.mode:o}){kept}")
        print(planned.text, end="" if planned.text.endswith("\n") else "\n")
    for folder, owner in plan.folders:
        print(f"--- would create {under(root, folder)} (owner {owner}, mode 750)")
    for command in user_commands(plan):
        print(f"--- would run: {' '.join(command)}" + ("" if root == Path("/") else " (not with --root)"))


def user_commands(plan: InstallPlan) -> list[list[str]]:
    """useradd, or usermod for a user that exists, giving it its device groups."""
    home = HOMES[plan.user]
    import pwd  # POSIX only, as in _group_exists

    groups = [f"--groups={','.join(plan.groups)}"] if plan.groups else []
    try:
        pwd.getpwnam(plan.user)
    except KeyError:
        return [["useradd", "--system", "--user-group", f"--home-dir={home}", "--no-create-home",
                 "--shell=/usr/sbin/nologin", *groups, plan.user]]
    return [["usermod", "--append", *groups, plan.user]] if groups else []


def apply_plan(plan: InstallPlan, root: Path) -> None:
    """Write the files and folders; create the user when installing into the real system."""
    real_system = root == Path("/")
    if real_system and os.geteuid() != 0:
        raise CommandError("writing /etc/systemd/system needs root: run it with sudo (or try --dry-run, --root DIR)")
    if real_system:
        for command in user_commands(plan):
            result = subprocess.run(command, capture_output=True, text=True, check=False)
            if result.returncode != 0:
                raise CommandError(f"{' '.join(command)} failed: {result.stderr.strip()}")
    for planned in plan.files:
        target = under(root, planned.path)
        if planned.keep and target.exists():
            print(f"kept {target} (it may hold a token)")
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(planned.text, encoding="utf-8")
        target.chmod(planned.mode)
        print(f"wrote {target}")
    for folder, owner in plan.folders:
        target = under(root, folder)
        target.mkdir(parents=True, exist_ok=True)
        target.chmod(0o750)
        if real_system:
            shutil.chown(target, owner, owner)
        print(f"made {target}")


def print_next_steps(plan: InstallPlan, root: Path, dry_run: bool) -> None:
    """The systemctl commands to run next, and what the role still needs."""
    print()
    print("Then:" if not dry_run else "After a real install:")
    for file in plan.files:
        if file.keep:
            print(f"  edit {under(root, file.path)}: {file.fill_in}")
    print("  systemctl daemon-reload")
    print(f"  systemctl enable --now {' '.join(plan.enable)}")
    for note in plan.notes:
        print(f"  {note}")
    print("  journalctl -u 'motcua*' -f   # the logs")
