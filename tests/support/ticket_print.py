"""A typical printed ticket for the printer tests, and the longest names an office might give it."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from printers import TicketPrint

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
NOON = datetime(2026, 11, 23, 9, 5, tzinfo=HCM)

LONG_FIELD = "Địa chính – Xây dựng – Nông nghiệp – Môi trường – Tài nguyên nước, Khoáng sản, Biển và Hải đảo"
LONG_OFFICE = "Trung tâm Phục vụ hành chính công phường Nguyễn Thái Bình, thành phố Hồ Chí Minh"


def ticket(**overrides: Any) -> TicketPrint:
    """A typical ticket; override any field."""
    fields: dict[str, Any] = dict(
        number="A012", office_name="Trung tâm Phục vụ hành chính công xã Tân Phú",
        service_name="Tư pháp – Hộ tịch", counters=(1, 2), ahead=7, estimated_wait_s=900,
        issued_at=NOON, status_url="http://127.0.0.1:8080/t/Zk3q9XbT2mYpQ0", priority=None,
        hotline="1900 1234", footer="Cảm ơn quý khách!", ticket_id=12,
    )
    fields.update(overrides)
    return TicketPrint(**fields)
