"""The ``[display]`` section of the office file, validated into frozen dataclasses.

Everything a lobby screen, its voice and the camera overlays may vary per
office lives here; mistakes are ``ConfigError`` naming the file, key and fix.
Pure parsing (no Kivy): the server renders ``/display`` from it and the
``display`` package reads it, so it lives with the server's config, which
devices may import.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .config import ConfigError, OfficeConfig, optional, require

STREAM_SCHEMES = ("rtsp://", "rtsps://", "http://", "https://", "usb:")
ORIENTATIONS = ("landscape", "portrait")
NUMBER_READINGS = ("digits", "number")
MEDIA_SUFFIXES = {
    "image": (".png", ".jpg", ".jpeg", ".gif", ".bmp", ".webp"),
    "video": (".mp4", ".webm", ".mkv", ".avi", ".mov", ".m4v"),
    "pdf": (".pdf",),
}


@dataclass(frozen=True)
class ScreenConfig:
    """One lobby screen: which counters it shows and how it is mounted."""

    name: str
    title: str = ""
    counters: tuple[int, ...] = ()  # empty: every counter of the office
    orientation: str = "landscape"
    media: bool = True
    voice: bool = True


@dataclass(frozen=True)
class VoiceConfig:
    """How calls are spoken."""

    enabled: bool = True
    voice: str = "vi"
    # Callers speak slowly in a noisy lobby: 0.8 of espeak-ng's normal speed.
    rate: float = 0.8
    # Lobbies usually hear each call twice.
    repeat: int = 2
    number_reading: str = "digits"
    english: bool = False
    english_voice: str = "en"
    chime: bool = True
    engine: str = "espeak-ng"


@dataclass(frozen=True)
class MediaItem:
    """One slide, PDF or short video of the lobby playlist."""

    path: Path
    kind: str
    seconds: float = 10.0


@dataclass(frozen=True)
class CameraConfig:
    """A counter's camera: an RTSP URL, ``usb:N`` or a video file."""

    counter: int
    source: str


@dataclass(frozen=True)
class DisplayConfig:
    """The whole ``[display]`` section."""

    screens: tuple[ScreenConfig, ...] = (ScreenConfig(name="main"),)
    ticker: tuple[str, ...] = ()
    ticker_speed: float = 90.0  # pixels per second at 1080p: readable while walking past
    recent_calls: int = 5
    flash_seconds: float = 8.0
    voice: VoiceConfig = field(default_factory=VoiceConfig)
    media: tuple[MediaItem, ...] = ()
    cameras: tuple[CameraConfig, ...] = ()
    path: str = "[display]"  # the office file, for error messages

    def screen(self, name: str | None) -> ScreenConfig:
        """The named screen, the first one when no name is given."""
        if not name:
            return self.screens[0]
        for screen in self.screens:
            if screen.name == name:
                return screen
        known = ", ".join(s.name for s in self.screens)
        raise ConfigError(self.path, "display.screens", f"no screen named {name!r}; known screens: {known}")

    def camera(self, counter: int) -> CameraConfig | None:
        """The camera of a counter, if configured."""
        return next((c for c in self.cameras if c.counter == counter), None)


DISPLAY_KEYS = {"screens", "ticker", "ticker_speed", "recent_calls", "flash_seconds", "voice", "media", "cameras"}
SCREEN_KEYS = {"name", "title", "counters", "orientation", "media", "voice"}
VOICE_KEYS = {"enabled", "voice", "rate", "repeat", "number_reading", "english", "english_voice", "chime", "engine"}


def load_display_config(config: OfficeConfig) -> DisplayConfig:
    """Validate the office's ``[display]`` section (defaults when absent)."""
    return parse_display_section(config.section("display"), config.path,
                                 tuple(c.number for c in config.office.counters), files_dir=config.files_dir)


