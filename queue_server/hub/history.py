"""Is a batch from the history the hub holds? Refuse another database's, or an older copy's, before it writes.

Event ids are the office's own: a database restored from a local backup
(or started afresh under the same token) numbers its new events from below
the hub's ack, and the hub would drop them as replays. So every batch says
which history it continues (a random identity made at the database's first
sync and brought back by ``motcua restore --from-hub``) and the highest
event id the database ever gave; the hub refuses (409
``sync_history_mismatch``, nothing written) a batch whose identity differs
from the one it holds, whose database gave fewer events than the hub
holds, or whose events the hub already holds with other content. The
worker never moves its ack past what a batch carried, so every event the
hub holds is compared before the office goes on (``sync.Syncer.send_once``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import psycopg

from ..web.errors import ApiError

RESTORE_ADVICE = ("xin dừng motcua sync và khôi phục từ trung tâm tỉnh: motcua restore --from-hub "
                  "(vào một cơ sở dữ liệu trống).")


def check(conn: psycopg.Connection, office: str, batch_history: str | None, head: int | None,
          events: list[tuple[Any, ...]], events_ack: int, held_history: str | None) -> None:
    """Raise 409 ``sync_history_mismatch`` unless the batch continues the history the hub holds of the office."""
    if batch_history is not None and held_history is not None and batch_history != held_history:
        raise _mismatch("Cơ sở dữ liệu gửi lên không phải cơ sở dữ liệu mà trung tâm tỉnh đang giữ lịch sử của "
                        "đơn vị (máy mới hoặc cài lại?); ")
    if head is not None and head < events_ack:
        raise _mismatch(f"Cơ sở dữ liệu của đơn vị chỉ có đến sự kiện {head}, trung tâm tỉnh đã nhận đến "
                        f"{events_ack} (khôi phục từ một bản sao lưu cũ?); ")
    overlapping = [row for row in events if row[0] <= events_ack]
    if overlapping and _differs(conn, office, overlapping):
        raise _mismatch("Các sự kiện gửi lên khác với những sự kiện cùng số mà trung tâm tỉnh đã nhận "
                        "(khôi phục từ một bản sao lưu cũ?); ")


def _mismatch(why: str) -> ApiError:
    return ApiError(409, "sync_history_mismatch", why + RESTORE_ADVICE)


def _differs(conn: psycopg.Connection, office: str, rows: list[tuple[Any, ...]]) -> bool:
    """Whether any of these events (id, at, type, ticket, counter, actor, data) is held with other content."""
    held = {event_id: (at, kind, data) for event_id, at, kind, data in conn.execute(
        "SELECT id, at, type, data FROM events WHERE office = %s AND id BETWEEN %s AND %s",
        (office, rows[0][0], rows[-1][0]))}
    for event_id, at, kind, *_, data in rows:
        found = held.get(event_id)
        if found is not None and (found[0] != datetime.fromisoformat(at) or found[1] != kind or found[2] != data):
            return True
    return False
