"""Load one office's TOML file into frozen dataclasses, once, at start-up.

Every mistake is reported as ``ConfigError`` naming the file, the key and
the fix, e.g. ``commune.toml: counters[3].services: unknown service 'XX'
(known: HT, VP); use one of the codes under [[services]]``.

Sections owned by other parts of motcua (printer, display, kiosk, ratings,
catalog, appointments) are kept as plain mappings in ``OfficeConfig.extra``;
each part validates its own section with ``require``/``ConfigError``.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .core.office import PRIORITY_CODES, Counter, Office, QueuePolicy, Service

CONFIG_DIR = Path(str(resources.files("queue_server.offices")))
"""The sample offices and their data, shipped inside the package (``motcua init`` works with no --config)."""
SAMPLE_OFFICE = CONFIG_DIR / "commune.toml"

OTHER_SECTIONS = ("printer", "display", "kiosk", "ratings", "catalog", "appointments", "reports", "sync")
"""Top-level tables validated by the part of motcua that owns them."""


class ConfigError(ValueError):
    """A configuration mistake: names the file, the key and the fix."""

    def __init__(self, path: Path | str, key: str, message: str) -> None:
        super().__init__(f"{path}: {key}: {message}")
        self.path, self.key, self.message = str(path), key, message


@dataclass(frozen=True)
class Limits:
    """Protections of the server against runaway or hostile clients."""

    # A kiosk serves one citizen at a time: 30 tickets a minute is far above
    # any real lobby, yet stops a stuck button or a script from emptying the day.
    tickets_per_minute_per_device: int = 30
    max_body_bytes: int = 16 * 1024
    session_hours: int = 12
    # Events keep ~600 bytes each (~500 MB a year for a provincial centre); tickets and ratings are kept for good.
    events_keep_days: int = 400


@dataclass(frozen=True)
class OfficeConfig:
    """One office's whole configuration."""

    path: Path
    office: Office
    limits: Limits = field(default_factory=Limits)
    extra: Mapping[str, Mapping[str, Any]] = field(default_factory=lambda: MappingProxyType({}))
    files_dir: Path | None = None

    def resolve(self, relative: str | Path) -> Path:
        """A file named in the config: relative to ``[office] files_dir``, else to the config file's folder.

        A copy of an office file elsewhere (tests, benchmarks) sets files_dir
        to keep pointing at the original's catalogue, media and logos.
        """
        base = self.files_dir or self.path.parent
        return (base / relative).resolve()

    def section(self, name: str) -> Mapping[str, Any]:
        """A section owned by another part of motcua (empty when absent)."""
        return self.extra.get(name, MappingProxyType({}))


def default_config_path() -> Path:
    """``$MOTCUA_CONFIG``, else the sample commune office."""
    return Path(os.environ.get("MOTCUA_CONFIG") or SAMPLE_OFFICE)


def load_config(path: Path | str | None = None) -> OfficeConfig:
    """Read and validate an office file; raise ConfigError on any mistake."""
    path = Path(path) if path is not None else default_config_path()
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(path, "(file)", "no such file; pass --config or set MOTCUA_CONFIG") from None
    except UnicodeDecodeError:
        raise ConfigError(path, "(file)", "not UTF-8 text; save the file as UTF-8") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(path, "(syntax)", f"{exc}; fix the TOML syntax there") from None
    except OSError as exc:  # a folder, no permission…
        raise ConfigError(path, "(file)",
                          f"cannot read it ({exc.strerror}); pass --config with a readable office file") from None
    return parse_config(raw, path)


def parse_config(raw: Mapping[str, Any], path: Path | str = "<config>") -> OfficeConfig:
    """Validate an already-parsed TOML mapping."""
    path = Path(path)
    known = {"office", "queue", "limits", "services", "counters", *OTHER_SECTIONS}
    _reject_unknown(path, "", raw, known)
    office_table = _table(path, "office", raw.get("office"))
    services = _parse_services(path, raw.get("services"))
    counters = _parse_counters(path, raw.get("counters"), services)
    office = Office(
        name=require(path, "office.name", office_table, str),
        timezone=_parse_timezone(path, office_table),
        services=services,
        counters=counters,
        policy=_parse_policy(path, _table(path, "queue", raw.get("queue", {}))),
        priorities=_parse_priorities(path, office_table),
        hotline=optional(path, "office.hotline", office_table, str, ""),
        public_url=_parse_public_url(path, office_table),
    )
    _reject_unknown(path, "office", office_table,
                    {"name", "timezone", "hotline", "public_url", "priorities", "files_dir"})
    files_dir = optional(path, "office.files_dir", office_table, str, "")
    limits = _parse_limits(path, _table(path, "limits", raw.get("limits", {})))
    extra = {name: MappingProxyType(dict(raw[name])) for name in OTHER_SECTIONS if name in raw}
    return OfficeConfig(path=path, office=office, limits=limits, extra=MappingProxyType(extra),
                        files_dir=(path.parent / files_dir).resolve() if files_dir else None)


