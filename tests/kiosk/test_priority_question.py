"""The words of the priority question and of the read-aloud fixes (issue 14.6), without Kivy."""

from __future__ import annotations

from kiosk.texts import home_spoken
from kiosk.vm_queue import NO_PRIORITY, TicketView, priority_choices, priority_question_spoken

GROUPS = ("elderly", "disabled", "pregnant", "merit")


def test_the_answers_are_the_offices_groups_then_khong():
    choices = priority_choices(GROUPS, "vi")
    assert [c.code for c in choices] == [*GROUPS, NO_PRIORITY]
    assert [c.label for c in choices] == ["Người cao tuổi", "Người khuyết tật", "Phụ nữ mang thai / có con nhỏ",
                                          "Người có công", "Không"]
    assert [c.code for c in priority_choices(("merit",), "en")] == ["merit", NO_PRIORITY]


def test_the_question_read_aloud_names_every_group_and_how_to_say_no():
    assert priority_question_spoken(GROUPS, "vi") == (
        "Quý khách thuộc diện ưu tiên? Nếu có, chạm nút: Người cao tuổi, Người khuyết tật, "
        "Phụ nữ mang thai hoặc có con nhỏ, Người có công. Nếu không, chạm nút Không.")
    assert "Pregnant or small child" in priority_question_spoken(GROUPS, "en")


def test_home_read_aloud_names_the_buttons_by_their_words_and_real_colours():
    text = home_spoken("vi")
    assert "chạm nút xanh lá: Lấy số thứ tự" in text
    assert "chạm nút màu cam: Tra cứu thủ tục" in text and "chạm nút màu tím: Đánh giá hài lòng" in text
    assert "{" not in text and "Take a number" in home_spoken("en")


def test_a_ticket_with_nobody_ahead_is_read_as_nobody_not_zero_people():
    nobody = TicketView({"number": "A001", "ahead": 0}, "Tư pháp – Hộ tịch", [1]).spoken("vi")
    assert nobody.endswith("Không có ai đang chờ trước quý khách.") and "0 người" not in nobody
    three = TicketView({"number": "A004", "ahead": 3}, "Tư pháp – Hộ tịch", [1]).spoken("vi")
    assert three.endswith("Có 3 người đang chờ trước quý khách.")
