"""``motcua service install``: the systemd units it writes are valid, run this motcua on the office file, and stay safe.

Every unit is rendered into a temp root exactly as on an office PC and checked
with ``systemd-analyze verify`` (which also needs each ExecStart program to exist:
the units point at this venv's ``motcua`` and at a real stand-in for cage).
"""

from __future__ import annotations

import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from queue_server.cli import main
from queue_server.service_cli import protect_home, render
from tests.support.live_server import COMMUNE

SYSTEMD_ANALYZE = shutil.which("systemd-analyze") or ""
needs_systemd_analyze = pytest.mark.skipif(not SYSTEMD_ANALYZE,
                                           reason="systemd-analyze is not installed (Debian package systemd)")
MOTCUA = Path(sys.executable).parent / "motcua"
PROGRAM = MOTCUA if MOTCUA.is_file() else Path(sys.executable)
CAGE = Path(shutil.which("true") or sys.executable)  # any real program: verify checks that ExecStart exists
UNITS = Path("etc/systemd/system")


def install(root: Path, role: str, *extra: str) -> int:
    """``motcua service install`` into ``root`` with this venv's motcua and the sample office."""
    return main(["service", "install", "--role", role, "--config", str(COMMUNE), "--root", str(root),
                 "--motcua", str(PROGRAM), "--cage", str(CAGE), *extra])


