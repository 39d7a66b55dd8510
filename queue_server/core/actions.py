"""The queue rules: issue, call, recall, no-show, transfer, pause, complete.

Every rule takes the state, the office, its arguments and ``now`` (an aware
datetime), checks everything first and only then changes the state, and
returns an ``Outcome`` listing the events and the changed records. Nothing
here reads a clock, a file or a database.
"""

from __future__ import annotations

import unicodedata
from datetime import date, datetime, timedelta

from . import errors
from .model import (
    CALLED,
    CANCELLED,
    COUNTER_CLOSED,
    COUNTER_IDLE,
    COUNTER_PAUSED,
    COUNTER_SERVING,
    DONE,
    IN_PROGRESS,
    NO_SHOW,
    SERVING,
    WAITING,
    CounterState,
    Event,
    Outcome,
    QueueState,
    ServiceState,
    Ticket,
)
from .office import Counter, Office
from .open_counters import refuse_if_closed_today, refuse_unserved_field
from .selection import choose_next

MAX_REASON_LENGTH = 200
MAX_TRANSFER_NOTE_LENGTH = 200  # a line or two for the receiving clerk ("thiếu bản sao CCCD"), not a dossier


def new_state(office: Office) -> QueueState:
    """An empty queue for an office: every counter closed, no tickets."""
    state = QueueState(day=None)
    for counter in office.counters:
        state.counters[counter.number] = CounterState(number=counter.number)
    for service in office.services:
        state.services[service.code] = _service_state(service.code, office)
    return state


def _service_state(code: str, office: Office) -> ServiceState:
    """A fresh per-service state with the office's service-time window."""
    from collections import deque

    return ServiceState(code=code, recent_service_s=deque(maxlen=office.policy.service_time_window))


def service_day(office: Office, now: datetime) -> date:
    """The office's local date at ``now``: numbering resets at local midnight."""
    return now.astimezone(office.tz).date()


def is_new_day(state: QueueState, office: Office, now: datetime) -> bool:
    """True when ``now`` starts a new service day: a later local date, not held as a clock jump (core.clock).

    Never back: a clock stepped back over midnight would otherwise cancel
    today's queue and number a past day again (duplicate numbers).
    """
    if state.day is None:
        return True
    return service_day(office, now) > state.day and state.clock.held_day is None


def start_day_if_new(state: QueueState, office: Office, now: datetime) -> Outcome:
    """Roll the queue over to a new local day: cancel leftovers, close counters.

    Tickets still open from an earlier day will never be served (the office
    closed), so they are cancelled; numbering starts again from each
    service's first number.
    """
    outcome = Outcome()
    today = service_day(office, now)
    if not is_new_day(state, office, now):
        return outcome
    cancelled = []
    for ticket in state.tickets.values():
        if ticket.status in (WAITING, CALLED, SERVING):
            state.set_status(ticket, CANCELLED)
            ticket.finished_at = now
            outcome.touch_ticket(ticket)
            cancelled.append(ticket.id)
    for counter in state.counters.values():
        counter.closed_today = False  # a counter closed from /admin was closed for that day only
        if counter.state != COUNTER_CLOSED or counter.current is not None:
            counter.state, counter.current, counter.pause_reason = COUNTER_CLOSED, None, None
            outcome.touch_counter(counter)
    for service_state in state.services.values():
        if service_state.normals_since_priority:
            service_state.normals_since_priority = 0  # the every-N count starts afresh each day
            outcome.services[service_state.code] = service_state
    previous = state.day
    state.tickets = {}
    state.lines = {}
    state.by_token = {}
    state.targeted = set()
    state.last_seq = {}
    state.last_queued_at = None
    state.day = today
    if previous is not None:
        outcome.events.append(
            Event("day.started", {"day": today.isoformat(), "cancelled": cancelled})
        )
    return outcome


