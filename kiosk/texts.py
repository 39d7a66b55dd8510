"""Every word the kiosk shows or speaks, in Vietnamese and English (pure, no Kivy).

``tr(key, lang, **values)`` looks a text up; a missing English text falls back
to Vietnamese, a missing key shows the key (so a gap is visible, never a crash).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from wording import PRIORITY_LABELS, WAIT_NOTES, join_alternatives, read_ticket_number, wait_minutes, wait_text

LANGUAGES = ("vi", "en")
DEFAULT_LANGUAGE = "vi"

PRIORITY_ORDER = ("elderly", "disabled", "pregnant", "merit")
"""Priority groups a citizen may choose at the kiosk, in the order shown."""

RATING_LEVELS = ("very_satisfied", "satisfied", "neutral", "dissatisfied")
"""The API's 4-level scale, best first."""

LOW_RATING_LEVELS = ("neutral", "dissatisfied")
"""At these levels the kiosk asks why."""

TEXTS: dict[str, dict[str, str]] = {
    "vi": {
        "app.title": "Ki-ốt một cửa",
        "common.back": "Quay lại",
        "common.home": "Trang chủ",
        "common.read_aloud": "Đọc to",
        "common.hotline": "Đường dây nóng: {hotline}",
        "common.minutes": "{n} phút",
        "common.under_minute": "dưới 1 phút",
        "common.loading": "Đang tải…",
        "common.retry_now": "Thử lại ngay",
        "common.ok": "Xong",
        "offline.banner": "Mất kết nối với máy chủ. Máy đang tự kết nối lại, xin chờ trong giây lát…",
        "offline.back": "Đã kết nối lại với máy chủ.",
        "home.welcome": "Xin kính chào quý khách",
        "home.take_number": "Lấy số thứ tự",
        "home.take_number.hint": "Để được phục vụ tại quầy",
        "home.lookup": "Tra cứu thủ tục",
        "home.lookup.hint": "Cần mang giấy tờ gì, mất bao lâu, lệ phí",
        "home.rate": "Đánh giá hài lòng",
        "home.rate.hint": "Cho biết ý kiến của quý khách",
        "home.language": "English",
        # Each button by its words and its own colour: "xanh" alone is green or blue (issue 14.6).
        "home.spoken": ("Xin kính chào quý khách. Để lấy số thứ tự, chạm nút xanh lá: {take}. Để tra cứu thủ tục, "
                        "chạm nút màu cam: {lookup}. Để đánh giá, chạm nút màu tím: {rate}."),
        "take.title": "Lấy số thứ tự",
        "take.choose": "Chạm vào lĩnh vực quý khách cần làm thủ tục",
        "take.waiting": "Đang chờ: {n} người",
        "take.nobody_waiting": "Không có ai đang chờ",
        "take.wait_estimate": "Chờ khoảng {wait}",
        "take.counters": "Quầy {counters}",
        "take.priority.question": "Quý khách thuộc diện ưu tiên?",
        "take.priority.field": "Lĩnh vực: {service}",
        "take.priority.none": "Không",
        "take.priority.other_field": "Chọn lĩnh vực khác",
        "take.priority.spoken": ("Quý khách thuộc diện ưu tiên? Nếu có, chạm nút: {groups}. "
                                 "Nếu không, chạm nút Không."),
        "take.issuing": "Đang lấy số, xin chờ…",
        "take.retrying": "Chưa kết nối được máy chủ. Máy đang thử lại (lần {attempt})… Quý khách không cần bấm lại.",
        "take.no_services": "Chưa tải được danh sách lĩnh vực.",
        "take.spoken": "Chạm vào lĩnh vực quý khách cần làm thủ tục để lấy số thứ tự.",
        # A field no open counter takes today (issue 15): greyed, no number, and what to do instead.
        "take.closed_today": "Hôm nay không nhận hồ sơ lĩnh vực này.",
        "take.closed_today.hint": "Mời quý khách quay lại vào ngày làm việc sau, hoặc hỏi cán bộ hướng dẫn.",
        **{f"priority.{code}": label for code, label in PRIORITY_LABELS.items()},  # the one list (wording)
        "ticket.title": "Số thứ tự của quý khách",
        "ticket.service": "Lĩnh vực: {service}",
        "ticket.counters": "Mời đến quầy số {counters} khi được gọi",
        "ticket.ahead": "Số người đang chờ trước quý khách: {n}",
        "ticket.wait": "Thời gian chờ dự kiến: {wait}",
        "wait.after_break": WAIT_NOTES["after_break"],
        "wait.before_opening": WAIT_NOTES["before_opening"],
        "wait.may_miss_today": WAIT_NOTES["may_miss_today"],
        "ticket.priority": "Ưu tiên: {priority}",
        "ticket.qr": "Quét mã để theo dõi lượt của quý khách trên điện thoại",
        "ticket.printing": "Đang in phiếu…",
        "ticket.printed": "Mời quý khách nhận phiếu ở khe bên dưới.",
        "ticket.print_failed": ("Máy in đang bị lỗi, phiếu KHÔNG in được. Xin quý khách ghi lại số {number} hoặc "
                                "chụp ảnh mã QR này."),
        "ticket.no_printer": "Ki-ốt này không có máy in. Xin quý khách ghi lại số {number} hoặc chụp ảnh mã QR.",
        "ticket.closes_in": "Màn hình tự đóng sau {n} giây",
        "ticket.spoken": ("Số thứ tự của quý khách là {number_spoken}. Lĩnh vực {service}. Mời đến quầy số "
                          "{counters} khi được gọi. Có {n} người đang chờ trước quý khách."),
        "ticket.spoken.nobody_ahead": ("Số thứ tự của quý khách là {number_spoken}. Lĩnh vực {service}. Mời đến "
                                       "quầy số {counters} khi được gọi. Không có ai đang chờ trước quý khách."),
        "search.title": "Tra cứu thủ tục",
        "search.placeholder": "Gõ tên thủ tục, ví dụ: khai sinh",
        "search.browse": "Hoặc chọn lĩnh vực:",
        "search.all_fields": "Tất cả",
        "search.results": "{n} thủ tục",
        "search.top": "Các thủ tục phù hợp nhất:",
        "search.none": "Không tìm thấy thủ tục nào. Hãy thử từ khác, hoặc hỏi cán bộ tại quầy.",
        "search.online_full": "Nộp trực tuyến toàn trình",
        "search.online_part": "Nộp trực tuyến một phần",
        "search.spoken": "Gõ tên thủ tục trên bàn phím, hoặc chạm vào một lĩnh vực.",
        "key.space": "Dấu cách",
        "key.backspace": "Xóa",
        "key.clear": "Xóa hết",
        "detail.code": "Mã thủ tục: {code}",
        "detail.field": "Lĩnh vực: {field}",
        "detail.documents": "Giấy tờ cần mang",
        "detail.time": "Thời hạn giải quyết",
        "detail.fee": "Lệ phí",
        "detail.steps": "Các bước thực hiện",
        "detail.where": "Nơi nộp hồ sơ",
        "detail.online": "Nộp trực tuyến",
        "detail.online.hint": "Quét mã để nộp hồ sơ trực tuyến trên Cổng Dịch vụ công",
        "detail.where.counters": "{office}: quầy số {counters} ({service})",
        "detail.online.full": ("Có thể làm trọn vẹn trên mạng (toàn trình). Quét mã QR để mở trang thủ tục trên "
                               "Cổng Dịch vụ công quốc gia."),
        "detail.online.part": "Có thể nộp một phần trên mạng. Quét mã QR để mở trang thủ tục.",
        "detail.online.none": "Thủ tục này nộp trực tiếp tại quầy.",
        "detail.sample": "Hồ sơ mẫu đã điền sẵn",
        "detail.sample.hint": "Quét mã để xem hồ sơ mẫu",
        "detail.video": "Video hướng dẫn",
        "detail.video.hint": "Quét mã để xem video hướng dẫn",
        "detail.take_number": "Lấy số cho thủ tục này",
        "detail.closed_today": "Hôm nay không lấy số cho thủ tục này",
        "detail.unknown": "Chưa có thông tin",
        "detail.spoken": "Thủ tục {name}. Thời hạn giải quyết: {time}. Lệ phí: {fee}. Giấy tờ cần mang: {documents}.",
        "rate.title": "Đánh giá hài lòng",
        "rate.enter_ticket": "Nhập số thứ tự trên phiếu của quý khách (hoặc quét phiếu)",
        "rate.or_counter": "Hoặc chọn quầy đã phục vụ quý khách:",
        "rate.counter": "Quầy {n}",
        "rate.next": "Tiếp tục",
        "rate.question": "Quý khách có hài lòng với sự phục vụ không?",
        "rate.for_ticket": "Phiếu {ticket}",
        "rate.for_counter": "Quầy {counter}",
        "rate.very_satisfied": "Rất hài lòng",
        "rate.satisfied": "Hài lòng",
        "rate.neutral": "Bình thường",
        "rate.dissatisfied": "Không hài lòng",
        "rate.why": "Vì sao quý khách chưa hài lòng? (chọn một hoặc nhiều ý)",
        "rate.criteria": "Đánh giá chi tiết (không bắt buộc)",
        "rate.comment": "Góp ý thêm (không bắt buộc)",
        "rate.comment.placeholder": "Chạm để viết góp ý",
        "rate.send": "Gửi đánh giá",
        "rate.sending": "Đang gửi…",
        "rate.skip_details": "Gửi ngay",
        "rate.details": "Đánh giá chi tiết",
        "rate.error": "Chưa gửi được đánh giá: {message}",
        "rate.spoken": "Quý khách có hài lòng không? Chạm mặt cười xanh nếu rất hài lòng, mặt đỏ nếu không hài lòng.",
        "rate.ticket.spoken": "Nhập số thứ tự trên phiếu, hoặc chọn quầy đã phục vụ quý khách.",
        "rate.details.spoken": "Chạm vào lý do quý khách chưa hài lòng, rồi chạm Gửi đánh giá.",
        "thanks.title": "Cảm ơn quý khách!",
        "thanks.body": "Ý kiến của quý khách giúp chúng tôi phục vụ tốt hơn.",
        "thanks.spoken": "Cảm ơn quý khách. Ý kiến của quý khách giúp chúng tôi phục vụ tốt hơn.",
        "reason.waited_long": "Chờ lâu",
        "reason.attitude": "Thái độ cán bộ chưa tốt",
        "reason.unclear_guidance": "Hướng dẫn chưa rõ",
        "reason.extra_papers": "Bị yêu cầu thêm giấy tờ",
        "reason.come_back": "Phải đi lại nhiều lần",
        "reason.facilities": "Cơ sở vật chất chưa tốt",
        "criterion.guidance": "Hướng dẫn, niêm yết thủ tục",
        "criterion.attitude": "Thái độ cán bộ",
        "criterion.time": "Thời gian giải quyết",
        "criterion.facilities": "Cơ sở vật chất",
        "error.unreachable": "Không kết nối được máy chủ.",
        "error.unknown_service": "Lĩnh vực này hiện không nhận hồ sơ. Xin hỏi cán bộ tại quầy.",
        "error.service_closed_today": ("Hôm nay không nhận hồ sơ lĩnh vực này. Mời quý khách quay lại vào ngày làm "
                                       "việc sau, hoặc hỏi cán bộ hướng dẫn."),
        "error.unknown_ticket": "Không tìm thấy số thứ tự này. Xin kiểm tra lại số trên phiếu.",
        "error.already_rated": "Phiếu này đã được đánh giá rồi. Cảm ơn quý khách.",
        "error.too_many": "Máy đang bận, xin chờ một chút rồi thử lại.",
        "error.not_served": "Phiếu này chưa được phục vụ tại quầy. Xin đánh giá sau khi làm việc xong.",
        "error.unauthorized": "Ki-ốt chưa được cấp quyền trên máy chủ. Xin báo cán bộ.",
        "error.not_found": "Máy chủ chưa hỗ trợ chức năng này. Xin báo cán bộ.",
        "error.generic": "Có lỗi xảy ra ({code}). Xin báo cán bộ tại quầy.",
    },
    "en": {
        "app.title": "One-stop kiosk",
        "common.back": "Back",
        "common.home": "Home",
        "common.read_aloud": "Read aloud",
        "common.hotline": "Hotline: {hotline}",
        "common.minutes": "{n} min",
        "common.under_minute": "under 1 minute",
        "common.loading": "Loading…",
        "common.retry_now": "Retry now",
        "common.ok": "Done",
        "offline.banner": "Lost connection to the server. Reconnecting automatically, please wait…",
        "offline.back": "Connected to the server again.",
        "home.welcome": "Welcome",
        "home.take_number": "Take a number",
        "home.take_number.hint": "To be served at a counter",
        "home.lookup": "Look up a procedure",
        "home.lookup.hint": "Documents to bring, time, fees",
        "home.rate": "Rate our service",
        "home.rate.hint": "Tell us what you think",
        "home.language": "Tiếng Việt",
        "home.spoken": ("Welcome. To take a number, touch the green button: {take}. To look up a procedure, touch "
                        "the orange button: {lookup}. To rate us, touch the purple button: {rate}."),
        "take.title": "Take a number",
        "take.choose": "Touch the field of your procedure",
        "take.waiting": "Waiting: {n}",
        "take.nobody_waiting": "Nobody waiting",
        "take.wait_estimate": "About {wait}",
        "take.counters": "Counter {counters}",
        "take.priority.question": "Do you belong to a priority group?",
        "take.priority.field": "Field: {service}",
        "take.priority.none": "No",
        "take.priority.other_field": "Choose another field",
        "take.priority.spoken": "Do you belong to a priority group? If so, touch: {groups}. If not, touch No.",
        "take.issuing": "Getting your number…",
        "take.retrying": "Cannot reach the server. Retrying (attempt {attempt})… No need to touch again.",
        "take.no_services": "The list of fields could not be loaded.",
        "take.spoken": "Touch the field of your procedure to take a number.",
        "take.closed_today": "No applications for this field today.",
        "take.closed_today.hint": "Please come back on the next working day, or ask the staff to help you.",
        "priority.elderly": "Elderly",
        "priority.disabled": "Disability",
        "priority.pregnant": "Pregnant / small child",
        "priority.merit": "Person of merit",
        "priority.appointment": "Booked appointment",
        "ticket.title": "Your number",
        "ticket.service": "Field: {service}",
        "ticket.counters": "Go to counter {counters} when called",
        "ticket.ahead": "People ahead of you: {n}",
        "ticket.wait": "Estimated wait: {wait}",
        "wait.after_break": "After the lunch break, around {at}",
        "wait.before_opening": "When the office opens, around {at}",
        "wait.may_miss_today": "Today's service may end before your turn",
        "ticket.priority": "Priority: {priority}",
        "ticket.qr": "Scan to follow your turn on your phone",
        "ticket.printing": "Printing your ticket…",
        "ticket.printed": "Please take your ticket from the slot below.",
        "ticket.print_failed": ("The printer is out of order; NO ticket was printed. Please write down number "
                                "{number} or take a photo of this QR code."),
        "ticket.no_printer": ("This kiosk has no printer. Please write down number {number} or take a photo of the "
                              "QR code."),
        "ticket.closes_in": "This screen closes in {n} s",
        "ticket.spoken": ("Your number is {number_spoken}. Field {service}. Go to counter {counters} when called. "
                          "{n} people are ahead of you."),
        "ticket.spoken.nobody_ahead": ("Your number is {number_spoken}. Field {service}. Go to counter {counters} "
                                       "when called. Nobody is ahead of you."),
        "search.title": "Look up a procedure",
        "search.placeholder": "Type a procedure, e.g. birth",
        "search.browse": "Or choose a field:",
        "search.all_fields": "All",
        "search.results": "{n} procedures",
        "search.top": "Best matches:",
        "search.none": "No procedure found. Try other words, or ask at a counter.",
        "search.online_full": "Fully online",
        "search.online_part": "Partly online",
        "search.spoken": "Type the procedure on the keyboard, or touch a field.",
        "key.space": "Space",
        "key.backspace": "Delete",
        "key.clear": "Clear",
        "detail.code": "Code: {code}",
        "detail.field": "Field: {field}",
        "detail.documents": "Documents to bring",
        "detail.time": "Time limit",
        "detail.fee": "Fee",
        "detail.steps": "Steps",
        "detail.where": "Where to file",
        "detail.online": "Online",
        "detail.online.hint": "Scan to file online on the Public Service Portal",
        "detail.where.counters": "{office}: counter {counters} ({service})",
        "detail.online.full": ("Can be done fully online. Scan the QR code to open it on the National Public "
                               "Service Portal."),
        "detail.online.part": "Can be partly done online. Scan the QR code to open it.",
        "detail.online.none": "This procedure is filed in person at a counter.",
        "detail.sample": "Sample filled-in dossier",
        "detail.sample.hint": "Scan to see the sample",
        "detail.video": "Guide video",
        "detail.video.hint": "Scan to watch the guide",
        "detail.take_number": "Take a number for this",
        "detail.closed_today": "No numbers for this today",
        "detail.unknown": "Not available",
        "detail.spoken": "Procedure {name}. Time limit: {time}. Fee: {fee}. Documents: {documents}.",
        "rate.title": "Rate our service",
        "rate.enter_ticket": "Enter the number on your ticket (or scan it)",
        "rate.or_counter": "Or choose the counter that served you:",
        "rate.counter": "Counter {n}",
        "rate.next": "Continue",
        "rate.question": "Are you satisfied with our service?",
        "rate.for_ticket": "Ticket {ticket}",
        "rate.for_counter": "Counter {counter}",
        "rate.very_satisfied": "Very satisfied",
        "rate.satisfied": "Satisfied",
        "rate.neutral": "Neutral",
        "rate.dissatisfied": "Dissatisfied",
        "rate.why": "What went wrong? (choose one or more)",
        "rate.criteria": "Details (optional)",
        "rate.comment": "Comment (optional)",
        "rate.comment.placeholder": "Touch to write a comment",
        "rate.send": "Send",
        "rate.sending": "Sending…",
        "rate.skip_details": "Send now",
        "rate.details": "Give details",
        "rate.error": "The rating was not sent: {message}",
        "rate.spoken": "Are you satisfied? Touch the green face if very satisfied, the red face if not.",
        "rate.ticket.spoken": "Enter the number on your ticket, or choose the counter that served you.",
        "rate.details.spoken": "Touch what went wrong, then touch Send.",
        "thanks.title": "Thank you!",
        "thanks.body": "Your opinion helps us serve you better.",
        "thanks.spoken": "Thank you. Your opinion helps us serve you better.",
        "reason.waited_long": "Long wait",
        "reason.attitude": "Unfriendly staff",
        "reason.unclear_guidance": "Unclear guidance",
        "reason.extra_papers": "Asked for extra papers",
        "reason.come_back": "Had to come back",
        "reason.facilities": "Poor facilities",
        "criterion.guidance": "Guidance and notices",
        "criterion.attitude": "Staff attitude",
        "criterion.time": "Processing time",
        "criterion.facilities": "Facilities",
        "error.unreachable": "Cannot reach the server.",
        "error.unknown_service": "This field is not taking tickets now. Please ask at a counter.",
        "error.service_closed_today": ("No applications for this field today. Please come back on the next "
                                       "working day, or ask the staff to help you."),
        "error.unknown_ticket": "This ticket number was not found. Please check the number on your ticket.",
        "error.already_rated": "This ticket has already been rated. Thank you.",
        "error.too_many": "The kiosk is busy; please wait a moment and try again.",
        "error.not_served": "This ticket has not been served yet. Please rate after your visit to the counter.",
        "error.unauthorized": "This kiosk is not authorised on the server. Please tell the staff.",
        "error.not_found": "The server does not offer this yet. Please tell the staff.",
        "error.generic": "Something went wrong ({code}). Please ask at a counter.",
    },
}


