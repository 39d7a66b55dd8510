"""Kivy's home (config.ini, logs) goes to the user's state folder, never inside or beside the installed code."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.support.installed_copy import files_under, installed_copy, user_env

PREPARE_KIVY = textwrap.dedent("""
    import os
    import kivyenv
    from kivyenv import prepare_kivy

    prepare_kivy(800, 600)  # imports kivy.config, which writes its config.ini
    print(kivyenv.__file__)
    print(os.environ["KIVY_HOME"])
""")


@pytest.mark.e2e
def test_kivy_home_is_in_the_user_state_folder_and_nothing_goes_into_the_package(tmp_path: Path) -> None:
    site = installed_copy(tmp_path, "kivyenv")
    before = files_under(site)
    run = subprocess.run([sys.executable, "-c", PREPARE_KIVY], cwd=tmp_path, env=user_env(tmp_path, site),
                         capture_output=True, text=True, timeout=60, check=False)
    assert run.returncode == 0, run.stderr
    package_file, kivy_home = run.stdout.split()[-2:]
    assert Path(package_file) == site / "kivyenv" / "__init__.py"  # the copy ran, not the checkout
    assert Path(kivy_home) == tmp_path / "home" / "state" / "motcua" / "kivy"
    assert (Path(kivy_home) / "config.ini").is_file()
    assert files_under(site) == before


def test_kivy_home_set_by_the_environment_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from kivyenv import kivy_home_dir

    monkeypatch.setenv("KIVY_HOME", str(tmp_path / "mine"))
    assert kivy_home_dir() == tmp_path / "mine"
    monkeypatch.delenv("KIVY_HOME")
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    assert kivy_home_dir() == tmp_path / "state" / "motcua" / "kivy"