def _parse_public_url(path: Path, office_table: Mapping[str, Any]) -> str:
    """``[office] public_url``: "" (unset) lets each link use the address the caller reached the server at."""
    from urllib.parse import urlsplit

    url = optional(path, "office.public_url", office_table, str, "").strip()
    if not url:
        return ""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 -- raises ValueError on a port out of range
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise ConfigError(path, "office.public_url",
                          f"expected an address such as \"https://hcc.tanphu.gov.vn\" or \"http://192.168.1.10:8080\", "
                          f"got {url!r}; or remove the line to use the address devices reach the server at")
    return url.rstrip("/")


def require(path: Path, key: str, table: Mapping[str, Any], kind: type) -> Any:
    """A mandatory value of a given type from a table; ``key`` is dotted, last part looked up."""
    name = key.rsplit(".", 1)[-1]
    if name not in table:
        raise ConfigError(path, key, f"missing; add {name} = … to this table")
    return _typed(path, key, table[name], kind)


def optional(path: Path, key: str, table: Mapping[str, Any], kind: type, default: Any) -> Any:
    """An optional value of a given type, or the default."""
    name = key.rsplit(".", 1)[-1]
    if name not in table:
        return default
    return _typed(path, key, table[name], kind)


def _typed(path: Path, key: str, value: Any, kind: type) -> Any:
    """Check a value's type, with int accepted where a float is wanted."""
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise ConfigError(path, key, f"expected {_kind_name(kind)}, got {value!r}")
    if kind is str and isinstance(value, str):
        import unicodedata

        return unicodedata.normalize("NFC", value)
    return value


def _kind_name(kind: type) -> str:
    """A readable name of a TOML type."""
    return {str: "text in quotes", int: "a whole number", float: "a number", bool: "true or false",
            list: "a list [...]", dict: "a table"}.get(kind, kind.__name__)


def _table(path: Path, key: str, value: Any) -> Mapping[str, Any]:
    """A TOML table, or a ConfigError saying one is needed."""
    if value is None:
        raise ConfigError(path, key, f"missing; add a [{key}] table")
    if not isinstance(value, dict):
        raise ConfigError(path, key, f"expected a [{key}] table")
    return value


def _reject_unknown(path: Path, where: str, table: Mapping[str, Any], known: set[str]) -> None:
    """Refuse keys the office file does not define, naming the valid ones."""
    for name in table:
        if name not in known:
            key = f"{where}.{name}" if where else name
            raise ConfigError(path, key, f"unknown key; valid keys here: {', '.join(sorted(known))}")


def _parse_timezone(path: Path, office_table: Mapping[str, Any]) -> str:
    """An IANA time zone name that exists on this machine."""
    name = optional(path, "office.timezone", office_table, str, "Asia/Ho_Chi_Minh")
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(path, "office.timezone",
                          f"unknown time zone {name!r}; use e.g. \"Asia/Ho_Chi_Minh\"") from None
    return name


def _parse_priorities(path: Path, office_table: Mapping[str, Any]) -> tuple[str, ...]:
    """The priority groups this office accepts (all by default)."""
    values = optional(path, "office.priorities", office_table, list, list(PRIORITY_CODES))
    for value in values:
        if value not in PRIORITY_CODES:
            raise ConfigError(path, "office.priorities",
                              f"unknown priority {value!r}; use some of {', '.join(PRIORITY_CODES)}")
    return tuple(values)


SERVICE_KEYS = {"code", "name", "prefix", "first_number", "digits", "target_wait_minutes", "default_service_minutes"}
COUNTER_KEYS = {"number", "name", "services"}
CODE_PATTERN = re.compile(r"^[A-Z][A-Z0-9_]{0,15}$")


def _parse_services(path: Path, raw: Any) -> tuple[Service, ...]:
    """The [[services]] list: unique codes and prefixes."""
    if not isinstance(raw, list) or not raw:
        raise ConfigError(path, "services", "missing; add at least one [[services]] table")
    services: list[Service] = []
    for index, table in enumerate(raw):
        key = f"services[{index}]"
        table = _table(path, key, table)
        _reject_unknown(path, key, table, SERVICE_KEYS)
        code = require(path, f"{key}.code", table, str)
        if not CODE_PATTERN.match(code):
            raise ConfigError(path, f"{key}.code", f"{code!r} must be capital letters/digits, e.g. \"HT\"")
        service = Service(
            code=code,
            name=require(path, f"{key}.name", table, str),
            prefix=require(path, f"{key}.prefix", table, str),
            first_number=optional(path, f"{key}.first_number", table, int, 1),
            digits=optional(path, f"{key}.digits", table, int, 3),
            target_wait_minutes=optional(path, f"{key}.target_wait_minutes", table, int, 30),
            default_service_minutes=optional(path, f"{key}.default_service_minutes", table, float, 10.0),
        )
        _check_service(path, key, service, services)
        services.append(service)
    return tuple(services)


