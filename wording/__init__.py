"""The Vietnamese words of the office, in one place: tickets, waits, priorities, statuses, dates, numbers.

Every part says the same thing the same way: the kiosk's screen and voice,
the printed ticket, both lobby boards and their speech, the clerk's console
and the phone's status page (the web pages get these words from the server,
never their own copies). Pure text, standard library only, so every package
may import it (README, "Layers").

House choices, made once here:
- the paper is a *phiếu* (never *vé*); its number is *số*;
- the citizen is addressed as *quý khách* on paper, screens and voice;
  the lobby call says *công dân*;
- alternatives read "1 hoặc 2", "1, 2 hoặc 3";
- a wait is "dưới 1 phút", "khoảng 8 phút", "khoảng 25 phút" (rounded up to
  5 beyond 10 minutes), "khoảng 1 giờ 20 phút"; across lunch the hour, not
  minutes: "Sau giờ nghỉ trưa, khoảng 13:40"; near closing "Có thể không kịp
  phục vụ hôm nay" (``wait_promise``, from the API's ``wait_note``);
- dates are dd/mm/yyyy, weekdays "Thứ Hai" … "Chủ nhật".
"""

from __future__ import annotations

from .dates import WEEKDAYS, date_text, long_date_text, time_text, weekday_name
from .lists import join_alternatives
from .numbers import LETTER_NAMES, read_digits, read_number, read_ticket_number
from .priorities import PRIORITY_LABELS, priority_label
from .statuses import COUNTER_CLOSED_LABELS, STATUS_LABELS, status_label
from .terms import ADDRESS, CALLED_PERSON, TICKET
from .waits import WAIT_NOTES, wait_minutes, wait_promise, wait_text

__all__ = [
    "ADDRESS", "CALLED_PERSON", "COUNTER_CLOSED_LABELS", "LETTER_NAMES", "PRIORITY_LABELS", "STATUS_LABELS", "TICKET",
    "WAIT_NOTES", "WEEKDAYS",
    "date_text", "join_alternatives", "long_date_text", "priority_label", "read_digits", "read_number",
    "read_ticket_number", "status_label", "time_text", "wait_minutes", "wait_promise", "wait_text",
    "weekday_name",
]
