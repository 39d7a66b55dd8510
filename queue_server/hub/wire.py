"""The batch's wire form, shared by the office's worker and the hub (no Flask or PostgreSQL here)."""

from __future__ import annotations

import gzip
import json
from typing import Any


def gzip_json(value: Any) -> bytes:
    """Compact UTF-8 JSON, gzip level 5 (events compress about tenfold; level 9 costs the office's CPU)."""
    return gzip.compress(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8"), 5)
