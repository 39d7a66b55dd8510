"""Start the lobby board: ``run_board(...)`` (blocking) or ``start_board_process(...)``.

Kivy is configured here (``kivyenv.prepare_kivy``, shared with the kiosk),
before it is first imported, so importing this module is cheap and safe for
the server's ``motcua demo``.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from kivyenv import prepare_kivy

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


def run_board(server: str, token: str | None = None, screen: str | None = None, config_path: Path | str | None = None,
              record_dir: Path | str | None = None, size: tuple[int, int] | None = None, fullscreen: bool = False,
              voice: bool = True, timings_path: Path | str | None = None, token_file: Path | None = None,
              pair: bool = False) -> int:
    """Show the board for one screen until the window closes (call from the main thread).

    With ``pair`` (``motcua display``) the token is ``token``, else the token file's,
    else the board shows a pairing code first; without it a board with no token follows
    the feed anonymously as before (the demo, the tests' fake servers).
    """
    from queue_server.config import load_config
    from queue_server.display_settings import load_display_config

    office = load_config(config_path)
    display = load_display_config(office)
    screen_config = display.screen(screen)
    size = size or SIZES[screen_config.orientation]
    # The board's layout is built for one size; its command sets up Python logging for Kivy's warnings.
    prepare_kivy(size[0], size[1], fullscreen and record_dir is None, resizable=False, python_logging=True)
    from queue_server.device_token import choose_token, default_token_file

    from .app import BoardApp

    source = choose_token(token, token_file or default_token_file("display")) if pair else None
    app = BoardApp(server=server, token=source.token if source else token, display=display, screen=screen_config,
                   size=size, record_dir=Path(record_dir) if record_dir else None, voice=voice,
                   timings_path=Path(timings_path) if timings_path else None, token_source=source)
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