def tr(key: str, lang: str = DEFAULT_LANGUAGE, **values: object) -> str:
    """The text for ``key`` in ``lang`` with ``{name}`` values filled in."""
    table = TEXTS.get(lang, TEXTS[DEFAULT_LANGUAGE])
    template = table.get(key) or TEXTS[DEFAULT_LANGUAGE].get(key) or key
    return template.format(**values) if values else template


def home_spoken(lang: str = DEFAULT_LANGUAGE) -> str:
    """Home read aloud: each big button by the words written on it."""
    return tr("home.spoken", lang, take=tr("home.take_number", lang), lookup=tr("home.lookup", lang),
              rate=tr("home.rate", lang))


def has_text(key: str) -> bool:
    """Whether a key exists (used for optional reasons and criteria from config)."""
    return key in TEXTS[DEFAULT_LANGUAGE]


def format_wait(seconds: float | int | None, lang: str = DEFAULT_LANGUAGE) -> str:
    """An estimated wait as people say it: "dưới 1 phút", "15 phút" (rounded up to 5 beyond 10)."""
    if not seconds or seconds < 60:
        return tr("common.under_minute", lang)
    if lang == DEFAULT_LANGUAGE:
        return wait_text(seconds, about=False)  # "25 phút", "1 giờ 20 phút": the paper's and the phone's words
    return tr("common.minutes", lang, n=wait_minutes(seconds))


