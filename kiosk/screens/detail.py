"""A procedure in full: documents, time limit, fee, steps, where to file, online, sample, video."""

from __future__ import annotations

from typing import Any

from kivy.factory import Factory
from kivy.properties import BooleanProperty, StringProperty

from queue_server.client import ApiError

from .. import theme
from ..texts import tr
from ..vm_catalog import ProcedureDetail, closed_today_note, procedure_detail, where_text
from .base import KioskScreen, load_kv

load_kv(__file__)


class DetailScreen(KioskScreen):
    """The facts a citizen needs before filing, and a button to take a number for it."""

    title = StringProperty("")
    error = StringProperty("")
    portal_url = StringProperty("")
    sample_url = StringProperty("")
    video_url = StringProperty("")
    can_take = BooleanProperty(False)
    closed_note = StringProperty("")  # the field takes no ticket today: said instead of the button's offer

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.detail: ProcedureDetail | None = None
        self.code = ""

    def load(self, code: str) -> None:
        """Fetch and show one procedure."""
        self.code = code
        self.detail = None
        self.error = ""
        self.title = tr("common.loading", self.app.lang)
        self.ids.sections.clear_widgets()
        self.portal_url = self.sample_url = self.video_url = ""
        self.can_take = False
        self.closed_note = ""
        client = self.app.client
        self.call(lambda: client.procedure(code), lambda record: self._loaded(code, record), self._failed)
        self.call(client.services, self._services_loaded)  # whether its field takes tickets today, fresh

    def _services_loaded(self, services: list[dict[str, Any]]) -> None:
        self.app.services_cache = services
        self._render()

    def _loaded(self, code: str, record: dict[str, Any]) -> None:
        if code != self.code:
            return
        self.detail = procedure_detail(record)
        self._render()

    def _failed(self, error: ApiError, message: str) -> None:
        self.error = message
        self.title = tr("search.title", self.app.lang)

    def _render(self, *_args) -> None:
        detail, lang = self.detail, self.app.lang
        if detail is None:
            return
        self.title = detail.name
        self.portal_url = detail.portal_url if detail.online != "none" else ""
        self.sample_url, self.video_url = detail.sample_url, detail.video_url
        self.closed_note = closed_today_note(detail, self.app.services_cache, lang)
        self.can_take = bool(detail.service) and not self.closed_note
        box = self.ids.sections
        box.clear_widgets()
        unknown = tr("detail.unknown", lang)
        heading = Factory.Heading(text=detail.name, font_size=46 * self.app.scale, color=theme.BAR_BG)
        box.add_widget(heading)
        facts = " · ".join(p for p in (tr("detail.code", lang, code=detail.code),
                                       tr("detail.field", lang, field=detail.field) if detail.field else "") if p)
        box.add_widget(Factory.TextLine(text=facts, color=theme.MUTED))
        if self.closed_note:  # before the facts, which stay readable for another day
            box.add_widget(Factory.TextLine(text=self.closed_note, color=theme.ERROR_BG, bold=True))
        self._section(tr("detail.time", lang), [detail.time or unknown])
        self._section(tr("detail.fee", lang), [detail.fee or unknown])
        self._section(tr("detail.documents", lang), detail.documents or [unknown], bullets=True)
        if detail.steps:
            self._section(tr("detail.steps", lang), detail.steps, numbered=True)
        where = where_text(detail, self.app.services_cache, self.app.settings.office_name, lang)
        if where:
            self._section(tr("detail.where", lang), [where])
        self._section(tr("detail.online", lang), [detail.online_text(lang)])
        self.ids.scroll.scroll_y = 1

    def _section(self, title: str, lines: list[str], bullets: bool = False, numbered: bool = False) -> None:
        box = self.ids.sections
        box.add_widget(Factory.Heading(text=title, color=theme.BLUE))
        for index, line in enumerate(lines, 1):
            prefix = f"{index}. " if numbered else ("•  " if bullets else "")
            box.add_widget(Factory.TextLine(text=prefix + line))

    def take_number(self) -> None:
        """Issue a ticket for this procedure's field."""
        if self.detail is None or not self.detail.service:
            return
        self.app.go("take_number")
        self.app.screens["take_number"].issue_for_procedure(self.detail.service, self.detail.code, self.detail.name)

    def on_pre_enter(self, *_args) -> None:
        """Follow language changes while shown."""
        self.app.bind(lang=self._render)

    def on_leave(self, *_args) -> None:
        """Stop following the language."""
        self.app.unbind(lang=self._render)

    def reconnected(self) -> None:
        """Reload a procedure that failed to load."""
        if self.detail is None and self.code:
            self.load(self.code)

    def reset(self) -> None:
        """Forget the procedure."""
        self.detail, self.code = None, ""

    def spoken_text(self, lang: str) -> str:
        """The key facts."""
        if self.detail is None:
            return self.error
        return " ".join(part for part in (self.detail.spoken(lang), self.closed_note) if part)
