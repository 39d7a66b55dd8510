"""Rules of a satisfaction rating, without HTTP or SQL: what a body may say, which ticket it rates.

A rating is anonymous for the citizen: it names a ticket (a number, never a
person), the service, counter and clerk that served it, and optionally the
dossier code the office created.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from ..core.model import CALLED, DONE, NO_SHOW, SERVING, Ticket
from .settings import RatingSettings

MAX_COMMENT = 500
DOSSIER_CODE = re.compile(r"^[A-Za-z0-9.]{1,40}-\d{6}-\d{4}$")
"""mã hồ sơ: ``{agency}-{yyMMdd}-{4-digit seq}`` (DOMAIN.md)."""

RATINGS_PER_MINUTE_PER_DEVICE = 6
"""A tablet faces one counter and a citizen takes most of a minute to rate: more from one device is stuffing."""

RATEABLE_STATUSES = (CALLED, SERVING, DONE)
"""A citizen may rate once they reached the counter: tablets often ask before the clerk presses "done"."""


class RatingRejected(ValueError):
    """A rating that cannot be recorded: HTTP status, stable code, message saying what to do."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


@dataclass(frozen=True)
class RatingInput:
    """A checked rating body, before it is tied to a ticket."""

    ticket: int | str | None
    counter: int | None
    overall: str
    criteria: dict[str, str]
    answers: dict[str, str]
    reasons: tuple[str, ...]
    comment: str | None
    dossier: str | None


def _invalid(message: str) -> RatingRejected:
    return RatingRejected(422, "invalid_rating", message)


def parse_rating(body: dict[str, Any], settings: RatingSettings) -> RatingInput:
    """Check a ``POST /api/ratings`` body against the office's scale, criteria, questions and reasons."""
    ticket = body.get("ticket")
    counter = body.get("counter")
    if ticket is None and counter is None:
        raise _invalid('Xin cho biết đánh giá cho gì: "ticket" (mã, số như "A012" hoặc mã trạng thái của phiếu) '
                       'hoặc "counter".')
    if ticket is not None and (isinstance(ticket, bool) or not isinstance(ticket, (int, str))
                               or not str(ticket).strip()):
        raise _invalid('"ticket" phải là mã phiếu, số phiếu (ví dụ "A012") hoặc mã trạng thái của phiếu.')
    if isinstance(ticket, int) and not 0 < ticket < 2**63:
        raise _invalid('"ticket" không phải là mã phiếu.')
    if counter is not None and (isinstance(counter, bool) or not isinstance(counter, int) or not 0 < counter < 10**6):
        raise _invalid('"counter" phải là số quầy.')
    overall = body.get("overall")
    level = settings.level(overall) if isinstance(overall, str) else None
    if level is None:
        raise _invalid('"overall" phải là một trong: ' + ", ".join(lv.code for lv in settings.levels) + ".")
    criteria = _mapping(body, "criteria", lambda code: settings.criterion(code))
    answers = _mapping(body, "answers", lambda code: settings.question(code))
    reasons = _reasons(body, settings, level.asks_reasons)
    comment = body.get("comment")
    if comment is not None:
        if not isinstance(comment, str) or len(comment) > MAX_COMMENT:
            raise _invalid(f'"comment" phải là chữ, tối đa {MAX_COMMENT} ký tự.')
        comment = unicodedata.normalize("NFC", comment).strip() or None
    dossier = body.get("dossier")
    if dossier is not None and (not isinstance(dossier, str) or not DOSSIER_CODE.match(dossier.strip())):
        raise _invalid('"dossier" phải là mã hồ sơ, ví dụ "H12.22-261123-0001".')
    return RatingInput(ticket.strip() if isinstance(ticket, str) else ticket, counter, level.code, criteria, answers,
                       reasons, comment, dossier.strip() if dossier else None)


