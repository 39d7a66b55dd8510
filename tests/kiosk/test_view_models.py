"""View-models: take a number, the ticket, search, procedure detail, rating, idle, settings."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from kiosk.idle import IdleTimer
from kiosk.settings import DEFAULT_REASONS, settings_from_config
from kiosk.vm_catalog import (
    SearchState,
    closed_today_note,
    field_names,
    online_kind,
    procedure_detail,
    result_rows,
    where_text,
)
from kiosk.vm_queue import (
    PRINT_FAILED,
    PRINT_NONE,
    PRINT_OK,
    TicketRequester,
    TicketView,
    service_accepting,
    service_rows,
)
from kiosk.vm_rating import RatingDraft, clean_ticket_input
from queue_server.config import ConfigError, load_config, parse_config

SERVICES = [{"code": "HT", "name": "Tư pháp – Hộ tịch", "prefix": "A", "counters": [1, 2], "waiting": 3,
             "estimated_wait_s": 1500}]
TICKET = {"id": 7, "number": "A004", "service": "HT", "priority": "elderly", "ahead": 3,
          "estimated_wait_s": 1500, "status_url": "http://x/t/abc"}


def keys():
    counter = itertools.count(1)
    return lambda: f"key-{next(counter)}"


def test_a_field_button_says_who_waits_how_long_and_where():
    row = service_rows(SERVICES, "vi")[0]
    assert (row.name, row.waiting_text, row.wait_text, row.counters_text) == (
        "Tư pháp – Hộ tịch", "Đang chờ: 3 người", "Chờ khoảng 25 phút", "Quầy 1 hoặc 2")
    empty = service_rows([{**SERVICES[0], "waiting": 0, "estimated_wait_s": 0}], "vi")[0]
    assert (empty.waiting_text, empty.wait_text) == ("Không có ai đang chờ", "")


def test_a_retried_ticket_request_keeps_its_idempotency_key():
    requester = TicketRequester(keys())
    request = requester.start("HT", "elderly")
    first = requester.attempt().key
    requester.unreachable()
    assert requester.attempt().key == first
    assert request.attempts == 2
    assert "lần 2" in requester.status_text("vi")


def test_a_second_tap_while_a_request_is_under_way_is_ignored():
    requester = TicketRequester(keys())
    requester.start("HT", None)
    assert requester.start("VP", None) is None


def test_leaving_the_screen_forgets_the_key_and_a_new_request_gets_a_new_one():
    requester = TicketRequester(keys())
    first = requester.start("HT", None).key
    requester.abandon()
    assert requester.start("HT", None).key != first


def test_a_refused_request_is_dropped_with_its_message():
    requester = TicketRequester(keys())
    requester.start("HT", None)
    requester.failed("Lĩnh vực này hiện không nhận hồ sơ.")
    assert requester.pending is None and requester.status_text("vi") == ""


def test_the_ticket_view_names_counters_people_ahead_and_priority():
    lines = TicketView(TICKET, "Tư pháp – Hộ tịch", [1, 2]).lines("vi")
    assert lines["number"] == "A004"
    assert lines["counters"] == "Mời đến quầy số 1 hoặc 2 khi được gọi"
    assert lines["ahead"] == "Số người đang chờ trước quý khách: 3"
    assert lines["priority"] == "Ưu tiên: Người cao tuổi"
    assert lines["print"] == "Đang in phiếu…"


def test_a_failed_print_says_so_plainly_and_keeps_the_ticket_longer():
    view = TicketView(TICKET, "Tư pháp – Hộ tịch", [1], print_state=PRINT_FAILED, print_message="Máy in hết giấy.")
    assert "KHÔNG in được" in view.print_text("vi") and "A004" in view.print_text("vi")
    assert "Máy in hết giấy." in view.print_text("vi")
    assert view.screen_seconds(20, 90) == 90
    assert TicketView(TICKET, "x", print_state=PRINT_OK).screen_seconds(20, 90) == 20
    assert TicketView(TICKET, "x", print_state=PRINT_NONE).print_failed


def test_the_ticket_is_read_aloud_digit_by_digit():
    assert "A, không, không, bốn" in TicketView(TICKET, "Tư pháp – Hộ tịch", [1]).spoken("vi")


def test_search_sends_one_request_at_a_time_and_shows_only_the_newest_answer():
    state = SearchState()
    state.query = "kh"
    first = state.next_request()
    state.query = "khai"
    assert state.next_request() is None  # one in flight
    assert state.received(first, [{"code": "1"}]) is False  # stale: not shown
    second = state.next_request()
    assert second == ("khai", None)
    assert state.received(second, [{"code": "2"}]) is True
    assert state.next_request() is None


def test_an_empty_search_shows_nothing_and_asks_nothing():
    state = SearchState()
    assert state.next_request() is None and state.results == []


def test_search_rows_name_the_field_and_online_level():
    rows = result_rows([{"code": "1.001193", "name": "Đăng ký khai sinh", "field": "Hộ tịch",
                         "online_level": "full"}], "vi")
    assert rows[0].detail == "Hộ tịch · Nộp trực tuyến toàn trình"
    assert online_kind({"online_level": "Một phần"}) == "part"
    assert online_kind({"online_level": None}) == "none"


def test_fields_are_read_from_the_api_shape():
    assert field_names({"fields": [{"name": "Hộ tịch", "count": 18}]}) == [("Hộ tịch", "Hộ tịch")]
    assert field_names(["Chứng thực"]) == [("Chứng thực", "Chứng thực")]


RECORD = {"code": "1.001193", "name": "Đăng ký khai sinh", "field": "Hộ tịch", "service": "HT",
          "documents": [{"name": "Tờ khai đăng ký khai sinh", "kind": "", "count": None, "form": ""},
                        {"name": "Giấy chứng sinh", "kind": "bản chính", "count": 1, "form": ""}],
          "steps": [], "processing_time": "Ngay trong ngày", "fee": "Miễn", "online_level": "full",
          "portal_url": "", "sample_dossier": {"url": "http://x/mau.pdf"}, "guide_video": None, "agency": ""}


def test_the_detail_lists_documents_with_their_kind_and_count():
    detail = procedure_detail(RECORD)
    assert detail.documents == ["Tờ khai đăng ký khai sinh", "Giấy chứng sinh (bản chính, 1)"]
    assert (detail.time, detail.fee, detail.sample_url, detail.video_url) == (
        "Ngay trong ngày", "Miễn", "http://x/mau.pdf", "")


def test_a_fully_online_procedure_without_a_link_points_to_the_national_portal():
    assert procedure_detail(RECORD).portal_url.endswith("ma_thu_tuc=1.001193")
    assert procedure_detail({**RECORD, "online_level": "none"}).portal_url == ""


def test_where_to_file_falls_back_to_this_offices_counters():
    detail = procedure_detail(RECORD)
    assert where_text(detail, SERVICES, "UBND xã", "vi") == "UBND xã: quầy số 1 hoặc 2 (Tư pháp – Hộ tịch)"


def test_a_rating_asks_why_only_at_the_two_lowest_levels():
    draft = RatingDraft(ticket="A004")
    draft.choose_overall("neutral")
    assert draft.asks_why()
    draft.toggle_reason("waited_long")
    draft.choose_overall("satisfied")
    assert not draft.asks_why() and draft.reasons == []


def test_the_rating_body_follows_the_api_with_reasons_and_comment_beside_it():
    draft = RatingDraft()
    for key in "A004":
        draft.type_ticket(key)
    draft.choose_overall("dissatisfied")
    draft.toggle_reason("waited_long")
    draft.rate_criterion("attitude", "neutral")
    draft.comment = "  chờ lâu quá "
    assert draft.body() == {"ticket": "A004", "overall": "dissatisfied", "criteria": {"attitude": "neutral"},
                            "reasons": ["waited_long"], "comment": "chờ lâu quá"}


def test_a_counter_can_be_rated_instead_of_a_ticket():
    draft = RatingDraft(ticket="A0")
    draft.choose_counter(3)
    draft.choose_overall("very_satisfied")
    assert draft.subject_ready() and draft.body() == {"overall": "very_satisfied", "counter": 3}


def test_a_scanned_ticket_is_cleaned():
    assert clean_ticket_input(" a 004\n") == "A004"
    assert clean_ticket_input("http://x/t/OyrjDM7FgQrGvqrQ\n") == "OyrjDM7FgQrGvqrQ"
    draft = RatingDraft(ticket=clean_ticket_input("http://x/t/OyrjDM7FgQrGvqrQ"))
    assert draft.subject_ready()


def test_idle_timer_expires_after_the_configured_seconds():
    timer = IdleTimer(90, now=0.0)
    timer.touch(50.0)
    assert not timer.expired(139.0) and timer.expired(140.0)
    assert timer.remaining(100.0) == 40.0


def test_settings_come_from_the_sample_office_with_its_rating_labels():
    settings = settings_from_config(load_config(Path(__file__).resolve().parents[2] / "config" / "commune.toml"))
    assert settings.office_name.startswith("Trung tâm")
    assert settings.idle_seconds == 90 and settings.priorities == ("elderly", "disabled", "pregnant", "merit")
    assert settings.reasons[0] == "waited_long" and settings.labels["reason.waited_long"] == "Chờ lâu"


def minimal(kiosk: dict) -> dict:
    return {"office": {"name": "X"}, "services": [{"code": "HT", "name": "Hộ tịch", "prefix": "A"}],
            "counters": [{"number": 1, "services": ["HT"]}], "kiosk": kiosk}


def test_a_kiosk_config_mistake_names_the_key_and_the_fix():
    with pytest.raises(ConfigError, match="kiosk.orientation"):
        settings_from_config(parse_config(minimal({"orientation": "sideways"}), "office.toml"))
    with pytest.raises(ConfigError, match="kiosk.idle_secs: unknown key"):
        settings_from_config(parse_config(minimal({"idle_secs": 5}), "office.toml"))


def test_without_ratings_config_the_kiosk_offers_its_own_reasons():
    assert settings_from_config(parse_config(minimal({}), "office.toml")).reasons == DEFAULT_REASONS


CLOSED_TODAY = [{**SERVICES[0], "counters": [], "accepting": False, "waiting": 2}]


def test_a_field_closed_today_is_greyed_with_what_to_do_instead_of_the_wait():
    row = service_rows(CLOSED_TODAY, "vi")[0]
    assert (row.accepting, row.waiting_text, row.wait_text, row.counters_text) == (
        False, "Hôm nay không nhận hồ sơ lĩnh vực này.", "",
        "Mời quý khách quay lại vào ngày làm việc sau, hoặc hỏi cán bộ hướng dẫn.")
    assert service_rows(CLOSED_TODAY, "en")[0].waiting_text == "No applications for this field today."
    assert service_rows(SERVICES, "vi")[0].accepting  # a server that does not say: open


def test_whether_a_field_takes_tickets_comes_from_the_last_services_list():
    assert not service_accepting("HT", CLOSED_TODAY)
    assert service_accepting("HT", SERVICES) and service_accepting("XX", CLOSED_TODAY)  # unknown: the server decides


def test_a_procedure_of_a_field_closed_today_says_so_and_keeps_its_facts():
    detail = procedure_detail(RECORD)
    assert closed_today_note(detail, CLOSED_TODAY, "vi") == (
        "Hôm nay không nhận hồ sơ lĩnh vực này. Mời quý khách quay lại vào ngày làm việc sau, "
        "hoặc hỏi cán bộ hướng dẫn.")
    assert closed_today_note(detail, SERVICES, "vi") == ""
    assert detail.documents and detail.fee == "Miễn"  # the information stays
