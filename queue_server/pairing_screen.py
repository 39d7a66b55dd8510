"""The pairing screen of a new kiosk or lobby board, without Kivy (issue 15.1): what to ask, when, and what to show.

A device with no token asks the server for a code (``start_pairing``), shows
it big with its QR, and asks every ``poll_seconds`` whether an admin has
confirmed it (``collect_pairing``). A code that runs out is replaced by a new
one on its own; a server that does not answer is asked again after a growing
pause while the screen says so in plain Vietnamese. ``PairingFlow`` is the
state machine (``now`` comes in, nothing runs); ``PairingRunner`` hands its
calls to a background ``submit`` and its answers back, so the Kivy screens
only draw a ``PairingView``. The kiosk and the board both use these, each on its own UI thread.
"""

from __future__ import annotations

import functools
import math
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from .client import ApiError, ErrorCode, ServerUnreachable

STARTING, SHOWING, PAIRED = "starting", "showing", "paired"

POLL_RANGE = (1.0, 30.0)  # seconds: the server's poll_seconds, clamped (never a busy loop, never a stale screen)
FALLBACK_LIFETIME = timedelta(minutes=10)  # pairing.CODE_MINUTES: used when this PC's clock disagrees with the server's
BACKOFF_SECONDS = (2.0, 4.0, 8.0, 15.0, 30.0)  # retries of an unanswered call: quick after a blip, calm when down

INSTRUCTIONS = "Mở trang Quản trị → Thiết bị → Ghép thiết bị và nhập mã này"
TITLES = {"kiosk": "Ki-ốt này chưa được ghép với máy chủ", "display": "Bảng hiển thị này chưa được ghép với máy chủ"}


class PairingClient(Protocol):
    """What pairing needs of ``QueueClient``."""

    def start_pairing(self, role: str, label: str | None = None) -> dict[str, Any]:
        """A new code and its claim."""

    def collect_pairing(self, claim: str) -> dict[str, Any]:
        """Waiting, or the token once."""


@dataclass(frozen=True)
class PairingView:
    """Everything the pairing screen draws, as text."""

    state: str
    title: str
    code: str  # "042 917", or "" before the first code
    qr: str  # the confirm_url, for the QR ("" before the first code)
    instructions: str
    time_left: str  # "Mã còn hiệu lực 9 phút"
    message: str  # what is going on, or what went wrong and what happens next ("" when all is well)
    trouble: bool  # the message says something went wrong (shown in red)
    command: str  # the same from a terminal: "motcua device pair 042917 --name TÊN"


@dataclass(frozen=True)
class Paired:
    """The admin confirmed: the device's own token and the name it was given."""

    token: str
    name: str
    role: str


def group_code(code: str) -> str:
    """``042917`` → ``042 917``: two groups of three are read and typed without losing one's place."""
    return f"{code[:3]} {code[3:]}" if len(code) == 6 else code


def time_left_text(seconds: float) -> str:
    """How long the code on show still works, in whole minutes (rounded up) or "dưới 1 phút"."""
    if seconds < 60:
        return "Mã còn hiệu lực dưới 1 phút"
    return f"Mã còn hiệu lực {math.ceil(seconds / 60)} phút"


def terminal_line(role: str, code: str) -> str:
    """The code for the terminal the device was started from (an installer over SSH sees no screen)."""
    return (f"motcua {role}: chưa được ghép với máy chủ. Mã ghép {group_code(code)}: xác nhận ở /admin → Thiết bị, "
            f"hoặc trên máy chủ: motcua device pair {code} --name TÊN")


def code_lifetime(expires_at: str, now: datetime) -> timedelta:
    """How long a code lives from ``now``: the server's ``expires_at``, unless this PC's clock is far off.

    A device whose clock is ahead would otherwise see every code already
    expired and ask for a new one at each poll.
    """
    try:
        lifetime = datetime.fromisoformat(expires_at) - now
    except (TypeError, ValueError):
        return FALLBACK_LIFETIME
    return lifetime if timedelta(0) < lifetime <= 2 * FALLBACK_LIFETIME else FALLBACK_LIFETIME


