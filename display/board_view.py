"""The Kivy lobby board: header, counter grid, stage (media or call), recent calls, waiting, ticker.

``BoardScreen.show(view, connected)`` draws a ``board.ScreenView``;
``BoardScreen.announce(call)`` lets the newest call take over the stage and
flash for a few seconds. Sizes are in "units" of 1/1080 of the screen's
short side, so the same layout is legible from 10 m on a 1080p projector in
landscape and in portrait. The boxes and their sizes are in ``board_view.kv``;
this module fills them from the data. Numbers only: nothing here names a person.
"""

from __future__ import annotations

import contextlib
import time
from datetime import datetime
from importlib import resources
from zoneinfo import ZoneInfo

from kivy.clock import Clock, ClockEvent
from kivy.graphics.texture import Texture
from kivy.lang import Builder
from kivy.properties import BooleanProperty, ListProperty, NumericProperty, OptionProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.floatlayout import FloatLayout
from kivy.uix.gridlayout import GridLayout
from kivy.uix.image import Image
from kivy.uix.label import Label
from kivy.uix.stencilview import StencilView

from queue_server.display_settings import DisplayConfig, ScreenConfig
from wording import WEEKDAYS  # the kiosk's and the browser board's names too

from .board import Call, CounterRow, ScreenView, closed_text
from .board_theme import AMBER, FLASH_OFF, FLASH_ON, GOLD, GREY, GRID_HEAD, NAVY, ROSE, ROW_A, ROW_B, WHITE
from .media import Playlist, Slide, VideoReader

Builder.load_file(str(resources.files("display") / "board_view.kv"))

COLUMN_SHARES = (0.14, 0.56, 0.30)
MIN_TEXT = 30  # units (px at 1080p): no text under 30 px, readable from the back of the lobby (issue 14.2)
HEAD_ROW, COUNTER_ROW, ROW_PADDING = 60, 84, 6  # units: a counter row holds a field name of two lines
PAGE_SECONDS = 8  # long enough to find one's counter, short enough to see every page within a minute
WAITING_PER_PAGE = {"landscape": (5, 1), "portrait": (3, 2)}  # (columns, rows) of the waiting counts
TICKER_FPS = 20  # smooth enough to read; each step redraws the whole screen
FLASH_PERIOD = 0.5  # seconds per colour: noticeable, not a strobe


class Panel(BoxLayout):
    """A box with a background colour."""

    bg = ListProperty([0, 0, 0, 0])


class CellLabel(Label):
    """A one-line label that fills its box, shortened rather than overflowing."""

    bg = ListProperty([0, 0, 0, 0])
    fg = ListProperty(list(WHITE))
    align = OptionProperty("left", options=["left", "center", "right"])
    wrap = BooleanProperty(False)  # centred text that may need more than one line


class FilledLabel(CellLabel):
    """A CellLabel on its own background colour (grid cells)."""


class TickerStrip(StencilView):
    """The scrolling strip of notices."""


def cell(text: str = "", size: float = 40, align: str = "left", fg=WHITE, bg=(0, 0, 0, 0), bold: bool = False,
         **kwargs) -> CellLabel:
    """A CellLabel with the usual options."""
    kwargs.setdefault("shorten", align != "center")
    kind = FilledLabel if bg[3] > 0 else CellLabel
    return kind(text=text, font_size=size, align=align, fg=list(fg), bg=list(bg), bold=bold, **kwargs)


def format_clock(now: datetime) -> tuple[str, str]:
    """("Thứ Hai, 23/11/2026", "16:45:09") in the office's way."""
    return f"{WEEKDAYS[now.weekday()]}, {now:%d/%m/%Y}", f"{now:%H:%M:%S}"


