"""Reusable kiosk widgets: big buttons, drawn icons and faces, the ticket keypad (QR codes: kivyenv.qr).

Looks are in ``widgets.kv``; the drawing of icons and faces is here
because it is computed from a property.
"""

from __future__ import annotations

from importlib import resources

from kivy.graphics import Color, Ellipse, Line, Mesh
from kivy.lang import Builder
from kivy.properties import BooleanProperty, ColorProperty, ListProperty, NumericProperty, StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.label import Label
from kivy.uix.widget import Widget

from kivyenv.qr import QRCode  # noqa: F401  (registered for the screens' kv rules; the board draws it too)

from . import theme
from .keyboard_pad import KeyboardPad  # noqa: F401  (registered for the screens' kv rules)

Builder.load_file(str(resources.files("kiosk") / "widgets.kv"))


class KButton(ButtonBehavior, Label):
    """A large rounded button with a solid colour; darker while pressed, grey when disabled."""

    bg = ColorProperty(theme.BLUE)
    fg = ColorProperty(theme.WHITE)
    selected = BooleanProperty(False)
    radius = NumericProperty(16)
    key = StringProperty("")


class IconButton(ButtonBehavior, BoxLayout):
    """A button with a drawn icon above or beside its title and hint."""

    bg = ColorProperty(theme.BLUE)
    icon = StringProperty("")
    title = StringProperty("")
    hint = StringProperty("")
    title_size = NumericProperty(60)
    hint_size = NumericProperty(30)


class Icon(Widget):
    """A simple line icon drawn in white: ticket, search, smile, speaker, back, home."""

    kind = StringProperty("")
    color = ColorProperty(theme.WHITE)

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.bind(pos=self.redraw, size=self.redraw, kind=self.redraw, color=self.redraw)

    def redraw(self, *_args) -> None:
        """Draw the icon to fit a square in the middle of the widget."""
        self.canvas.clear()
        side = min(self.width, self.height)
        if side <= 0 or not self.kind:
            return
        x0, y0 = self.center_x - side / 2, self.center_y - side / 2
        w = max(2.0, side / 16)

        def p(fx: float, fy: float) -> tuple[float, float]:
            return x0 + fx * side, y0 + fy * side

        with self.canvas:
            Color(*self.color)
            if self.kind == "ticket":
                Line(rounded_rectangle=(*p(0.12, 0.22), side * 0.76, side * 0.56, side * 0.06), width=w)
                Line(points=[*p(0.62, 0.22), *p(0.62, 0.78)], width=w / 2, dash_length=6, dash_offset=4)
                Line(points=[*p(0.22, 0.60), *p(0.52, 0.60)], width=w)
                Line(points=[*p(0.22, 0.45), *p(0.52, 0.45)], width=w)
                Line(points=[*p(0.22, 0.32), *p(0.42, 0.32)], width=w)
            elif self.kind == "search":
                Line(circle=(*p(0.42, 0.58), side * 0.26), width=w)
                Line(points=[*p(0.60, 0.39), *p(0.86, 0.12)], width=w * 1.6)
            elif self.kind == "smile":
                Line(circle=(*p(0.5, 0.5), side * 0.40), width=w)
                Ellipse(pos=p(0.32, 0.56), size=(side * 0.10, side * 0.12))
                Ellipse(pos=p(0.58, 0.56), size=(side * 0.10, side * 0.12))
                Line(circle=(*p(0.5, 0.52), side * 0.24, 120, 240), width=w)
            elif self.kind == "speaker":
                Line(points=[*p(0.10, 0.38), *p(0.28, 0.38), *p(0.50, 0.18), *p(0.50, 0.82), *p(0.28, 0.62),
                             *p(0.10, 0.62)], width=w, close=True)
                Line(circle=(*p(0.50, 0.5), side * 0.22, 50, 130), width=w)
                Line(circle=(*p(0.50, 0.5), side * 0.38, 50, 130), width=w)
            elif self.kind == "back":
                Line(points=[*p(0.55, 0.20), *p(0.25, 0.50), *p(0.55, 0.80)], width=w * 1.4)
                Line(points=[*p(0.25, 0.50), *p(0.85, 0.50)], width=w * 1.4)
            elif self.kind == "home":
                Line(points=[*p(0.12, 0.50), *p(0.50, 0.86), *p(0.88, 0.50)], width=w * 1.2)
                Line(points=[*p(0.24, 0.58), *p(0.24, 0.14), *p(0.76, 0.14), *p(0.76, 0.58)], width=w * 1.2)
                Line(points=[*p(0.42, 0.14), *p(0.42, 0.40), *p(0.58, 0.40), *p(0.58, 0.14)], width=w)


