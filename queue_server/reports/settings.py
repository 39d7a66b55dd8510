"""The ``[ratings]`` and ``[reports]`` sections of the office file, as frozen dataclasses.

Mistakes raise ``ConfigError`` naming the file, the key and the fix, like the
rest of the office file. Every key is optional: an office without these
sections gets the common 4-level scale and no detailed criteria.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..config import ConfigError, OfficeConfig, optional
from .narrative import DOWN, HALF_UP, ShareRounding

CODE = re.compile(r"^[a-z][a-z0-9_]{0,31}$")

DEFAULT_PROMPT_SECONDS = 30
"""A rating tablet gives up asking ~30 s after the clerk ends the service (DOMAIN.md)."""


@dataclass(frozen=True)
class Choice:
    """One answer a citizen can give: a code for the API, a label for screens."""

    code: str
    label: str


@dataclass(frozen=True)
class Level(Choice):
    """A level of the satisfaction scale."""

    satisfied: bool = False
    asks_reasons: bool = False


@dataclass(frozen=True)
class Question:
    """A survey question: a criterion rated on the scale, or a question with its own answers."""

    code: str
    label: str
    answers: tuple[Choice, ...]


DEFAULT_LEVELS = (
    Level("very_satisfied", "Rất hài lòng", satisfied=True),
    Level("satisfied", "Hài lòng", satisfied=True),
    Level("neutral", "Bình thường", asks_reasons=True),
    Level("dissatisfied", "Không hài lòng", asks_reasons=True),
)


@dataclass(frozen=True)
class RatingSettings:
    """What a rating may contain and how long a tablet's prompt lasts."""

    levels: tuple[Level, ...] = DEFAULT_LEVELS
    criteria: tuple[Question, ...] = ()
    questions: tuple[Question, ...] = ()
    reasons: tuple[Choice, ...] = ()
    prompt_seconds: int = DEFAULT_PROMPT_SECONDS

    def level(self, code: str) -> Level | None:
        """The level with this code, or None."""
        return next((lv for lv in self.levels if lv.code == code), None)

    def criterion(self, code: str) -> Question | None:
        """The criterion with this code, or None."""
        return next((c for c in self.criteria if c.code == code), None)

    def question(self, code: str) -> Question | None:
        """The question with this code, or None."""
        return next((q for q in self.questions if q.code == code), None)

    def reason(self, code: str) -> Choice | None:
        """The reason with this code, or None."""
        return next((r for r in self.reasons if r.code == code), None)

    def form(self) -> dict[str, Any]:
        """Everything a tablet needs to draw the rating form (GET /api/ratings/form)."""
        return {
            "levels": [{"code": lv.code, "label": lv.label, "satisfied": lv.satisfied, "asks_reasons": lv.asks_reasons}
                       for lv in self.levels],
            "criteria": [{"code": c.code, "label": c.label} for c in self.criteria],
            "questions": [{"code": q.code, "label": q.label,
                           "answers": [{"code": a.code, "label": a.label} for a in q.answers]} for q in self.questions],
            "reasons": [{"code": r.code, "label": r.label} for r in self.reasons],
            "prompt_seconds": self.prompt_seconds,
        }


@dataclass(frozen=True)
class StaffingSettings:
    """When the dashboard raises a staffing alert."""

    # Alert once the oldest waiting citizen (or a new ticket's estimate) is
    # past the service's target_wait_minutes times this factor (1.0 = at target).
    alert_factor: float = 1.0


@dataclass(frozen=True)
class ReportSettings:
    """The ``[reports]`` section: staffing advice and the simulator's office profile."""

    staffing: StaffingSettings = StaffingSettings()
    simulation: Mapping[str, Any] = field(default_factory=dict)
    share_rounding: ShareRounding = ShareRounding()


RATING_KEYS = {"prompt_seconds", "levels", "criteria", "questions", "reasons"}
REPORT_KEYS = {"alert_factor", "simulation", "share_rounding"}


def rating_settings(config: OfficeConfig) -> RatingSettings:
    """Read and check ``[ratings]``."""
    path, table = config.path, config.section("ratings")
    _reject_unknown(path, "ratings", table, RATING_KEYS)
    prompt = optional(path, "ratings.prompt_seconds", table, int, DEFAULT_PROMPT_SECONDS)
    if not 5 <= prompt <= 600:
        raise ConfigError(path, "ratings.prompt_seconds", "use a number of seconds between 5 and 600, e.g. 30")
    levels: tuple[Level, ...] = DEFAULT_LEVELS
    if "levels" in table:
        raws = _list(path, "ratings.levels", table)
        levels = tuple(_level(path, f"ratings.levels[{i}]", raw) for i, raw in enumerate(raws))
        if not 2 <= len(levels) <= 7:
            raise ConfigError(path, "ratings.levels", "list 2 to 7 levels, best first")
        _unique(path, "ratings.levels", levels)
    scale = tuple(Choice(lv.code, lv.label) for lv in levels)
    criteria = tuple(Question(c.code, c.label, scale) for c in _choices(path, "ratings.criteria", table))
    questions = tuple(_question(path, f"ratings.questions[{i}]", raw)
                      for i, raw in enumerate(_list(path, "ratings.questions", table)))
    _unique(path, "ratings.criteria", criteria + questions)
    return RatingSettings(levels=levels, criteria=criteria, questions=questions,
                          reasons=_choices(path, "ratings.reasons", table), prompt_seconds=prompt)


