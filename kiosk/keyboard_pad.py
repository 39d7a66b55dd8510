"""The on-screen Vietnamese keyboard, drawn once into a texture.

Forty-five keys, each a rounded shape and a text, cost about a third of the
search screen's frame on a PC rendering in software; the keyboard looks the same
on every frame, so it is painted once (again only when its size or labels
change) and each frame draws it as one opaque picture. The keys stay real
widgets, without drawings of their own, so touches, tests and the tour find
each key where it is shown; a pressed key darkens under the finger.
"""

from __future__ import annotations

from typing import Any

from kivy.clock import Clock
from kivy.core.text import Label as CoreLabel
from kivy.graphics import Callback, ClearBuffers, ClearColor, Color, Fbo, Rectangle, RoundedRectangle
from kivy.graphics.opengl import GL_BLEND, glDisable, glEnable
from kivy.graphics.texture import Texture
from kivy.lang import Builder
from kivy.properties import ColorProperty, ListProperty, NumericProperty, StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.widget import Widget

from . import theme
from .vnkeys import LETTER_ROWS, TONE_KEY_LABELS, VIETNAMESE_LETTERS

Builder.load_string("""
#:import theme kiosk.theme
<KeyCap>:
    canvas.after:
        Color:
            rgba: 0, 0, 0, (0.45 if self.state == "down" else 0)
        RoundedRectangle:
            pos: self.pos
            size: self.size if self.state == "down" else (0, 0)
            radius: [self.radius]
            segments: theme.CORNER_SEGMENTS
""")


class KeyCap(ButtonBehavior, Widget):
    """One key: where it is, what it shows and sends; the pad paints it."""

    key = StringProperty("")
    text = StringProperty("")
    bg = ColorProperty(theme.BLUE)
    radius = NumericProperty(16)


class KeyboardPad(BoxLayout):
    """An on-screen keyboard with the Vietnamese letters and the five tone marks.

    Fires ``on_key(key)`` with a letter, ``space``, ``backspace`` or a tone name
    (``sac``, ``huyen``, ``hoi``, ``nga``, ``nang``). "Clear all" sits by the text box.
    """

    labels = ListProperty(["Dấu cách", "Xóa"])
    font_size = NumericProperty(40)
    radius = NumericProperty(16)

    __events__ = ("on_key",)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.orientation = "vertical"
        self.keys: dict[str, KeyCap] = {}
        self._painted: tuple | None = None
        self._settling: tuple | None = None
        with self.canvas.before:
            Callback(lambda _instr: glDisable(GL_BLEND))  # the picture is opaque: no blending to pay for
            Color(1, 1, 1, 1)
            self._picture = Rectangle(size=(0, 0))
            Callback(lambda _instr: glEnable(GL_BLEND))
        self._repaint = Clock.create_trigger(self._paint, -1)
        # Four rows no wider than 11.6 keys, so each key stays ≥ 15 mm wide on a 1080p panel:
        # the Vietnamese letters fill the short rows, the tones share the last one with space.
        marked = [letter for letter in VIETNAMESE_LETTERS if letter != "đ"]
        rows = [[*LETTER_ROWS[0], "backspace"], [*LETTER_ROWS[1], "đ"], [*LETTER_ROWS[2], *marked[:3]],
                [*marked[3:], *TONE_KEY_LABELS, "space"]]
        for row in rows:
            line = BoxLayout(spacing=6)
            for key in row:
                cap = KeyCap(key=key, text=self._label(key), bg=self._colour(key), size_hint_x=self._width(key))
                cap.bind(on_release=self._pressed, pos=self._repaint, size=self._repaint)
                self.keys[key] = cap
                line.add_widget(cap)
            self.add_widget(line)
        self.bind(labels=self._relabel, font_size=self._repaint, radius=self._repaint, pos=self._repaint,
                  size=self._repaint)

    def _label(self, key: str) -> str:
        special = {"space": self.labels[0], "backspace": self.labels[1]}
        return special.get(key) or TONE_KEY_LABELS.get(key) or key

    @staticmethod
    def _colour(key: str) -> tuple[float, ...]:
        if key in TONE_KEY_LABELS:
            return theme.PURPLE
        if key in ("backspace", "clear"):
            return theme.ORANGE
        if key in VIETNAMESE_LETTERS:
            return theme.GREEN
        return theme.BLUE

    @staticmethod
    def _width(key: str) -> float:
        return {"space": 2.6, "backspace": 1.6}.get(key, 1.0)

    def _relabel(self, *_args: Any) -> None:
        for key in ("space", "backspace"):
            self.keys[key].text = self._label(key)
        self._repaint()

    def _pressed(self, cap: KeyCap) -> None:
        self.dispatch("on_key", cap.key)

    def on_key(self, key: str) -> None:
        """Default handler (the screen binds its own)."""

    # -- painting -----------------------------------------------------------------------
    def _paint(self, *_args: Any) -> None:
        """Place the picture; paint it anew only when a key moved, resized or changed its text.

        Painting costs ~45 texts and a 4 MB picture, so a layout that is still
        settling (rows placed, keys not yet) is let settle for a frame first.
        """
        width, height = int(self.width), int(self.height)
        self._picture.pos, self._picture.size = (int(self.x), int(self.y)), (width, height)
        if width < 2 or height < 2:
            return
        looks = (width, height, self.font_size, self.radius,
                 tuple((cap.text, round(cap.x - self.x), round(cap.y - self.y), round(cap.width), round(cap.height))
                       for cap in self.keys.values()))
        if looks == self._painted:
            return
        if looks != self._settling:  # the layout is still moving keys: paint once it holds still a frame
            self._settling = looks
            Clock.schedule_once(self._paint, 0)
            return
        self._painted = looks
        self._picture.texture = self._render(width, height)

    def _render(self, width: int, height: int) -> Texture:
        fbo = Fbo(size=(width, height))
        with fbo:
            ClearColor(*theme.BACKGROUND)
            ClearBuffers()
            for cap in self.keys.values():
                cap.radius = self.radius  # its darkening under the finger has the same corners
                x, y = cap.x - self.x, cap.y - self.y
                Color(*cap.bg)
                RoundedRectangle(pos=(x, y), size=cap.size, radius=[self.radius],
                                 segments=6)  # smoother than on screen: painted once, not every frame
                text = _text_texture(cap.text, self.font_size, cap.width - 16)
                Color(*theme.WHITE)
                Rectangle(texture=text, size=text.size,
                          pos=(int(x + (cap.width - text.width) / 2), int(y + (cap.height - text.height) / 2)))
        fbo.draw()
        # Copied into a plain texture: a framebuffer kept alive held twice the memory.
        picture = Texture.create(size=(width, height), colorfmt="rgba")
        picture.blit_buffer(fbo.pixels, colorfmt="rgba", bufferfmt="ubyte")
        picture.mag_filter = picture.min_filter = "nearest"  # shown 1:1
        return picture


def _text_texture(text: str, font_size: float, width: float) -> Texture:
    label = CoreLabel(text=text, font_size=font_size, halign="center", text_size=(max(1, width), None))
    label.refresh()
    return label.texture
