"""Run the real Kivy board's pairing screen offscreen and measure it: ``python -m tests.support.kivy_pairing_probe``.

A child process (Kivy wants its own main thread): the board (``display.app.BoardApp``
with no token and an empty token file) asks a real server for a code, and once the
code is on show every label is measured (no text under 30 px, none cut, none over
another: ``kivy_board_probe.label_problems``), a PNG is taken, and the breaches are
written as JSON to ``OUT/problems.json``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from tests.support.kivy_board_probe import label_problems


def main(argv: list[str] | None = None) -> int:
    """Show the pairing screen at WxH, wait for its code, measure it, take its picture, stop."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("server")
    parser.add_argument("config", type=Path)
    parser.add_argument("size", help="WxH")
    parser.add_argument("out", type=Path)
    args = parser.parse_args(argv)
    size = tuple(int(part) for part in args.size.split("x"))
    from kivyenv import prepare_kivy
    from queue_server.config import load_config
    from queue_server.device_token import NONE, DeviceToken
    from queue_server.display_settings import load_display_config

    display = load_display_config(load_config(args.config))
    prepare_kivy(size[0], size[1], resizable=False)
    from kivy.clock import Clock
    from kivy.core.window import Window

    from display.app import BoardApp

    args.out.mkdir(parents=True, exist_ok=True)
    app = BoardApp(server=args.server, token=None, display=display, screen=display.screen(None),
                   size=(size[0], size[1]), voice=False,
                   token_source=DeviceToken(None, NONE, args.out / "display-token"))

    def measure(_dt: float) -> None:
        pairing = app.pairing
        if pairing is None or not pairing.code:
            Clock.schedule_once(measure, 0.2)
            return
        problems = label_problems(pairing, (size[0], size[1]), pairing)
        shot = Window.screenshot(str(args.out / f"pairing-{args.size}.png"))  # Kivy adds a counter to the name
        Path(shot).replace(args.out / f"pairing-{args.size}.png")
        result = {"code": pairing.code, "problems": problems,
                  "font_sizes": {name: pairing.ids[name].font_size for name in ("code", "instructions", "title")}}
        (args.out / "problems.json").write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
        app.stop()

    Clock.schedule_once(measure, 0.5)
    app.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
