"""Real bytes to a fake TCP 9100 printer: a good job, and every fault as a result within the deadline."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import pytest

from printers import PrinterSettings, print_ticket
from printers.job import MutePrinters, _printer_lock, mute_printers
from tests.support.escpos_stream import decode, raster_image
from tests.support.fake_printer import FakePrinter
from tests.support.qr import read_qr
from tests.support.ticket_print import ticket

FAST = 0.3  # seconds: a short deadline keeps fault tests quick; one test checks the real 2 s


def free_port() -> int:
    """A loopback port nobody listens on (connections are refused)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_ticket_reaches_the_printer_as_status_init_raster_cut_and_confirmation() -> None:
    url = "http://127.0.0.1:8080/t/q9XbT2mY"
    with FakePrinter() as printer:
        result = print_ticket(ticket(status_url=url), printer.uri, settings=PrinterSettings(paper=58))
        stream = printer.wait_job()
    assert (result.ok, result.code) == (True, "ok")
    commands = decode(stream)
    names = [c.name for c in commands]
    assert names[:4] == ["status", "status", "status", "init"]
    assert names[-3:] == ["feed", "cut", "status"]
    image = raster_image(commands)
    assert image.width == 384 and 400 < image.height < 1200
    assert read_qr(image) == url


def test_80_mm_paper_sends_576_dot_lines() -> None:
    with FakePrinter() as printer:
        print_ticket(ticket(), printer.uri, settings=PrinterSettings(paper=80))
        assert raster_image(decode(printer.wait_job())).width == 576


def test_a_printer_that_refuses_connections_is_unreachable_at_once() -> None:
    result = print_ticket(ticket(), f"tcp://127.0.0.1:{free_port()}", timeout_s=FAST)
    assert (result.ok, result.code) == (False, "unreachable")
    assert result.duration_s < FAST
    assert "máy in" in result.message_vi and "màn hình" in result.message_vi


def test_a_printer_that_accepts_and_never_reads_times_out_within_two_seconds() -> None:
    with FakePrinter(behaviour="silent") as printer:
        started = time.monotonic()
        result = print_ticket(ticket(), printer.uri)
        elapsed = time.monotonic() - started
    assert (result.ok, result.code) == (False, "timeout")
    assert 1.9 <= elapsed <= 2.1


def test_a_silent_printer_without_status_queries_still_times_out() -> None:
    """The job is bigger than what the printer's and our small send buffer hold."""
    with FakePrinter(behaviour="silent") as printer:
        result = print_ticket(ticket(), printer.uri, settings=PrinterSettings(status=False, timeout_s=FAST))
    assert (result.ok, result.code) == (False, "timeout")
    assert result.duration_s <= FAST + 0.1


def test_a_printer_that_hangs_up_mid_job_is_disconnected() -> None:
    with FakePrinter(behaviour="close_after", close_after=4000) as printer:
        result = print_ticket(ticket(), printer.uri, timeout_s=FAST)
    assert (result.ok, result.code) == (False, "disconnected")


@pytest.mark.parametrize("state, code", [("paper_out", "paper_out"), ("cover_open", "cover_open")])
def test_paper_out_and_cover_open_are_found_before_printing(state: str, code: str) -> None:
    with FakePrinter(state=state) as printer:
        result = print_ticket(ticket(), printer.uri, timeout_s=FAST)
        stream = printer.wait_job()
    assert (result.ok, result.code) == (False, code)
    assert [c.name for c in decode(stream)] == ["status"] * 3  # nothing wasted on a job


def test_paper_low_prints_and_says_so() -> None:
    with FakePrinter(state="paper_low") as printer:
        result = print_ticket(ticket(), printer.uri, timeout_s=FAST)
    assert (result.ok, result.code) == (True, "paper_low")
    assert "sắp hết giấy" in result.message_vi


