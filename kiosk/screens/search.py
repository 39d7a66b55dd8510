"""Look up a procedure: an on-screen Vietnamese keyboard, results as you type, browse by field."""

from __future__ import annotations

import time
from typing import Any

from kivy.core.window import Window
from kivy.factory import Factory
from kivy.properties import StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.label import Label
from kivy.utils import escape_markup

from queue_server.client import ApiError

from ..texts import tr
from ..vm_catalog import SearchState, field_names, result_rows
from ..vnkeys import type_key
from ..widgets import KButton
from .base import KioskScreen, load_kv

load_kv(__file__)

# How long a keystroke waits for its answer so that the letter and the results are
# drawn in one frame (see Worker.settle); the API answers in ~10 ms on a LAN.
KEYSTROKE_WAIT_S = 0.05
QUERY_LIMIT = 6  # what fits above the keyboard without scrolling; each row costs a texture
FIELD_LIMIT = 40


class ResultButton(ButtonBehavior, Label):
    """One procedure in the results: its name, and its field and online level under it."""

    code = StringProperty("")
    name = StringProperty("")
    detail = StringProperty("")
    escaped_name = StringProperty("")
    escaped_detail = StringProperty("")

    def on_name(self, _instance: Any, value: str) -> None:
        self.escaped_name = escape_markup(value)

    def on_detail(self, _instance: Any, value: str) -> None:
        self.escaped_detail = escape_markup(value)


class SearchScreen(KioskScreen):
    """Search box, keyboard, results, fields."""

    query = StringProperty("")
    info = StringProperty("")
    field_label = StringProperty("")

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.state = SearchState()
        self.fields: list[tuple[str, str]] = []
        self.last_update_at = 0.0  # perf_counter of the last results shown (for the bench)
        self._fields_cache: list[KButton] = []
        self._results_pool: list[ResultButton] = []

    def on_kv_post(self, base_widget: Any) -> None:
        """Hook the keyboard."""
        self.ids.keyboard.bind(on_key=lambda _kb, key: self.press(key))

    def on_pre_enter(self, *_args) -> None:
        """Load the fields once; take typing from a physical keyboard too."""
        if not self.fields:
            self.call(self.app.client.fields, self._fields_loaded, lambda e, m: self._show_error(m))
        self._relabel_keys()
        Window.bind(on_textinput=self._physical_text)
        self._render()

    def on_leave(self, *_args) -> None:
        """Stop listening to the physical keyboard."""
        Window.unbind(on_textinput=self._physical_text)

    def _physical_text(self, _window: Any, text: str) -> None:
        for ch in text:
            self.press(ch.lower())

    def _relabel_keys(self) -> None:
        lang = self.app.lang
        self.ids.keyboard.labels = [tr("key.space", lang), tr("key.backspace", lang)]

    # -- typing ----------------------------------------------------------------------
    def press(self, key: str) -> None:
        """One key of the on-screen keyboard."""
        self.query = type_key(self.query, key)
        self.state.query = self.query
        self._request(settle=True)

    def choose_field(self, field: str | None) -> None:
        """Browse one field (None: all)."""
        self.state.field = field
        self.field_label = field or ""
        self._request(settle=True)

    def _request(self, settle: bool = False) -> None:
        request = self.state.next_request()
        if request is None:
            self._render()
            return
        query, field = request
        client = self.app.client
        limit = QUERY_LIMIT if query else FIELD_LIMIT
        future = self.call(lambda: client.procedures(q=query or None, field=field, limit=limit),
                           lambda results: self._received(request, results),
                           lambda error, message: self._failed(request, error, message))
        if settle:
            self.app.worker.settle(future, KEYSTROKE_WAIT_S)

    def _received(self, request: tuple[str, str | None], results: list[dict[str, Any]]) -> None:
        self.state.received(request, results)
        self._render()
        self._request()  # the citizen typed on meanwhile

    def _failed(self, request: tuple[str, str | None], error: ApiError, message: str) -> None:
        self.state.failed(message)
        self._render()

    def _fields_loaded(self, raw: Any) -> None:
        self.fields = field_names(raw)
        self._render()

    def _show_error(self, message: str) -> None:
        self.state.error = message
        self._render()

    # -- showing ---------------------------------------------------------------------
    def _render(self) -> None:
        lang = self.app.lang
        box = self.ids.results
        box.clear_widgets()
        self.ids.scroll.scroll_y = 1
        query, field = self.state.wanted()
        if self.state.error:
            self.info = self.state.error
        elif not query and field is None:
            self.info = tr("search.browse", lang)
            for button in self._field_buttons():
                box.add_widget(button)
        elif self.state.shown_for == (query, field):
            rows = result_rows(self.state.results, lang)
            if not rows:
                self.info = tr("search.none", lang)
            elif query and len(rows) >= QUERY_LIMIT:
                self.info = tr("search.top", lang)
            else:
                self.info = tr("search.results", lang, n=len(rows))
            for button, row in zip(self._result_buttons(rows), rows, strict=True):  # a button per row
                button.code, button.name, button.detail = row.code, row.name, row.detail
                box.add_widget(button)
        else:
            self.info = tr("common.loading", lang)
        self.last_update_at = time.perf_counter()

    def _field_buttons(self) -> list[KButton]:
        """One button per field, built once (re-adding widgets is cheaper than building them)."""
        if len(self._fields_cache) != len(self.fields):
            self._fields_cache = []
            for value, label in self.fields:
                # Sized in kv, so it follows app.scale: built during the warm-up, while the window may still
                # be Kivy's first 800×600, a size fixed here stayed 53 px tall on a 1080p kiosk.
                button = Factory.FieldChip(text=label, key=value)
                button.bind(on_release=lambda b: self.choose_field(b.key))
                self._fields_cache.append(button)
        return self._fields_cache

    def _result_buttons(self, rows: list[Any]) -> list[ResultButton]:
        """A row for each result from a reused pool; a procedure still listed keeps its own row.

        Typing a letter mostly reorders the same few procedures: a row that keeps
        its procedure keeps its drawn text, so only new procedures are drawn.
        """
        wanted = {row.code for row in rows}
        by_code = {button.code: button for button in self._results_pool if button.code in wanted}
        free = [button for button in self._results_pool if button.code not in wanted]
        chosen = []
        for row in rows:
            button = by_code.pop(row.code, None) or (free.pop() if free else self._new_result_button())
            chosen.append(button)
        return chosen

    def _new_result_button(self) -> ResultButton:
        button = ResultButton()
        button.bind(on_release=lambda b: self.open(b.code))
        self._results_pool.append(button)
        return button

    def open(self, code: str) -> None:
        """Open a procedure's detail."""
        self.app.go("detail")
        self.app.screens["detail"].load(code)

    def reset(self) -> None:
        """Forget the query and the field."""
        self.query = ""
        self.field_label = ""
        self.state.clear()  # shown again by on_pre_enter: nothing is rebuilt while the screen is hidden

    def reconnected(self) -> None:
        """Reload fields and the results that failed."""
        if not self.fields:
            self.call(self.app.client.fields, self._fields_loaded, lambda e, m: self._show_error(m))
        self.state.shown_for = None
        self.state.error = ""
        self._request()

    def spoken_text(self, lang: str) -> str:
        """The instruction, then the results' names."""
        parts = [tr("search.spoken", lang)]
        if self.state.results and self.query:
            parts.append(self.info + ":")
            parts += [row.name + "." for row in result_rows(self.state.results, lang)[:5]]
        return " ".join(parts)
