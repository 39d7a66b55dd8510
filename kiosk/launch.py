"""Start the kiosk (or its tour): config, Kivy environment, client, printer, reader.

``run_kiosk(server, token, printer_uri)`` is what ``motcua demo`` calls to open
the kiosk window (it blocks until the window closes and must run on the main
thread); ``can_open_window()`` says whether this machine has a screen. Importing
this module does not import Kivy, so it is safe before the environment is set.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from kivyenv import has_display, prepare_kivy
from queue_server.config import OfficeConfig, load_config

from .settings import KioskSettings, settings_from_config


def load_settings(config_path: Path | None) -> KioskSettings:
    """The kiosk's settings from the office file (``$MOTCUA_CONFIG`` or the sample office)."""
    return settings_from_config(load_config(config_path))


def choose_printer(printer_uri: str | None, settings: KioskSettings, config: OfficeConfig) -> tuple[str, Any]:
    """The printer URI: ``--printer``, else ``[kiosk] printer``, else ``[printer] uri``; and [printer] settings."""
    from .printing import office_printer

    office_uri, printer_settings = office_printer(config)
    if printer_uri is not None:
        return printer_uri, printer_settings
    return settings.printer or office_uri, printer_settings


def run_kiosk_from_config(server: str, token: str | None, printer_uri: str | None, config_path: Path | None = None,
                          tour_dir: Path | None = None, size: tuple[int, int] | None = None,
                          windowed: bool = False, shot_width: int | None = None, serve_as: str | None = None,
                          token_file: Path | None = None) -> int:
    """Build everything and run until the window closes (or the tour ends).

    The token: ``token`` (--token / $MOTCUA_TOKEN), else ``token_file`` (default
    the user's ``kiosk-token``), else the kiosk shows a pairing code first.
    """
    config = load_config(config_path)
    settings = settings_from_config(config)
    if size is not None:
        settings = _with(settings, width=size[0], height=size[1])
    if tour_dir is not None:  # pictures of a 1080p lobby screen unless --size says otherwise
        settings = _with(settings, fullscreen=False, retry_seconds=0.5,
                         **({} if size else {"width": 1920, "height": 1080}))
    elif windowed or not has_display():
        settings = _with(settings, fullscreen=False)
    prepare_kivy(settings.width, settings.height, settings.fullscreen)
    from queue_server.client import QueueClient
    from queue_server.device_token import choose_token, default_token_file

    from .printing import make_printer
    from .read_aloud import SilentReader, SpeechReader

    source = choose_token(token, token_file or default_token_file("kiosk"))
    client = QueueClient(server, token if tour_dir is not None else source.token, timeout=3.0)
    uri, printer_settings = choose_printer(printer_uri, settings, config)
    if tour_dir is not None:
        from .tour import run_tour

        return run_tour(client, settings, printer_uri or "", Path(tour_dir), SilentReader(), shot_width,
                        clerk=_signed_in(server, serve_as) if serve_as else None)
    from .app import KioskApp

    app = KioskApp(client, settings, make_printer(uri, printer_settings), SpeechReader(voice=settings.voice),
                   token_source=source)
    app.run()
    return 0


def _signed_in(server: str, user: str) -> Any:
    """A client signed in as ``user`` with the password in $MOTCUA_PASSWORD (never on the command line)."""
    from queue_server.cli_support import CommandError
    from queue_server.client import ApiError, QueueClient

    password = os.environ.get("MOTCUA_PASSWORD")
    if not password:
        raise CommandError(f"--serve-as {user}: put the password of {user} in $MOTCUA_PASSWORD")
    clerk = QueueClient(server, None, timeout=5.0)
    try:
        clerk.login(user, password)
    except ApiError as exc:
        raise CommandError(f"--serve-as {user}: {exc}") from None
    return clerk


def run_kiosk(server: str, token: str | None, printer_uri: str | None = None, config_path: Path | None = None) -> int:
    """The kiosk window against ``server`` (what ``motcua demo`` opens beside the server)."""
    return run_kiosk_from_config(server, token, printer_uri, config_path, windowed=True)


def can_open_window() -> bool:
    """Whether a kiosk window can be shown here (X11 or Wayland present)."""
    return has_display()


def _with(settings: KioskSettings, **changes: Any) -> KioskSettings:
    """A copy of frozen settings with some values changed."""
    from dataclasses import replace

    return replace(settings, **changes)
