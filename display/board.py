"""What a lobby screen shows, as a pure function of the server's events.

``reduce(state, event) -> state`` rebuilds from a ``snapshot`` and folds in
every later event. It ignores events it does not know (beyond the counter
and waiting counts they carry) and replays of events it has seen (by id),
so reconnecting and resuming can never show a call twice. Only numbers,
fields and counters are kept: never a citizen's personal data.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from queue_server.client import ServerEvent
from wording import COUNTER_CLOSED_LABELS

RECENT_LIMIT = 12  # more than any screen shows; bounds memory over a long day
CALL_EVENTS = ("ticket.called", "ticket.recalled")
NOTICES_EVENT = "notice.changed"  # the whole list of the office's notices, after any change in /admin


@dataclass(frozen=True)
class ServiceRow:
    """A field (lĩnh vực) and how many wait for it."""

    code: str
    name: str
    prefix: str
    counters: tuple[int, ...]
    waiting: int


@dataclass(frozen=True)
class CounterRow:
    """A counter and the number it serves."""

    number: int
    name: str
    services: tuple[str, ...]
    state: str  # closed | idle | serving | paused
    pause_reason: str | None = None
    ticket_id: int | None = None
    ticket_number: str | None = None
    ticket_service: str | None = None
    ticket_status: str | None = None
    closed_today: bool = False  # the admin closed it for the day (/admin "Quầy hôm nay"), not merely unopened


@dataclass(frozen=True)
class Call:
    """A ticket called (or recalled) to a counter."""

    ticket_id: int | None
    number: str
    service: str
    service_name: str
    counter: int | None
    counter_name: str
    called_at: str | None
    recall: bool = False
    event_id: int | None = None  # None: known from a snapshot, not heard live


@dataclass(frozen=True)
class Notice:
    """One of the office's notices from /admin, with the days it shows (ISO dates, None: open-ended)."""

    id: int | None
    text: str
    starts_on: str | None = None
    ends_on: str | None = None

    def shows_on(self, day: str | None) -> bool:
        """True on the days between its start and end (any day when the server's day is unknown)."""
        if day is None:
            return True
        return (self.starts_on is None or self.starts_on <= day) and (self.ends_on is None or day <= self.ends_on)


@dataclass(frozen=True)
class BoardState:
    """Everything a lobby screen draws."""

    office_name: str = ""
    timezone: str = "Asia/Ho_Chi_Minh"
    hotline: str = ""
    day: str | None = None
    services: tuple[ServiceRow, ...] = ()
    counters: tuple[CounterRow, ...] = ()
    recent_calls: tuple[Call, ...] = ()  # newest first
    last_event_id: int | None = None
    synced: bool = False  # a snapshot has been applied
    notices: tuple[Notice, ...] = ()  # the office's live notices, in ticker order

    @property
    def latest_call(self) -> Call | None:
        """The newest call, if any."""
        return self.recent_calls[0] if self.recent_calls else None

    def counter(self, number: int) -> CounterRow | None:
        """The row of one counter."""
        return next((c for c in self.counters if c.number == number), None)

    def service(self, code: str) -> ServiceRow | None:
        """The row of one service."""
        return next((s for s in self.services if s.code == code), None)


EMPTY = BoardState()


def reduce(state: BoardState, event: ServerEvent) -> BoardState:
    """The board after one event; unchanged for replays."""
    if event.type == "snapshot":
        return from_snapshot(event.data, event.id)
    if event.id is not None and state.last_event_id is not None and event.id <= state.last_event_id:
        return state  # a replay after resuming: already applied
    data = event.data if isinstance(event.data, Mapping) else {}
    new = state
    if isinstance(data.get("counter"), Mapping):
        new = _with_counter(new, _counter_row(data["counter"], new))
    if isinstance(data.get("waiting"), Mapping):
        new = _with_waiting(new, data["waiting"])
    if event.type in CALL_EVENTS and isinstance(data.get("ticket"), Mapping):
        new = _with_call(new, _call(data["ticket"], recall=event.type == "ticket.recalled", event_id=event.id))
    elif event.type == NOTICES_EVENT:
        new = replace(new, notices=_notices(data.get("notices")))
    elif event.type == "day.started":
        new = replace(new, day=data.get("day", new.day), recent_calls=(),
                      counters=tuple(replace(c, ticket_id=None, ticket_number=None, ticket_service=None,
                                             ticket_status=None, closed_today=False)  # a closure lasts a day
                                     for c in new.counters))
    if event.id is not None:
        new = replace(new, last_event_id=event.id)
    return new


