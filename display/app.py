"""Start the lobby board: ``run_board(...)`` (blocking) or ``start_board_process(...)``.

Kivy is configured here, before it is first imported (window size and
orientation, a private KIVY_HOME, no argument parsing), so importing this
module is cheap and safe for the server's ``motcua demo``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

SIZES = {"landscape": (1920, 1080), "portrait": (1080, 1920)}


@dataclass(frozen=True)
class BoardOptions:
    """How to run one board."""

    server: str
    token: str | None = None
    screen: str | None = None
    config_path: Path | None = None
    record_dir: Path | None = None
    size: tuple[int, int] | None = None
    fullscreen: bool = False
    voice: bool = True


def prepare_kivy(size: tuple[int, int], fullscreen: bool) -> None:
    """Environment and window settings Kivy reads at import time."""
    os.environ.setdefault("KIVY_NO_ARGS", "1")
    os.environ.setdefault("KIVY_NO_CONSOLELOG", "0")
    os.environ.setdefault("KIVY_HOME", str(Path(tempfile.gettempdir()) / "motcua-kivy"))
    os.environ.setdefault("KIVY_LOG_MODE", "PYTHON")
    from kivy.config import Config

    Config.set("kivy", "log_level", "warning")
    Config.set("graphics", "width", str(size[0]))
    Config.set("graphics", "height", str(size[1]))
    Config.set("graphics", "resizable", "0")
    Config.set("graphics", "multisamples", "0")  # no MSAA: text and rectangles do not need it; halves software GL work
    Config.set("graphics", "fullscreen", "auto" if fullscreen else "0")
    Config.set("input", "mouse", "mouse,disable_multitouch")


def run_board(server: str, token: str | None = None, screen: str | None = None, config_path: Path | str | None = None,
              record_dir: Path | str | None = None, size: tuple[int, int] | None = None, fullscreen: bool = False,
              voice: bool = True, timings_path: Path | str | None = None) -> int:
    """Show the board for one screen until the window closes (call from the main thread)."""
    from queue_server.config import load_config
    from queue_server.display_settings import load_display_config

    office = load_config(config_path)
    display = load_display_config(office)
    screen_config = display.screen(screen)
    size = size or SIZES[screen_config.orientation]
    prepare_kivy(size, fullscreen and record_dir is None)
    from .board_app import BoardApp

    app = BoardApp(server=server, token=token, display=display, screen=screen_config, size=size,
                   record_dir=Path(record_dir) if record_dir else None, voice=voice,
                   timings_path=Path(timings_path) if timings_path else None)
    app.run()
    return 0


def start_board_process(server: str, token: str | None = None, screen: str | None = None,
                        config_path: Path | str | None = None, record_dir: Path | str | None = None,
                        extra_args: tuple[str, ...] = ()) -> subprocess.Popen:
    """Run ``motcua display`` as a child process (Kivy wants its own main thread)."""
    command = [sys.executable, "-m", "queue_server.cli", "display", "--server", server]
    for flag, value in (("--token", token), ("--screen", screen), ("--config", config_path),
                        ("--record", record_dir)):
        if value:
            command += [flag, str(value)]
    return subprocess.Popen([*command, *extra_args])