def test_a_mute_printer_gets_the_whole_ticket_reported_as_sent_but_unconfirmed() -> None:
    url = "http://127.0.0.1:8080/t/q9XbT2mY"
    with FakePrinter(behaviour="mute") as printer:
        result = print_ticket(ticket(status_url=url), printer.uri, settings=PrinterSettings(paper=58))
        stream = printer.wait_job()
    assert (result.ok, result.code, result.unconfirmed) == (True, "unconfirmed", True)
    assert "không xác nhận" in result.message_vi
    assert result.duration_s < 1.0  # a short wait for the status answer, not the 2 s deadline
    commands = decode(stream)  # fails on a raster band cut short
    names = [c.name for c in commands]
    assert names[:4] == ["status", "status", "status", "init"]  # asked once, then printed anyway
    assert names[-2:] == ["feed", "cut"]  # the whole ticket, and no confirmation asked for
    image = raster_image(commands)
    assert image.width == 384 and 400 < image.height < 1200
    assert read_qr(image) == url


def test_a_printer_found_mute_gets_its_next_jobs_without_a_status_request() -> None:
    with FakePrinter(behaviour="mute") as printer:
        first = print_ticket(ticket(), printer.uri)
        second = print_ticket(ticket(), printer.uri)
        stream = printer.wait_job(1)
    assert (first.code, second.code) == ("unconfirmed", "unconfirmed")
    commands = decode(stream)
    names = [c.name for c in commands]
    assert (names[0], names[-1]) == ("init", "cut")  # nothing asked, so nothing waited for
    assert raster_image(commands).width == 576


def test_a_mute_printer_is_asked_again_later_and_confirmed_once_it_answers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(mute_printers, "reprobe_after_s", 0.0)  # "later" is now
    with FakePrinter(behaviour="mute") as printer:
        first = print_ticket(ticket(), printer.uri)
        printer.answer_status = True  # e.g. its print server was fixed
        second = print_ticket(ticket(), printer.uri)
        third = print_ticket(ticket(), printer.uri)
        stream = printer.wait_job(1)
    assert (first.code, second.code, third.code) == ("unconfirmed", "ok", "ok")
    names = [c.name for c in decode(stream)]
    assert names[:4] == ["status", "status", "status", "init"] and names[-1] == "status"


def test_mute_printers_are_remembered_per_uri_until_the_reprobe_time() -> None:
    memory = MutePrinters(reprobe_after_s=600.0)
    memory.mark_mute("tcp://192.0.2.10:9100", now=1000.0)
    assert memory.is_mute("tcp://192.0.2.10:9100", now=1599.0)
    assert not memory.is_mute("tcp://192.0.2.11:9100", now=1001.0)
    assert not memory.is_mute("tcp://192.0.2.10:9100", now=1600.0)
    memory.mark_mute("tcp://192.0.2.10:9100", now=1600.0)
    memory.mark_answering("tcp://192.0.2.10:9100")
    assert not memory.is_mute("tcp://192.0.2.10:9100", now=1601.0)


def test_a_printer_known_mute_that_now_refuses_connections_is_still_unreachable_at_once() -> None:
    uri = f"tcp://127.0.0.1:{free_port()}"
    mute_printers.mark_mute(uri, time.monotonic())
    result = print_ticket(ticket(), uri, timeout_s=FAST)
    assert (result.ok, result.code) == (False, "unreachable")
    assert result.duration_s < FAST


def test_a_mute_printer_with_status_off_is_never_asked_and_prints_ok() -> None:
    with FakePrinter(behaviour="mute") as printer:
        result = print_ticket(ticket(), printer.uri, settings=PrinterSettings(status=False, timeout_s=FAST))
        stream = printer.wait_job()
    names = [c.name for c in decode(stream)]
    assert result.code == "ok"
    assert names[0] == "init"


def test_a_second_job_waits_for_the_first_and_gives_up_busy() -> None:
    with FakePrinter() as printer:
        lock = _printer_lock(printer.uri)
        lock.acquire()
        try:
            result = print_ticket(ticket(), printer.uri, timeout_s=0.3)
        finally:
            lock.release()
    assert result.code == "busy"


def test_a_transport_that_ignores_its_deadline_still_returns_in_time(monkeypatch: pytest.MonkeyPatch) -> None:
    hung = threading.Event()

    def open_forever(uri: object, deadline: float, **options: object) -> None:
        hung.wait(5)  # like a USB stack stuck in the kernel

    monkeypatch.setattr("printers.job.open_link", open_forever)
    try:
        result = print_ticket(ticket(), "usb://0416:5011", timeout_s=0.3)
    finally:
        hung.set()
    assert result.code == "timeout"
    assert result.duration_s <= 0.45