SENTENCES_THE_NOTE_REPLACES = ("take.wait_estimate",)
""""Chờ khoảng {wait}" cannot take "Sau giờ nghỉ trưa, …": there the note is the whole sentence."""


def wait_sentence(key: str, item: Mapping[str, Any], lang: str = DEFAULT_LANGUAGE) -> str:
    """``key``'s sentence with the wait of a service or ticket from the API; a wait across lunch or closing
    says so instead of minutes (the API's ``wait_note`` and ``expected_call_at``, issue 14.5)."""
    note_key = f"wait.{item.get('wait_note')}"
    call_at = str(item.get("expected_call_at") or "")
    if has_text(note_key) and (call_at or note_key == "wait.may_miss_today"):
        note = tr(note_key, lang, at=call_at[11:16])  # "HH:MM" of the office-time ISO text
        return note if key in SENTENCES_THE_NOTE_REPLACES else tr(key, lang, wait=note)
    return tr(key, lang, wait=format_wait(item.get("estimated_wait_s"), lang))


def join_numbers(numbers: list[int] | tuple[int, ...], lang: str = DEFAULT_LANGUAGE) -> str:
    """Counters as people say them: "1", "1 hoặc 2", "1, 2 hoặc 3"."""
    if not numbers:
        return "?"
    return join_alternatives(numbers, "hoặc" if lang == "vi" else "or")


def spell_ticket_number(number: str) -> str:
    """A ticket number read slowly for speech, as the lobby boards say it: "B012" → "Bê, không, một, hai"."""
    return read_ticket_number(number, "digits")


def label_for(kind: str, code: str, lang: str = DEFAULT_LANGUAGE, office_labels: dict[str, str] | None = None) -> str:
    """The label of a reason/criterion code: the office's Vietnamese wording, else ours, else the code."""
    key = f"{kind}.{code}"
    if office_labels and key in office_labels and (lang == DEFAULT_LANGUAGE or not has_text(key)):
        return office_labels[key]
    return tr(key, lang) if has_text(key) else code
