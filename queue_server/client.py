"""The one client of the queue server's HTTP API, for kiosks, displays and tools.

Devices never import the server's internals: they talk to it through this
module. Errors come back as ``ApiError`` (the server's error shape) or
``ServerUnreachable`` (no answer: show "mất kết nối" and retry).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field
from typing import Any, cast

import requests


class ApiError(Exception):
    """The server answered with an error: ``status``, stable ``code`` and a readable ``message``."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status, self.code, self.message = status, code, message


class ServerUnreachable(ApiError):
    """No answer from the server (down, network cut, time-out)."""

    def __init__(self, message: str) -> None:
        super().__init__(0, UNREACHABLE, message)


@dataclass(frozen=True)
class ServerEvent:
    """One Server-Sent Event: ``id`` for resuming, ``type`` (e.g. ``ticket.called``), parsed ``data``."""

    id: int | None
    type: str
    data: dict[str, Any]
    replayed: bool = field(default=False, compare=False)
    """Missed while away and replayed on resume (after the server's ``replay`` event): show it, don't announce it."""


def new_idempotency_key() -> str:
    """A fresh key for one ticket request; reuse it for every retry of that request."""
    return uuid.uuid4().hex


class QueueClient:
    """Calls the device protocol v1 (see docs/api.md)."""

    def __init__(self, base_url: str, token: str | None = None, timeout: float = 5.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.timeout = timeout
        self.session = requests.Session()

    # -- plumbing -----------------------------------------------------------
    def _headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        headers = {"Accept": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        headers.update(extra or {})
        return headers

    def request(self, method: str, path: str, *, json_body: Any = None, params: dict | None = None,
                headers: dict[str, str] | None = None, timeout: float | None = None) -> requests.Response:
        """Send one request; raise ApiError for 4xx/5xx and ServerUnreachable for no answer."""
        try:
            response = self.session.request(
                method, self.base_url + path, json=json_body, params=params,
                headers=self._headers(headers), timeout=timeout or self.timeout,
            )
        except requests.RequestException as exc:
            raise ServerUnreachable(f"Không kết nối được máy chủ {self.base_url}: {exc.__class__.__name__}") from exc
        if response.status_code >= 400:
            raise _error_from(response)
        return response

    def get_json(self, path: str, **params: Any) -> Any:
        """GET a JSON document."""
        clean = {k: v for k, v in params.items() if v is not None}
        return self.request("GET", path, params=clean or None).json()

    def post_json(self, path: str, body: Any = None, headers: dict[str, str] | None = None) -> Any:
        """POST JSON; returns the decoded body, or None for 204."""
        response = self.request("POST", path, json_body=body if body is not None else {}, headers=headers)
        return None if response.status_code == 204 else response.json()

    # -- the protocol ---------------------------------------------------------
    def health(self) -> dict[str, Any]:
        """``{"status": "ok"}`` when the server is up."""
        return self.get_json("/api/health")

    def services(self) -> list[dict[str, Any]]:
        """Services with waiting counts and estimated waits."""
        return self.get_json("/api/services")["services"]

    def counters(self) -> list[dict[str, Any]]:
        """Counters with their state and current ticket."""
        return self.get_json("/api/counters")["counters"]

    def issue_ticket(self, service: str, *, priority: str | None = None, procedure: str | None = None,
                     idempotency_key: str) -> dict[str, Any]:
        """Take a ticket. Pass the same ``idempotency_key`` on every retry of one request."""
        body: dict[str, Any] = {"service": service}
        if priority:
            body["priority"] = priority
        if procedure:
            body["procedure"] = procedure
        return self.post_json("/api/tickets", body, headers={"Idempotency-Key": idempotency_key})["ticket"]

    def ticket(self, ticket_id: int | str) -> dict[str, Any]:
        """A ticket's public status."""
        return self.get_json(f"/api/tickets/{ticket_id}")["ticket"]

    def ticket_by_number(self, number: str) -> dict[str, Any]:
        """Today's ticket printed with ``number`` (C003): staff and kiosks, for a reprint."""
        return self.get_json("/api/tickets", number=number)["ticket"]

    def counter_action(self, counter: int, action: str, body: dict[str, Any] | None = None) -> dict[str, Any] | None:
        """A clerk action: call-next, recall, no-show, complete, pause, resume, transfer, start, call, close."""
        return self.post_json(f"/api/counters/{counter}/{action}", body)

    def procedures(self, q: str | None = None, field: str | None = None, limit: int = 20) -> list[dict[str, Any]]:
        """Procedures matching a citizen's words, best first."""
        return self.get_json("/api/procedures", q=q, field=field, limit=limit)["results"]

    def procedure(self, code: str) -> dict[str, Any]:
        """One procedure, whole."""
        return self.get_json(f"/api/procedures/{code}")

    def fields(self) -> Any:
        """Fields (lĩnh vực) for browsing the catalogue."""
        return self.get_json("/api/fields")

    def rate(self, body: dict[str, Any]) -> dict[str, Any]:
        """Record a satisfaction rating (see docs/api.md)."""
        return self.post_json("/api/ratings", body)

    def report_status(self, component: str, ok: bool, code: str = "ok", message: str = "") -> None:
        """Tell the office how a device part is doing (printer, screen…)."""
        self.post_json("/api/devices/status", {"component": component, "ok": ok, "code": code, "message": message})

    def me(self) -> dict[str, Any]:
        """Who this client's token belongs to (a device learns whether its saved token still works)."""
        return self.get_json("/api/me")["user"]

    def start_pairing(self, role: str, label: str | None = None) -> dict[str, Any]:
        """Ask for a pairing code to show on a new device: ``code``, ``claim``, ``expires_at``, ``poll_seconds``...

        No token needed (a new device has none); an admin confirms the code in /admin.
        """
        body: dict[str, Any] = {"role": role}
        if label:
            body["label"] = label[:64]
        return self.post_json("/api/pairings", body)

    def collect_pairing(self, claim: str) -> dict[str, Any]:
        """``{"state": "waiting"}`` until an admin confirms; then, once, ``state`` "paired" with the token.

        The paired answer carries ``token``, ``name`` and ``role``. POST, so the claim never appears
        in a URL or a log; ``pairing_expired`` (410) once the code is gone.
        """
        return self.post_json("/api/pairings/claim", {"claim": claim})

    def login(self, username: str, password: str) -> str:
        """Sign a person in; keeps and returns the bearer token."""
        self.token = self.post_json("/api/login", {"username": username, "password": password})["token"]
        return self.token

    def events(self, last_event_id: int | None = None,
               read_timeout: float = 60.0) -> Generator[ServerEvent, None, None]:
        """Follow the live feed: ``snapshot`` first, then events; ends when the stream breaks.

        A generator, so a caller that stops early closes it (and the response with it).

        The server sends a heartbeat comment well within ``read_timeout``; a
        silent stream raises ServerUnreachable so the caller reconnects with
        the last id it saw.
        """
        headers = self._headers({"Accept": "text/event-stream"})
        if last_event_id is not None:
            headers["Last-Event-ID"] = str(last_event_id)
        try:
            response = self.session.get(self.base_url + "/api/events", headers=headers, stream=True,
                                        timeout=(self.timeout, read_timeout))
        except requests.RequestException as exc:
            raise ServerUnreachable(f"Không kết nối được máy chủ {self.base_url}") from exc
        if response.status_code >= 400:
            raise _error_from(response)
        try:
            # text/event-stream always has an encoding (ISO-8859-1 at worst), so decode_unicode gives str;
            # types-requests allows bytes for a response without one.
            yield from parse_event_stream(cast("Iterator[str]", response.iter_lines(decode_unicode=True)))
        except requests.RequestException as exc:
            raise ServerUnreachable("Mất kết nối luồng sự kiện") from exc
        finally:
            response.close()


def parse_event_stream(lines: Iterator[str]) -> Iterator[ServerEvent]:
    """Turn text/event-stream lines into events (comments and heartbeats are skipped).

    The server's ``replay`` event is not passed on: it marks the events up to its ``until``
    id as ``replayed``.
    """
    event_id: int | None = None
    event_type = "message"
    data: list[str] = []
    replay_until = 0
    for line in lines:
        if line is None:
            continue
        if line == "":
            if data:
                body = json.loads("\n".join(data))
                if event_type == "replay" and event_id is None:
                    replay_until = int(body.get("until") or 0)
                else:
                    yield ServerEvent(event_id, event_type, body,
                                      replayed=event_id is not None and event_id <= replay_until)
            event_id, event_type, data = None, "message", []
            continue
        if line.startswith(":"):
            continue
        name, _, value = line.partition(":")
        value = value[1:] if value.startswith(" ") else value
        if name == "id":
            event_id = int(value) if value.isdigit() else None
        elif name == "event":
            event_type = value
        elif name == "data":
            data.append(value)


def _error_from(response: requests.Response) -> ApiError:
    """Read the server's error shape, tolerating anything else."""
    try:
        error = response.json()["error"]
        return ApiError(response.status_code, error["code"], error["message"])
    except (ValueError, KeyError, TypeError):
        return ApiError(response.status_code, "http_error", f"HTTP {response.status_code}")



class ErrorCode:
    """Every stable ``code`` the server sends in its error shape: match on these, show ``message`` to people.

    The server's messages are Vietnamese and say what to do; the codes never
    change meaning (a test checks that every code raised in queue_server is here).
    """

    # the request itself
    BAD_REQUEST = "bad_request"
    BAD_JSON = "bad_json"
    INVALID_BODY = "invalid_body"
    BODY_TOO_LARGE = "body_too_large"
    HEADERS_TOO_LARGE = "headers_too_large"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    NOT_FOUND = "not_found"
    HTTP_ERROR = "http_error"
    MISSING_FIELD = "missing_field"
    INVALID_FIELD = "invalid_field"

    # who may do it
    UNAUTHORIZED = "unauthorized"
    INVALID_TOKEN = "invalid_token"
    FORBIDDEN = "forbidden"
    CSRF_FAILED = "csrf_failed"
    BAD_CREDENTIALS = "bad_credentials"
    SIGN_IN_REFUSED = "sign_in_refused"
    TOO_MANY_ATTEMPTS = "too_many_attempts"
    TOO_MANY_ATTEMPTS_FROM_ADDRESS = "too_many_attempts_from_address"
    NOT_YOUR_COUNTER = "not_your_counter"
    PASSWORD_CHANGE_REQUIRED = "password_change_required"

    # officers managed from /admin
    INVALID_PERSON = "invalid_person"
    PERSON_EXISTS = "person_exists"
    UNKNOWN_PERSON = "unknown_person"
    CANNOT_CHANGE_SELF = "cannot_change_self"
    WRONG_PASSWORD = "wrong_password"
    INVALID_PASSWORD = "invalid_password"

    # pairing a kiosk or a board by code, and devices managed from /admin
    PAIRING_EXPIRED = "pairing_expired"
    TOO_MANY_PAIRINGS = "too_many_pairings"
    INVALID_PAIRING_CODE = "invalid_pairing_code"
    PAIRING_NOT_FOUND = "pairing_not_found"
    PAIRING_ALREADY_CONFIRMED = "pairing_already_confirmed"
    INVALID_DEVICE_NAME = "invalid_device_name"
    DEVICE_NAME_TAKEN = "device_name_taken"
    UNKNOWN_DEVICE = "unknown_device"

    # taking a ticket
    MISSING_IDEMPOTENCY_KEY = "missing_idempotency_key"
    INVALID_IDEMPOTENCY_KEY = "invalid_idempotency_key"
    IDEMPOTENCY_KEY_REUSED = "idempotency_key_reused"
    TOO_MANY_TICKETS = "too_many_tickets"
    INVALID_PRIORITY = "invalid_priority"
    UNKNOWN_SERVICE = "unknown_service"
    UNKNOWN_TICKET = "unknown_ticket"

    # the counters' actions (the queue rules)
    UNKNOWN_COUNTER = "unknown_counter"
    INVALID_REQUEST = "invalid_request"
    NO_CURRENT_TICKET = "no_current_ticket"
    COUNTER_BUSY = "counter_busy"
    TICKET_NOT_CALLABLE = "ticket_not_callable"
    COUNTER_NOT_PAUSED = "counter_not_paused"
    ALREADY_SERVING = "already_serving"
    TICKET_IN_PROGRESS = "ticket_in_progress"
    COUNTER_CLOSED_TODAY = "counter_closed_today"
    SERVICE_CLOSED_TODAY = "service_closed_today"
    TICKETS_LEFT_UNSERVED = "tickets_left_unserved"

    # appointments
    APPOINTMENTS_DISABLED = "appointments_disabled"
    UNKNOWN_BOOKING = "unknown_booking"
    BOOKING_CANCELLED = "booking_cancelled"
    BOOKING_EXPIRED = "booking_expired"
    ALREADY_CHECKED_IN = "already_checked_in"
    TOO_EARLY = "too_early"
    NOT_TODAY = "not_today"
    INVALID_DATE = "invalid_date"
    INVALID_SLOT = "invalid_slot"
    UNKNOWN_SLOT = "unknown_slot"
    PAST_DATE = "past_date"
    PAST_SLOT = "past_slot"
    TOO_FAR_AHEAD = "too_far_ahead"
    OFFICE_CLOSED = "office_closed"
    SLOT_FULL = "slot_full"
    SLOT_BLOCKED = "slot_blocked"
    UNKNOWN_BLOCK = "unknown_block"
    INVALID_BLOCK = "invalid_block"
    INVALID_HOURS = "invalid_hours"
    INVALID_DAY = "invalid_day"
    UNKNOWN_DAY = "unknown_day"
    INVALID_PHONE = "invalid_phone"
    INVALID_DOSSIER_CODE = "invalid_dossier_code"
    PROCEDURE_SERVICE_MISMATCH = "procedure_service_mismatch"
    NO_RESULT_SERVICE = "no_result_service"
    TOO_MANY_BOOKINGS = "too_many_bookings"
    ADDRESS_BOOKING_LIMIT = "address_booking_limit"
    PHONE_BOOKING_LIMIT = "phone_booking_limit"

    # the catalogue
    UNKNOWN_PROCEDURE = "unknown_procedure"
    UNKNOWN_FIELD = "unknown_field"
    INVALID_LIMIT = "invalid_limit"

    # ratings, reports and notices
    INVALID_RATING = "invalid_rating"
    NOT_SERVED = "not_served"
    NO_TICKET_TO_RATE = "no_ticket_to_rate"
    ALREADY_RATED = "already_rated"
    WRONG_COUNTER = "wrong_counter"
    TOO_MANY_RATINGS = "too_many_ratings"
    INVALID_PERIOD = "invalid_period"
    INVALID_FORMAT = "invalid_format"
    UNKNOWN_CHART = "unknown_chart"
    UNKNOWN_NOTICE = "unknown_notice"
    INVALID_NOTICE = "invalid_notice"
    INVALID_COLUMNS = "invalid_columns"
    COLUMNS_NOT_MAPPED = "columns_not_mapped"
    INVALID_DOSSIER_FILE = "invalid_dossier_file"

    # the live feed and the display
    INVALID_LAST_EVENT_ID = "invalid_last_event_id"
    SPEECH_UNAVAILABLE = "speech_unavailable"
    INVALID_COUNTERS = "invalid_counters"

    # the province hub (issue 16)
    UNKNOWN_OFFICE = "unknown_office"
    OFFICE_REVOKED = "office_revoked"
    OFFICE_NOT_SYNCED = "office_not_synced"
    SYNC_GAP = "sync_gap"
    SYNC_HISTORY_MISMATCH = "sync_history_mismatch"

    # the server's state (retry later)
    TRY_AGAIN = "try_again"
    SERVER_BUSY = "server_busy"
    SERVER_ERROR = "server_error"
    TOO_MANY_CONNECTIONS = "too_many_connections"
    DISK_FULL = "disk_full"
    DISK_NEARLY_FULL = "disk_nearly_full"


ALL_CODES: frozenset[str] = frozenset(value for name, value in vars(ErrorCode).items() if name.isupper())
"""The codes a ``ApiError`` from the server may carry (``UNREACHABLE`` is this client's own)."""

UNREACHABLE = "unreachable"
"""The code of ``ServerUnreachable``: no answer at all, so not one the server sends."""
