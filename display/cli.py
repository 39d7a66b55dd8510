"""``motcua display`` (the lobby board) and ``motcua overlay`` (camera overlays)."""

from __future__ import annotations

import argparse
import logging
import threading
from datetime import datetime
from pathlib import Path

from queue_server.cli_support import CommandError, add_client_options


def register(subcommands: argparse._SubParsersAction) -> None:
    """Add the display's commands to ``motcua``."""
    display = subcommands.add_parser("display", help="the lobby display board (Kivy) with voice calls")
    add_client_options(display, pairs_as="display")
    display.add_argument("--config", type=Path, default=None,
                         help="office TOML with the [display] section (default: $MOTCUA_CONFIG, then the sample)")
    display.add_argument("--screen", default=None, help="screen name from [[display.screens]] (default: the first)")
    display.add_argument("--record", type=Path, default=None, metavar="DIR",
                         help="write a PNG of the board after each event and a WAV of each call instead of playing it")
    display.add_argument("--size", default=None, metavar="WxH",
                         help="window size (default 1920x1080, or 1080x1920 portrait)")
    display.add_argument("--fullscreen", action="store_true", help="take the whole screen")
    display.add_argument("--no-voice", action="store_true", help="do not speak calls")
    display.add_argument("--no-pairing", action="store_true",
                         help="with no token: follow the feed anonymously instead of showing a pairing code "
                              "(the board then does not show as alive in /admin)")
    display.add_argument("--timings", type=Path, default=None, metavar="FILE",
                         help="append when each event arrived, was painted and spoken "
                              "(JSON lines; for bench/display.py)")
    display.set_defaults(handler=run_display)

    overlay = subcommands.add_parser("overlay", help="put the queue strip on a counter's camera video")
    add_client_options(overlay)
    overlay.add_argument("--config", type=Path, default=None, help="office TOML (cameras under [[display.cameras]])")
    overlay.add_argument("--counter", type=int, action="append", required=True, help="counter number (repeatable)")
    overlay.add_argument("--source", default=None,
                         help="rtsp://…, usb:N or a video file (default: the counter's camera in the config)")
    overlay.add_argument("--out", type=Path, default=None, metavar="DIR", help="write hourly video segments here")
    overlay.add_argument("--mjpeg", type=int, default=None, metavar="PORT",
                         help="serve /counter/N.mjpg, /counter/N.jpg and /counter/N.png on this port")
    overlay.add_argument("--png", type=Path, default=None, metavar="FILE",
                         help="write the transparent overlay PNG of the counter now and exit")
    overlay.add_argument("--start-time", default=None, help="for a video file: ISO time of its first frame")
    overlay.set_defaults(handler=run_overlay)


def _parse_size(text: str | None) -> tuple[int, int] | None:
    if not text:
        return None
    try:
        width, height = (int(part) for part in text.lower().split("x"))
    except ValueError:
        raise CommandError(f"--size {text!r}: use WIDTHxHEIGHT, e.g. 1920x1080") from None
    return width, height


def run_display(args: argparse.Namespace) -> int:
    """Run the board until its window closes."""
    from .launch import run_board

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # A ConfigError (unknown screen, bad [display] key) becomes one line at the motcua edge.
    return run_board(args.server, args.token, args.screen, args.config, args.record, _parse_size(args.size),
                     args.fullscreen, voice=not args.no_voice, timings_path=args.timings,
                     token_file=args.token_file, pair=not args.no_pairing)


def run_overlay(args: argparse.Namespace) -> int:
    """Overlay the queue strip on camera video until stopped."""
    from queue_server.client import QueueClient
    from queue_server.config import load_config
    from queue_server.display_settings import load_display_config

    from .camera import FrameHub, OverlayRunner, StateHolder, make_http_server
    from .live import EventFeed
    from .overlay import overlay_png

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    office = load_config(args.config)
    display = load_display_config(office)
    timezone = office.office.timezone
    holder = StateHolder()
    feed = EventFeed(QueueClient(args.server, args.token), holder.apply, holder.set_connected).start()
    if args.png:
        _wait_for_state(holder)
        args.png.write_bytes(overlay_png(holder.info(args.counter[0]), datetime.now().astimezone()))
        feed.stop()
        return 0
    if not args.out and args.mjpeg is None:
        raise CommandError("say where the video goes: --out DIR and/or --mjpeg PORT (or --png FILE)")
    hub = FrameHub()
    if args.mjpeg is not None:
        server = make_http_server(args.mjpeg, hub, holder, timezone)
        threading.Thread(target=server.serve_forever, daemon=True).start()
    start_time = datetime.fromisoformat(args.start_time) if args.start_time else None
    threads: list[threading.Thread] = []
    failures: list[str] = []
    for counter in args.counter:
        camera = display.camera(counter)
        source = args.source or (camera.source if camera else None)
        if not source:
            raise CommandError(f"counter {counter} has no camera: pass --source or add [[display.cameras]]")
        runner = OverlayRunner(counter, source, holder, timezone, args.out, hub, start_time,
                               realtime=args.mjpeg is not None)
        thread = threading.Thread(target=_run_runner, args=(runner, failures), daemon=True)
        thread.start()
        threads.append(thread)
    for thread in threads:
        thread.join()
    if failures and len(failures) == len(threads):
        raise CommandError("; ".join(failures))
    return 0


def _run_runner(runner, failures: list[str]) -> None:
    """One camera's loop; a camera that cannot be opened is reported, the others go on."""
    from .camera import SourceError

    try:
        frames = runner.run()
        logging.getLogger(__name__).info("counter %s: %d frames from %s", runner.counter, frames, runner.source)
    except SourceError as exc:
        logging.getLogger(__name__).error("%s", exc)
        failures.append(str(exc))


def _wait_for_state(holder, timeout: float = 5.0) -> None:
    import time

    deadline = time.monotonic() + timeout
    while not holder.state.synced and time.monotonic() < deadline:
        time.sleep(0.05)
