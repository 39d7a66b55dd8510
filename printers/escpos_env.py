"""Import python-escpos safely.

``escpos.capabilities`` writes a pickle cache at import time, into
``$ESCPOS_CAPABILITIES_PICKLE_DIR`` or else a fresh temporary folder per
process (which is never removed). Point it at a project-local folder that
exists before the first import; every module here imports escpos through
this one.
"""

from __future__ import annotations

import os
from pathlib import Path
from types import ModuleType

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def capabilities_cache_dir() -> Path:
    """``.cache/escpos`` in the project, or the user's cache folder when that is read-only."""
    folder = PROJECT_ROOT / ".cache" / "escpos"
    if not os.access(PROJECT_ROOT, os.W_OK):
        folder = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "motcua" / "escpos"
    return folder


def escpos_printer() -> ModuleType:
    """``escpos.printer``, imported with the capabilities cache in a folder that exists."""
    if "ESCPOS_CAPABILITIES_PICKLE_DIR" not in os.environ:
        folder = capabilities_cache_dir()
        folder.mkdir(parents=True, exist_ok=True)
        os.environ["ESCPOS_CAPABILITIES_PICKLE_DIR"] = str(folder)
    import escpos.printer

    return escpos.printer