@pytest.mark.parametrize("uri, code", [
    ("usb://0416:5011", "unreachable"),  # no such USB device here
    ("serial:///dev/ttyNOPE0?baudrate=19200", "unreachable"),
    ("file:///dev/usb/lp9", "unreachable"),
    ("lpt://1", "bad_uri"),
])
def test_missing_devices_are_results_not_exceptions(uri: str, code: str) -> None:
    # A missing device fails at once; the longer deadline only matters on a loaded machine.
    result = print_ticket(ticket(), uri, timeout_s=2.0)
    assert (result.ok, result.code) == (False, code)
    assert result.message_vi


def test_a_device_file_printer_receives_the_job(tmp_path: Path) -> None:
    device = tmp_path / "lp0"
    device.touch()
    result = print_ticket(ticket(), f"file://{device}", timeout_s=FAST)
    assert result.code == "ok"
    assert raster_image(decode(device.read_bytes())).width == 576


def test_the_png_printer_writes_the_ticket_image(tmp_path: Path) -> None:
    result = print_ticket(ticket(number="B007"), f"png://{tmp_path}/tickets", settings=PrinterSettings(paper=58))
    assert (result.ok, result.code) == (True, "preview")
    [written] = (tmp_path / "tickets").glob("ticket-B007-*.png")
    assert str(written) == result.detail


def test_an_unwritable_png_folder_is_a_fault(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    result = print_ticket(ticket(), f"png://{blocker}/sub", timeout_s=FAST)
    assert (result.ok, result.code) == (False, "unreachable")


def test_text_mode_sends_the_printers_own_text_and_qr() -> None:
    with FakePrinter() as printer:
        result = print_ticket(ticket(), printer.uri, settings=PrinterSettings(mode="text", codepage="CP1258"))
        stream = printer.wait_job()
    assert result.code == "ok"
    assert b"\x1b@" in stream and b"\x1bt\x34" in stream  # init, CP1258
    assert b"\x1d(k" in stream and b"http://127.0.0.1:8080/t/Zk3q9XbT2mYpQ0" in stream  # native QR
    assert b"\x1dv0" not in stream  # no raster image


def test_a_serial_printer_gets_the_job_and_answers_status() -> None:
    from tests.support.fake_printer import PtyPrinter

    with PtyPrinter() as printer:
        result = print_ticket(ticket(), printer.uri(baudrate="115200"), timeout_s=FAST * 3)
        time.sleep(0.1)
        stream = bytes(printer.data)
    assert (result.ok, result.code) == (True, "ok"), result
    assert result.duration_s < FAST * 2
    commands = decode(stream)
    assert [c.name for c in commands][:4] == ["status", "status", "status", "init"]
    assert raster_image(commands).width == 576


def test_a_serial_printer_out_of_paper_is_found_before_printing() -> None:
    from tests.support.fake_printer import PtyPrinter

    with PtyPrinter(state="paper_out") as printer:
        result = print_ticket(ticket(), printer.uri(), timeout_s=FAST * 3)
    assert result.code == "paper_out"


@pytest.fixture
def usb_printer(monkeypatch: pytest.MonkeyPatch):
    """A fake USB printer 0416:5011 behind pyusb's ``usb.core.find``."""
    import usb.core

    from tests.support.fake_printer import FakeUsbDevice

    device = FakeUsbDevice()
    monkeypatch.setattr(usb.core, "find", lambda idVendor=None, idProduct=None, **kw:
                        device if (idVendor, idProduct) == (0x0416, 0x5011) else None)
    return device


def test_a_usb_printer_is_found_by_its_ids_and_written_on_its_own_bulk_endpoint(usb_printer) -> None:
    result = print_ticket(ticket(), "usb://0416:5011", timeout_s=FAST * 3)
    assert (result.ok, result.code) == (True, "ok"), result
    commands = decode(bytes(usb_printer.data))
    assert [c.name for c in commands][-3:] == ["feed", "cut", "status"]
    assert raster_image(commands).width == 576


def test_usb_endpoints_given_in_the_uri_are_used_as_they_are(usb_printer) -> None:
    result = print_ticket(ticket(), "usb://0416:5011?out_ep=0x01&in_ep=0x82", timeout_s=FAST * 3)
    assert (result.ok, result.code) == (False, "disconnected")  # the wrong endpoint: an I/O error
    assert "Input/Output" in result.detail