def _check_service(path: Path, key: str, service: Service, earlier: list[Service]) -> None:
    """Reject duplicate codes and prefixes and impossible numbering."""
    for other in earlier:
        if other.code == service.code:
            raise ConfigError(path, f"{key}.code", f"duplicate code {service.code!r}; give each service its own code")
        if other.prefix == service.prefix:
            raise ConfigError(
                path, f"{key}.prefix",
                f"duplicate prefix {service.prefix!r} (also used by {other.code}); give each service its own prefix",
            )
    if not 1 <= service.digits <= 6:
        raise ConfigError(path, f"{key}.digits", "use 3 or 4 digits (1 to 6 allowed)")
    if service.first_number < 0:
        raise ConfigError(path, f"{key}.first_number", "must be 0 or more")
    if service.default_service_minutes <= 0:
        raise ConfigError(path, f"{key}.default_service_minutes", "must be more than 0")


def _parse_counters(path: Path, raw: Any, services: tuple[Service, ...]) -> tuple[Counter, ...]:
    """The [[counters]] list: unique numbers, known services."""
    if not isinstance(raw, list) or not raw:
        raise ConfigError(path, "counters", "missing; add at least one [[counters]] table")
    codes = [s.code for s in services]
    counters: list[Counter] = []
    for index, table in enumerate(raw):
        key = f"counters[{index}]"
        table = _table(path, key, table)
        _reject_unknown(path, key, table, COUNTER_KEYS)
        number = require(path, f"{key}.number", table, int)
        if number < 1 or any(c.number == number for c in counters):
            raise ConfigError(path, f"{key}.number",
                              f"{number} is not a new positive counter number; give each counter its own number from 1")
        served = require(path, f"{key}.services", table, list)
        for code in served:
            if code not in codes:
                raise ConfigError(
                    path, f"{key}.services",
                    f"unknown service {code!r} (known: {', '.join(codes)}); use one of the codes under [[services]]",
                )
        if not served:
            raise ConfigError(path, f"{key}.services", "list at least one service code")
        counters.append(Counter(number=number, name=optional(path, f"{key}.name", table, str, f"Quầy {number}"),
                                services=tuple(served)))
    return tuple(counters)


def _parse_policy(path: Path, table: Mapping[str, Any]) -> QueuePolicy:
    """The [queue] table."""
    known = {"priority_policy", "priority_every_n", "aging_minutes", "no_show_grace_minutes",
             "call_with_current", "service_time_window"}
    _reject_unknown(path, "queue", table, known)
    policy = optional(path, "queue.priority_policy", table, str, "priority_first")
    if policy not in ("priority_first", "every_n"):
        raise ConfigError(path, "queue.priority_policy", 'use "priority_first" or "every_n"')
    on_call = optional(path, "queue.call_with_current", table, str, "complete")
    if on_call not in ("complete", "refuse"):
        raise ConfigError(path, "queue.call_with_current", 'use "complete" or "refuse"')
    result = QueuePolicy(
        priority_policy=policy,
        priority_every_n=optional(path, "queue.priority_every_n", table, int, 3),
        aging_minutes=optional(path, "queue.aging_minutes", table, int, 30),
        no_show_grace_minutes=optional(path, "queue.no_show_grace_minutes", table, int, 15),
        call_with_current=on_call,
        service_time_window=optional(path, "queue.service_time_window", table, int, 20),
    )
    for name in ("priority_every_n", "aging_minutes", "service_time_window"):
        if getattr(result, name) < 1:
            raise ConfigError(path, f"queue.{name}", "must be 1 or more")
    return result


def _parse_limits(path: Path, table: Mapping[str, Any]) -> Limits:
    """The [limits] table."""
    _reject_unknown(path, "limits", table, {"tickets_per_minute_per_device", "max_body_bytes", "session_hours",
                                            "events_keep_days"})
    limits = Limits(
        tickets_per_minute_per_device=optional(path, "limits.tickets_per_minute_per_device", table, int, 30),
        max_body_bytes=optional(path, "limits.max_body_bytes", table, int, 16 * 1024),
        session_hours=optional(path, "limits.session_hours", table, int, 12),
        events_keep_days=optional(path, "limits.events_keep_days", table, int, 400),
    )
    for name in ("tickets_per_minute_per_device", "max_body_bytes", "session_hours", "events_keep_days"):
        if getattr(limits, name) < 1:
            raise ConfigError(path, f"limits.{name}", "must be 1 or more")
    return limits