class CounterGrid(GridLayout):
    """Counter — field — number being served, one row per counter; a page at a time when they do not all fit."""

    unit = NumericProperty(1.0)
    box_height = NumericProperty(0.0)  # the height there is for the grid (its GridBox's): how many rows fit

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._row_cells: list[tuple[CellLabel, CellLabel, CellLabel]] = []
        self.rows_by_number: dict[int, tuple[CellLabel, CellLabel, CellLabel]] = {}
        self.page = 0
        self.pages = 1
        self._view: ScreenView | None = None

    def rows_per_page(self) -> int:
        """How many counter rows fit under the column heads (at least one)."""
        u = self.unit
        room = self.box_height - HEAD_ROW * u - 2 * ROW_PADDING * u
        return max(1, int(room // ((COUNTER_ROW + 2) * u)))

    def show(self, view: ScreenView) -> None:
        """Update the rows of the current page (rebuilding only when the number of rows changes)."""
        self._view = view
        per_page = self.rows_per_page()
        self.pages = max(1, -(-len(view.counters) // per_page))
        self.page %= self.pages
        shown = view.counters[self.page * per_page:(self.page + 1) * per_page]
        if len(shown) != len(self._row_cells) or not self.children:
            self._rebuild(len(shown))
        names = {s.code: s.name for s in view.state.services}
        for index, (counter, cells) in enumerate(zip(shown, self._row_cells, strict=True)):
            self._fill(counter, cells, names, ROW_A if index % 2 == 0 else ROW_B)
        self.rows_by_number = {c.number: cells for c, cells in zip(shown, self._row_cells, strict=True)}

    def turn_page(self) -> None:
        """The next page of counters (the first again after the last)."""
        if self.pages > 1 and self._view is not None:
            self.page += 1
            self.show(self._view)

    def _rebuild(self, count: int) -> None:
        self.clear_widgets()
        u = self.unit
        for text, share in zip(("QUẦY", "LĨNH VỰC", "ĐANG PHỤC VỤ"), COLUMN_SHARES, strict=True):
            self.add_widget(cell(text, MIN_TEXT * u, "center", GOLD, GRID_HEAD, bold=True, size_hint=(share, None),
                                 height=HEAD_ROW * u, padding=(6 * u, 0)))
        self._row_cells = []
        row_height = COUNTER_ROW * u
        for _ in range(count):
            cells = (
                cell("", 56 * u, "center", WHITE, ROW_A, bold=True, size_hint=(COLUMN_SHARES[0], None),
                     height=row_height),
                cell("", MIN_TEXT * u, "left", WHITE, ROW_A, size_hint=(COLUMN_SHARES[1], None), height=row_height,
                     padding=(14 * u, 0), shorten=False, max_lines=2, line_height=0.95),
                cell("", 60 * u, "center", GOLD, ROW_A, bold=True, size_hint=(COLUMN_SHARES[2], None),
                     height=row_height),
            )
            for widget in cells:
                self.add_widget(widget)
            self._row_cells.append(cells)

    def _fill(self, counter: CounterRow, cells: tuple[CellLabel, CellLabel, CellLabel], names: dict[str, str],
              bg) -> None:
        name_cell, field_cell, number_cell = cells
        for widget in cells:
            widget.bg = list(bg)
        name_cell.text = str(counter.number)
        fields = " · ".join(names.get(code, code) for code in counter.services)
        if counter.state == "paused":
            field_cell.text, field_cell.fg = f"Tạm ngưng: {counter.pause_reason or ''}".strip(": "), list(AMBER)
            number_cell.text, number_cell.fg = counter.ticket_number or "—", list(AMBER)
        elif counter.state == "closed":  # its own cell, in small type, not appended to the field
            field_cell.text, field_cell.fg = fields, list(GREY)
            number_cell.text, number_cell.fg = closed_text(counter), list(ROSE if counter.closed_today else GREY)
            number_cell.font_size = MIN_TEXT * self.unit
            return
        else:
            field_cell.text, field_cell.fg = fields, list(WHITE)
            number_cell.text, number_cell.fg = counter.ticket_number or "—", list(GOLD)
        number_cell.font_size = 60 * self.unit


class CallPanel(Panel):
    """The newest call, very large: "MỜI CÔNG DÂN SỐ 1023 — QUẦY 3" (its labels are in the kv)."""

    unit = NumericProperty(1.0)

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.title, self.number = self.ids.title, self.ids.number
        self.counter, self.field = self.ids.counter, self.ids.field

    def show(self, call: Call | None, live: bool) -> None:
        """Show a call; ``live`` says it was just called (else "SỐ VỪA GỌI")."""
        if call is None:
            self.title.text, self.number.text, self.counter.text, self.field.text = "", "", "", ""
            return
        verb = "MỜI LẠI CÔNG DÂN SỐ" if call.recall else "MỜI CÔNG DÂN SỐ"
        self.title.text = verb if live else "SỐ VỪA GỌI"
        self.number.text = call.number
        self.counter.text = f"— {call.counter_name.upper()} —" if call.counter_name else ""
        self.field.text = call.service_name

    def set_flash(self, on: bool) -> None:
        """One half of the flashing: only the background changes, so no text is re-rendered."""
        self.bg = list(FLASH_ON if on else FLASH_OFF)

    def calm(self) -> None:
        """Back to the quiet colours."""
        self.bg = list(NAVY)


class MediaZone(FloatLayout):
    """Slides and videos from the playlist; the board takes over when a call comes."""

    def __init__(self, playlist: Playlist, **kwargs) -> None:
        super().__init__(**kwargs)
        self.playlist = playlist
        self.image: Image = self.ids.image
        self.video: VideoReader | None = None
        self._texture: Texture | None = None
        self._tick = None

    def start(self) -> None:
        """Begin the playlist."""
        if self.playlist:
            self._show(self.playlist.start(time.monotonic()))
            self._tick = Clock.schedule_interval(self._update, 1 / 25)

    def stop(self) -> None:
        """Stop videos and timers."""
        if self._tick:
            self._tick.cancel()
        if self.video:
            self.video.close()

    def _show(self, slide: Slide | None) -> None:
        if self.video:
            self.video.close()
            self.video = None
        if slide is None:
            return
        if slide.kind == "video":
            self.image.source = ""
            self.video = VideoReader(slide.path)
        else:
            self.image.texture = None
            self.image.source = str(slide.path)

    def _update(self, _dt: float) -> None:
        now = time.monotonic()
        if self.playlist.due(now) or (self.video is not None and self.video.finished):
            self._show(self.playlist.advance(now))
        if self.video is not None and self.parent is not None:
            frame = self.video.take()
            if frame is not None:
                height, width = frame.shape[:2]
                if self._texture is None or self._texture.size != (width, height):
                    self._texture = Texture.create(size=(width, height), colorfmt="rgb")
                self._texture.blit_buffer(frame.tobytes(), colorfmt="rgb", bufferfmt="ubyte")
                self.image.texture = self._texture
                self.image.canvas.ask_update()


class Ticker(TickerStrip):
    """Notices scrolling right to left, forever (its label is in the kv)."""

    unit = NumericProperty(1.0)

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.speed = 0.0
        self.offset = 0.0
        self._event = None
        self.bind(pos=self._place, size=self._place)

    @property
    def label(self) -> Label:
        """The moving text (built by the kv rule, which a parent's rule applies after ``__init__``)."""
        return self.ids.label

    def start(self, notices: tuple[str, ...], speed: float) -> None:
        """Show the notices, moving ``speed`` pixels per second at 1080p."""
        self.speed = speed * self.unit
        self.show(notices)

    def show(self, notices: tuple[str, ...]) -> None:
        """Scroll these notices from now on (the office's live ones change while the board runs)."""
        text = "      •      ".join(notices)  # Roboto has no ◆
        if text == self.label.text:
            return  # every redraw passes the notices: only a change costs a new texture
        self.label.text = text
        self.label.texture_update()
        self.label.size = self.label.texture_size
        if notices and self._event is None:
            self._event = Clock.schedule_interval(self._move, 1 / TICKER_FPS)
        self._place()

    def _move(self, dt: float) -> None:
        self.offset += self.speed * dt
        if self.offset > self.width + self.label.width:
            self.offset = 0.0
        self._place()

    def _place(self, *_args) -> None:
        if "label" not in self.ids:
            return  # the kv rule has not run yet
        self.label.pos = (self.right - self.offset, self.y + (self.height - self.label.height) / 2)


class GridBox(BoxLayout):
    """The counter grid at the top of its box."""

    unit = NumericProperty(1.0)


class RecentCalls(BoxLayout):
    """"CÁC SỐ VỪA GỌI" over a row of RecentBox."""

    unit = NumericProperty(1.0)


class RecentBox(Panel):
    """One recent call: its number over its counter's name."""

    unit = NumericProperty(1.0)


class WaitingBox(BoxLayout):
    """One field of the waiting panel: its name over how many people wait."""

    service_name = StringProperty("")
    text_px = NumericProperty(30.0)


class LandscapeBody(BoxLayout):
    """Grid left; stage and recent calls right."""

    unit = NumericProperty(1.0)


class PortraitBody(BoxLayout):
    """Stage, recent calls, grid, top to bottom."""

    unit = NumericProperty(1.0)


class BoardScreen(Panel):
    """The whole lobby board for one screen (its layout is in ``board_view.kv``)."""

    unit = NumericProperty(1.0)
    portrait = BooleanProperty(False)

    def __init__(self, display: DisplayConfig, screen: ScreenConfig, playlist: Playlist, size: tuple[int, int],
                 **kwargs) -> None:
        from kivy.core.window import Window

        Window.clearcolor = NAVY  # the background, without drawing a full-screen rectangle
        super().__init__(unit=min(size) / 1080, portrait=screen.orientation == "portrait", **kwargs)
        self.display, self.screen = display, screen
        self.timezone = ZoneInfo("Asia/Ho_Chi_Minh")
        self.view: ScreenView | None = None
        self._flash_until = 0.0
        self._flashed: Call | None = None  # the call on the stage while it flashes
        self._flash_event: ClockEvent | None = None
        self._recent_cells: list = []
        self._waiting_codes: tuple[str, ...] = ()
        self._waiting_cells: list = []
        self._waiting_page, self._waiting_pages = 0, 1

        ids = self.ids
        self.header, self.office, self.offline = ids.header, ids.office, ids.offline
        self.clock, self.date = ids.clock, ids.date
        self.waiting_panel, self.waiting, self.ticker = ids.waiting_panel, ids.waiting, ids.ticker
        body = (PortraitBody if self.portrait else LandscapeBody)(unit=self.unit)
        self.add_widget(body, index=2)  # between the header and the waiting panel (children run bottom-up)
        self._grid_box, self.grid = body.ids.grid_box, body.ids.grid_box.ids.grid
        self.stage, self.recent = body.ids.stage, body.ids.recent
        self.recent_row = self.recent.ids.row
        self.call_panel = CallPanel(unit=self.unit)
        self.media = MediaZone(playlist) if (screen.media and playlist) else None
        self.ticker.start(display.ticker, display.ticker_speed)
        self._show_stage_idle()
        if self.media:
            self.media.start()
        self.tick_clock()
        Clock.schedule_interval(self.tick_clock, 1.0)
        self._grid_box.bind(height=self._refit_grid)
        Clock.schedule_interval(self.turn_pages, PAGE_SECONDS)

    # -- data ---------------------------------------------------------------
    def show(self, view: ScreenView, connected: bool) -> None:
        """Draw a new state of the board."""
        self.view = view
        state = view.state
        if state.timezone:
            with contextlib.suppress(ValueError, KeyError):  # an unknown zone keeps the last one
                self.timezone = ZoneInfo(state.timezone)
        title = self.screen.title
        self.office.text = state.office_name + (f" — {title}" if title else "")
        self.offline.text = "" if connected else "• mất kết nối"
        self.grid.box_height = self._grid_box.height
        self.grid.show(view)
        self._show_recent(self._off_stage(view.recent_calls))
        self._show_waiting(view)
        if not self._flashing() and self.media is None:
            self.call_panel.show(view.recent_calls[0] if view.recent_calls else None, live=False)

    def show_notices(self, notices: tuple[str, ...]) -> None:
        """The ticker's lines: the configured ones, then the office's notices showing today."""
        self.ticker.show(notices)

    def announce(self, call: Call) -> None:
        """The newest call takes over the stage and flashes for a few seconds."""
        self._flash_until = time.monotonic() + self.display.flash_seconds
        self._flashed = call
        self._put_on_stage(self.call_panel)
        self.call_panel.show(call, live=True)
        self.call_panel.set_flash(True)
        if self._flash_event is None:
            self._flash_on = True
            self._flash_event = Clock.schedule_interval(self._flash_step, FLASH_PERIOD)
        if self.view is not None:
            self._show_recent(self._off_stage(self.view.recent_calls))

    def _off_stage(self, calls: tuple[Call, ...]) -> tuple[Call, ...]:
        """The recent calls but the one flashing on the stage (a call replayed meanwhile may be newer)."""
        flashed = self._flashed
        if flashed is None or not self._flashing():
            return calls
        return tuple(c for c in calls if c is not flashed and (c.ticket_id is None or c.ticket_id != flashed.ticket_id))

    def _flashing(self) -> bool:
        return time.monotonic() < self._flash_until

    def _flash_step(self, _dt: float) -> None:
        if not self._flashing():
            if self._flash_event is not None:
                self._flash_event.cancel()
            self._flash_event = None
            self.call_panel.calm()
            self._show_stage_idle()
            if self.view is not None:
                self.show(self.view, not self.offline.text)
            return
        self._flash_on = not self._flash_on
        self.call_panel.set_flash(self._flash_on)

    def _show_stage_idle(self) -> None:
        """Media when there is some, else the latest call in quiet colours."""
        if self.media is not None:
            self._put_on_stage(self.media)
        else:
            self._put_on_stage(self.call_panel)
            latest = self.view.recent_calls[0] if self.view and self.view.recent_calls else None
            self.call_panel.show(latest, live=False)

    def _put_on_stage(self, widget) -> None:
        if widget.parent is not self.stage:
            self.stage.clear_widgets()
            self.stage.add_widget(widget)

    def _show_recent(self, calls: tuple[Call, ...]) -> None:
        count = max(1, self.display.recent_calls - 1)
        if not self._recent_cells:
            for _ in range(count):
                box = RecentBox(unit=self.unit)
                self.recent_row.add_widget(box)
                self._recent_cells.append((box, box.ids.number, box.ids.name))
        # Boxes follow their call as it moves along the row, so a new call
        # renders one number and one counter name instead of the whole row.
        wanted = [(call.number, call.counter_name) for call in calls[:count]]
        unused = list(self._recent_cells)
        matched: list = []
        for key in wanted:
            cells = next((c for c in unused if (c[1].text, c[2].text) == key), None)
            if cells is not None:
                unused.remove(cells)
            matched.append(cells)
        ordered = [cells if cells is not None else unused.pop(0) for cells in matched] + unused
        for index, (box, number, name) in enumerate(ordered):
            key = wanted[index] if index < len(wanted) else ("", "")
            number.text, name.text = key
            box.bg = list(ROW_A if index < len(wanted) else ROW_B)
        if [cells[0] for cells in ordered] != list(reversed(self.recent_row.children)):
            self.recent_row.clear_widgets()
            for box, _, _ in ordered:
                self.recent_row.add_widget(box)

    def _show_waiting(self, view: ScreenView) -> None:
        """The waiting counts of this page of fields: names in 30 px, counts in 34 px, a page at a time."""
        services = view.services
        cols, rows = WAITING_PER_PAGE["portrait" if self.portrait else "landscape"]
        per_page = cols * rows
        pages = max(1, -(-len(services) // per_page))
        self._waiting_page %= pages
        self._waiting_pages = pages
        shown = services[self._waiting_page * per_page:(self._waiting_page + 1) * per_page]
        codes = tuple(service.code for service in shown)
        if codes != self._waiting_codes:
            self.waiting.clear_widgets()
            self._waiting_cells = []
            self.waiting.cols = max(1, min(cols, len(services)))
            for service in shown:
                box = WaitingBox(service_name=service.name, text_px=MIN_TEXT * self.unit)
                self.waiting.add_widget(box)
                self._waiting_cells.append(box.ids.count)
            self._waiting_codes = codes
        for service, count in zip(shown, self._waiting_cells, strict=True):
            count.text = f"{service.waiting} người đang chờ"
            count.fg = list(GOLD if service.waiting else GREY)

    def turn_pages(self, *_args) -> None:
        """The next page of counters and of waiting counts, where there are more than fit."""
        self.grid.turn_page()
        if self._waiting_pages > 1 and self.view is not None:
            self._waiting_page += 1
            self._show_waiting(self.view)

    def _refit_grid(self, *_args) -> None:
        """The grid's box got its size: as many rows a page as fit now."""
        self.grid.box_height = self._grid_box.height
        if self.view is not None:
            self.grid.show(self.view)

    def tick_clock(self, *_args) -> None:
        """Refresh the date and clock."""
        date_text, clock_text = format_clock(datetime.now(self.timezone))
        if self.clock.text != clock_text:
            self.clock.text, self.date.text = clock_text, date_text
