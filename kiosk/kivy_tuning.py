"""Kivy adjusted for the cheap PC a kiosk often is: software OpenGL and little memory.

Frame cost. Without a GPU driver, Mesa's llvmpipe shades every pixel of every
frame on the CPU: a 1080p frame of the search screen cost about 48 ms on the
bench machine (``bench/kiosk.py``). Most pixels are flat shapes and text drawn
1:1, and linear texture filtering is the costliest part of shading them while
it changes nothing visible at 1:1 (text lands on whole pixels; flat shapes
sample a plain white texture). Nearest filtering for those two kinds of texture
saved 7–10 ms a frame (about 20 %). Scaled pictures (logos, photos, guide
images) keep linear filtering.

Still scroll bars. Kivy fades a list's scroll bar over half a second after
every scroll, and the kiosk resets lists to the top on every visit: ~30
full-screen frames (over a second of CPU in software rendering) for an
animation nobody needs. The bar now turns
to its resting colour in one step.

Finished frames. Without a GPU, a frame handed to SDL is not waited for, and
Mesa kept the memory of every frame not yet finished: 0.1–2.7 MB a frame,
without end, with SDL's offscreen driver (measured: home redrawn 50 times,
+133 MB). Each frame is finished before it is shown (``glFinish``), which a
software renderer has to do before showing it anyway.

First draws. A label's text becomes a texture the first time it is drawn;
``draw_offscreen`` draws a screen nobody sees yet, so that cost is paid before a
citizen taps.

Memory. Kivy's SDL2 text provider keeps each label's rendered SDL surface alive
after its pixels have been copied into the label's texture, so every text on
every screen was held twice (about 27 MB for the kiosk's screens). The surface
is released as soon as its pixels are taken.
"""

from __future__ import annotations

from typing import Any

_patched = False


def tune_kivy() -> None:
    """Nearest filtering, freed text surfaces, finished frames, still scroll bars. Idempotent."""
    global _patched
    from kivy.graphics import Rectangle

    _nearest(Rectangle().texture)  # a shape without a texture samples this shared default one
    if _patched:
        return
    _patched = True
    _finish_each_frame()
    _crisp_label_textures()
    _release_text_surfaces()
    _still_scroll_bars()


def _crisp_label_textures() -> None:
    from kivy.uix.label import Label

    original = Label.texture_update

    def texture_update(self: Label, *args: Any) -> None:
        original(self, *args)
        _nearest(self.texture)

    Label.texture_update = texture_update


def _release_text_surfaces() -> None:
    try:
        from kivy.core.text.text_sdl2 import LabelSDL2
    except ImportError:  # another text provider: nothing to release
        return

    def _render_end(self: Any) -> Any:
        data = self._surface.get_data()
        self._surface = None  # its pixels are in ``data`` now, and soon in the texture
        return data

    LabelSDL2._render_end = _render_end


def _finish_each_frame() -> None:
    from kivy.core.window import Window
    from kivy.graphics.opengl import glFinish

    Window.bind(on_flip=lambda *_args: glFinish())  # runs before the window's own flip


def _still_scroll_bars() -> None:
    from kivy.uix.scrollview import ScrollView

    def _bind_inactive_bar_color(self: ScrollView, *_args: Any) -> None:  # Kivy calls it by this name
        self.funbind("bar_color", self._change_bar_color)
        self.fbind("bar_inactive_color", self._change_bar_color)
        self._bar_color = self.bar_inactive_color

    ScrollView._bind_inactive_bar_color = _bind_inactive_bar_color


def draw_offscreen(widget: Any) -> None:
    """Draw a widget that is not on show once, so its textures get made; nothing is kept.

    The framebuffer is tiny on purpose: only the drawing matters, not the
    picture, and a screen-sized one cost ~8 MB of heap per screen primed.
    """
    from kivy.graphics import Fbo

    fbo = Fbo(size=(8, 8))
    fbo.add(widget.canvas)
    try:
        fbo.draw()
    finally:
        fbo.remove(widget.canvas)


def _nearest(texture: Any) -> None:
    if texture is not None and texture.mag_filter != "nearest":
        texture.min_filter = "nearest"
        texture.mag_filter = "nearest"