class PairingFlow:
    """One device's pairing, step by step; every method takes ``now`` (an aware datetime)."""

    def __init__(self, role: str, server: str, label: str | None = None) -> None:
        self.role, self.server, self.label = role, server, label
        self.state = STARTING
        self.code = self.claim = self.confirm_url = ""
        self.expires: datetime | None = None
        self.poll = timedelta(seconds=2)
        self.next_at: datetime | None = None  # None: due now
        self.in_flight = False
        self.failures = 0
        self.message = ""
        self.paired: Paired | None = None

    # -- what to do next ----------------------------------------------------------
    def due(self, now: datetime) -> str | None:
        """``"start"`` or ``"collect"`` when a call is due now; None while one is out, or nothing is due yet."""
        if self.in_flight or self.state == PAIRED:
            return None
        if self.state == SHOWING and self.expires is not None and now >= self.expires:
            self._new_code("")  # ran out on screen: a new one at once, without waiting for the server to say so
        if self.next_at is not None and now < self.next_at:
            return None
        return "start" if self.state == STARTING else "collect"

    def sent(self) -> None:
        """The due call has been handed to the background."""
        self.in_flight = True

    # -- answers ----------------------------------------------------------------------
    def started(self, answer: dict[str, Any], now: datetime) -> None:
        """The server gave a code: show it, poll for the admin's confirmation."""
        self.in_flight, self.failures, self.message = False, 0, ""
        self.state = SHOWING
        self.code, self.claim = str(answer["code"]), str(answer["claim"])
        self.confirm_url = str(answer.get("confirm_url") or "")
        self.expires = now + code_lifetime(str(answer.get("expires_at", "")), now)
        seconds = answer.get("poll_seconds")
        poll = float(seconds) if isinstance(seconds, int | float) else 2.0
        self.poll = timedelta(seconds=min(max(poll, POLL_RANGE[0]), POLL_RANGE[1]))
        self.next_at = now + self.poll

    def collected(self, answer: dict[str, Any], now: datetime) -> Paired | None:
        """The admin's answer so far: still waiting (ask again later), or the token."""
        self.in_flight, self.failures, self.message = False, 0, ""
        if answer.get("state") == "paired" and answer.get("token"):
            self.state = PAIRED
            self.paired = Paired(str(answer["token"]), str(answer.get("name") or ""), str(answer.get("role") or ""))
            return self.paired
        self.next_at = now + self.poll
        return None

    def failed(self, error: BaseException, now: datetime) -> None:
        """A call went wrong: a new code when the old one is gone, else the same call again after a pause."""
        self.in_flight = False
        if isinstance(error, ApiError) and error.code == ErrorCode.PAIRING_EXPIRED:
            self._new_code("Mã cũ đã hết hạn: đang lấy mã mới…")
            return
        delay = BACKOFF_SECONDS[min(self.failures, len(BACKOFF_SECONDS) - 1)]
        self.failures += 1
        self.next_at = now + timedelta(seconds=delay)
        self.message = self._trouble(error)

    def _new_code(self, message: str) -> None:
        self.state, self.code, self.claim, self.confirm_url, self.expires = STARTING, "", "", "", None
        self.next_at, self.message = None, message

    def _trouble(self, error: BaseException) -> str:
        """What went wrong, in words an installer can act on."""
        if isinstance(error, ServerUnreachable) or not isinstance(error, ApiError):
            return (f"Không kết nối được máy chủ {self.server}. Kiểm tra dây mạng và địa chỉ máy chủ; "
                    "máy sẽ tự thử lại.")
        if error.status == 404 and error.code in (ErrorCode.NOT_FOUND, ErrorCode.HTTP_ERROR):
            return ("Máy chủ này chưa ghép được thiết bị bằng mã: xin cập nhật máy chủ, "
                    "hoặc chạy với --token lấy từ `motcua device add`.")
        return error.message

    # -- what to show ---------------------------------------------------------------------
    def view(self, now: datetime) -> PairingView:
        """The screen as text at ``now``."""
        message = self.message
        if message and self.failures and self.next_at is not None:
            wait = max(0, math.ceil((self.next_at - now).total_seconds()))
            message += f" Thử lại sau {wait} giây." if wait else " Đang thử lại…"
        showing = self.state == SHOWING
        left = (self.expires - now).total_seconds() if showing and self.expires is not None else 0.0
        if self.state == PAIRED and self.paired is not None:
            message = f"Đã ghép: {self.paired.name}. Đang mở…"
        elif self.state == STARTING and not message:
            message = "Đang lấy mã ghép từ máy chủ…"
        return PairingView(
            state=self.state, title=TITLES.get(self.role, TITLES["kiosk"]),
            code=group_code(self.code) if showing else "", qr=self.confirm_url if showing else "",
            instructions=INSTRUCTIONS, time_left=time_left_text(max(0.0, left)) if showing else "",
            message=message, trouble=bool(self.failures) and self.state != PAIRED,
            command=f"hoặc trên máy chủ: motcua device pair {self.code} --name TÊN" if showing else "")


