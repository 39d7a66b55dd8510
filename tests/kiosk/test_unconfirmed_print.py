"""A ticket sent to a printer that never confirms: printed as far as the kiosk can tell, shown longer."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from kiosk.printing import PackagePrinter, unconfirmed_screen_seconds
from kiosk.settings import KioskSettings
from tests.support.escpos_stream import decode, raster_image
from tests.support.fake_printer import FakePrinter

TICKET = {"id": 7, "number": "A004", "service": "HT", "service_name": "Tư pháp – Hộ tịch", "counters": [1, 2],
          "ahead": 3, "estimated_wait_s": 1500, "status_url": "http://x/t/abc",
          "issued_at": "2026-11-23T09:05:00+07:00"}


@pytest.fixture(autouse=True)
def forget_mute_printers() -> Iterator[None]:
    """Fake printers reuse loopback ports: no test inherits another's mute printer."""
    from printers.job import mute_printers

    mute_printers.clear()
    yield
    mute_printers.clear()


def test_a_mute_printer_prints_the_ticket_and_the_outcome_says_unconfirmed() -> None:
    with FakePrinter(behaviour="mute") as printer:
        outcome = PackagePrinter(printer.uri).print_ticket(TICKET, KioskSettings())
        job = printer.wait_job()
    assert (outcome.ok, outcome.code, outcome.confirmed) == (True, "unconfirmed", False)
    assert outcome.message_vi.startswith("Đã gửi phiếu tới máy in")
    assert [c.name for c in decode(job)][-1] == "cut" and raster_image(decode(job)).width == 576


def test_a_printer_that_answers_confirms_the_ticket() -> None:
    with FakePrinter() as printer:
        outcome = PackagePrinter(printer.uri).print_ticket(TICKET, KioskSettings())
    assert (outcome.ok, outcome.code, outcome.confirmed) == (True, "ok", True)


@pytest.mark.parametrize("normal, failed, shown", [(20, 90, 40), (20, 30, 30), (60, 30, 60)])
def test_an_unconfirmed_ticket_stays_twice_as_long_within_the_no_paper_time(normal: int, failed: int,
                                                                             shown: int) -> None:
    assert unconfirmed_screen_seconds(normal, failed) == shown
