"""Take a number: the fields with people waiting and the wait, then "Quý khách thuộc diện ưu tiên?", then the ticket."""

from __future__ import annotations

from typing import Any

from kivy.clock import Clock
from kivy.factory import Factory
from kivy.properties import BooleanProperty, ColorProperty, StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout

from queue_server.client import ApiError, ErrorCode, ServerUnreachable, new_idempotency_key

from .. import theme
from ..texts import tr
from ..vm_queue import (
    NO_PRIORITY,
    TicketRequester,
    priority_choices,
    priority_question_spoken,
    service_accepting,
    service_name,
    service_rows,
)
from .base import KioskScreen, load_kv

load_kv(__file__)


class ServiceButton(ButtonBehavior, BoxLayout):
    """One field: its name large, waiting and wait below (greyed, with what to do instead, when closed today)."""

    code = StringProperty("")
    name = StringProperty("")
    details = StringProperty("")
    bg = ColorProperty(theme.GREEN)
    busy = BooleanProperty(False)
    accepting = BooleanProperty(True)


class TakeNumberScreen(KioskScreen):
    """Choose a field, then answer the priority question; issues the ticket with retries."""

    status = StringProperty("")
    status_kind = StringProperty("")  # "", "busy", "error"
    priority = StringProperty("")
    procedure_name = StringProperty("")
    loading = BooleanProperty(False)
    asking = BooleanProperty(False)  # the priority question is on screen instead of the fields
    asked_name = StringProperty("")  # the field (or procedure) the question is about

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.requester = TicketRequester(new_idempotency_key)
        self.services: list[dict[str, Any]] = []
        self.procedure: str | None = None
        self._retry_event = None
        self._priority_buttons: dict[str, Any] = {}
        self._asked_service: str | None = None
        # Out of the widget tree until a field is tapped: a hidden, disabled panel would still swallow the taps
        # on the field cards under it (Kivy's disabled widgets eat the touches that land on them).
        self._question = self.ids.question.__self__  # ids are weak: keep the panel alive while it is out
        self._question_box = self._question.parent
        self._question_box.remove_widget(self._question)

    def on_asking(self, _screen: Any, asking: bool) -> None:
        """Show the priority question in place of the fields, or take it away again."""
        if asking and self._question.parent is None:
            self._question_box.add_widget(self._question)  # last, below the (now empty) fields
        elif not asking and self._question.parent is not None:
            self._question_box.remove_widget(self._question)

    # -- loading --------------------------------------------------------------
    def on_pre_enter(self, *_args) -> None:
        """Show the last known fields at once, then refresh them."""
        self._build_priorities()
        self.load_services()

    def load_services(self) -> None:
        """Fetch fields with waiting counts."""
        self.loading = True
        self.call(self.app.client.services, self._services_loaded, self._services_failed)

    def _services_loaded(self, services: list[dict[str, Any]]) -> None:
        self.loading = False
        self.services = services
        self.app.services_cache = services
        self._show_services()

    def _services_failed(self, error: ApiError, message: str) -> None:
        self.loading = False
        if not self.services:
            self._set_status(tr("take.no_services", self.app.lang) + " " + message, "error")

    def _show_services(self) -> None:
        """Update the field buttons in place; build them only when the fields themselves change.

        The fields come back on every visit; rebuilding their buttons each time
        cost ~40 ms of a tap's frame on a cheap PC. A Label whose text did not
        change is not drawn again, so an unchanged list costs nothing.
        """
        grid = self.ids.services
        rows = service_rows(self.services, self.app.lang)
        if [button.code for button in grid.children[::-1]] != [row.code for row in rows]:
            grid.clear_widgets()
            grid.parent.scroll_y = 1
            for row in rows:
                button = ServiceButton(code=row.code)
                button.bind(on_release=lambda b: self.choose(b.code))
                grid.add_widget(button)
        for button, row in zip(grid.children[::-1], rows, strict=True):  # the same codes: a button per row
            details = "   ·   ".join(part for part in (row.waiting_text, row.wait_text) if part)
            if row.counters_text:
                details += "\n" + row.counters_text
            button.name, button.details = row.name, details
            button.accepting, button.bg = row.accepting, theme.GREEN if row.accepting else theme.GREY

    def _build_priorities(self) -> None:
        """The answers to the priority question, built once: a big button per group of the office."""
        grid = self.ids.priorities
        if self._priority_buttons:
            return
        for choice in priority_choices(self.app.settings.priorities, self.app.lang):
            if choice.code == NO_PRIORITY:
                continue  # "Không" is its own, wider button below the groups (kv)
            button = Factory.PriorityButton(key=choice.code)
            button.bind(on_release=lambda b: self.answer_priority(b.key))
            self._priority_buttons[choice.code] = button
            grid.add_widget(button)
        self.app.bind(lang=lambda *_: self._relabel())
        self._label_priorities()

    def _relabel(self) -> None:
        """Another language: the priority buttons and the field buttons say it anew."""
        self._label_priorities()
        if self.services:
            self._show_services()

    def _label_priorities(self) -> None:
        labels = {choice.code: choice.label for choice in priority_choices(list(self._priority_buttons), self.app.lang)}
        for code, button in self._priority_buttons.items():
            button.text = labels[code]

    # -- issuing ----------------------------------------------------------------
    def issue_for_procedure(self, service: str, procedure: str | None, procedure_name: str = "") -> None:
        """From a procedure's detail: issue a ticket for its field straight away."""
        self.procedure = procedure
        self.procedure_name = procedure_name
        self.choose(service)

    def choose(self, service: str) -> None:
        """A tap on a field: ask "Quý khách thuộc diện ưu tiên?" (read aloud), unless a request is under way."""
        if self.requester.pending is not None:
            return
        if not service_accepting(service, self.services or self.app.services_cache):
            self._say_closed_today()
            return
        self._build_priorities()  # from a procedure's detail the question may come before the screen's first visit
        if not self._priority_buttons:
            self._start(service, NO_PRIORITY)  # an office without priority groups: nothing to ask
            return
        self._asked_service = service
        self.asked_name = self.procedure_name or service_name(service, self.services or self.app.services_cache)
        self.asking = True
        if self.app.settings.read_aloud:
            self.app.reader.speak(self.spoken_text(self.app.lang), self.app.lang)

    def answer_priority(self, code: str) -> None:
        """The citizen's answer: a ticket for the field just chosen, with that group (``NO_PRIORITY``: none)."""
        service = self._asked_service
        if not self.asking or service is None:
            return
        self._close_question()
        self.priority = code
        self._start(service, code)

    def choose_other_field(self) -> None:
        """Back from the question to the fields (a procedure chosen before is dropped with its field)."""
        self._close_question()
        self.procedure, self.procedure_name = None, ""

    def _close_question(self) -> None:
        self.asking, self.asked_name, self._asked_service = False, "", None

    def _start(self, service: str, priority: str) -> None:
        if self.requester.start(service, priority or None, self.procedure) is None:
            return
        self._send()

    def _send(self, *_args) -> None:
        self._retry_event = None
        request = self.requester.attempt()
        if request is None:
            return
        self._set_status(self.requester.status_text(self.app.lang), "busy")
        client = self.app.client
        self.call(lambda: client.issue_ticket(**request.body()),
                  lambda ticket: self._issued(request, ticket),
                  lambda error, message: self._issue_failed(request, error, message))

    def _issued(self, request: Any, ticket: dict[str, Any]) -> None:
        if request is not self.requester.pending:
            return  # the citizen left before the answer came
        self.requester.succeeded()
        self._set_status("", "")
        self.reset()  # the next ticket from this screen starts without a priority
        self.app.show_ticket(ticket, self.services)

    def _issue_failed(self, request: Any, error: ApiError, message: str) -> None:
        if request is not self.requester.pending:
            return
        if isinstance(error, ServerUnreachable):
            self.requester.unreachable()
            self._set_status(self.requester.status_text(self.app.lang), "busy")
            self._retry_event = Clock.schedule_once(self._send, self.app.settings.retry_seconds)
        else:
            self.requester.failed(message)
            self._set_status(message, "error")
            if error.code == ErrorCode.SERVICE_CLOSED_TODAY:  # closed since the list was loaded: grey it now
                self._close_question()
                self.load_services()

    def _say_closed_today(self) -> None:
        """A tap on a field closed today: no number, the plain words on screen and read aloud."""
        self._close_question()
        self.procedure, self.procedure_name = None, ""
        self._set_status(tr("error.service_closed_today", self.app.lang), "")  # not a fault: the yellow note
        if self.app.settings.read_aloud:
            self.app.reader.speak(self.status, self.app.lang)

    def reconnected(self) -> None:
        """Retry a waiting request now rather than at the next tick; refresh the fields."""
        if self.requester.retrying and self._retry_event is not None:
            self._retry_event.cancel()
            self._send()
        self.load_services()

    def _set_status(self, text: str, kind: str) -> None:
        self.status, self.status_kind = text, kind

    def on_leave(self, *_args) -> None:
        """Leaving drops a pending request and its idempotency key."""
        if self._retry_event is not None:
            self._retry_event.cancel()
            self._retry_event = None
        self.requester.abandon()
        self._set_status("", "")
        self._close_question()
        self.procedure, self.procedure_name = None, ""

    def reset(self) -> None:
        """No priority chosen and no question open for the next citizen."""
        self.priority = ""
        self._close_question()

    def spoken_text(self, lang: str) -> str:
        """The priority question when it is open; else the instruction, then each field with its waiting count."""
        if self.asking:
            return priority_question_spoken(list(self._priority_buttons), lang)
        parts = [tr("take.spoken", lang)]
        rows = service_rows(self.services, lang)
        parts += [f"{row.name}: {row.waiting_text.rstrip('.')}." for row in rows]
        if not all(row.accepting for row in rows):
            parts.append(tr("take.closed_today.hint", lang))
        if self.status:
            parts.insert(0, self.status)
        return " ".join(parts)