def issue_ticket(
    state: QueueState,
    office: Office,
    service_code: str,
    now: datetime,
    *,
    priority: str | None = None,
    procedure: str | None = None,
    device: str | None = None,
    status_token: str,
) -> tuple[Ticket, Outcome]:
    """Number a new ticket for a service: the next number of the local day."""
    service = office.service(service_code)
    if service is None:
        raise errors.UnknownService(
            f"Không có lĩnh vực '{service_code}'. Xin chọn một trong: "
            + ", ".join(s.code for s in office.services)
        )
    if priority is not None and priority not in office.priorities:
        raise errors.InvalidPriority(
            f"Cơ quan không áp dụng diện ưu tiên '{priority}'; xin chọn một trong "
            + ", ".join(office.priorities)
            + ", hoặc bỏ trống để lấy số thường."
        )
    if not is_new_day(state, office, now):  # a new day opens every counter again
        refuse_unserved_field(state, office, service_code)
    outcome = start_day_if_new(state, office, now)
    assert state.day is not None  # start_day_if_new has set the day
    seq = state.last_seq.get(service_code, service.first_number - 1) + 1
    queued_at = _queue_time(state, now)
    ticket = Ticket(
        id=state.next_ticket_id,
        service=service_code,
        seq=seq,
        number=service.format_number(seq),
        day=state.day,
        issued_at=now,
        queued_at=queued_at,
        status_token=status_token,
        priority=priority,
        procedure=procedure,
        device=device,
    )
    state.next_ticket_id += 1
    state.last_seq[service_code] = seq
    state.last_queued_at = queued_at
    state.add_ticket(ticket)
    outcome.touch_ticket(ticket)
    outcome.events.append(Event("ticket.issued", {}, ticket_id=ticket.id))
    return ticket, outcome


def _queue_time(state: QueueState, now: datetime) -> datetime:
    """A new ticket's place in the queue: now, but never before the day's latest ticket.

    The line is ordered by queue time; a clock stepped back must not put a
    new ticket ahead of older ones, so within a day the queue keeps issue order.
    """
    if state.last_queued_at is None:
        state.last_queued_at = max((t.queued_at for t in state.tickets.values() if t.day == state.day), default=now)
    return max(now, state.last_queued_at)


def call_next(
    state: QueueState, office: Office, counter_number: int, now: datetime, *, clerk: str | None = None
) -> tuple[Ticket | None, Outcome]:
    """Call the next ticket to a counter, ending the one still in progress there."""
    _require_counter(office, counter_number)
    if not is_new_day(state, office, now):
        refuse_if_closed_today(state, office, counter_number)
    outcome = start_day_if_new(state, office, now)
    counter = state.counters[counter_number]
    current = state.current_ticket(counter_number)
    if current is not None and office.policy.call_with_current == "refuse":
        raise errors.CounterBusy(
            f"Phiếu {current.number} vẫn đang ở quầy này: xin bấm xong, vắng mặt hoặc chuyển phiếu trước."
        )
    ticket = choose_next(state, office, counter_number, now)
    if current is not None:
        outcome.merge(_finish(state, office, current, DONE, now))
    _open_counter(counter, clerk, outcome)
    if ticket is None:
        counter.state = COUNTER_IDLE
        outcome.touch_counter(counter)
        return None, outcome
    _count_policy_pick(state, office, ticket)
    outcome.services[ticket.service] = state.services[ticket.service]
    outcome.merge(_call(state, counter, ticket, now))
    return ticket, outcome


def call_ticket(
    state: QueueState,
    office: Office,
    counter_number: int,
    ticket_id: int,
    now: datetime,
    *,
    clerk: str | None = None,
) -> tuple[Ticket, Outcome]:
    """Call one chosen ticket: a waiting one, or a no-show who came back within the grace."""
    config = _require_counter(office, counter_number)
    # Check everything before rolling the day over: a rule that raises must
    # leave the state unchanged, and no ticket is callable on a new day.
    new_day = is_new_day(state, office, now)
    ticket = None if new_day else state.tickets.get(ticket_id)
    if ticket is None:
        raise errors.UnknownTicket(f"Phiếu {ticket_id} không có trong hàng chờ hôm nay.")
    refuse_if_closed_today(state, office, counter_number)
    _check_callable(ticket, office, config.services, counter_number, now)
    counter = state.counters[counter_number]
    current = state.current_ticket(counter_number)
    if current is not None and office.policy.call_with_current == "refuse":
        raise errors.CounterBusy(
            f"Phiếu {current.number} vẫn đang ở quầy này: xin bấm xong, vắng mặt hoặc chuyển phiếu trước."
        )
    outcome = start_day_if_new(state, office, now)
    if current is not None:
        outcome.merge(_finish(state, office, current, DONE, now))
    _open_counter(counter, clerk, outcome)
    outcome.merge(_call(state, counter, ticket, now))
    return ticket, outcome


