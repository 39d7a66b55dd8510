"""The pairing screen's steps without Kivy (queue_server.pairing_screen), on a clock the test moves by hand."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from queue_server.client import ApiError, ServerUnreachable
from queue_server.pairing_screen import (
    FALLBACK_LIFETIME,
    PAIRED,
    SHOWING,
    STARTING,
    Paired,
    PairingFlow,
    PairingRunner,
    PairingView,
    group_code,
    terminal_line,
    thread_submit,
    time_left_text,
)
from tests.support.clock import MORNING, FakeClock

SERVER = "http://10.0.0.2:8080"


def code_answer(code: str = "042917", minutes: float = 10, poll: float = 2, clock: FakeClock | None = None) -> dict:
    start = clock.now if clock else MORNING
    return {"code": code, "claim": f"pc_{code}", "expires_at": (start + timedelta(minutes=minutes)).isoformat(),
            "poll_seconds": poll, "confirm_url": f"{SERVER}/admin?pair={code}#devices"}


class FakePairingServer:
    """Answers start/collect from queued answers (an exception is raised), and records the calls."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []
        self.starts: list[Any] = []
        self.collects: list[Any] = []

    def start_pairing(self, role: str, label: str | None = None) -> dict[str, Any]:
        self.calls.append(("start", role))
        return self._answer(self.starts.pop(0))

    def collect_pairing(self, claim: str) -> dict[str, Any]:
        self.calls.append(("collect", claim))
        return self._answer(self.collects.pop(0) if self.collects else {"state": "waiting"})

    @staticmethod
    def _answer(answer: Any) -> dict[str, Any]:
        if isinstance(answer, BaseException):
            raise answer
        return answer


def at_once(job: Callable[[], Any], on_done: Callable[[Any], None], on_error: Callable[[BaseException], None]) -> None:
    """A submit that runs the job now (the app's runs it on a worker thread and answers on the UI thread)."""
    try:
        result = job()
    except Exception as exc:
        on_error(exc)
        return
    on_done(result)


def runner(server: FakePairingServer, clock: FakeClock, role: str = "kiosk") -> tuple[PairingRunner, list, list]:
    paired: list[Paired] = []
    views: list[PairingView] = []
    flow = PairingFlow(role, SERVER, label="ki-ot-sanh")
    return PairingRunner(flow, server, at_once, paired.append, views.append, clock=clock), paired, views


def test_the_code_is_shown_in_two_groups_of_three_with_its_qr_and_the_minutes_left() -> None:
    clock, server = FakeClock(), FakePairingServer()
    server.starts.append(code_answer(clock=clock))
    run, _, views = runner(server, clock)
    view = run.tick()
    assert view.state == SHOWING and view.code == "042 917" and view.qr == f"{SERVER}/admin?pair=042917#devices"
    assert view.time_left == "Mã còn hiệu lực 10 phút" and view.message == "" and not view.trouble
    assert view.instructions == "Mở trang Quản trị → Thiết bị → Ghép thiết bị và nhập mã này"
    assert view.title == "Ki-ốt này chưa được ghép với máy chủ"
    assert "motcua device pair 042917 --name" in view.command
    assert [v.state for v in views] == [SHOWING]  # the answer came at once here: one redraw


def test_it_polls_every_poll_seconds_and_not_in_between() -> None:
    clock, server = FakeClock(), FakePairingServer()
    server.starts.append(code_answer(poll=3, clock=clock))
    run, _, _ = runner(server, clock)
    run.tick()
    clock.advance(seconds=2.9)
    run.tick()
    assert server.calls == [("start", "kiosk")]
    clock.advance(seconds=0.1)
    run.tick()
    clock.advance(seconds=1)
    run.tick()
    assert server.calls == [("start", "kiosk"), ("collect", "pc_042917")]


def test_once_confirmed_it_hands_over_the_token_and_asks_nothing_more() -> None:
    clock, server = FakeClock(), FakePairingServer()
    server.starts.append(code_answer(clock=clock))
    server.collects += [{"state": "waiting"}, {"state": "paired", "token": "dev_x", "name": "Ki-ốt sảnh",
                                               "role": "kiosk"}]
    run, paired, _ = runner(server, clock)
    for _ in range(4):
        run.tick()
        clock.advance(seconds=2)
    assert paired == [Paired("dev_x", "Ki-ốt sảnh", "kiosk")]
    assert run.flow.state == PAIRED and run.tick().message == "Đã ghép: Ki-ốt sảnh. Đang mở…"
    assert len(server.calls) == 3


def test_a_code_that_runs_out_on_screen_is_replaced_by_a_new_one() -> None:
    clock, server = FakeClock(), FakePairingServer()
    server.starts += [code_answer("111111", minutes=10, poll=30, clock=clock),
                      code_answer("222222", minutes=20, poll=30, clock=clock)]
    run, _, _ = runner(server, clock)
    run.tick()
    clock.advance(minutes=9, seconds=30)
    assert run.tick().time_left == "Mã còn hiệu lực dưới 1 phút"
    clock.advance(seconds=30)
    assert run.tick().code == "222 222"
    assert [c for c in server.calls if c[0] == "start"] == [("start", "kiosk"), ("start", "kiosk")]


