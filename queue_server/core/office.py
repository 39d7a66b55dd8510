"""The office as the queue rules see it: services, counters and the queue policy.

These frozen dataclasses are built once from the office's TOML file
(see ``queue_server.config``) and passed explicitly to every rule.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Literal
from zoneinfo import ZoneInfo

from .errors import InvalidRequest, UnknownCounter, UnknownService

PRIORITY_CODES: tuple[str, ...] = ("elderly", "disabled", "pregnant", "merit", "appointment")
"""API codes of the priority groups; offices rename them on screen, not in the API."""

KIOSK_PRIORITY_CODES: tuple[str, ...] = ("elderly", "disabled", "pregnant", "merit")
"""Priorities a citizen may choose; ``appointment`` is set only by check-in."""

PriorityPolicyName = Literal["priority_first", "every_n"]
CallWithCurrent = Literal["complete", "refuse"]


@dataclass(frozen=True)
class Service:
    """A field (lĩnh vực) with its own ticket numbers, e.g. Hộ tịch → A001."""

    code: str
    name: str
    prefix: str
    first_number: int = 1
    digits: int = 3
    target_wait_minutes: int = 30
    default_service_minutes: float = 10.0

    def format_number(self, seq: int) -> str:
        """Ticket number as printed and announced: prefix plus zero-padded sequence."""
        return f"{self.prefix}{seq:0{self.digits}d}"


@dataclass(frozen=True)
class Counter:
    """A counter (quầy) and the services its clerk takes."""

    number: int
    name: str
    services: tuple[str, ...]


@dataclass(frozen=True)
class QueuePolicy:
    """How the next ticket is chosen and how clerk actions behave."""

    priority_policy: PriorityPolicyName = "priority_first"
    # "every_n": one priority ticket after every N normal ones, per service.
    priority_every_n: int = 3
    # A normal ticket older than this joins the priority group, so under
    # "priority_first" a steady stream of priority tickets cannot starve it.
    aging_minutes: int = 30
    # A no-show ticket can be called back by a clerk for this long.
    no_show_grace_minutes: int = 15
    # What "call next" does with a ticket still in progress at the counter:
    # clerks expect "complete" (the "next" button ends the current citizen).
    call_with_current: CallWithCurrent = "complete"
    # How many recent service times per service feed the wait estimate.
    service_time_window: int = 20


@dataclass(frozen=True)
class Office:
    """Everything the queue rules need to know about one office."""

    name: str
    timezone: str
    services: tuple[Service, ...]
    counters: tuple[Counter, ...]
    policy: QueuePolicy = field(default_factory=QueuePolicy)
    priorities: tuple[str, ...] = PRIORITY_CODES
    hotline: str = ""
    # Where phones reach the server, for the QR code on tickets. "" (unset): each link uses
    # the address the caller reached the server at; set it behind a reverse proxy or a DNS name.
    public_url: str = ""

    # Look-ups by code and number happen on every request: each index is built once, on first use
    # (cached_property stores it in the instance's __dict__, which a frozen dataclass allows).
    @cached_property
    def _services_by_code(self) -> dict[str, Service]:
        return {s.code: s for s in self.services}

    @cached_property
    def _counters_by_number(self) -> dict[int, Counter]:
        return {c.number: c for c in self.counters}

    @cached_property
    def _counters_by_service(self) -> dict[str, tuple[Counter, ...]]:
        return {s.code: tuple(c for c in self.counters if s.code in c.services) for s in self.services}

    @property
    def tz(self) -> ZoneInfo:
        """The office's time zone (ZoneInfo caches instances, but the call is on every view)."""
        tz = self.__dict__.get("_tz")
        if tz is None:
            tz = ZoneInfo(self.timezone)
            object.__setattr__(self, "_tz", tz)
        return tz

    def service(self, code: str) -> Service | None:
        """The service with this code, or None."""
        return self._services_by_code.get(code)

    def counter(self, number: int) -> Counter | None:
        """The counter with this number, or None."""
        return self._counters_by_number.get(number)

    def counters_for(self, service_code: str) -> tuple[Counter, ...]:
        """Counters that take tickets of this service."""
        return self._counters_by_service.get(service_code, ())


def with_counter_services(office: Office, number: int, services: tuple[str, ...]) -> Office:
    """The office with one counter taking other fields today (the admin reassigns counters often).

    Refused (``QueueError``s, nothing changed) for a counter or field the office
    does not have, an empty list, or a change that leaves a field no counter.
    """
    if office.counter(number) is None:
        raise UnknownCounter(f"Không có quầy {number}.")
    unknown = [code for code in services if office.service(code) is None]
    if unknown:
        known = ", ".join(s.code for s in office.services)
        raise UnknownService(f"Không có lĩnh vực {', '.join(unknown)}; các lĩnh vực: {known}.")
    if not services:
        raise InvalidRequest("Một quầy cần nhận ít nhất một lĩnh vực; muốn ngưng nhận, xin đóng quầy.")
    counters = tuple(replace(c, services=tuple(dict.fromkeys(services))) if c.number == number else c
                     for c in office.counters)
    orphans = [s.name for s in office.services if not any(s.code in c.services for c in counters)]
    if orphans:
        raise InvalidRequest(f"Sau thay đổi này, lĩnh vực {', '.join(orphans)} không còn quầy nào nhận; "
                             "xin giao lĩnh vực đó cho một quầy khác trước.")
    return replace(office, counters=counters)
