"""The kiosk's ticket screen with a mute printer: real widgets (offscreen), a real server, a mute fake printer."""

from __future__ import annotations

import pytest

from tests.support.kiosk_screens import take_ticket, wait_fields

pytestmark = pytest.mark.e2e


def test_a_ticket_sent_to_a_mute_printer_stays_on_screen_longer(d) -> None:
    from kiosk.printing import PackagePrinter, unconfirmed_screen_seconds
    from printers.job import mute_printers
    from tests.support.escpos_stream import decode, raster_image
    from tests.support.fake_printer import FakePrinter

    app = d.app
    try:
        with FakePrinter(behaviour="mute") as printer:
            app.printer = PackagePrinter(printer.uri, timeout_s=2.0)
            d.tap(d.screen.ids.take_button)
            take_ticket(d, wait_fields(d), 0)
            ticket = d.at("ticket")
            d.wait_until(lambda: ticket.print_state != "printing", what="printed")
            job = printer.wait_job()
    finally:
        mute_printers.clear()
    settings = app.settings
    assert ticket.print_state == "printed"
    longer = unconfirmed_screen_seconds(settings.ticket_screen_seconds, settings.print_failed_seconds)
    assert settings.ticket_screen_seconds < ticket.seconds_left <= longer
    assert raster_image(decode(job)).width in (384, 576)
