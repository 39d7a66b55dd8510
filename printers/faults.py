"""The outcome of one print job: stable codes and plain Vietnamese for the kiosk screen.

A printer fault is a normal outcome, not an exception: the kiosk shows the
ticket on screen instead, and the office sees the code in the device status.
"""

from __future__ import annotations

from dataclasses import dataclass

OK = "ok"
PREVIEW = "preview"
PAPER_LOW = "paper_low"
UNCONFIRMED = "unconfirmed"
UNREACHABLE = "unreachable"
TIMEOUT = "timeout"
PAPER_OUT = "paper_out"
COVER_OPEN = "cover_open"
OFFLINE = "offline"
PRINTER_ERROR = "printer_error"
DISCONNECTED = "disconnected"
BUSY = "busy"
BAD_URI = "bad_uri"
LAYOUT_ERROR = "layout_error"
ERROR = "error"

MESSAGES_VI = {
    OK: "Đã in phiếu.",
    PREVIEW: "Đã tạo hình phiếu (chế độ xem trước, không có máy in).",
    PAPER_LOW: "Đã in phiếu. Máy in sắp hết giấy, cần thay cuộn giấy mới.",
    UNCONFIRMED: "Đã gửi phiếu tới máy in, nhưng máy in không xác nhận đã in.",
    UNREACHABLE: "Không kết nối được máy in.",
    TIMEOUT: "Máy in không phản hồi.",
    PAPER_OUT: "Máy in hết giấy.",
    COVER_OPEN: "Nắp máy in đang mở.",
    OFFLINE: "Máy in đang tạm ngừng hoạt động.",
    PRINTER_ERROR: "Máy in báo lỗi (dao cắt hoặc đầu in).",
    DISCONNECTED: "Mất kết nối với máy in khi đang in.",
    BUSY: "Máy in đang bận in phiếu trước.",
    BAD_URI: "Cấu hình máy in không đúng.",
    LAYOUT_ERROR: "Không tạo được hình phiếu để in.",
    ERROR: "Máy in gặp lỗi.",
}
"""One sentence per code; what went wrong, in words a citizen and a clerk both understand."""

SHOW_ON_SCREEN_VI = "Mời quý khách ghi nhớ số thứ tự trên màn hình."


@dataclass(frozen=True)
class PrintResult:
    """``ok`` and a stable ``code`` for programs, ``message_vi`` for people, ``detail`` for the log."""

    ok: bool
    code: str
    message_vi: str
    duration_s: float
    detail: str = ""

    @property
    def unconfirmed(self) -> bool:
        """The job was sent but the printer never answers status, so nobody knows it came out."""
        return self.code == UNCONFIRMED


def result(code: str, duration_s: float, detail: str = "") -> PrintResult:
    """The PrintResult of a code, with its Vietnamese message (and advice when nothing printed)."""
    ok = code in (OK, PREVIEW, PAPER_LOW, UNCONFIRMED)
    message = MESSAGES_VI.get(code, MESSAGES_VI[ERROR])
    if not ok:
        message = f"Không in được phiếu: {message[0].lower()}{message[1:]} {SHOW_ON_SCREEN_VI}"
    return PrintResult(ok=ok, code=code, message_vi=message, duration_s=round(duration_s, 4), detail=detail)


class PrintFault(Exception):
    """Raised inside a print job and turned into a PrintResult at its edge."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code, self.detail = code, detail
