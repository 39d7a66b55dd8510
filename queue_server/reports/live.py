"""Today, live: waiting and serving per field, average waits, and staffing advice (pure).

Reads only the in-memory queue state (no SQL), so the dashboard's live view
stays fast however large the database grows.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from wording import wait_minutes

from ..core.model import COUNTER_CLOSED, COUNTER_IDLE, COUNTER_PAUSED, IN_PROGRESS, WAITING, QueueState
from ..core.office import Office
from ..core.selection import estimated_wait_s
from ..core.views import local_iso


def live_view(state: QueueState, office: Office, now: datetime, *, clerks: Iterable[tuple[str, list[int]]] = (),
              alert_factor: float = 1.0, names: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Waiting, serving and average wait per service today, counters, and staffing alerts."""
    waits: dict[str, list[float]] = {s.code: [] for s in office.services}
    oldest: dict[str, datetime] = {}
    served: dict[str, int] = {s.code: 0 for s in office.services}
    for ticket in state.tickets.values():
        if ticket.called_at is not None and ticket.status in (*IN_PROGRESS, "done"):
            waits.setdefault(ticket.service, []).append((ticket.called_at - ticket.issued_at).total_seconds())
            if ticket.status == "done":
                served[ticket.service] = served.get(ticket.service, 0) + 1
        elif ticket.status == WAITING and (ticket.service not in oldest or ticket.issued_at < oldest[ticket.service]):
            oldest[ticket.service] = ticket.issued_at
    services = []
    for service in office.services:
        waiting = state.waiting_count(service.code)
        values = waits.get(service.code, [])
        longest = (now - oldest[service.code]).total_seconds() if service.code in oldest else 0.0
        services.append({
            "code": service.code, "name": service.name, "waiting": waiting,
            "serving": sum(1 for c in office.counters_for(service.code)
                           if _serving_ticket(state, c.number, service.code)),
            "served": served.get(service.code, 0),
            "average_wait_s": round(sum(values) / len(values), 1) if values else None,
            "longest_wait_s": round(longest, 1),
            "estimated_wait_s": estimated_wait_s(state, office, service.code, waiting, now),
            "target_wait_minutes": service.target_wait_minutes,
        })
    counters = [_counter(state, office, c.number) for c in office.counters]
    return {
        "day": state.day.isoformat() if state.day else None,
        "at": local_iso(now, office),
        "services": services,
        "counters": counters,
        "alerts": (staffing_alerts(services, state, office, list(clerks), alert_factor, names or {})
                   + clock_alerts(state, office)),
    }


def clock_alerts(state: QueueState, office: Office) -> list[dict[str, Any]]:
    """The server clock's latest jump since the server started (core.clock), in one Vietnamese sentence."""
    if state.clock.last_jump is None:
        return []
    before, after, seconds = state.clock.last_jump
    way = "tới" if seconds > 0 else "lùi"
    size = f"{abs(seconds) / 3600:.1f} giờ" if abs(seconds) >= 3600 else f"{round(abs(seconds) / 60)} phút"
    return [{"service": None, "kind": "clock", "message":
             f"Đồng hồ máy chủ bị chỉnh {way} {size} (từ {before.astimezone(office.tz):%H:%M %d/%m} sang "
             f"{after.astimezone(office.tz):%H:%M %d/%m}): kiểm tra giờ máy (NTP). "
             "Hàng đợi giữ nguyên ngày làm việc và thứ tự."}]


def _serving_ticket(state: QueueState, counter: int, service: str) -> bool:
    ticket = state.current_ticket(counter)
    return ticket is not None and ticket.service == service


def _counter(state: QueueState, office: Office, number: int) -> dict[str, Any]:
    config = office.counter(number)
    counter = state.counters[number]
    ticket = state.current_ticket(number)
    return {"number": number, "name": config.name if config else str(number),
            "services": list(config.services) if config else [],
            "state": counter.state, "clerk": counter.clerk, "pause_reason": counter.pause_reason,
            "current": ticket.number if ticket else None}


def staffing_alerts(services: list[dict[str, Any]], state: QueueState, office: Office,
                    clerks: list[tuple[str, list[int]]], alert_factor: float = 1.0,
                    names: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
    """Fields whose wait is past target, with the idle counters and reserve clerks that could open for them.

    A field is late when its oldest waiting citizen, or the estimate for a new
    ticket, passes ``target_wait_minutes × alert_factor``. Candidates:
    counters configured for the field that are idle, paused or closed; and
    clerks allowed at such a counter who are not at an open counter now.
    """
    busy_clerks = {c.clerk for c in state.counters.values() if c.clerk and c.state != COUNTER_CLOSED}
    alerts = []
    for view in services:
        limit = view["target_wait_minutes"] * 60 * alert_factor
        worst = max(view["longest_wait_s"], view["estimated_wait_s"] if view["waiting"] else 0)
        if not view["waiting"] or worst <= limit:
            continue
        own = office.counters_for(view["code"])
        free = [c for c in own if state.counters[c.number].state in (COUNTER_IDLE, COUNTER_PAUSED, COUNTER_CLOSED)
                and state.counters[c.number].current is None]
        numbers = {c.number for c in own}
        reserves = [name for name, allowed in clerks if name not in busy_clerks and numbers.intersection(allowed)]
        alerts.append({
            "service": view["code"], "name": view["name"], "waiting": view["waiting"],
            "wait_s": round(worst, 1), "longest_wait_s": round(view["longest_wait_s"], 1),
            "estimated_wait_s": view["estimated_wait_s"], "target_wait_minutes": view["target_wait_minutes"],
            "idle_counters": [{"number": c.number, "name": c.name, "state": state.counters[c.number].state}
                              for c in free],
            "reserve_clerks": reserves,
            "message": _advice(view, free, [(names or {}).get(r, r) for r in reserves], limit),
        })
    return alerts


def _advice(view: dict[str, Any], free: list, reserves: list[str], limit: float) -> str:
    """One sentence for the office head, in Vietnamese.

    "lâu nhất" is the longest real wait of someone still waiting; when only a
    new arrival's estimate is past the target, the sentence says so instead
    of quoting that estimate as anyone's wait.
    """
    text = (f"{view['name']}: {view['waiting']} người chờ, lâu nhất {round(view['longest_wait_s'] / 60)} phút "
            f"(mục tiêu {view['target_wait_minutes']} phút)")
    if view["estimated_wait_s"] > limit:
        text += f"; người lấy số bây giờ dự kiến chờ khoảng {wait_minutes(view['estimated_wait_s'])} phút"
    text += "."
    if free and reserves:
        return text + f" Đề nghị mở {free[0].name} (cán bộ {reserves[0]})."
    if free:
        return text + f" Đề nghị mở {free[0].name}."
    if reserves:
        return text + f" Cán bộ dự phòng: {', '.join(reserves)} — cần thêm quầy phục vụ lĩnh vực này."
    return text + " Không còn quầy hay cán bộ dự phòng cho lĩnh vực này: cân nhắc điều chuyển từ lĩnh vực khác."
