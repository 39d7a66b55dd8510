"""Broken office files: a ConfigError that names the file, the key and the fix; exit 2 at the CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from queue_server.config import ConfigError, load_config
from tests.support.live_server import COMMUNE, PROJECT, free_port
from tests.support.servers import office_config

COUNTER_5 = 'number = 5\nname = "Quầy 5"\nservices = ["VH", "KQ"]'

# case: (replacements in the sample office, key named, words of the fix in the message)
BROKEN = {
    "unknown key on a counter": (
        {COUNTER_5: COUNTER_5 + '\ncolour = "red"'}, "counters[4].colour",
        "unknown key; valid keys here: name, number, services"),
    "unknown service on a counter": (
        {'services = ["VH", "KQ"]': 'services = ["XX"]'}, "counters[4].services",
        "unknown service 'XX' (known: HT, VP, DC, VH, KQ); use one of the codes under [[services]]"),
    "duplicate prefix": (
        {'prefix = "B"': 'prefix = "A"'}, "services[1].prefix",
        "duplicate prefix 'A' (also used by HT); give each service its own prefix"),
    "duplicate service code": (
        {'code = "VP"': 'code = "HT"'}, "services[1].code", "give each service its own code"),
    "duplicate counter number": (
        {"number = 5": "number = 4"}, "counters[4].number", "give each counter its own number"),
    "counter number zero": (
        {"number = 5": "number = 0"}, "counters[4].number", "give each counter its own number"),
    "bad time zone": (
        {'timezone = "Asia/Ho_Chi_Minh"': 'timezone = "Asia/Hanoi"'}, "office.timezone",
        "unknown time zone 'Asia/Hanoi'; use e.g. \"Asia/Ho_Chi_Minh\""),
    "time zone that is a path": (
        {'timezone = "Asia/Ho_Chi_Minh"': 'timezone = "../../etc/passwd"'}, "office.timezone", "use e.g."),
    "bad policy name": (
        {'priority_policy = "priority_first"': 'priority_policy = "fifo"'}, "queue.priority_policy",
        'use "priority_first" or "every_n"'),
    "bad call_with_current": (
        {'call_with_current = "complete"': 'call_with_current = "skip"'}, "queue.call_with_current",
        'use "complete" or "refuse"'),
    "text where a number belongs": (
        {"session_hours = 12": 'session_hours = "12"'}, "limits.session_hours", "expected a whole number"),
    "a limit of zero": (
        {"tickets_per_minute_per_device = 30": "tickets_per_minute_per_device = 0"},
        "limits.tickets_per_minute_per_device", "must be 1 or more"),
    "unknown priority": (
        {'"merit", "appointment"]': '"merit", "vip"]'}, "office.priorities", "use some of"),
    "unknown section": (
        {"[limits]": "[limit]"}, "limit", "unknown key; valid keys here:"),
    "TOML syntax error": (
        {'name = "Quầy 5"': 'name = "Quầy 5'}, "(syntax)", "fix the TOML syntax there"),
}


@pytest.mark.parametrize("case", list(BROKEN), ids=list(BROKEN))
def test_a_broken_office_file_names_the_file_the_key_and_the_fix(tmp_path: Path, case: str) -> None:
    replacements, key, fix = BROKEN[case]
    path = office_config(tmp_path, replacements, name="broken.toml")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    error = caught.value
    assert (error.path, error.key) == (str(path), key)
    assert fix in error.message
    assert str(error) == f"{path}: {key}: {error.message}"


def test_the_syntax_error_says_where(tmp_path: Path) -> None:
    path = office_config(tmp_path, {'name = "Quầy 5"': 'name = "Quầy 5'})
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert "line" in caught.value.message


def test_a_missing_file_says_how_to_point_at_one(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path / "nowhere.toml")
    assert (caught.value.key, caught.value.message) == ("(file)", "no such file; pass --config or set MOTCUA_CONFIG")
    assert "nowhere.toml" in str(caught.value)


def test_a_folder_or_unreadable_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path)
    assert caught.value.key == "(file)"


def test_a_file_that_is_not_utf8_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "latin1.toml"
    path.write_bytes(COMMUNE.read_text(encoding="utf-8").encode("utf-16"))
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert caught.value.key in ("(file)", "(syntax)")


def test_the_sample_offices_load() -> None:
    for name in ("commune.toml", "province.toml"):
        config = load_config(PROJECT / "config" / name)
        assert config.office.services and config.office.counters


def _serve(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "queue_server.cli", "serve", *args], capture_output=True, text=True,
                          cwd=PROJECT, env={**os.environ, **(env or {})}, timeout=60)


def test_serve_with_a_broken_office_file_exits_2_with_one_line(tmp_path: Path) -> None:
    path = office_config(tmp_path, {'services = ["VH", "KQ"]': 'services = ["XX"]'}, name="broken.toml")
    done = _serve("--config", str(path), "--db", str(tmp_path / "x.db"), "--port", str(free_port()))
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert done.stderr == (f"motcua: configuration error: {path}: counters[4].services: unknown service 'XX' "
                           "(known: HT, VP, DC, VH, KQ); use one of the codes under [[services]]\n")
    assert not (tmp_path / "x.db").exists()  # nothing was created for a server that never started