class Face(Widget):
    """A rating face: a coloured disc with eyes and a mouth that smiles or frowns by ``level``."""

    level = StringProperty("neutral")

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.bind(pos=self.redraw, size=self.redraw, level=self.redraw)

    def redraw(self, *_args) -> None:
        """Draw the face to fit the widget."""
        self.canvas.clear()
        side = min(self.width, self.height)
        if side <= 0:
            return
        cx, cy, r = self.center_x, self.center_y, side / 2
        smile = theme.FACE_SMILE.get(self.level, 0.0)
        with self.canvas:
            Color(*theme.FACE_COLOURS.get(self.level, theme.GREY))
            Ellipse(pos=(cx - r, cy - r), size=(2 * r, 2 * r))
            Color(*theme.WHITE)
            eye = r * 0.16
            Ellipse(pos=(cx - r * 0.42 - eye / 2, cy + r * 0.18), size=(eye, eye * 1.3))
            Ellipse(pos=(cx + r * 0.42 - eye / 2, cy + r * 0.18), size=(eye, eye * 1.3))
            centre_line = [(cx + t * r * 0.5, cy - r * 0.38 - smile * r * 0.22 * (1 - t * t))
                           for t in (-1 + i / 8 for i in range(17))]
            if self.level in theme.FACE_LAUGHS:
                self._open_mouth(cx, cy, r)
            else:
                Mesh(vertices=thick_line(centre_line, max(2.0, r * 0.09)), indices=list(range(34)),
                     mode="triangle_strip")

    def _open_mouth(self, cx: float, cy: float, r: float) -> None:
        """A wide open laugh (a white half disc): the best level must not look like the next one, whose
        face only smiles; colour alone does not tell them apart for everyone (issue 14.3)."""
        top = cy - r * 0.22
        rim = [(cx + t * r * 0.56, top - r * 0.42 * (1 - t * t) ** 0.5) for t in (-1 + i / 10 for i in range(21))]
        fan = [cx, top, 0, 0] + [v for x, y in [(cx - r * 0.56, top), *rim, (cx + r * 0.56, top)]
                                 for v in (x, y, 0, 0)]
        Color(*theme.WHITE)
        Mesh(vertices=fan, indices=list(range(len(fan) // 4)), mode="triangle_fan")


def thick_line(points: list[tuple[float, float]], width: float) -> list[float]:
    """Mesh vertices of a thick polyline as a triangle strip (Kivy's wide Lines are slow in software GL)."""
    vertices: list[float] = []
    for i, (x, y) in enumerate(points):
        (x0, y0), (x1, y1) = points[max(0, i - 1)], points[min(len(points) - 1, i + 1)]
        dx, dy = x1 - x0, y1 - y0
        length = (dx * dx + dy * dy) ** 0.5 or 1.0
        nx, ny = -dy / length * width / 2, dx / length * width / 2
        vertices += [x + nx, y + ny, 0, 0, x - nx, y - ny, 0, 0]
    return vertices


class TicketKeypad(BoxLayout):
    """Digits and the ticket prefixes, for typing a ticket number; fires ``on_key``."""

    prefixes = ListProperty(["A", "B", "C", "D"])
    font_size = NumericProperty(48)

    __events__ = ("on_key",)

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.orientation = "vertical"
        self.spacing = 8
        self.bind(prefixes=self._build, font_size=self._build)
        self._build()

    def _build(self, *_args) -> None:
        self.clear_widgets()
        rows = [list(self.prefixes), ["1", "2", "3", "4", "5"], ["6", "7", "8", "9", "0", "backspace"]]
        for row in rows:
            line = BoxLayout(spacing=8)
            for key in row:
                label = "⌫ Xóa" if key == "backspace" else key
                button = KButton(key=key, text=label.replace("⌫ ", ""), font_size=self.font_size,
                                 bg=theme.ORANGE if key == "backspace" else
                                 (theme.GREEN if key.isalpha() else theme.BLUE))
                button.bind(on_release=lambda b: self.dispatch("on_key", b.key))
                line.add_widget(button)
            self.add_widget(line)

    def on_key(self, key: str) -> None:
        """Default handler (the screen binds its own)."""