def call_ticket_number(
    state: QueueState,
    office: Office,
    counter_number: int,
    number: str,
    now: datetime,
    *,
    clerk: str | None = None,
) -> tuple[Ticket, Outcome]:
    """Call a ticket by its printed number (``A012``), out of order: the clerk sees the citizen or the chip.

    The same checks as ``call_ticket``: only today's tickets this counter takes.
    """
    found = None if is_new_day(state, office, now) else state.today_by_number(number)
    if found is None:
        raise errors.UnknownTicket(f"Hôm nay không có phiếu số {number.strip().upper()} trong hàng chờ.")
    return call_ticket(state, office, counter_number, found, now, clerk=clerk)


def _check_callable(ticket: Ticket, office: Office, services: tuple[str, ...], counter_number: int,
                    now: datetime) -> None:
    """Raise unless this counter may call this ticket now."""
    if ticket.target_counter not in (None, counter_number):
        raise errors.TicketNotCallable(f"Phiếu {ticket.number} đã được chuyển tới quầy {ticket.target_counter}.")
    if ticket.service not in services and ticket.target_counter != counter_number:
        raise errors.TicketNotCallable(f"Phiếu {ticket.number} thuộc lĩnh vực khác; xin chuyển phiếu thay vì gọi.")
    if ticket.status == WAITING:
        return
    if ticket.status == NO_SHOW:
        grace = timedelta(minutes=office.policy.no_show_grace_minutes)
        if ticket.finished_at is not None and now - ticket.finished_at <= grace:
            return
        raise errors.TicketNotCallable(
            f"Phiếu {ticket.number} đã lỡ lượt gọi quá {office.policy.no_show_grace_minutes} phút; "
            "xin lấy số mới."
        )
    raise errors.TicketNotCallable(f"Phiếu {ticket.number} đang ở trạng thái {ticket.status}, không gọi được.")


def recall(state: QueueState, office: Office, counter_number: int, now: datetime) -> tuple[Ticket, Outcome]:
    """Announce the counter's current ticket again."""
    ticket = _require_current(state, office, counter_number)
    ticket.recalls += 1
    outcome = Outcome()
    outcome.touch_ticket(ticket)
    outcome.events.append(Event("ticket.recalled", {}, ticket_id=ticket.id, counter=counter_number))
    return ticket, outcome


def start_serving(state: QueueState, office: Office, counter_number: int, now: datetime) -> tuple[Ticket, Outcome]:
    """The called citizen has arrived at the counter."""
    ticket = _require_current(state, office, counter_number)
    if ticket.status == SERVING:
        raise errors.AlreadyServing(f"Phiếu {ticket.number} đang được phục vụ rồi.")
    state.set_status(ticket, SERVING)
    ticket.served_at = now
    outcome = Outcome()
    outcome.touch_ticket(ticket)
    outcome.events.append(Event("ticket.serving", {}, ticket_id=ticket.id, counter=counter_number))
    return ticket, outcome


def mark_no_show(state: QueueState, office: Office, counter_number: int, now: datetime) -> tuple[Ticket, Outcome]:
    """The called citizen did not come; they may still be called back within the grace."""
    ticket = _require_current(state, office, counter_number)
    return ticket, _finish(state, office, ticket, NO_SHOW, now)


def complete(state: QueueState, office: Office, counter_number: int, now: datetime) -> tuple[Ticket, Outcome]:
    """The counter has finished with its current ticket."""
    ticket = _require_current(state, office, counter_number)
    return ticket, _finish(state, office, ticket, DONE, now)


