"""Tiny builders for core tests: an office, a fixed clock, tickets and a state fingerprint."""

from __future__ import annotations

import copy
import dataclasses
import itertools
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, settings

from queue_server.core import actions
from queue_server.core.model import QueueState, ServiceState, Ticket, WaitingLine
from queue_server.core.office import Counter, Office, PriorityPolicyName, QueuePolicy, Service
from tests.support.clock import MORNING

TZ = "Asia/Ho_Chi_Minh"
PROPERTY = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
"""The settings of every core property: 200 examples each, no deadline on a busy machine."""
OPENING = MORNING  # 08:00 in Hà Nội on Monday 2 March 2026: the office's morning, an ordinary working day

DEFAULT_SERVICES = (
    Service(code="HT", name="Tư pháp – Hộ tịch", prefix="A"),
    Service(code="VP", name="Văn phòng – Thống kê", prefix="B"),
)
# Counter 1 takes HT, counter 2 takes VP, counter 3 takes both.
DEFAULT_COUNTERS: Mapping[int, tuple[str, ...]] = {1: ("HT",), 2: ("VP",), 3: ("HT", "VP")}

_tokens = itertools.count(1)


def at(minutes: float = 0, *, day: int = 0) -> datetime:
    """The fixed clock: ``minutes`` after 08:00 local on the test's first day, plus ``day`` days."""
    return OPENING + timedelta(days=day, minutes=minutes)


def utc(hour: int, minute: int = 0, *, day: int = 2) -> datetime:
    """A UTC instant on 2026-03-``day`` (for midnight tests)."""
    return datetime(2026, 3, day, hour, minute, tzinfo=UTC)


def service(code: str, prefix: str | None = None, **kwargs: Any) -> Service:
    """A service with a readable default name and prefix."""
    return Service(code=code, name=f"Lĩnh vực {code}", prefix=prefix or code[0], **kwargs)


def office(
    policy: PriorityPolicyName = "priority_first",
    *,
    services: Iterable[Service | str] = DEFAULT_SERVICES,
    counters: Mapping[int, Iterable[str]] = DEFAULT_COUNTERS,
    timezone_name: str = TZ,
    **policy_options: Any,
) -> Office:
    """An office with the given priority policy; extra keywords go to QueuePolicy."""
    built_services = tuple(s if isinstance(s, Service) else service(s) for s in services)
    built_counters = tuple(
        Counter(number=n, name=f"Quầy {n}", services=tuple(codes)) for n, codes in counters.items()
    )
    return Office(
        name="Trung tâm Phục vụ hành chính công xã Thử",
        timezone=timezone_name,
        services=built_services,
        counters=built_counters,
        policy=QueuePolicy(priority_policy=policy, **policy_options),
    )


def queue(the_office: Office) -> QueueState:
    """An empty queue for the office."""
    return actions.new_state(the_office)


def issue(
    state: QueueState,
    the_office: Office,
    service_code: str = "HT",
    minutes: float = 0,
    *,
    priority: str | None = None,
    now: datetime | None = None,
) -> Ticket:
    """Issue one ticket at ``minutes`` past opening (or at ``now``)."""
    ticket, _ = actions.issue_ticket(
        state,
        the_office,
        service_code,
        now if now is not None else at(minutes),
        priority=priority,
        status_token=f"tok{next(_tokens)}",
    )
    return ticket


def call_next(state: QueueState, the_office: Office, counter: int = 1, minutes: float = 0) -> Ticket | None:
    """Press "call next" at a counter."""
    ticket, _ = actions.call_next(state, the_office, counter, at(minutes))
    return ticket


def drain(state: QueueState, the_office: Office, counter: int = 1, minutes: float = 0) -> list[Ticket]:
    """Call next at one counter until nobody waits for it; the tickets in call order."""
    called = []
    while (ticket := call_next(state, the_office, counter, minutes)) is not None:
        called.append(ticket)
    return called


def fingerprint(state: QueueState) -> dict[str, Any]:
    """Every field of a state, as plain comparable data (WaitingLine has no ``==``).

    Generic over QueueState's fields, so a field added to the model is compared
    too. Ticket and counter fields hold immutable values (str, int, datetime),
    so a copy of each record's fields is a deep copy.
    """
    plain = {f.name: _plain(getattr(state, f.name)) for f in dataclasses.fields(state)}
    plain["lines"] = {code: line for code, line in plain["lines"].items() if line != ([], [])}
    return plain


def _plain(value: Any) -> Any:
    """A comparable copy of one value of the state."""
    if isinstance(value, WaitingLine):
        return (list(value.priority), list(value.normal))
    if isinstance(value, ServiceState):
        return (value.code, value.normals_since_priority, list(value.recent_service_s), value.recent_service_s.maxlen)
    if dataclasses.is_dataclass(value):
        return dict(vars(value))
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    return copy.deepcopy(value)


def snapshot(state: QueueState) -> dict[str, Any]:
    """The fingerprint of a deep copy: what the state held before a rule ran."""
    return fingerprint(copy.deepcopy(state))
