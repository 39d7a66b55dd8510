"""Helpers of the appointments tests: the sample office without its result-return service, the kiosk's header."""

from __future__ import annotations

from tests.support.servers import InProcess

NO_RESULT_SERVICE = (
    '[[services]]\ncode = "KQ"\nname = "Nhận kết quả"\nprefix = "K"\n'
    "target_wait_minutes = 10\ndefault_service_minutes = 3",
    "",
)
"""The sample office without its "Nhận kết quả" service (counter 5 keeps only VH)."""


def kiosk(app: InProcess) -> dict[str, str]:
    """The kiosk's Authorization header."""
    return app.auth("kiosk")
