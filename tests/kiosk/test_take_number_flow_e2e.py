"""The take-a-number flow (issue 14.6): the priority question after the field, every field in sight, a hint that fits.

Real widgets offscreen against the real server of tests/kiosk/conftest.py; the
window is resized to 1920×1080 and 1080×1920 where the issue names those sizes.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from tests.support.kiosk_screens import answer_priority, field_button, wait_fields

pytestmark = pytest.mark.e2e

QUESTION = "Quý khách thuộc diện ưu tiên?"


def take_number_screen(d: Any) -> Any:
    """From home to the fields."""
    d.tap(d.screen.ids.take_button)
    return wait_fields(d)


def issued(d: Any) -> dict[str, Any]:
    """The ticket on the ticket screen, once it is there."""
    ticket = d.at("ticket")
    d.wait_until(lambda: ticket.print_state != "printing", what="printed")
    return ticket.view.ticket


def test_a_field_tapped_first_asks_the_priority_question_aloud_and_the_ticket_carries_the_answer(d):
    said = d.app.reader.said
    screen = take_number_screen(d)
    assert not screen.asking and screen.ids.question.get_root_window() is None
    d.tap(field_button(screen, 0))
    assert d.app.manager.current == "take_number" and screen.asking  # no ticket yet: the question first
    assert screen.ids.instruction.text == QUESTION
    assert screen.ids.asked_field.text == "Lĩnh vực: Tư pháp – Hộ tịch"
    assert said[-1][0].startswith(QUESTION) and "Người cao tuổi" in said[-1][0] and "Không" in said[-1][0]
    scale = d.app.scale
    for button in [*screen._priority_buttons.values(), screen.ids.no_priority_button]:
        assert button.get_root_window() is not None and button.height >= 140 * scale, button.text
    assert [b.text for b in screen._priority_buttons.values()] == [
        "Người cao tuổi", "Người khuyết tật", "Phụ nữ mang thai / có con nhỏ", "Người có công"]
    d.shot(d.shots / "take-number-priority-question.png")
    answer_priority(d, screen, "disabled")
    ticket = issued(d)
    assert ticket["priority"] == "disabled" and ticket["service"] == "HT"
    assert d.screen.ids.priority.text == "Ưu tiên: Người khuyết tật"


def test_answering_khong_gives_a_normal_ticket(d):
    screen = take_number_screen(d)
    d.tap(field_button(screen, 1))
    answer_priority(d, screen, "")
    assert issued(d)["priority"] is None


def test_choose_another_field_goes_back_to_the_fields_without_a_ticket(d, kiosk_server):
    screen = take_number_screen(d)
    d.tap(field_button(screen, 0))
    assert screen.asking
    d.tap(screen.ids.other_field_button)
    assert not screen.asking and d.app.manager.current == "take_number"
    assert screen.requester.pending is None and field_button(screen, 1).get_root_window() is not None
    d.tap(field_button(screen, 1))
    assert screen.ids.asked_field.text.startswith("Lĩnh vực: ") and screen.asked_name != "Tư pháp – Hộ tịch"


def test_a_procedures_take_number_button_asks_the_question_too(d):
    d.tap(d.screen.ids.lookup_button)
    search = d.at("search")
    for ch in "tach thua":
        d.tap(search.ids.keyboard.keys["space" if ch == " " else ch])
    d.wait_until(lambda: search.state.shown_for == ("tach thua", None), what="results")
    d.tap(list(reversed(search.ids.results.children))[0])
    detail = d.at("detail")
    d.wait_until(lambda: detail.detail is not None, what="detail")
    assert detail.detail.name == "Tách thửa hoặc hợp thửa đất"
    d.tap(detail.ids.take_button)
    screen = d.at("take_number")
    assert screen.asking and screen.asked_name == "Tách thửa hoặc hợp thửa đất"
    answer_priority(d, screen, "elderly")
    ticket = issued(d)
    assert (ticket["priority"], ticket["service"], ticket["procedure"]) == ("elderly", "DC", "1.012784")


def test_the_ticket_read_aloud_says_nobody_is_ahead_instead_of_zero_people(d):
    from kiosk.vm_queue import TicketView

    view = TicketView({"number": "C001", "ahead": 0}, "Địa chính – Xây dựng", [4])
    assert "Không có ai đang chờ trước quý khách" in view.spoken("vi") and "0 người" not in view.spoken("vi")


def test_home_read_aloud_names_each_button_by_its_words(d):
    text = d.screen.spoken_text("vi")
    assert "xanh lá: Lấy số thứ tự" in text and "Tra cứu thủ tục" in text and "Đánh giá hài lòng" in text
    assert "nút màu xanh " not in text  # green or blue? The words on the button say it


@contextmanager
def window_size(d: Any, width: int, height: int) -> Iterator[None]:
    """The kiosk's window at another size (orientation follows: the commune kiosk is "auto")."""
    from kivy.core.window import Window

    before = tuple(Window.size)
    Window.size = (width, height)
    d.pump(0.3)
    try:
        yield
    finally:
        Window.size = before
        d.pump(0.3)