def transfer(
    state: QueueState,
    office: Office,
    counter_number: int,
    now: datetime,
    *,
    service_code: str | None = None,
    to_counter: int | None = None,
    note: str | None = None,
) -> tuple[Ticket, Outcome]:
    """Send the current ticket to another service or counter, keeping its place by issue time.

    The ticket remembers where it came from and the sending clerk's ``note`` (optional), for the
    receiving clerk; the event says only the counters and the field, as it goes to every screen.
    """
    if (service_code is None) == (to_counter is None):
        raise errors.InvalidRequest('Xin chỉ chọn một nơi chuyển tới: "service" hoặc "counter", không cả hai.')
    note = clean_transfer_note(note)
    ticket = _require_current(state, office, counter_number)
    if service_code is not None and office.service(service_code) is None:
        raise errors.UnknownService(f"Không có lĩnh vực '{service_code}' để chuyển tới.")
    if service_code is not None:
        refuse_unserved_field(state, office, service_code)
    if to_counter is not None:
        target = _require_counter(office, to_counter)
        if to_counter == counter_number:
            raise errors.InvalidRequest("Phiếu đã ở quầy này; xin chọn quầy khác.")
        refuse_if_closed_today(state, office, to_counter)
        if ticket.service not in target.services:
            service_code = target.services[0]
    from_service = ticket.service
    outcome = Outcome()
    counter = state.counters[counter_number]
    counter.current, counter.state = None, _idle_or_paused(counter)
    outcome.touch_counter(counter)
    if service_code is not None:
        state.move_to_service(ticket, service_code)
    ticket.target_counter = to_counter
    ticket.counter = None
    ticket.called_at = ticket.served_at = None
    ticket.transfers += 1
    ticket.transferred_from, ticket.transferred_from_service, ticket.transfer_note = counter_number, from_service, note
    state.set_status(ticket, WAITING)
    outcome.touch_ticket(ticket)
    outcome.events.append(
        Event(
            "ticket.transferred",
            {"from_service": from_service, "from_counter": counter_number, "to_counter": to_counter},
            ticket_id=ticket.id,
            counter=counter_number,
        )
    )
    return ticket, outcome


def clean_transfer_note(note: str | None) -> str | None:
    """The note as kept: NFC, trimmed, None when blank; InvalidRequest beyond MAX_TRANSFER_NOTE_LENGTH."""
    note = unicodedata.normalize("NFC", note or "").strip()
    if len(note) > MAX_TRANSFER_NOTE_LENGTH:
        raise errors.InvalidRequest(f"Ghi chú chuyển phiếu quá dài: tối đa {MAX_TRANSFER_NOTE_LENGTH} ký tự.")
    return note or None


def pause(state: QueueState, office: Office, counter_number: int, reason: str, now: datetime) -> Outcome:
    """Pause a counter with a reason shown on the lobby screen.

    Refused while a citizen is called or served here: the board would show "Tạm ngưng" and the
    phone "Mời bạn đến Quầy 2" to someone walking to a counter that has stopped.
    """
    _require_counter(office, counter_number)
    refuse_if_closed_today(state, office, counter_number)
    reason = (reason or "").strip()
    if not reason:
        raise errors.InvalidRequest('Xin ghi lý do tạm dừng, ví dụ {"reason": "Nghỉ trưa"}.')
    if len(reason) > MAX_REASON_LENGTH:
        raise errors.InvalidRequest(f"Lý do quá dài: tối đa {MAX_REASON_LENGTH} ký tự.")
    current = state.current_ticket(counter_number)
    if current is not None and current.status in IN_PROGRESS:
        raise errors.TicketInProgress(
            f"Phiếu {current.number} vẫn đang ở quầy {counter_number}: xin bấm Hoàn thành, Vắng mặt "
            "hoặc Chuyển phiếu trước khi tạm dừng."
        )
    counter = state.counters[counter_number]
    counter.state, counter.pause_reason = COUNTER_PAUSED, reason
    outcome = Outcome()
    outcome.touch_counter(counter)
    outcome.events.append(Event("counter.paused", {"reason": reason}, counter=counter_number))
    return outcome


def resume(state: QueueState, office: Office, counter_number: int, now: datetime) -> Outcome:
    """End a pause."""
    _require_counter(office, counter_number)
    counter = state.counters[counter_number]
    if counter.state != COUNTER_PAUSED:
        raise errors.CounterNotPaused(f"Quầy {counter_number} hiện không tạm dừng.")
    counter.pause_reason = None
    counter.state = COUNTER_SERVING if counter.current is not None else COUNTER_IDLE
    outcome = Outcome()
    outcome.touch_counter(counter)
    outcome.events.append(Event("counter.resumed", {}, counter=counter_number))
    return outcome