def reduce_all(state: BoardState, events: Iterable[ServerEvent]) -> BoardState:
    """Fold many events."""
    for event in events:
        state = reduce(state, event)
    return state


def from_snapshot(data: Mapping[str, Any], event_id: int | None = None) -> BoardState:
    """A fresh board from the server's ``snapshot`` event."""
    office = data.get("office") or {}
    last_id = data.get("last_event_id")
    return BoardState(
        office_name=str(office.get("name", "")),
        timezone=str(office.get("timezone") or "Asia/Ho_Chi_Minh"),
        hotline=str(office.get("hotline") or ""),
        day=data.get("day") or _local_date(data.get("at")),
        services=tuple(
            ServiceRow(code=s["code"], name=s.get("name", s["code"]), prefix=s.get("prefix", ""),
                       counters=tuple(s.get("counters") or ()), waiting=int(s.get("waiting") or 0))
            for s in data.get("services") or ()
        ),
        counters=tuple(_counter_row(c, None) for c in data.get("counters") or ()),
        recent_calls=tuple(_call(t, recall=False, event_id=None)
                           for t in (data.get("recent_calls") or ())[:RECENT_LIMIT]),
        last_event_id=last_id if isinstance(last_id, int) else event_id,
        synced=True,
        notices=_notices(data.get("notices")),
    )


def notices_showing(state: BoardState) -> tuple[str, ...]:
    """The texts of the office's notices showing on the server's day (its ``day``, not this screen's clock)."""
    return tuple(n.text for n in state.notices if n.shows_on(state.day))


def _local_date(at: Any) -> str | None:
    """The office's date of a server time in its own offset (``2026-11-23T08:00:00+07:00`` -> ``2026-11-23``)."""
    return at[:10] if isinstance(at, str) and len(at) >= 10 else None


def _notices(raw: Any) -> tuple[Notice, ...]:
    """Notices from a snapshot or ``notice.changed`` (already in ticker order); anything malformed is skipped."""
    if not isinstance(raw, list | tuple):
        return ()
    return tuple(Notice(n.get("id"), n["text"], n.get("starts_on"), n.get("ends_on"))
                 for n in raw if isinstance(n, Mapping) and isinstance(n.get("text"), str) and n["text"].strip())


def new_call(before: BoardState, after: BoardState) -> Call | None:
    """The call that a reduce step just heard live (to flash and announce), else None."""
    latest = after.latest_call
    if latest is None or latest.event_id is None or after is before:
        return None
    if before.latest_call is not None and before.latest_call.event_id == latest.event_id:
        return None
    return latest


def call_age_s(call: Call, server_now: datetime) -> float | None:
    """Seconds since the call was made, by the server's clock (None when unknown)."""
    if not call.called_at:
        return None
    try:
        called = datetime.fromisoformat(call.called_at)
    except ValueError:
        return None
    if called.tzinfo is None or server_now.tzinfo is None:
        return None
    return (server_now - called).total_seconds()


def server_clock_offset_s(snapshot_at: str | None, local_now: datetime) -> float:
    """How far the server's clock is behind this screen's (from a snapshot's ``at``), 0 when unknown."""
    try:
        at = datetime.fromisoformat(snapshot_at) if snapshot_at else None
    except ValueError:
        at = None
    if at is None or at.tzinfo is None:
        return 0.0
    return (local_now - at).total_seconds()


