"""``motcua kiosk``: the lobby touchscreen, or its scripted tour (``--tour DIR``)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from queue_server.cli_support import CommandError, add_client_options


def register(subcommands: argparse._SubParsersAction) -> None:
    """Add the ``kiosk`` command."""
    parser = subcommands.add_parser("kiosk", help="the Kivy touchscreen kiosk (take a number, look up, rate)",
                                    description="Run the lobby kiosk against a queue server.")
    add_client_options(parser, pairs_as="kiosk")
    parser.add_argument("--config", type=Path, default=None,
                        help="office TOML file for the office name, hotline and [kiosk] (default: $MOTCUA_CONFIG, "
                             "then the sample commune office)")
    parser.add_argument("--printer", default=None,
                        help="ticket printer URI for the printers package (default: [kiosk] printer; none: no printer)")
    parser.add_argument("--tour", type=Path, default=None, metavar="DIR",
                        help="walk through every screen and state and write one PNG per screen into DIR, then exit")
    parser.add_argument("--shot-width", type=int, default=None, metavar="PX",
                        help="with --tour: scale the PNGs down to this width (small images for the docs)")
    parser.add_argument("--serve-as", default=None, metavar="USER",
                        help="with --tour: sign in as this clerk or admin (password from $MOTCUA_PASSWORD) to serve "
                             "the tour's ticket, so that its rating is accepted and the thank-you screen is real")
    parser.add_argument("--size", default=None, metavar="WxH", help="window size, e.g. 1920x1080 or 1080x1920")
    parser.add_argument("--windowed", action="store_true", help="a window instead of full screen")
    parser.set_defaults(handler=run_command)


def parse_size(text: str | None) -> tuple[int, int] | None:
    """``1920x1080`` → (1920, 1080)."""
    if not text:
        return None
    try:
        width, height = (int(part) for part in text.lower().split("x"))
    except ValueError:
        raise CommandError(f"--size {text!r}: write it as WIDTHxHEIGHT, e.g. 1920x1080") from None
    if width < 320 or height < 320:
        raise CommandError(f"--size {text!r}: at least 320x320")
    return width, height


def run_command(args: argparse.Namespace) -> int:
    """Run the kiosk or its tour."""
    from .launch import run_kiosk_from_config

    if args.tour and not args.token:
        print("motcua kiosk: no --token (or $MOTCUA_TOKEN): the tour's numbers will be refused; "
              "get one with `motcua device add NAME --role kiosk`", file=sys.stderr)
    return run_kiosk_from_config(server=args.server, token=args.token, printer_uri=args.printer,
                                 config_path=args.config or (Path(os.environ["MOTCUA_CONFIG"])
                                                             if os.environ.get("MOTCUA_CONFIG") else None),
                                 tour_dir=args.tour, size=parse_size(args.size), windowed=args.windowed,
                                 shot_width=args.shot_width, serve_as=args.serve_as, token_file=args.token_file)