def close_counter(state: QueueState, office: Office, counter_number: int, now: datetime) -> Outcome:
    """Close a counter at the end of a shift; its ticket in progress is completed."""
    _require_counter(office, counter_number)
    counter = state.counters[counter_number]
    outcome = Outcome()
    current = state.current_ticket(counter_number)
    if current is not None:
        outcome.merge(_finish(state, office, current, DONE, now))
    counter.state, counter.pause_reason, counter.clerk = COUNTER_CLOSED, None, None
    outcome.touch_counter(counter)
    outcome.events.append(Event("counter.closed", {}, counter=counter_number))
    return outcome


def _require_counter(office: Office, counter_number: int) -> Counter:
    """The configured counter, or UnknownCounter."""
    config = office.counter(counter_number)
    if config is None:
        raise errors.UnknownCounter(
            f"Không có quầy số {counter_number}. Các quầy ở đây: "
            + ", ".join(str(c.number) for c in office.counters)
        )
    return config


def _require_current(state: QueueState, office: Office, counter_number: int) -> Ticket:
    """The counter's called or serving ticket, or NoCurrentTicket."""
    _require_counter(office, counter_number)
    ticket = state.current_ticket(counter_number)
    if ticket is None or ticket.status not in IN_PROGRESS:
        raise errors.NoCurrentTicket(f"Quầy {counter_number} không có phiếu đang làm: xin gọi số tiếp theo trước.")
    return ticket


def _open_counter(counter: CounterState, clerk: str | None, outcome: Outcome) -> None:
    """A clerk acting at a closed or paused counter opens it again."""
    if counter.state == COUNTER_PAUSED:
        counter.pause_reason = None
        outcome.events.append(Event("counter.resumed", {}, counter=counter.number))
    if clerk is not None:
        counter.clerk = clerk
    if counter.state in (COUNTER_CLOSED, COUNTER_PAUSED):
        counter.state = COUNTER_IDLE
    outcome.touch_counter(counter)


def _idle_or_paused(counter: CounterState) -> str:
    """The state a counter falls back to when its ticket leaves."""
    return COUNTER_PAUSED if counter.state == COUNTER_PAUSED else COUNTER_IDLE


def _count_policy_pick(state: QueueState, office: Office, ticket: Ticket) -> None:
    """Advance the service's "normals since last priority" counter for every_n."""
    service_state = state.services[ticket.service]
    if ticket.is_priority:
        service_state.normals_since_priority = 0
    else:
        service_state.normals_since_priority += 1


def _call(state: QueueState, counter: CounterState, ticket: Ticket, now: datetime) -> Outcome:
    """Mark a ticket called to a counter."""
    state.set_status(ticket, CALLED)
    ticket.called_at, ticket.served_at, ticket.finished_at = now, None, None
    ticket.counter = counter.number
    ticket.target_counter = None
    counter.current = ticket.id
    if counter.state != COUNTER_PAUSED:
        counter.state = COUNTER_SERVING
    outcome = Outcome()
    outcome.touch_ticket(ticket)
    outcome.touch_counter(counter)
    outcome.events.append(Event("ticket.called", {}, ticket_id=ticket.id, counter=counter.number))
    return outcome


def _finish(state: QueueState, office: Office, ticket: Ticket, status: str, now: datetime) -> Outcome:
    """End a called/serving ticket as done or no-show and free its counter."""
    counter = state.counters[ticket.counter] if ticket.counter is not None else None
    state.set_status(ticket, status)
    ticket.finished_at = now
    outcome = Outcome()
    if status == DONE:
        started = ticket.served_at or ticket.called_at
        if started is not None:
            service_state = state.services[ticket.service]
            service_state.recent_service_s.append((now - started).total_seconds())
            outcome.services[ticket.service] = service_state
    if counter is not None and counter.current == ticket.id:
        counter.current = None
        counter.state = _idle_or_paused(counter)
        outcome.touch_counter(counter)
    outcome.touch_ticket(ticket)
    event_type = "ticket.completed" if status == DONE else "ticket.no_show"
    outcome.events.append(Event(event_type, {}, ticket_id=ticket.id, counter=ticket.counter))
    return outcome