def _counter_row(view: Mapping[str, Any], state: BoardState | None) -> CounterRow:
    """A counter row from the server's counter view."""
    current = view.get("current") if isinstance(view.get("current"), Mapping) else None
    number = int(view["number"])
    old = state.counter(number) if state else None
    return CounterRow(
        number=number,
        name=str(view.get("name") or (old.name if old else f"Quầy {number}")),
        services=tuple(view.get("services") or (old.services if old else ())),
        state=str(view.get("state") or "idle"),
        pause_reason=view.get("pause_reason") if view.get("state") == "paused" else None,
        ticket_id=current.get("id") if current else None,
        ticket_number=current.get("number") if current else None,
        ticket_service=current.get("service") if current else None,
        ticket_status=current.get("status") if current else None,
        closed_today=bool(view.get("closed_today")),
    )


def closed_text(counter: CounterRow) -> str:
    """What a closed counter's "ĐANG PHỤC VỤ" cell says: closed for today, or not opened yet."""
    return COUNTER_CLOSED_LABELS["closed_today" if counter.closed_today else "not_opened"]  # the web board's too


def closed_words(state: BoardState) -> dict[int, str]:
    """Each closed counter with its words, to log what an event changed (``--record``'s timings)."""
    return {c.number: closed_text(c) for c in state.counters if c.state == "closed"}


def _with_counter(state: BoardState, row: CounterRow) -> BoardState:
    """Replace (or add) one counter row, keeping configuration order."""
    if state.counter(row.number) is None:
        rows = tuple(sorted((*state.counters, row), key=lambda c: c.number))
    else:
        rows = tuple(row if c.number == row.number else c for c in state.counters)
    return replace(state, counters=rows)


def _with_waiting(state: BoardState, waiting: Mapping[str, Any]) -> BoardState:
    """New waiting counts per service."""
    rows = tuple(replace(s, waiting=int(waiting[s.code])) if s.code in waiting else s for s in state.services)
    return replace(state, services=rows)


def _call(ticket: Mapping[str, Any], *, recall: bool, event_id: int | None) -> Call:
    """A call from a ticket view (number, field and counter only)."""
    counter = ticket.get("counter")
    return Call(
        ticket_id=ticket.get("id"),
        number=str(ticket.get("number", "")),
        service=str(ticket.get("service", "")),
        service_name=str(ticket.get("service_name") or ticket.get("service", "")),
        counter=counter,
        counter_name=str(ticket.get("counter_name") or (f"Quầy {counter}" if counter is not None else "")),
        called_at=ticket.get("called_at"),
        recall=recall,
        event_id=event_id,
    )


def _with_call(state: BoardState, call: Call) -> BoardState:
    """Put a call on top of the recent calls (a recalled ticket moves up, not twice)."""
    older = tuple(c for c in state.recent_calls if c.ticket_id is None or c.ticket_id != call.ticket_id)
    return replace(state, recent_calls=(call, *older)[:RECENT_LIMIT])


# -- what one screen shows ---------------------------------------------------


@dataclass(frozen=True)
class ScreenView:
    """A board restricted to a screen's zone of counters."""

    state: BoardState
    counters: tuple[CounterRow, ...]
    services: tuple[ServiceRow, ...]
    recent_calls: tuple[Call, ...]


def screen_view(state: BoardState, zone: tuple[int, ...] = (), recent: int = 5) -> ScreenView:
    """The counters, fields and calls of one zone (all of them for an empty zone)."""
    if not zone:
        return ScreenView(state, state.counters, state.services, state.recent_calls[:recent])
    counters = tuple(c for c in state.counters if c.number in zone)
    codes = {code for c in counters for code in c.services}
    services = tuple(s for s in state.services if s.code in codes or set(s.counters) & set(zone))
    calls = tuple(c for c in state.recent_calls if c.counter in zone)[:recent]
    return ScreenView(state, counters, services, calls)


def in_zone(call: Call, zone: tuple[int, ...]) -> bool:
    """True when a call is for a counter this screen shows."""
    return not zone or call.counter in zone
