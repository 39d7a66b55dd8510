"""python-escpos's capabilities cache goes to the user's cache folder, never inside or beside the package."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.support.installed_copy import files_under, installed_copy, user_env

PRINT_A_TICKET = textwrap.dedent("""
    import os
    from datetime import datetime, timedelta, timezone
    import printers
    from printers.encode import encode_raster
    from printers.escpos_env import escpos_printer

    escpos_printer()
    now = datetime(2026, 11, 23, 9, 5, tzinfo=timezone(timedelta(hours=7)))
    encode_raster(printers.render_ticket(printers.sample_ticket(now), 80))
    print(printers.__file__)
    print(os.environ["ESCPOS_CAPABILITIES_PICKLE_DIR"])
""")


@pytest.mark.e2e
def test_the_escpos_cache_goes_to_the_user_cache_folder_and_nothing_into_the_package(tmp_path: Path) -> None:
    site = installed_copy(tmp_path, "printers")
    before = files_under(site)
    run = subprocess.run([sys.executable, "-c", PRINT_A_TICKET], cwd=tmp_path, env=user_env(tmp_path, site),
                         capture_output=True, text=True, timeout=60, check=False)
    assert run.returncode == 0, run.stderr
    package_file, cache_dir = run.stdout.split()
    assert Path(package_file) == site / "printers" / "__init__.py"  # the copy ran, not the checkout
    assert Path(cache_dir) == tmp_path / "home" / "cache" / "motcua" / "escpos"
    assert list(Path(cache_dir).glob("*.capabilities.pickle"))
    assert files_under(site) == before


def test_escpos_pickle_dir_set_by_the_environment_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from printers.escpos_env import capabilities_cache_dir

    monkeypatch.setenv("ESCPOS_CAPABILITIES_PICKLE_DIR", str(tmp_path / "mine"))
    assert capabilities_cache_dir() == tmp_path / "mine"
    monkeypatch.delenv("ESCPOS_CAPABILITIES_PICKLE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert capabilities_cache_dir() == tmp_path / "cache" / "motcua" / "escpos"