Submit = Callable[[Callable[[], Any], Callable[[Any], None], Callable[[BaseException], None]], Any]
"""Runs a job in the background and hands its result (or error) to a callback on the UI thread."""


class PairingRunner:
    """Drives a ``PairingFlow`` with a real client: call ``tick()`` from a UI timer (twice a second is plenty)."""

    def __init__(self, flow: PairingFlow, client: PairingClient, submit: Submit,
                 on_paired: Callable[[Paired], None], on_change: Callable[[PairingView], None],
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.flow, self.client, self.submit, self.clock = flow, client, submit, clock
        self.on_paired, self.on_change = on_paired, on_change
        self._last_view: PairingView | None = None

    def tick(self) -> PairingView:
        """Send the call that is due, if any, and redraw when the view changed."""
        flow, now = self.flow, self.clock()
        action = flow.due(now)
        if action == "start":
            flow.sent()
            self.submit(lambda: self.client.start_pairing(flow.role, flow.label), self._started, self._failed)
        elif action == "collect":
            claim = flow.claim
            flow.sent()
            self.submit(lambda: self.client.collect_pairing(claim), self._collected, self._failed)
        return self._show()

    def _started(self, answer: dict[str, Any]) -> None:
        self.flow.started(answer, self.clock())
        self._show()

    def _collected(self, answer: dict[str, Any]) -> None:
        paired = self.flow.collected(answer, self.clock())
        self._show()
        if paired is not None:
            self.on_paired(paired)

    def _failed(self, error: BaseException) -> None:
        self.flow.failed(error, self.clock())
        self._show()

    def _show(self) -> PairingView:
        view = self.flow.view(self.clock())
        if view != self._last_view:
            self._last_view = view
            self.on_change(view)
        return view


def thread_submit(post: Callable[[Callable[[], None]], None]) -> Submit:
    """A ``Submit`` that runs each job on a daemon thread and ``post``s its callback (to the UI thread)."""

    def submit(job: Callable[[], Any], on_done: Callable[[Any], None],
               on_error: Callable[[BaseException], None]) -> threading.Thread:
        def run() -> None:
            try:
                result = job()
            except Exception as exc:  # every failure is shown on the screen and retried
                post(functools.partial(on_error, exc))  # bound now: Python unbinds ``exc`` after the block
                return
            post(functools.partial(on_done, result))

        thread = threading.Thread(target=run, name="pairing", daemon=True)
        thread.start()
        return thread

    return submit