def fully_inside(widget: Any, view: Any) -> bool:
    """Whether the widget is drawn whole inside the view (window coordinates, one pixel of slack)."""
    wx, wy = widget.to_window(widget.x, widget.y)
    vx, vy = view.to_window(view.x, view.y)
    return (vx - 1 <= wx and wx + widget.width <= vx + view.width + 1
            and vy - 1 <= wy and wy + widget.height <= vy + view.height + 1)


@pytest.mark.parametrize(("width", "height", "name"), [(1920, 1080, "landscape"), (1080, 1920, "portrait")])
def test_every_field_card_is_on_screen_without_scrolling(d, width, height, name):
    screen = take_number_screen(d)
    with window_size(d, width, height):
        assert d.app.portrait == (name == "portrait")
        scroll, cards = screen.ids.scroll, list(reversed(screen.ids.services.children))
        assert len(cards) == 5 and cards[4].name == "Nhận kết quả"
        assert screen.ids.services.height <= scroll.height  # nothing below the fold
        assert scroll.scroll_y == 1
        assert fully_inside(scroll, screen) and fully_inside(screen.ids.instruction, screen)
        for card in cards:
            assert fully_inside(card, scroll), (name, card.name, card.pos, scroll.pos, scroll.size)
        d.shot(d.shots / f"take-number-{name}.png")
        d.tap(cards[4])
        assert screen.asking and screen.ids.scroll.height == 0
        assert fully_inside(screen.ids.question, screen) and fully_inside(screen.ids.instruction, screen)
        for button in [*screen._priority_buttons.values(), screen.ids.no_priority_button,
                       screen.ids.other_field_button]:
            assert fully_inside(button, screen.ids.question), (name, button.text)
        d.shot(d.shots / f"take-number-question-{name}.png")
        d.tap(screen.ids.other_field_button)


@pytest.mark.parametrize(("width", "height"), [(1920, 1080), (1080, 1920)])
def test_the_search_hint_is_shown_whole(d, width, height):
    from kivy.core.text import Label as CoreLabel

    d.tap(d.screen.ids.lookup_button)
    box = d.at("search").ids.query_box
    with window_size(d, width, height):
        assert box.text == "Gõ tên thủ tục, ví dụ: khai sinh" and not box.shorten
        inner_width = box.width - box.padding[0] - box.padding[2]
        measured = CoreLabel(text=box.text, font_size=box.font_size, text_size=(inner_width, None))
        measured.refresh()
        assert measured.texture.size[1] <= box.height  # every line of it fits the box's height
        assert box.font_size >= 28 * d.app.scale
        search = d.screen
        d.wait_until(lambda: search.ids.results.children, what="the fields to browse")
        for chip in search.ids.results.children:  # built before the window had its size: still full targets
            assert chip.height >= 96 * d.app.scale * 0.99, (chip.text, chip.height)
        d.shot(d.shots / f"search-hint-{width}x{height}.png")
