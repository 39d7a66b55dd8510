"""A package copied as pip installs it, and an environment whose home and XDG folders are the test's own.

The user-folder tests (printers, kiosk) run a copied package in a child
process and check it writes only under the user's folders.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def installed_copy(tmp_path: Path, package: str) -> Path:
    """A writable stand-in for site-packages holding a copy of one package, as pip installs it."""
    site = tmp_path / "site-packages"
    shutil.copytree(PROJECT_ROOT / package, site / package, ignore=shutil.ignore_patterns("__pycache__"))
    return site


def files_under(folder: Path) -> dict[str, int]:
    """Every file under a folder with its size: what a test compares before and after."""
    return {str(path.relative_to(folder)): path.stat().st_size for path in folder.rglob("*") if path.is_file()}


def user_env(tmp_path: Path, site: Path) -> dict[str, str]:
    """This environment with a home and XDG folders in tmp_path, the copied package first on the path."""
    env = {k: v for k, v in os.environ.items() if k not in ("ESCPOS_CAPABILITIES_PICKLE_DIR", "KIVY_HOME")
           and not k.startswith("XDG_")}
    home = tmp_path / "home"
    env.update(HOME=str(home), XDG_CACHE_HOME=str(home / "cache"), XDG_STATE_HOME=str(home / "state"),
               XDG_CONFIG_HOME=str(home / "config"), XDG_DATA_HOME=str(home / "data"),
               PYTHONDONTWRITEBYTECODE="1", PYTHONPATH=f"{site}{os.pathsep}{PROJECT_ROOT}")
    return env
