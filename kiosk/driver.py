"""Drive the real kiosk without a person: start it headless, tap widgets, wait, take screenshots.

Used by the tour (``motcua kiosk --tour``), the end-to-end tests and the bench.
Kivy renders offscreen when there is no display, so this runs on a server.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kivy.base import EventLoop
from kivy.input.motionevent import MotionEvent


class _Touch(MotionEvent):
    """One finger on the glass at window coordinates."""

    def __init__(self, x: float, y: float) -> None:
        window = EventLoop.window
        super().__init__("kiosk-driver", 1, {"x": x / (window.width - 1.0), "y": y / (window.height - 1.0)},
                         is_touch=True, type_id="touch")
        self.profile = ["pos"]

    def depack(self, args: dict[str, float]) -> None:
        self.sx, self.sy = args["x"], args["y"]
        super().depack(args)


def render_widget(widget: Any) -> Any:
    """Draw a widget into an offscreen framebuffer and read it back (Window.screenshot is black offscreen).

    Like ``Widget.export_as_image`` but reads the framebuffer directly, which is
    several times faster than reading its texture with software rendering.
    """
    from kivy.graphics import ClearBuffers, ClearColor, Fbo, Translate
    from PIL import Image

    parent_canvas = widget.parent.canvas if widget.parent is not None else None
    index = parent_canvas.indexof(widget.canvas) if parent_canvas is not None else -1
    if parent_canvas is not None and index > -1:
        parent_canvas.remove(widget.canvas)
    width, height = int(widget.width), int(widget.height)
    fbo = Fbo(size=(width, height), with_stencilbuffer=True)
    from kivy.core.window import Window

    with fbo:
        ClearColor(*Window.clearcolor)
        ClearBuffers()
        Translate(-widget.x, -widget.y, 0)
    fbo.add(widget.canvas)
    try:
        fbo.draw()
        pixels = fbo.pixels
    finally:
        fbo.remove(widget.canvas)
        if parent_canvas is not None and index > -1:
            parent_canvas.insert(index, widget.canvas)
    image = Image.frombytes("RGBA", (width, height), pixels)
    return image.transpose(Image.Transpose.FLIP_TOP_BOTTOM).convert("RGB")


class Driver:
    """Starts an app without blocking in its main loop and steps it frame by frame."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.started = False

    def start(self) -> Driver:
        """Build the app, open the (offscreen) window and draw the first frame."""
        self.app._run_prepare()  # what App.run() does before entering the main loop
        self.started = True
        self.frame()
        return self

    def frame(self) -> None:
        """Process input, timers and callbacks, and draw one frame."""
        EventLoop.idle()

    def pump(self, seconds: float) -> None:
        """Run the app for a while."""
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            self.frame()

    def wait_until(self, condition: Callable[[], Any], timeout: float = 30.0, what: Any = "") -> Any:
        """Run frames until ``condition()`` is true; TimeoutError naming ``what`` otherwise."""
        end = time.monotonic() + timeout
        while True:
            value = condition()
            if value:
                return value
            if time.monotonic() > end:
                raise TimeoutError(f"kiosk: waited {timeout} s for {what() if callable(what) else what or condition}")
            self.frame()
            time.sleep(0.002)

    def tap(self, widget: Any, frames: int = 1) -> None:
        """Press and release a finger at the widget's centre; ``frames`` frames follow."""
        self.frame()  # let pending layouts settle: a widget just built has no position yet
        if widget.disabled or widget.get_root_window() is None:
            raise AssertionError(f"cannot tap {widget!r}: disabled or not on screen")
        self._scroll_into_view(widget)
        if widget.get_root_window() is None:
            raise AssertionError(f"cannot tap {widget!r}: it left the screen while scrolling to it")
        self.touch(widget)
        for _ in range(frames):
            self.frame()

    def touch(self, widget: Any) -> None:
        """Only the finger: press and release at the widget's centre as it is laid out now (no frame)."""
        x, y = widget.to_window(*widget.center)
        touch = _Touch(x, y)
        EventLoop.post_dispatch_input("begin", touch)
        EventLoop.post_dispatch_input("end", touch)

    def finger(self, widget: Any) -> None:
        """A finger as a touchscreen delivers it: queued now, dispatched in the next frame after its clock tick.

        ``touch`` dispatches at once, which is handy for tests; a real input
        provider's touch waits for the loop's next tick (the bench measures that).
        """
        x, y = widget.to_window(*widget.center)
        touch = _Touch(x, y)
        EventLoop._dispatch_input("begin", touch)
        EventLoop._dispatch_input("end", touch)

    def _scroll_into_view(self, widget: Any) -> None:
        """A citizen scrolls before tapping a row below the fold; so does the driver."""
        from kivy.uix.scrollview import ScrollView

        parent = widget.parent
        for _ in range(50):  # the Window is its own parent: walk a bounded number of steps
            if parent is None or isinstance(parent, ScrollView):
                break
            parent = parent.parent
        if not isinstance(parent, ScrollView) or not parent.children or parent.children[0].height <= parent.height:
            return  # nothing to scroll (scroll_to misbehaves when the content is shorter than the view)
        wx, wy = widget.to_window(widget.x, widget.y)
        vx, vy = parent.to_window(parent.x, parent.y)
        if vy <= wy and wy + widget.height <= vy + parent.height:
            return  # fully visible already
        parent.scroll_to(widget, padding=10, animate=False)
        self.frame()
        self.frame()

    @property
    def screen(self) -> Any:
        """The screen on show."""
        return self.app.manager.current_screen

    def at(self, name: str, timeout: float = 30.0) -> Any:
        """Wait until a screen is on show; return it."""
        self.wait_until(lambda: self.app.manager.current == name, timeout, f"screen {name!r}")
        self.frame()  # a screen just shown is laid out during the next frames
        self.frame()
        return self.screen

    def image(self) -> Any:
        """The whole kiosk as it looks now, as a Pillow RGB image."""
        self.frame()
        return render_widget(self.app.root)

    def shot(self, path: Path) -> Path:
        """A PNG of the whole kiosk as it looks now (fast zlib level: these are test artefacts)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        self.image().save(path, compress_level=1)
        return path

    def stop(self) -> None:
        """Close the app (once per process: Kivy's window does not come back)."""
        if self.started:
            self.app.stop()  # no frame after this: kv rules would look for an app that is gone
            self.started = False
