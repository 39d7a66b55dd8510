"""Every part says the same words (issue 14.7): the kiosk, the paper, the server's views (which the phone page
and the console show), the console's labels and the boards' speech read them from ``wording``."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

import wording
from kiosk.texts import format_wait, join_numbers, spell_ticket_number, tr
from printers.ticket import ticket_print_from_api
from queue_server.core.estimate import WaitEstimate
from queue_server.core.views import wait_fields
from queue_server.web.console import PRIORITY_LABELS as CONSOLE_LABELS
from speech.texts import announcement_text
from tests.support.reports_office import COMMUNE

WAITS = (0, 59, 60, 61, 8 * 60 + 1, 10 * 60, 10 * 60 + 1, 23 * 60, 80 * 60, 125 * 60)


def _office():
    from queue_server.config import load_config

    return load_config(COMMUNE).office


@pytest.mark.parametrize("seconds", WAITS)
def test_kiosk_paper_and_server_promise_the_same_minutes(seconds: int) -> None:
    promise = wording.wait_text(seconds)
    served = wait_fields(WaitEstimate(seconds), _office())["wait_text"]
    api_ticket = {"number": "A001", "issued_at": datetime(2026, 3, 2, 1, tzinfo=UTC).isoformat(), "ahead": 0,
                  "estimated_wait_s": seconds}
    printed = ticket_print_from_api(api_ticket, office_name="x").wait_text.replace("\u00a0", " ")
    assert served == promise
    assert printed == f"Thời gian chờ: {promise}"
    assert promise.endswith(format_wait(seconds))  # the kiosk: "Chờ khoảng {wait}", "dưới 1 phút"


def test_numbers_alternatives_and_priorities_read_alike() -> None:
    assert spell_ticket_number("B012") == wording.read_ticket_number("B012") == "Bê, không, một, hai"
    assert "Bê, không, một, hai" in announcement_text("B012", 3)
    assert join_numbers([1, 2, 3]) == wording.join_alternatives([1, 2, 3]) == "1, 2 hoặc 3"
    for code, label in wording.PRIORITY_LABELS.items():
        assert tr(f"priority.{code}") == CONSOLE_LABELS[code] == label
