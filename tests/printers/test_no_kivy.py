"""printers/ draws and encodes tickets with its own Roboto, so the ``printer`` extra needs no Kivy."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[2]

WITHOUT_KIVY = textwrap.dedent("""
    import importlib, pkgutil, sys
    from datetime import datetime, timedelta, timezone

    class NoKivy:
        '''Refuses to import kivy, as on a machine without it.'''
        def find_spec(self, name, path=None, target=None):
            if name == "kivy" or name.startswith("kivy."):
                raise ImportError(f"kivy is blocked: printers imported {name}")
            return None

    sys.meta_path.insert(0, NoKivy())
    import printers
    for module in pkgutil.iter_modules(printers.__path__, "printers."):
        importlib.import_module(module.name)
    from printers.encode import encode_raster
    from printers.fonts import font_path

    now = datetime(2026, 11, 23, 9, 5, tzinfo=timezone(timedelta(hours=7)))
    ticket = printers.sample_ticket(now, office_name="Trung tâm Phục vụ hành chính công phường Đống Đa")
    data = encode_raster(printers.render_ticket(ticket, 58))
    assert b"\\x1dv0" in data, "no raster image in the job"
    assert not [name for name in sys.modules if name == "kivy" or name.startswith("kivy.")]
    print(font_path("Roboto-Bold.ttf"))
""")


@pytest.mark.e2e
def test_printers_render_and_encode_a_ticket_with_kivy_blocked() -> None:
    run = subprocess.run([sys.executable, "-c", WITHOUT_KIVY], cwd=PROJECT_ROOT, capture_output=True, text=True,
                         timeout=60, check=False)
    assert run.returncode == 0, run.stderr
    assert Path(run.stdout.strip()) == PROJECT_ROOT / "printers" / "fonts" / "Roboto-Bold.ttf"


def test_the_bundled_fonts_are_printers_own_with_their_licence() -> None:
    from printers.fonts import BOLD, REGULAR, font_path

    folder = PROJECT_ROOT / "printers" / "fonts"
    assert font_path(REGULAR) == folder / REGULAR and font_path(BOLD) == folder / BOLD
    licence = (folder / "LICENSE-Roboto.txt").read_text(encoding="utf-8")
    assert "Roboto" in licence and "Apache License" in licence and "Version 2.0" in licence