def _mapping(body: dict[str, Any], name: str, lookup) -> dict[str, str]:
    """``{"attitude": "satisfied", …}`` with every code and answer known to the office."""
    value = body.get(name)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise _invalid(f'"{name}" phải là một đối tượng JSON, ví dụ {{"attitude": "satisfied"}}.')
    checked = {}
    for code, answer in value.items():
        item = lookup(code)
        if item is None:
            kind = name[:-1] if name != "criteria" else "criterion"
            raise _invalid(f'Không có mục {kind} "{code}"; xem GET /api/ratings/form.')
        if answer not in [a.code for a in item.answers]:
            raise _invalid(f'"{name}.{code}" phải là một trong: ' + ", ".join(a.code for a in item.answers) + ".")
        checked[code] = answer
    return checked


def _reasons(body: dict[str, Any], settings: RatingSettings, asks_reasons: bool) -> tuple[str, ...]:
    value = body.get("reasons")
    if value is None or value == []:
        return ()
    if not isinstance(value, list) or not all(isinstance(r, str) for r in value):
        raise _invalid('"reasons" phải là danh sách mã lý do, ví dụ ["waited_long"].')
    if not asks_reasons:
        raise _invalid("Chỉ hỏi lý do ở các mức thấp: "
                       + ", ".join(lv.code for lv in settings.levels if lv.asks_reasons) + ".")
    for code in value:
        if settings.reason(code) is None:
            raise _invalid(f'Không có lý do "{code}"; xin chọn một trong: '
                           + ", ".join(r.code for r in settings.reasons) + ".")
    return tuple(dict.fromkeys(value))


def find_ticket_in(tickets: Iterable[Ticket], ref: int | str) -> Ticket | None:
    """The ticket a rating names among today's: by id, status token, or printed number (latest first).

    Tokens match regardless of case: kiosks upper-case what a scanner types,
    and two of a day's 22-character random tokens never differ only in case.
    """
    by_number = None
    folded = ref.casefold() if isinstance(ref, str) else None
    for ticket in tickets:
        if isinstance(ref, int):
            if ticket.id == ref:
                return ticket
        elif ticket.status_token.casefold() == folded:
            return ticket
        elif ticket.number == ref.upper() and (by_number is None or ticket.issued_at > by_number.issued_at):
            by_number = ticket
    return by_number


def check_rateable(ticket: Ticket) -> None:
    """A ticket can be rated once its citizen reached the counter; 422 otherwise."""
    if ticket.status in RATEABLE_STATUSES:
        return
    if ticket.status == NO_SHOW:
        raise RatingRejected(422, "not_served",
                             f"Phiếu {ticket.number} đã bị đánh dấu vắng mặt; không có lượt phục vụ nào để đánh giá.")
    raise RatingRejected(422, "not_served",
                         f"Phiếu {ticket.number} chưa được phục vụ ({ticket.status}); "
                         "xin đánh giá sau khi làm việc tại quầy.")


def check_has_ticket(ticket: Ticket | None, counter: int | None) -> Ticket:
    """A rating is of a served ticket: a counter alone counts only while its tablet asks about one; 422 otherwise."""
    if ticket is not None:
        return ticket
    raise RatingRejected(422, "no_ticket_to_rate",
                         f"Quầy {counter} không có phiếu nào vừa phục vụ xong để đánh giá. "
                         "Xin nhập số phiếu của quý khách (ví dụ A012) hoặc quét mã QR trên phiếu.")


def prompt_ticket(tickets: Iterable[Ticket], counter: int, now: datetime, seconds: int) -> Ticket | None:
    """The ticket a rating tablet should ask about: just completed at this counter, within ``seconds``."""
    latest: Ticket | None = None
    latest_at = now - timedelta(seconds=seconds)  # finished after this: the cutoff, then the latest one found
    for ticket in tickets:
        finished = ticket.finished_at
        if ticket.counter == counter and ticket.status == DONE and finished is not None and latest_at < finished <= now:
            latest, latest_at = ticket, finished
    return latest
