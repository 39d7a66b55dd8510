"""Run the real Kivy board offscreen and measure every label: ``python -m tests.support.kivy_board_probe``.

Kivy wants its own process's main thread, so the layout test runs this as a
child: the board (``display.app.BoardApp``, no voice) follows a real server
until it has its snapshot, then every page of its grid and waiting counts is
measured between calls and during a call (``announce``), one PNG each, and the
breaches of the rule (no text under 30 px, none cut, none over another) are
written as JSON to ``OUT/problems.json``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

MIN_TEXT_PX = 30
SLACK = 1.0  # px: rounding of Kivy's layout


def _box(widget: Any) -> tuple[float, float, float, float]:
    """(left, bottom, right, top) in window pixels."""
    x, y = widget.to_window(*widget.pos)
    return x, y, x + widget.width, y + widget.height


def _inside(inner: tuple[float, ...], outer: tuple[float, ...]) -> bool:
    return (inner[0] >= outer[0] - SLACK and inner[1] >= outer[1] - SLACK
            and inner[2] <= outer[2] + SLACK and inner[3] <= outer[3] + SLACK)


def _in_ticker(widget: Any) -> bool:
    """Whether the widget is the scrolling ticker's (``ids`` hands out weak proxies, so by class, not identity)."""
    from display.board_view import TickerStrip

    seen: list[Any] = []
    while widget is not None and not any(widget is w for w in seen):  # the Window is its own parent
        if isinstance(widget, TickerStrip):
            return True
        seen.append(widget)
        widget = widget.parent
    return False


def _cut_text(label: Any) -> str | None:
    """Why a label shows less than its text (shortened with "…", or lines dropped), if it does."""
    from kivy.core.text import Label as CoreLabel

    width = label.text_size[0]
    if not width:
        return None
    options = dict(label._label.options)
    options.update(shorten=False, max_lines=0, text_size=(width, None))
    whole = CoreLabel(**options)
    whole.refresh()
    if label.shorten and whole.texture.size[1] > label.texture_size[1] + SLACK:
        return "is shortened"
    if label.max_lines and whole.texture.size[1] > label.texture_size[1] + SLACK:
        return f"drops lines beyond {label.max_lines}"
    return None


def label_problems(root: Any, window: tuple[int, int], ticker: Any) -> list[str]:
    """Every label with text that is too small, larger than its box, cut, out of the window or over another."""
    from kivy.uix.label import Label

    problems: list[str] = []
    boxes: list[tuple[str, tuple[float, float, float, float]]] = []
    screen = (0.0, 0.0, float(window[0]), float(window[1]))
    for widget in root.walk(restrict=True):
        if not isinstance(widget, Label) or not widget.text.strip() or widget.opacity == 0:
            continue
        widget.texture_update()
        name = f"{type(widget).__name__} {widget.text[:40]!r}"
        if widget.font_size < MIN_TEXT_PX - 0.01:
            problems.append(f"{name} is {widget.font_size:.1f} px")
        box = _box(widget)
        if _in_ticker(widget):  # it scrolls on purpose: only its height must fit the strip
            strip = _box(ticker)
            if box[1] < strip[1] - SLACK or box[3] > strip[3] + SLACK:
                problems.append(f"{name} is taller than the ticker")
            continue
        if not _inside(box, screen):
            problems.append(f"{name} leaves the screen")
        if widget.parent is not None and not _inside(box, _box(widget.parent)):
            problems.append(f"{name} sticks out of its parent")
        if widget.texture_size[0] > widget.width + SLACK or widget.texture_size[1] > widget.height + SLACK:
            problems.append(f"{name} needs {widget.texture_size}, has {widget.size}")
        cut = _cut_text(widget)
        if cut:
            problems.append(f"{name} {cut}")
        boxes.append((name, box))
    for index, (name, box) in enumerate(boxes):
        for other, second in boxes[index + 1:]:
            if min(box[2], second[2]) - max(box[0], second[0]) > SLACK and \
                    min(box[3], second[3]) - max(box[1], second[1]) > SLACK:
                problems.append(f"{name} overlaps {other}")
    return problems


def main(argv: list[str] | None = None) -> int:
    """Show the board, wait for its snapshot, measure each page idle and during a call, then stop."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("server")
    parser.add_argument("config", type=Path)
    parser.add_argument("screen")
    parser.add_argument("out", type=Path)
    args = parser.parse_args(argv)
    from kivyenv import prepare_kivy
    from queue_server.config import load_config
    from queue_server.display_settings import load_display_config

    display = load_display_config(load_config(args.config))
    screen = display.screen(args.screen)
    size = (1080, 1920) if screen.orientation == "portrait" else (1920, 1080)
    prepare_kivy(*size, resizable=False)
    from kivy.clock import Clock

    from display.app import BoardApp

    app = BoardApp(server=args.server, token=None, display=display, screen=screen, size=size, voice=False)
    args.out.mkdir(parents=True, exist_ok=True)
    found: list[str] = []
    steps: list[tuple[str, int]] = []

    def plan(_dt: float) -> None:
        if not app.state.synced or app.board.view is None:
            Clock.schedule_once(plan, 0.2)
            return
        pages = max(app.board.grid.pages, app.board._waiting_pages)
        steps.extend((moment, page) for moment in ("between calls", "during a call") for page in range(pages))
        Clock.schedule_once(step, 0.5)

    def step(_dt: float) -> None:
        moment, page = steps.pop(0)
        if moment == "during a call" and page == 0 and app.state.latest_call is not None:
            app.board.announce(app.state.latest_call)
            Clock.schedule_once(lambda _: measure(moment, page), 0.4)
            return
        measure(moment, page)

    def measure(moment: str, page: int) -> None:
        problems = label_problems(app.board, size, app.board.ticker)
        found.extend(f"{screen.orientation} {moment}, page {page + 1}: {p}" for p in problems)
        from kivy.core.window import Window

        Window.screenshot(str(args.out / f"{moment.replace(' ', '-')}-page{page + 1}.png"))
        if not steps:
            (args.out / "problems.json").write_text(json.dumps(found, ensure_ascii=False, indent=1), encoding="utf-8")
            app.stop()
            return
        app.board.turn_pages()
        Clock.schedule_once(step, 0.4)

    Clock.schedule_once(plan, 0.5)
    app.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
