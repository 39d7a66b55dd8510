"""The kiosk's settings: the ``[kiosk]`` section of the office TOML (and ``[ratings]`` when present).

Loaded once into a frozen dataclass; mistakes raise ``ConfigError`` naming the
file, the key and the fix (same rules as the rest of the office file).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from queue_server.config import ConfigError, OfficeConfig, optional

from .texts import LANGUAGES, PRIORITY_ORDER

DEFAULT_REASONS = ("waited_long", "attitude", "unclear_guidance", "extra_papers", "come_back", "facilities")
"""Reasons offered at the low rating levels (from the real commune survey in DOMAIN.md)."""

DEFAULT_CRITERIA = ("guidance", "attitude", "time", "facilities")
"""Optional detailed criteria (a subset of the survey's questions)."""

KIOSK_KEYS = {"idle_seconds", "ticket_screen_seconds", "print_failed_seconds", "thanks_seconds", "orientation",
              "language", "retry_seconds", "printer", "fullscreen", "width", "height", "voice", "read_aloud"}


@dataclass(frozen=True)
class KioskSettings:
    """Everything the kiosk needs to know about its office and itself."""

    office_name: str = "Trung tâm Phục vụ hành chính công"
    hotline: str = ""
    timezone: str = "Asia/Ho_Chi_Minh"
    priorities: tuple[str, ...] = PRIORITY_ORDER
    # An elderly citizen reads slowly: 90 s without a touch before the kiosk
    # gives up on them and clears what they typed for the next person.
    idle_seconds: int = 90
    ticket_screen_seconds: int = 20
    # Without a paper ticket the citizen needs time to write the number down
    # or photograph the QR, so the ticket stays on screen much longer.
    print_failed_seconds: int = 90
    thanks_seconds: int = 8
    orientation: str = "auto"
    language: str = "vi"
    retry_seconds: float = 3.0
    printer: str = ""
    fullscreen: bool = True
    width: int = 1920
    height: int = 1080
    voice: str = "vi"
    read_aloud: bool = True
    reasons: tuple[str, ...] = DEFAULT_REASONS
    criteria: tuple[str, ...] = DEFAULT_CRITERIA
    counters: tuple[int, ...] = field(default=(1, 2, 3, 4, 5))
    # The office's own Vietnamese wording of reasons/criteria ("reason.waited_long" → "Chờ lâu").
    labels: Mapping[str, str] = field(default_factory=dict)

    @property
    def portrait(self) -> bool:
        """Whether the layout stacks vertically (portrait screens)."""
        if self.orientation == "auto":
            return self.height > self.width
        return self.orientation == "portrait"


def settings_from_config(config: OfficeConfig) -> KioskSettings:
    """Read the office name, hotline, priorities, counters and the [kiosk]/[ratings] sections."""
    path = config.path
    table = config.section("kiosk")
    for name in table:
        if name not in KIOSK_KEYS:
            raise ConfigError(path, f"kiosk.{name}", f"unknown key; valid keys here: {', '.join(sorted(KIOSK_KEYS))}")
    orientation = optional(path, "kiosk.orientation", table, str, "auto")
    if orientation not in ("auto", "landscape", "portrait"):
        raise ConfigError(path, "kiosk.orientation", 'use "auto", "landscape" or "portrait"')
    language = optional(path, "kiosk.language", table, str, "vi")
    if language not in LANGUAGES:
        raise ConfigError(path, "kiosk.language", f"use one of {', '.join(LANGUAGES)}")
    seconds = {name: optional(path, f"kiosk.{name}", table, int, default)
               for name, default in (("idle_seconds", 90), ("ticket_screen_seconds", 20),
                                     ("print_failed_seconds", 90), ("thanks_seconds", 8),
                                     ("width", 1920), ("height", 1080))}
    for name, value in seconds.items():
        if value < 1:
            raise ConfigError(path, f"kiosk.{name}", "must be 1 or more")
    retry = optional(path, "kiosk.retry_seconds", table, float, 3.0)
    if retry <= 0:
        raise ConfigError(path, "kiosk.retry_seconds", "must be more than 0")
    office = config.office
    return KioskSettings(
        office_name=office.name,
        hotline=office.hotline,
        timezone=office.timezone,
        priorities=tuple(p for p in PRIORITY_ORDER if p in office.priorities),
        orientation=orientation,
        language=language,
        retry_seconds=retry,
        printer=optional(path, "kiosk.printer", table, str, ""),
        fullscreen=optional(path, "kiosk.fullscreen", table, bool, True),
        voice=optional(path, "kiosk.voice", table, str, "vi"),
        read_aloud=optional(path, "kiosk.read_aloud", table, bool, True),
        reasons=_codes(path, "ratings.reasons", config.section("ratings"), "reason", DEFAULT_REASONS),
        criteria=_codes(path, "ratings.criteria", config.section("ratings"), "criterion", DEFAULT_CRITERIA),
        labels=_labels(config.section("ratings")),
        counters=tuple(c.number for c in office.counters),
        **seconds,
    )


def _codes(path: Path, key: str, table: Mapping[str, Any], kind: str, default: tuple[str, ...]) -> tuple[str, ...]:
    """Reason/criterion codes from [ratings] (owned by the ratings part), tolerant of its shape.

    A plain string or a table with ``code`` is taken; a code without a kiosk text is shown as
    written (an office may write its own Vietnamese reasons); anything else falls back to defaults.
    """
    values = table.get(key.split(".", 1)[1])
    if not isinstance(values, list) or not values:
        return default
    codes = []
    for value in values:
        code = value.get("code") or value.get("label") if isinstance(value, dict) else value
        if isinstance(code, str) and code.strip():
            codes.append(code.strip())
    return tuple(codes) or default


def _labels(table: Mapping[str, Any]) -> dict[str, str]:
    """``{"reason.waited_long": "Chờ lâu", …}`` from [ratings] tables that carry a label."""
    labels = {}
    for key, kind in (("reasons", "reason"), ("criteria", "criterion"), ("levels", "rate")):
        for value in table.get(key) or []:
            if isinstance(value, dict) and isinstance(value.get("code"), str) and isinstance(value.get("label"), str):
                labels[f"{kind}.{value['code']}"] = value["label"]
    return labels