def report_settings(config: OfficeConfig) -> ReportSettings:
    """Read and check ``[reports]``."""
    path, table = config.path, config.section("reports")
    _reject_unknown(path, "reports", table, REPORT_KEYS)
    factor = optional(path, "reports.alert_factor", table, float, 1.0)
    if not 0.1 <= factor <= 10:
        raise ConfigError(path, "reports.alert_factor", "use a factor between 0.1 and 10 (1.0 = alert at the target)")
    simulation = table.get("simulation", {})
    if not isinstance(simulation, dict):
        raise ConfigError(path, "reports.simulation", "expected a [reports.simulation] table")
    return ReportSettings(StaffingSettings(factor), simulation, _share_rounding(path, table.get("share_rounding")))


ROUNDING_FIX = ('write e.g. share_rounding = { significant = 3, mode = "down" } (65,5% · 1,14%) '
                'or { decimals = 1, mode = "half_up" } (65,5% · 1,1%)')


def _share_rounding(path: Path, raw: Any) -> ShareRounding:
    """``[reports] share_rounding``: how the written report rounds its shares (default: one decimal, half up)."""
    if raw is None:
        return ShareRounding()
    key = "reports.share_rounding"
    if not isinstance(raw, dict) or set(raw) - {"decimals", "significant", "mode"}:
        raise ConfigError(path, key, ROUNDING_FIX)
    mode = raw.get("mode", HALF_UP)
    decimals, significant = raw.get("decimals"), raw.get("significant")
    if mode not in (HALF_UP, DOWN) or (decimals is None) == (significant is None):
        raise ConfigError(path, key, ROUNDING_FIX)
    if decimals is not None and not (isinstance(decimals, int) and 0 <= decimals <= 3):
        raise ConfigError(path, key, "decimals is 0 to 3; " + ROUNDING_FIX)
    if significant is not None and not (isinstance(significant, int) and 1 <= significant <= 5):
        raise ConfigError(path, key, "significant is 1 to 5; " + ROUNDING_FIX)
    return ShareRounding(decimals=decimals, significant=significant, mode=mode)


def _reject_unknown(path: Path, where: str, table: Mapping[str, Any], known: set[str]) -> None:
    for name in table:
        if name not in known:
            raise ConfigError(path, f"{where}.{name}", f"unknown key; valid keys here: {', '.join(sorted(known))}")


def _list(path: Path, key: str, table: Mapping[str, Any]) -> list[Any]:
    name = key.rsplit(".", 1)[-1]
    value = table.get(name, [])
    if not isinstance(value, list):
        raise ConfigError(path, key, "expected a list [...] of { code = \"…\", label = \"…\" } tables")
    return value


def _choice(path: Path, key: str, raw: Any) -> Choice:
    """``{ code = "waited_long", label = "Chờ lâu" }`` (a bare code string is its own label)."""
    if isinstance(raw, str):
        raw = {"code": raw, "label": raw}
    if not isinstance(raw, dict):
        raise ConfigError(path, key, 'expected { code = "…", label = "…" }')
    code = optional(path, f"{key}.code", raw, str, "")
    if not CODE.match(code):
        raise ConfigError(path, f"{key}.code",
                          f"{code!r} must be lower-case letters, digits or _ (e.g. \"waited_long\")")
    label = optional(path, f"{key}.label", raw, str, code).strip() or code
    return Choice(code, label)


def _choices(path: Path, key: str, table: Mapping[str, Any]) -> tuple[Choice, ...]:
    choices = tuple(_choice(path, f"{key}[{i}]", raw) for i, raw in enumerate(_list(path, key, table)))
    _unique(path, key, choices)
    return choices


def _level(path: Path, key: str, raw: Any) -> Level:
    choice = _choice(path, key, raw)
    table = raw if isinstance(raw, dict) else {}
    _reject_unknown(path, key, table, {"code", "label", "satisfied", "reasons"})
    return Level(choice.code, choice.label, satisfied=optional(path, f"{key}.satisfied", table, bool, False),
                 asks_reasons=optional(path, f"{key}.reasons", table, bool, False))


def _question(path: Path, key: str, raw: Any) -> Question:
    choice = _choice(path, key, raw)
    answers = tuple(_choice(path, f"{key}.answers[{i}]", a) for i, a in enumerate(_list(path, f"{key}.answers", raw)))
    if len(answers) < 2:
        raise ConfigError(path, f"{key}.answers",
                          "list at least two answers, e.g. [{ code = \"yes\", label = \"Có\" }, …]")
    _unique(path, f"{key}.answers", answers)
    return Question(choice.code, choice.label, answers)


def _unique(path: Path, key: str, items: tuple[Any, ...]) -> None:
    seen: set[str] = set()
    for item in items:
        if item.code in seen:
            raise ConfigError(path, key, f"duplicate code {item.code!r}; give each entry its own code")
        seen.add(item.code)
