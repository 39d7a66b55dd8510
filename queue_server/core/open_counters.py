"""Which counters route today: the office's, less those the admin closed for today (``today_counters``).

Read by the rules (a ticket, a call or a transfer to a closed counter or a
field no open counter takes is refused), the wait estimate and the views.
"""

from __future__ import annotations

from collections.abc import Iterable

from . import errors
from .model import QueueState
from .office import Counter, Office, Service


def is_closed_today(state: QueueState, number: int) -> bool:
    """True when the admin closed this counter for today."""
    counter = state.counters.get(number)
    return counter is not None and counter.closed_today


def open_counters_for(state: QueueState, office: Office, service_code: str,
                      also_closed: Iterable[int] = ()) -> tuple[Counter, ...]:
    """The counters that take this field and are not closed today (nor in ``also_closed``)."""
    closed = set(also_closed)
    return tuple(c for c in office.counters_for(service_code)
                 if c.number not in closed and not is_closed_today(state, c.number))


def stranded_fields(state: QueueState, office: Office, also_closed: Iterable[int] = ()) -> list[tuple[Service, int]]:
    """Fields with tickets waiting and no open counter to call them, with how many wait.

    Counted by field, so a ticket transferred to one open counter of a field
    otherwise closed counts as stranded too: closing is refused a little too
    often rather than once too few.
    """
    closed = tuple(also_closed)
    return [(service, state.waiting_count(service.code)) for service in office.services
            if state.waiting_count(service.code) and not open_counters_for(state, office, service.code, closed)]


def refuse_stranding(state: QueueState, office: Office, closing: str, also_closed: Iterable[int] = ()) -> None:
    """TicketsLeftUnserved when ``closing`` (what the admin does, in words) would strand waiting tickets."""
    stranded = stranded_fields(state, office, also_closed)
    if stranded:
        waiting = ", ".join(f"{n} số {service.name}" for service, n in stranded)
        raise errors.TicketsLeftUnserved(
            f"Còn {waiting} đang chờ mà sau khi {closing} sẽ không quầy nào đang mở nhận: "
            "xin giao lĩnh vực đó cho một quầy đang mở trước (đánh dấu ở bảng Quầy hôm nay)."
        )


def refuse_if_closed_today(state: QueueState, office: Office, number: int) -> None:
    """CounterClosedToday for a clerk acting at a counter the admin closed for today."""
    if is_closed_today(state, number):
        raise errors.CounterClosedToday(
            f"{counter_name(office, number)} đã được quản trị đóng hôm nay; các lĩnh vực của quầy do quầy khác nhận. "
            'Cần làm việc ở quầy này, xin báo quản trị bấm "Mở quầy" ở trang Quản trị → Quầy hôm nay.'
        )


def refuse_unserved_field(state: QueueState, office: Office, service_code: str) -> None:
    """ServiceClosedToday for a ticket (or a transfer) to a field no open counter takes today."""
    service = office.service(service_code)
    if service is not None and not open_counters_for(state, office, service_code):
        raise errors.ServiceClosedToday(
            f"Hôm nay lĩnh vực {service.name} tạm ngừng tiếp nhận vì không có quầy nào mở. "
            "Xin hỏi cán bộ hướng dẫn tại quầy."
        )


def unserved_today(state: QueueState, office: Office) -> list[Service]:
    """Fields the kiosk refuses today: no open counter takes them."""
    return [s for s in office.services if not open_counters_for(state, office, s.code)]


def counter_name(office: Office, number: int) -> str:
    """The counter's name for a message ("Quầy 3"), also for a number the office does not have."""
    counter = office.counter(number)
    return counter.name if counter is not None else f"Quầy {number}"
