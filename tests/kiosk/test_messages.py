"""The kiosk's error table maps only codes the server really sends, and shows the server's words otherwise."""

from __future__ import annotations

import pytest

from kiosk.messages import CODE_TEXTS, NO_WORDS_FOR_PEOPLE, message_for
from kiosk.texts import TEXTS
from queue_server.client import ALL_CODES, ApiError, ErrorCode, ServerUnreachable


def test_every_code_in_the_kiosk_table_is_one_the_server_sends() -> None:
    assert set(CODE_TEXTS) <= ALL_CODES
    assert NO_WORDS_FOR_PEOPLE <= ALL_CODES


def test_every_kiosk_text_of_the_table_exists_in_both_languages() -> None:
    for key in CODE_TEXTS.values():
        assert key in TEXTS["vi"] and key in TEXTS["en"]


def test_server_errors_become_plain_vietnamese() -> None:
    assert message_for(ServerUnreachable("x"), "vi") == "Không kết nối được máy chủ."
    assert message_for(ApiError(404, "not_found", "Không có địa chỉ này."), "vi").startswith("Máy chủ chưa hỗ trợ")
    assert message_for(ApiError(409, "already_rated", "x"), "vi").startswith("Phiếu này đã được đánh giá")


def test_too_many_tickets_tells_the_citizen_to_wait() -> None:
    error = ApiError(429, ErrorCode.TOO_MANY_TICKETS, "Máy này đã lấy quá nhiều số trong một phút vừa qua.")
    assert message_for(error, "vi") == "Máy đang bận, xin chờ một chút rồi thử lại."
    assert message_for(error, "en") == "The kiosk is busy; please wait a moment and try again."


def test_an_unmapped_code_shows_the_servers_vietnamese_words() -> None:
    error = ApiError(409, ErrorCode.BOOKING_CANCELLED, "Lịch hẹn này đã bị hủy. Xin lấy số thường tại máy.")
    assert message_for(error, "vi") == "Lịch hẹn này đã bị hủy. Xin lấy số thường tại máy."


def test_in_english_an_unmapped_code_gets_the_generic_text_with_its_code() -> None:
    error = ApiError(409, ErrorCode.BOOKING_CANCELLED, "Lịch hẹn này đã bị hủy.")
    assert message_for(error, "en") == "Something went wrong (booking_cancelled). Please ask at a counter."


@pytest.mark.parametrize("code", sorted(NO_WORDS_FOR_PEOPLE))
def test_a_message_about_the_machine_becomes_ask_the_staff(code: str) -> None:
    assert message_for(ApiError(502, code, "HTTP 502"), "vi") == f"Có lỗi xảy ra ({code}). Xin báo cán bộ tại quầy."


def test_a_ticket_refused_because_the_field_is_closed_today_says_what_to_do_in_both_languages() -> None:
    error = ApiError(409, ErrorCode.SERVICE_CLOSED_TODAY, "Hôm nay lĩnh vực Đất đai tạm ngừng tiếp nhận.")
    assert message_for(error, "vi") == ("Hôm nay không nhận hồ sơ lĩnh vực này. Mời quý khách quay lại vào ngày làm "
                                        "việc sau, hoặc hỏi cán bộ hướng dẫn.")
    assert message_for(error, "en").startswith("No applications for this field today. Please come back")