def parse_display_section(raw: Mapping[str, Any], path: Path | str, counter_numbers: tuple[int, ...],
                          files_dir: Path | None = None) -> DisplayConfig:
    """Validate a raw ``[display]`` mapping against the office's counters (media relative to ``files_dir``)."""
    path = Path(path)
    media_dir = Path(files_dir) if files_dir else path.parent  # as OfficeConfig.resolve: a copy keeps the originals
    _reject_unknown(path, "display", raw, DISPLAY_KEYS)
    screen_tables = _list(path, "display.screens", raw)
    screens = tuple(_parse_screen(path, i, t, counter_numbers) for i, t in enumerate(screen_tables))
    names = [s.name for s in screens]
    if len(set(names)) != len(names):
        raise ConfigError(path, "display.screens", "two screens share a name; give each screen its own name")
    ticker = tuple(_text_list(path, "display.ticker", raw))
    result = DisplayConfig(
        screens=screens or DisplayConfig.screens,
        ticker=ticker,
        ticker_speed=optional(path, "display.ticker_speed", raw, float, 90.0),
        recent_calls=optional(path, "display.recent_calls", raw, int, 5),
        flash_seconds=optional(path, "display.flash_seconds", raw, float, 8.0),
        voice=_parse_voice(path, _table(path, "display.voice", raw.get("voice", {}))),
        media=tuple(_parse_media(path, i, t, media_dir) for i, t in enumerate(_list(path, "display.media", raw))),
        cameras=tuple(_parse_camera(path, i, t, counter_numbers)
                      for i, t in enumerate(_list(path, "display.cameras", raw))),
        path=str(path),
    )
    if not 1 <= result.recent_calls <= 12:
        raise ConfigError(path, "display.recent_calls", "use 1 to 12 (a screen has room for about 6)")
    if not 0 < result.flash_seconds <= 60:
        raise ConfigError(path, "display.flash_seconds", "use a number of seconds between 1 and 60")
    if result.ticker_speed <= 0:
        raise ConfigError(path, "display.ticker_speed", "must be more than 0 (pixels per second)")
    return result


def _parse_screen(path: Path, index: int, table: Any, counter_numbers: tuple[int, ...]) -> ScreenConfig:
    """One ``[[display.screens]]`` table."""
    key = f"display.screens[{index}]"
    table = _table(path, key, table)
    _reject_unknown(path, key, table, SCREEN_KEYS)
    counters = tuple(optional(path, f"{key}.counters", table, list, []))
    for number in counters:
        if number not in counter_numbers:
            raise ConfigError(path, f"{key}.counters",
                              f"unknown counter {number!r}; use numbers from [[counters]]: {list(counter_numbers)}")
    orientation = optional(path, f"{key}.orientation", table, str, "landscape")
    if orientation not in ORIENTATIONS:
        raise ConfigError(path, f"{key}.orientation", 'use "landscape" or "portrait"')
    return ScreenConfig(
        name=require(path, f"{key}.name", table, str),
        title=optional(path, f"{key}.title", table, str, ""),
        counters=counters,
        orientation=orientation,
        media=optional(path, f"{key}.media", table, bool, True),
        voice=optional(path, f"{key}.voice", table, bool, True),
    )


