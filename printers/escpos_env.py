"""Import python-escpos safely.

``escpos.capabilities`` writes a pickle cache at import time, into
``$ESCPOS_CAPABILITIES_PICKLE_DIR`` or else a fresh temporary folder per
process (which is never removed). Unless that variable is set, motcua points
it at the user's cache folder (``~/.cache/motcua/escpos`` on Linux), never
at the installed package; every module here imports escpos through this one.
"""

from __future__ import annotations

import importlib
import os
import sys
import tempfile
from pathlib import Path
from types import ModuleType

from platformdirs import user_cache_dir

CACHE_ENV = "ESCPOS_CAPABILITIES_PICKLE_DIR"
"""python-escpos's own variable: set, it wins over the user cache folder."""


def capabilities_cache_dir() -> Path:
    """Where the capabilities pickle goes: ``$ESCPOS_CAPABILITIES_PICKLE_DIR`` or ``<user cache>/motcua/escpos``."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV])
    return Path(user_cache_dir("motcua", appauthor=False)) / "escpos"


def escpos_printer() -> ModuleType:
    """``escpos.printer``, imported with the capabilities cache in a folder that exists."""
    if "escpos.capabilities" not in sys.modules:  # the cache is written once, at the first import
        folder = capabilities_cache_dir()
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError:  # no writable home (a locked-down kiosk account): a private temporary folder
            folder = Path(tempfile.mkdtemp(prefix="motcua-escpos-"))
        os.environ[CACHE_ENV] = str(folder)
    return importlib.import_module("escpos.printer")