def test_the_servers_pairing_expired_brings_a_new_code_at_once() -> None:
    clock, server = FakeClock(), FakePairingServer()
    server.starts += [code_answer("111111", clock=clock), code_answer("333333", clock=clock)]
    server.collects.append(ApiError(410, "pairing_expired", "Mã ghép đã hết hạn."))
    run, _, _ = runner(server, clock)
    run.tick()
    clock.advance(seconds=2)
    run.tick()  # the collect answers 410
    assert run.tick().code == "333 333"


def test_a_server_that_is_down_is_said_plainly_and_asked_again_after_growing_pauses() -> None:
    clock, server = FakeClock(), FakePairingServer()
    server.starts += [ServerUnreachable("down"), ServerUnreachable("down"), code_answer(clock=clock)]
    run, _, _ = runner(server, clock)
    view = run.tick()
    assert view.state == STARTING and view.code == "" and view.trouble
    assert view.message == (f"Không kết nối được máy chủ {SERVER}. Kiểm tra dây mạng và địa chỉ máy chủ; "
                            "máy sẽ tự thử lại. Thử lại sau 2 giây.")
    clock.advance(seconds=1.9)
    assert run.tick().message.endswith("Thử lại sau 1 giây.") and len(server.calls) == 1
    clock.advance(seconds=0.1)
    assert run.tick().message.endswith("Thử lại sau 4 giây.") and len(server.calls) == 2  # the second pause is longer
    clock.advance(seconds=4)
    view = run.tick()
    assert view.code == "042 917" and view.message == "" and len(server.calls) == 3


def test_the_code_stays_on_screen_while_the_server_is_briefly_away() -> None:
    clock, server = FakeClock(), FakePairingServer()
    server.starts.append(code_answer(clock=clock))
    server.collects += [ServerUnreachable("down"), {"state": "waiting"}]
    run, _, _ = runner(server, clock)
    run.tick()
    clock.advance(seconds=2)
    view = run.tick()
    assert view.code == "042 917" and view.message.startswith("Không kết nối được máy chủ")
    clock.advance(seconds=2)
    view = run.tick()
    assert view.message == "" and not view.trouble


def test_a_refusal_shows_the_servers_own_words() -> None:
    clock, server = FakeClock(), FakePairingServer()
    server.starts.append(ApiError(429, "too_many_pairings", "Quá nhiều mã ghép từ máy này: xin chờ một phút."))
    run, _, _ = runner(server, clock)
    assert run.tick().message == "Quá nhiều mã ghép từ máy này: xin chờ một phút. Thử lại sau 2 giây."


def test_a_server_without_pairing_says_what_to_do() -> None:
    clock, server = FakeClock(), FakePairingServer()
    server.starts.append(ApiError(404, "not_found", "Không có trang này."))
    run, _, _ = runner(server, clock)
    assert "--token" in run.tick().message


def test_a_clock_far_from_the_servers_does_not_throw_every_code_away() -> None:
    clock, server = FakeClock(), FakePairingServer()
    server.starts.append(code_answer(minutes=-50, clock=clock))  # this PC's clock is an hour ahead
    run, _, _ = runner(server, clock)
    run.tick()
    assert run.flow.expires == clock.now + FALLBACK_LIFETIME


def test_the_board_has_its_own_title() -> None:
    clock, server = FakeClock(), FakePairingServer()
    server.starts.append(code_answer(clock=clock))
    run, _, _ = runner(server, clock, role="display")
    assert run.tick().title == "Bảng hiển thị này chưa được ghép với máy chủ"
    assert server.calls == [("start", "display")]


def test_grouping_and_minutes() -> None:
    assert group_code("042917") == "042 917" and group_code("42") == "42"
    assert time_left_text(59.9) == "Mã còn hiệu lực dưới 1 phút"
    assert time_left_text(60) == "Mã còn hiệu lực 1 phút" and time_left_text(61) == "Mã còn hiệu lực 2 phút"


def test_thread_submit_answers_through_post_only() -> None:
    posted: list[Callable[[], None]] = []
    results: list[Any] = []
    submit = thread_submit(posted.append)
    submit(lambda: 42, results.append, results.append).join(5)
    submit(lambda: 1 / 0, results.append, lambda exc: results.append(type(exc))).join(5)
    assert results == []  # nothing runs on the worker thread but the job
    for deliver in posted:
        deliver()
    assert results == [42, ZeroDivisionError]


def test_the_terminal_gets_the_code_and_the_command_too() -> None:
    line = terminal_line("display", "042917")
    assert "Mã ghép 042 917" in line and "motcua device pair 042917 --name" in line
