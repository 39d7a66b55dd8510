"""What the ticket says: wording, time zone, counters, priority groups."""

from __future__ import annotations

import unicodedata

import pytest

from printers import PRIORITY_LABELS, ticket_print_from_api
from printers.ticket import format_wait
from tests.support.ticket_print import ticket

API_TICKET = {
    "id": 41, "number": "C007", "service": "DC", "service_name": "Địa chính – Xây dựng – Nông nghiệp – Môi trường",
    "priority": "pregnant", "status": "waiting", "issued_at": "2026-11-23T01:30:00+00:00", "called_at": None,
    "counter": None, "ahead": 3, "estimated_wait_s": 1500, "status_url": "http://127.0.0.1:8080/t/abc",
}
SERVICES = [{"code": "HT", "counters": [1, 2]}, {"code": "DC", "counters": [4, 6]}]


def test_api_ticket_becomes_ticket_print_in_office_time_with_the_fields_counters() -> None:
    printed = ticket_print_from_api(API_TICKET, office_name="UBND xã", services=SERVICES, hotline="1900 1234")
    assert printed.issued_text == "23/11/2026 08:30"
    assert printed.counters_text == "Quầy số 4 hoặc 6"  # wording: alternatives
    assert printed.waiting_text == "Số người đang chờ: 3"
    assert printed.wait_text == "Thời gian chờ: khoảng\u00a025\u00a0phút"
    assert printed.priority_label == "Phụ nữ mang thai / có con nhỏ"
    assert printed.ticket_id == 41


def test_a_ticket_already_at_a_counter_names_only_that_counter() -> None:
    printed = ticket_print_from_api({**API_TICKET, "counter": 6}, office_name="UBND xã", services=SERVICES)
    assert printed.counters == (6,)


def test_a_normal_ticket_has_no_priority_label() -> None:
    normal = ticket_print_from_api({**API_TICKET, "priority": None}, office_name="x", services=SERVICES)
    assert normal.priority_label == ""


@pytest.mark.parametrize("code, label", [
    ("elderly", "Người cao tuổi"), ("disabled", "Người khuyết tật"),
    ("pregnant", "Phụ nữ mang thai / có con nhỏ"), ("merit", "Người có công"), ("appointment", "Có hẹn trước"),
])
def test_every_priority_group_reads_in_vietnamese(code: str, label: str) -> None:
    assert ticket(priority=code).priority_label == label == PRIORITY_LABELS[code]


@pytest.mark.parametrize("seconds, text", [(0, "1 phút"), (59, "1 phút"), (540, "9 phút"), (900, "15 phút"),
                                           (901, "20 phút"), (3600, "1 giờ"), (4800, "1 giờ 20 phút")])
def test_wait_is_the_kiosks_promise_rounded_up_to_5_beyond_10_minutes(seconds: int, text: str) -> None:
    assert format_wait(seconds).replace("\u00a0", " ") == text


def test_text_given_in_nfd_is_stored_in_nfc() -> None:
    nfd = unicodedata.normalize("NFD", "Tư pháp – Hộ tịch")
    assert ticket(service_name=nfd).service_name == unicodedata.normalize("NFC", nfd)


def test_footer_lists_the_hotline_then_each_footer_line() -> None:
    assert ticket(footer="Cảm ơn!\n\nHẹn gặp lại").footer_lines == (
        "Đường dây nóng: 1900 1234", "Cảm ơn!", "Hẹn gặp lại")
