"""The one client of the queue server's HTTP API, for kiosks, displays and tools.

Devices never import the server's internals: they talk to it through this
module. Errors come back as ``ApiError`` (the server's error shape) or
``ServerUnreachable`` (no answer: show "mất kết nối" and retry).
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any, Iterator

import requests


class ApiError(Exception):
    """The server answered with an error: ``status``, stable ``code`` and a readable ``message``."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status, self.code, self.message = status, code, message


class ServerUnreachable(ApiError):
    """No answer from the server (down, network cut, time-out)."""

    def __init__(self, message: str) -> None:
        super().__init__(0, "unreachable", message)


@dataclass(frozen=True)
class ServerEvent:
    """One Server-Sent Event: ``id`` for resuming, ``type`` (e.g. ``ticket.called``), parsed ``data``."""

    id: int | None
    type: str
    data: dict[str, Any]


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

    def login(self, username: str, password: str) -> str:
        """Sign a person in; keeps and returns the bearer token."""
        self.token = self.post_json("/api/login", {"username": username, "password": password})["token"]
        return self.token

    def events(self, last_event_id: int | None = None, read_timeout: float = 60.0) -> Iterator[ServerEvent]:
        """Follow the live feed: ``snapshot`` first, then events; ends when the stream breaks.

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
            yield from parse_event_stream(response.iter_lines(decode_unicode=True))
        except requests.RequestException as exc:
            raise ServerUnreachable("Mất kết nối luồng sự kiện") from exc
        finally:
            response.close()


def parse_event_stream(lines: Iterator[str]) -> Iterator[ServerEvent]:
    """Turn text/event-stream lines into events (comments and heartbeats are skipped)."""
    event_id: int | None = None
    event_type = "message"
    data: list[str] = []
    for line in lines:
        if line is None:
            continue
        if line == "":
            if data:
                yield ServerEvent(event_id, event_type, json.loads("\n".join(data)))
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
