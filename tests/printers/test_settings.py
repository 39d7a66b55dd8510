"""The [printer] section: defaults, the sample offices, mistakes named with their fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from printers import PrinterSettings, load_printer_settings, parse_printer_settings
from printers.transports import PrinterURI, check_status, parse_printer_uri
from queue_server.config import ConfigError, load_config

PROJECT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("office", ["commune.toml", "province.toml"])
def test_sample_offices_print_previews(office: str) -> None:
    settings = load_printer_settings(load_config(PROJECT / "config" / office))
    assert settings.uri == "png://var/tickets"
    assert settings.paper == 80 and settings.mode == "raster" and settings.timeout_s == 2.0


def test_an_empty_section_gives_the_defaults() -> None:
    assert parse_printer_settings({}) == PrinterSettings()


def test_a_full_section_is_read(tmp_path: Path) -> None:
    (tmp_path / "logo.png").write_bytes(b"")
    table = {"uri": "tcp://192.0.2.10:9100", "paper": 58, "logo": "logo.png", "footer": "Cảm ơn!", "mode": "text",
             "codepage": "cp1258", "profile": "POS-5890", "timeout_s": 3, "status": False}
    settings = parse_printer_settings(table, tmp_path / "office.toml")
    assert settings == PrinterSettings(uri="tcp://192.0.2.10:9100", paper=58, logo=tmp_path / "logo.png",
                                       footer="Cảm ơn!", mode="text", codepage="CP1258", profile="POS-5890",
                                       timeout_s=3.0, status=False)


@pytest.mark.parametrize("table, key, fix", [
    ({"uri": "lpt://1"}, "printer.uri", "tcp://HOST:9100"),
    ({"uri": "usb://zz:1"}, "printer.uri", "lsusb"),
    ({"paper": 76}, "printer.paper", "58 or 80"),
    ({"mode": "graphics"}, "printer.mode", "raster"),
    ({"codepage": "CP437"}, "printer.codepage", "TCVN-3"),
    ({"timeout_s": 0}, "printer.timeout_s", "between"),
    ({"timeout_s": "2"}, "printer.timeout_s", "a number"),
    ({"logo": "missing.png"}, "printer.logo", "relative to this file"),
    ({"profile": "NoSuchPrinter"}, "printer.profile", "POS-5890"),
    ({"papr": 58}, "printer.papr", "valid keys"),
])
def test_mistakes_name_the_key_and_the_fix(table: dict, key: str, fix: str, tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_printer_settings(table, tmp_path / "office.toml")
    assert caught.value.key == key
    assert fix in caught.value.message
    assert "office.toml" in str(caught.value)


@pytest.mark.parametrize("uri, parsed", [
    ("tcp://192.0.2.10:9100", PrinterURI("tcp", "192.0.2.10", 9100)),
    ("tcp://printer.local", PrinterURI("tcp", "printer.local", 9100)),
    ("usb://0416:5011", PrinterURI("usb", "0416:5011")),
    ("usb://4B43:3538?out_ep=0x03", PrinterURI("usb", "4b43:3538", options={"out_ep": "0x03"})),
    ("serial:///dev/ttyUSB0?baudrate=19200", PrinterURI("serial", "/dev/ttyUSB0", options={"baudrate": "19200"})),
    ("file:///dev/usb/lp0", PrinterURI("file", "/dev/usb/lp0")),
    ("png:///srv/tickets", PrinterURI("png", "/srv/tickets")),
    ("png://var/tickets", PrinterURI("png", "var/tickets")),
])
def test_printer_uris(uri: str, parsed: PrinterURI) -> None:
    assert parse_printer_uri(uri) == parsed


@pytest.mark.parametrize("answer, code", [
    (bytes([0x12, 0x12, 0x12]), "ok"),
    (bytes([0x16, 0x12, 0x12]), "ok"),  # drawer pin high: not our business
    (bytes([0x1A, 0x16, 0x12]), "cover_open"),
    (bytes([0x1A, 0x32, 0x72]), "paper_out"),
    (bytes([0x12, 0x12, 0x1E]), "paper_low"),
    (bytes([0x1A, 0x52, 0x12]), "printer_error"),
    (bytes([0x1A, 0x12, 0x12]), "offline"),
    (b"\x00\x00\x00", "ok"),  # not an Epson-style answer: print anyway
])
def test_status_bytes(answer: bytes, code: str) -> None:
    assert check_status(answer) == code


def test_every_printer_uri_in_the_docs_is_valid() -> None:
    import re

    text = (PROJECT / "docs" / "printing.md").read_text(encoding="utf-8")
    uris = re.findall(r"`((?:tcp|usb|serial|file|png)://[^`\s]+)`", text)
    assert len(uris) >= 6
    for uri in uris:
        parse_printer_uri(uri)


def test_the_docs_example_section_is_valid(tmp_path: Path) -> None:
    import re
    import tomllib

    text = (PROJECT / "docs" / "printing.md").read_text(encoding="utf-8")
    found = re.search(r"```toml\n(.*?)```", text, re.S)
    assert found is not None, "docs/printing.md has no TOML example"
    example = found.group(1)
    (tmp_path / "logo.png").write_bytes(b"")
    settings = parse_printer_settings(tomllib.loads(example)["printer"], tmp_path / "office.toml")
    assert settings.paper == 80 and settings.uri.startswith("tcp://")


def test_every_result_code_is_explained_in_the_docs() -> None:
    from printers import MESSAGES_VI

    text = (PROJECT / "docs" / "printing.md").read_text(encoding="utf-8")
    assert [code for code in MESSAGES_VI if f"`{code}`" not in text] == []
