"""Helpers of the appointments tests: the sample office without its result-return service, the kiosk's header."""

from __future__ import annotations

from pathlib import Path

from tests.support.live_server import COMMUNE
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


def office_with(tmp_path: Path, section: str) -> Path:
    """The sample office with its [appointments] section replaced."""
    text = COMMUNE.read_text(encoding="utf-8")
    start = text.index("[appointments]")
    end = text.index("[appointments.per_service]")
    tail = text[end:].split("\n", 2)[2]  # drop the per_service table and its one line
    path = tmp_path / "office.toml"
    path.write_text(text[:start] + section + "\n" + tail, encoding="utf-8")
    return path