def _parse_voice(path: Path, table: Mapping[str, Any]) -> VoiceConfig:
    """The ``[display.voice]`` table."""
    _reject_unknown(path, "display.voice", table, VOICE_KEYS)
    voice = VoiceConfig(
        enabled=optional(path, "display.voice.enabled", table, bool, True),
        voice=optional(path, "display.voice.voice", table, str, "vi"),
        rate=optional(path, "display.voice.rate", table, float, 0.8),
        repeat=optional(path, "display.voice.repeat", table, int, 2),
        number_reading=optional(path, "display.voice.number_reading", table, str, "digits"),
        english=optional(path, "display.voice.english", table, bool, False),
        english_voice=optional(path, "display.voice.english_voice", table, str, "en"),
        chime=optional(path, "display.voice.chime", table, bool, True),
        engine=optional(path, "display.voice.engine", table, str, "espeak-ng"),
    )
    if voice.number_reading not in NUMBER_READINGS:
        raise ConfigError(path, "display.voice.number_reading",
                          'use "digits" (một, không, không, hai) or "number" (một nghìn không trăm linh hai)')
    if not 0.3 <= voice.rate <= 2.0:
        raise ConfigError(path, "display.voice.rate", "use a speed between 0.3 and 2.0 (1.0 is normal, 0.8 is usual)")
    if not 1 <= voice.repeat <= 5:
        raise ConfigError(path, "display.voice.repeat", "say each call 1 to 5 times")
    if voice.engine not in ("espeak-ng", "pyttsx3"):
        raise ConfigError(path, "display.voice.engine", 'use "espeak-ng" or "pyttsx3"')
    return voice


def _parse_media(path: Path, index: int, table: Any, media_dir: Path) -> MediaItem:
    """One ``[[display.media]]`` item; relative files are in ``media_dir`` (the office file's folder)."""
    key = f"display.media[{index}]"
    table = _table(path, key, table)
    _reject_unknown(path, key, table, {"file", "seconds"})
    file = Path(require(path, f"{key}.file", table, str))
    if not file.is_absolute():
        file = media_dir / file
    kind = next((k for k, suffixes in MEDIA_SUFFIXES.items() if file.suffix.lower() in suffixes), None)
    if kind is None:
        allowed = ", ".join(s for suffixes in MEDIA_SUFFIXES.values() for s in suffixes)
        raise ConfigError(path, f"{key}.file", f"unsupported file type {file.suffix!r}; use one of {allowed}")
    seconds = optional(path, f"{key}.seconds", table, float, 10.0)
    if seconds <= 0:
        raise ConfigError(path, f"{key}.seconds", "must be more than 0")
    return MediaItem(path=file, kind=kind, seconds=seconds)


def _parse_camera(path: Path, index: int, table: Any, counter_numbers: tuple[int, ...]) -> CameraConfig:
    """One ``[[display.cameras]]`` table."""
    key = f"display.cameras[{index}]"
    table = _table(path, key, table)
    _reject_unknown(path, key, table, {"counter", "source"})
    counter = require(path, f"{key}.counter", table, int)
    if counter not in counter_numbers:
        raise ConfigError(path, f"{key}.counter", f"unknown counter {counter}; use a number from [[counters]]")
    source = require(path, f"{key}.source", table, str)
    if not source.strip():
        raise ConfigError(path, f"{key}.source", 'use "rtsp://…", "usb:0" or a video file path')
    if not source.startswith(STREAM_SCHEMES) and not Path(source).is_absolute():
        source = str(path.parent / source)
    return CameraConfig(counter=counter, source=source)


def _list(path: Path, key: str, raw: Mapping[str, Any]) -> list[Any]:
    """An optional list value."""
    return list(optional(path, key, raw, list, []))


def _text_list(path: Path, key: str, raw: Mapping[str, Any]) -> list[str]:
    """An optional list of texts."""
    values = _list(path, key, raw)
    for value in values:
        if not isinstance(value, str):
            raise ConfigError(path, key, f"expected texts in quotes, got {value!r}")
    import unicodedata

    return [unicodedata.normalize("NFC", v) for v in values]


def _table(path: Path, key: str, value: Any) -> Mapping[str, Any]:
    """A TOML table or a ConfigError."""
    if not isinstance(value, Mapping):
        raise ConfigError(path, key, "expected a table")
    return value


def _reject_unknown(path: Path, where: str, table: Mapping[str, Any], known: set[str]) -> None:
    """Refuse unknown keys, naming the valid ones."""
    for name in table:
        if name not in known:
            raise ConfigError(path, f"{where}.{name}", f"unknown key; valid keys here: {', '.join(sorted(known))}")
