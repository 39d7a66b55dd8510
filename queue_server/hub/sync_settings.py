"""``[sync]`` in the office file: where the province hub is and who this office is to it.

The token is a secret: never in the office file (which is kept in git and
copied around), but in ``$MOTCUA_HUB_TOKEN`` or the file ``token_file``
names (mode 600, beside the database). The office's report settings are
sent with every batch, so the hub computes the office's reports as it does.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..config import ConfigError, OfficeConfig, optional, require

TOKEN_ENV = "MOTCUA_HUB_TOKEN"
SYNC_KEYS = {"hub_url", "office_code", "token_file", "interval_seconds", "batch_events", "batch_changes",
             "max_backoff_seconds"}
SHIPPED_SECTIONS = ("office", "queue", "limits", "services", "counters", "ratings", "reports")
"""What the hub needs to compute the office's reports (no device, printer or sync settings)."""


@dataclass(frozen=True)
class SyncSettings:
    """How this office ships its history to the hub."""

    hub_url: str
    office_code: str
    token: str
    interval_seconds: float = 10.0
    batch_events: int = 5000
    batch_changes: int = 2000
    max_backoff_seconds: float = 300.0


def sync_settings(config: OfficeConfig, environ: Mapping[str, str] | None = None) -> SyncSettings | None:
    """Read and check ``[sync]``; None when the office has none (it does not sync)."""
    environ = os.environ if environ is None else environ
    path, table = config.path, config.section("sync")
    if not table:
        return None
    if "token" in table:
        raise ConfigError(path, "sync.token", f"never put the token in the office file: set ${TOKEN_ENV} "
                          "or token_file = \"hub-token\" (a file readable only by the server)")
    unknown = sorted(set(table) - SYNC_KEYS)
    if unknown:
        raise ConfigError(path, f"sync.{unknown[0]}", f"unknown key; valid keys here: {', '.join(sorted(SYNC_KEYS))}")
    url = require(path, "sync.hub_url", table, str).rstrip("/")
    if not url.startswith(("http://", "https://")):
        raise ConfigError(path, "sync.hub_url", f"expected an address such as \"https://hub.tinh.gov.vn\", got {url!r}")
    return SyncSettings(
        hub_url=url, office_code=require(path, "sync.office_code", table, str),
        token=_token(config, table, environ),
        interval_seconds=_positive(path, "sync.interval_seconds", optional(path, "sync.interval_seconds", table,
                                                                           float, 10.0)),
        batch_events=int(_positive(path, "sync.batch_events", optional(path, "sync.batch_events", table, int, 5000))),
        batch_changes=int(_positive(path, "sync.batch_changes",
                                    optional(path, "sync.batch_changes", table, int, 2000))),
        max_backoff_seconds=_positive(path, "sync.max_backoff_seconds",
                                      optional(path, "sync.max_backoff_seconds", table, float, 300.0)),
    )


def _positive(path: Any, key: str, value: float) -> float:
    if value <= 0:
        raise ConfigError(path, key, "use a number above 0")
    return value


def _token(config: OfficeConfig, table: Mapping[str, Any], environ: Mapping[str, str]) -> str:
    if environ.get(TOKEN_ENV, "").strip():
        return environ[TOKEN_ENV].strip()
    name = optional(config.path, "sync.token_file", table, str, "")
    if not name:
        raise ConfigError(config.path, "sync.token_file",
                          f"no hub token: set ${TOKEN_ENV} or token_file = \"hub-token\" "
                          "(the token motcua hub office add printed)")
    try:
        token = config.resolve(name).read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise ConfigError(config.path, "sync.token_file", f"cannot read {name} ({exc.strerror})") from None
    if not token:
        raise ConfigError(config.path, "sync.token_file", f"{name} is empty: paste the token there")
    return token


def shipped_settings(config: OfficeConfig) -> dict[str, Any]:
    """The office file's sections the hub computes reports with, read again as the file has them."""
    raw = tomllib.loads(config.path.read_text(encoding="utf-8"))
    shipped = {name: raw[name] for name in SHIPPED_SECTIONS if name in raw}
    office = dict(shipped.get("office", {}))
    office.pop("files_dir", None)  # a folder of this PC: meaningless at the hub
    shipped["office"] = office
    return shipped
