"""Fixtures of the appointments tests: the server tests' office template, in-process apps and live servers."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Callable

import pytest

from tests.server.conftest import (  # noqa: F401  (fixtures shared with the server tests)
    InProcess,
    make_app,
    office_db,
    office_template,
    scratch,
    start_server,
)

# Monday 2 March 2026, 08:00 in Hà Nội (UTC+7): the server tests' fake clock starts here.
MONDAY_0800_UTC = datetime(2026, 3, 2, 1, 0, tzinfo=timezone.utc)

RESULT_SERVICE = (
    '[[counters]]\nnumber = 5\nname = "Quầy 5"\nservices = ["VH"]',
    '[[counters]]\nnumber = 5\nname = "Quầy 5"\nservices = ["VH", "KQ"]\n\n'
    '[[services]]\ncode = "KQ"\nname = "Nhận kết quả"\nprefix = "K"\ntarget_wait_minutes = 10\ndefault_service_minutes = 3',
)
"""The sample office plus a "Nhận kết quả" service served at counter 5."""


@pytest.fixture
def app(make_app: Callable[..., InProcess]) -> InProcess:
    """The sample office (with a result-return service) in process, on a fake clock at Monday 08:00."""
    return make_app(dict([RESULT_SERVICE]))


def kiosk(app: InProcess) -> dict[str, str]:
    """The kiosk's Authorization header."""
    return app.auth("kiosk")