def directives(path: Path) -> dict[str, list[str]]:
    """``Key`` → every value it has in a unit file (keys repeat: After=, SystemCallFilter=…)."""
    found: dict[str, list[str]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if "=" in line and not line.startswith(("#", "[")):
            key, value = line.split("=", 1)
            found.setdefault(key, []).append(value)
    return found


@pytest.fixture(scope="module")
def every_role(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One root with the server's, the kiosk's, a lobby board's and the province hub's files."""
    root = tmp_path_factory.mktemp("root")
    for role, extra in (("server", ()), ("kiosk", ("--server", "http://10.0.0.2:8080")),
                        ("display", ("--screen", "cua-vao")), ("hub", ())):
        assert install(root, role, *extra) == 0
    return root


def test_each_role_writes_its_units(every_role: Path) -> None:
    assert sorted(p.name for p in (every_role / UNITS).iterdir()) == [
        "motcua-backup.service", "motcua-backup.timer", "motcua-display@.service",
        "motcua-hub.service", "motcua-kiosk.service", "motcua-server.service"]


@needs_systemd_analyze
def test_every_unit_passes_systemd_analyze_verify(every_role: Path, tmp_path: Path) -> None:
    units = sorted((every_role / UNITS).iterdir())
    # A template is verified as an instance: the board of the screen "cua-vao".
    instance = tmp_path / "motcua-display@cua-vao.service"
    shutil.copyfile(every_role / UNITS / "motcua-display@.service", instance)
    checked = [u for u in units if not u.name.endswith("@.service")] + [instance]
    result = subprocess.run([SYSTEMD_ANALYZE, "verify", *map(str, checked)], capture_output=True, text=True,
                            check=False, timeout=60)
    complaints = [line for line in (result.stdout + result.stderr).splitlines() if "motcua" in line]
    assert result.returncode == 0 and complaints == [], result.stdout + result.stderr


@needs_systemd_analyze
def test_verify_catches_a_unit_whose_program_is_missing(every_role: Path, tmp_path: Path) -> None:
    broken = tmp_path / "motcua-server.service"
    text = (every_role / UNITS / "motcua-server.service").read_text(encoding="utf-8")
    broken.write_text(text.replace(str(PROGRAM), "/nonexistent/motcua"), encoding="utf-8")
    result = subprocess.run([SYSTEMD_ANALYZE, "verify", str(broken)], capture_output=True, text=True,
                            check=False, timeout=60)
    assert result.returncode != 0 and "/nonexistent/motcua" in result.stderr


@needs_systemd_analyze
@pytest.mark.parametrize("name", ["motcua-server.service", "motcua-hub.service"])
def test_the_server_and_hub_units_are_rated_well_hardened(every_role: Path, name: str) -> None:
    unit = every_role / UNITS / name
    result = subprocess.run([SYSTEMD_ANALYZE, "security", "--offline=yes", str(unit)],
                            capture_output=True, text=True, check=False, timeout=60)
    level = re.search(rf"Overall exposure level for {re.escape(name)}: ([\d.]+)", result.stdout)
    assert level is not None, result.stdout + result.stderr
    assert float(level.group(1)) <= 2.0


def test_the_server_runs_this_motcua_on_the_office_file_in_its_state_dir(every_role: Path) -> None:
    unit = directives(every_role / UNITS / "motcua-server.service")
    db = "--db /var/lib/motcua/motcua.db"
    assert unit["ExecStart"] == [f"{PROGRAM} serve --config {COMMUNE} {db} --host 0.0.0.0 --port 8080"]
    assert unit["ExecStartPre"] == [f"{PROGRAM} init --config {COMMUNE} {db}"]
    assert (unit["User"], unit["StateDirectory"], unit["ProtectSystem"]) == (["motcua"], ["motcua"], ["strict"])
    assert unit["Restart"] == ["on-failure"] and unit["KillSignal"] == ["SIGINT"]
    assert unit["WantedBy"] == ["multi-user.target"]


def test_the_server_unit_also_runs_the_sync_worker_which_may_lower_its_own_priority(every_role: Path) -> None:
    """One unit for the queue and its shipping to the hub: serve starts the worker when [sync] is set."""
    text = (every_role / UNITS / "motcua-server.service").read_text(encoding="utf-8")
    unit = directives(every_role / UNITS / "motcua-server.service")
    assert len(unit["ExecStart"]) == 1 and "sync" not in unit["ExecStart"][0]
    assert "[sync]" in text and "token_file" in text
    # @resources stays denied but for setpriority, which the worker's os.nice needs.
    assert unit["SystemCallFilter"] == ["@system-service", "~@privileged @resources", "setpriority"]


def test_the_hub_serves_with_its_database_from_a_root_only_file_not_the_command_line(every_role: Path) -> None:
    unit = directives(every_role / UNITS / "motcua-hub.service")
    assert unit["ExecStart"] == [f"{PROGRAM} hub serve --host 127.0.0.1 --port 8090"]
    assert unit["EnvironmentFile"] == ["/etc/motcua/hub.env"] and unit["User"] == ["motcua-hub"]
    assert unit["After"] == ["network-online.target postgresql.service"] and unit["KillSignal"] == ["SIGTERM"]
    dsn_file = every_role / "etc/motcua/hub.env"
    assert stat.S_IMODE(dsn_file.stat().st_mode) == 0o600
    assert "MOTCUA_HUB_DSN=dbname=motcua_hub\n" in dsn_file.read_text(encoding="utf-8")


def test_a_hub_install_needs_no_office_file_and_keeps_its_dsn(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("MOTCUA_CONFIG", raising=False)
    args = ["service", "install", "--role", "hub", "--root", str(tmp_path), "--motcua", str(PROGRAM)]
    assert main([*args, "--port", "9000"]) == 0
    dsn_file = tmp_path / "etc/motcua/hub.env"
    dsn_file.write_text("MOTCUA_HUB_DSN=host=db.tinh user=hub password=secret\n", encoding="utf-8")
    assert main([*args, "--port", "9000"]) == 0
    assert dsn_file.read_text(encoding="utf-8") == "MOTCUA_HUB_DSN=host=db.tinh user=hub password=secret\n"
    (exec_start,) = directives(tmp_path / UNITS / "motcua-hub.service")["ExecStart"]
    assert exec_start.endswith("--port 9000") and "secret" not in exec_start
    out = capsys.readouterr().out
    assert "systemctl enable --now motcua-hub.service" in out and "MOTCUA_HUB_DSN" in out


def test_the_backup_runs_daily_in_the_office_time_zone_and_catches_up_after_a_night_off(every_role: Path) -> None:
    service = directives(every_role / UNITS / "motcua-backup.service")
    timer = directives(every_role / UNITS / "motcua-backup.timer")
    assert service["ExecStart"] == [f"{PROGRAM} backup --db /var/lib/motcua/motcua.db /var/backups/motcua --keep 30"]
    assert service["ReadWritePaths"] == ["/var/backups/motcua"]
    assert timer["OnCalendar"] == ["*-*-* 17:45:00 Asia/Ho_Chi_Minh"] and timer["Persistent"] == ["true"]
    assert (every_role / "var/backups/motcua").is_dir()


def test_the_kiosk_runs_full_screen_under_cage_on_tty1_and_always_comes_back(every_role: Path) -> None:
    unit = directives(every_role / UNITS / "motcua-kiosk.service")
    assert unit["ExecStart"] == [f"{CAGE} -d -s -- {PROGRAM} kiosk --config {COMMUNE}"]
    assert (unit["TTYPath"], unit["PAMName"], unit["Restart"]) == (["/dev/tty1"], ["motcua-screen"], ["always"])
    assert unit["Conflicts"] == ["getty@tty1.service"] and unit["StartLimitIntervalSec"] == ["0"]
    assert unit["EnvironmentFile"] == ["/etc/motcua/kiosk.env"]


def test_a_board_unit_is_a_template_named_by_its_screen(every_role: Path) -> None:
    unit = directives(every_role / UNITS / "motcua-display@.service")
    assert unit["ExecStart"] == [f"{CAGE} -d -s -- {PROGRAM} display --config {COMMUNE} --screen %i --fullscreen"]
    assert unit["EnvironmentFile"] == ["/etc/motcua/display-%i.env"] and unit["Restart"] == ["always"]
    assert (every_role / "etc/motcua/display-cua-vao.env").is_file()


def test_the_token_file_is_for_root_only_and_survives_a_reinstall(tmp_path: Path) -> None:
    assert install(tmp_path, "kiosk", "--server", "http://10.0.0.2:8080") == 0
    token_file = tmp_path / "etc/motcua/kiosk.env"
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
    assert "MOTCUA_SERVER=http://10.0.0.2:8080\n" in token_file.read_text(encoding="utf-8")
    token_file.write_text("MOTCUA_SERVER=http://10.0.0.2:8080\nMOTCUA_TOKEN=secret\n", encoding="utf-8")
    assert install(tmp_path, "kiosk") == 0
    assert "MOTCUA_TOKEN=secret" in token_file.read_text(encoding="utf-8")


def test_a_dry_run_shows_every_file_and_the_user_but_writes_nothing(tmp_path: Path,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    assert install(tmp_path, "server", "--dry-run") == 0
    out = capsys.readouterr().out
    assert list(tmp_path.iterdir()) == []
    for name in ("motcua-server.service", "motcua-backup.service", "motcua-backup.timer"):
        assert f"would write {tmp_path / UNITS / name}" in out
    assert "ExecStart=" in out and "systemctl enable --now motcua-server.service motcua-backup.timer" in out
    assert re.search(r"would run: user(add|mod) .*motcua", out)


def test_a_screen_the_office_does_not_have_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert install(tmp_path, "display", "--screen", "tang-2") == 1
    assert "no screen 'tang-2'" in capsys.readouterr().err and list(tmp_path.iterdir()) == []


def test_an_install_without_an_office_file_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("MOTCUA_CONFIG", raising=False)
    assert main(["service", "install", "--role", "server", "--root", str(tmp_path), "--motcua", str(PROGRAM)]) == 1
    assert "--config /etc/motcua/office.toml" in capsys.readouterr().err


def test_a_path_with_a_space_is_refused_before_it_breaks_execstart(tmp_path: Path,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    spaced = tmp_path / "my office.toml"
    shutil.copyfile(COMMUNE, spaced)
    files_dir = f'[office]\nfiles_dir = "{COMMUNE.parent}"\n'
    spaced.write_text(spaced.read_text(encoding="utf-8").replace("[office]\n", files_dir, 1), encoding="utf-8")
    assert main(["service", "install", "--role", "server", "--config", str(spaced), "--root", str(tmp_path / "r"),
                 "--motcua", str(PROGRAM)]) == 1
    assert "cannot go into a systemd unit" in capsys.readouterr().err


def test_home_is_hidden_unless_motcua_or_the_office_file_lives_there() -> None:
    assert protect_home(Path("/opt/motcua/bin/motcua"), Path("/etc/motcua/office.toml")) == "yes"
    assert protect_home(Path("/home/it/motcua/.venv/bin/motcua"), Path("/etc/motcua/office.toml")) == "read-only"
    assert protect_home(Path("/opt/motcua/bin/motcua"), Path("/root/office.toml")) == "read-only"
    assert protect_home(Path("/homework/motcua"), Path("/etc/x.toml")) == "yes"


def test_a_template_placeholder_without_a_value_is_an_error_not_a_blank() -> None:
    assert render("ExecStart={{motcua}} serve", {"motcua": "/opt/m"}) == "ExecStart=/opt/m serve"
    with pytest.raises(KeyError, match="port"):
        render("--port {{port}}", {})


def test_a_server_behind_a_local_proxy_listens_on_loopback_only(tmp_path: Path) -> None:
    assert install(tmp_path, "server", "--host", "127.0.0.1", "--port", "8081") == 0
    (exec_start,) = directives(tmp_path / UNITS / "motcua-server.service")["ExecStart"]
    assert exec_start.endswith("--host 127.0.0.1 --port 8081")
