"""Ticket → ESC/POS bytes, built by python-escpos into its ``Dummy`` printer.

Raster mode (the default) sends the rendered ticket as ``GS v 0`` bit
images, which every ESC/POS printer prints, Vietnamese included. Text mode
uses the printer's own fonts and a configured code page (TCVN-3 or CP1258),
for printers that have one, with a native QR code.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from PIL import Image

from .escpos_env import escpos_printer
from .layout import DPI
from .ticket import TicketPrint

RASTER_BAND_ROWS = 256
"""Rows per GS v 0 image: cheap printers with small input buffers choke on one tall image."""

ASCII_PUNCTUATION = str.maketrans({"\u2013": "-", "\u2014": "-", "\u201c": '"', "\u201d": '"', "\u2019": "'",
                                   "\u00a0": " "})
"""Typographic punctuation that no printer code page has, spelled in ASCII for text mode."""

TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"
"""Grave, acute, tilde, hook above, dot below: CP1258 keeps tones as separate combining bytes."""


def new_dummy(profile: str | None = None, width_px: int | None = None, **kwargs: Any) -> Any:
    """An escpos ``Dummy`` printer whose profile knows the paper width (no centring warning)."""
    printer = escpos_printer().Dummy(profile=profile, **kwargs)
    if width_px is not None:
        data = dict(printer.profile.profile_data)
        data["media"] = {"dpi": DPI, "width": {"mm": "Unknown", "pixels": width_px}}
        printer.profile.profile_data = data  # on this instance only: the class dict is shared
    return printer


INVERT = bytes(255 - value for value in range(256))
"""Pillow's 1-bit rows mark white with 1; ESC/POS burns a dot for 1."""


def encode_raster(image: Image.Image, *, profile: str | None = None) -> bytes:
    """Init, the image in bands of GS v 0, feed and partial cut."""
    printer = new_dummy(profile, image.width)
    printer.hw("INIT")
    for top in range(0, image.height, RASTER_BAND_ROWS):
        band = image.crop((0, top, image.width, min(top + RASTER_BAND_ROWS, image.height)))
        printer._raw(raster_command(band))
    printer.cut(mode="PART")
    return bytes(printer.output)


def raster_command(image: Image.Image) -> bytes:
    """``GS v 0``: one bit image in normal density, the same bytes escpos' ``image()`` makes.

    Built here because escpos converts every image through RGBA, grey and an
    inversion (about 10 ms a ticket, a tenth of the time budget); a 1-bit image
    is already in the printer's format but for the colour of its bits.
    """
    image = image.convert("1") if image.mode != "1" else image
    if image.width % 8:  # rows are whole bytes: pad with white, not with the padding's black
        padded = Image.new("1", ((image.width + 7) // 8 * 8, image.height), 1)
        padded.paste(image, (0, 0))
        image = padded
    width_bytes, height = image.width // 8, image.height
    header = b"\x1dv0\x00" + bytes((width_bytes & 0xFF, width_bytes >> 8, height & 0xFF, height >> 8))
    return header + image.tobytes().translate(INVERT)


def encode_text(ticket: TicketPrint, *, codepage: str = "TCVN-3", profile: str | None = None,
                columns: int = 48) -> bytes:
    """The ticket in the printer's own font and code page, with a native QR code."""
    printer = _text_printer(codepage, profile)
    printer.hw("INIT")
    if codepage.upper() != "TCVN-3":
        printer.charcode(codepage.upper())
    write = _writer(printer, codepage)
    printer.set(align="center", bold=True)
    write(ticket.office_name)
    printer.set(align="center", normal_textsize=True)
    write("-" * min(columns, 32))
    printer.set(align="center", bold=True, double_height=True)
    write(ticket.service_name)
    if ticket.priority_label:
        printer.set(align="center", invert=True, bold=True)
        write(f" ƯU TIÊN: {ticket.priority_label} ")
    if ticket.reprint_text:
        printer.set(align="center", invert=True, bold=True)
        write(f" {ticket.reprint_text} ")
    printer.set(align="center", custom_size=True, width=4, height=4, bold=True)
    write(ticket.number)
    printer.set(align="center", bold=True, double_height=True)
    if ticket.counters_text:
        write(f"Mời đến {ticket.counters_text}")
    printer.set(align="center", normal_textsize=True)
    for line in (ticket.waiting_text, ticket.wait_text, ticket.issued_text):
        if line:
            write(line)
    if ticket.status_url:
        printer.qr(ticket.status_url, size=6, native=True)
        write("Quét mã QR để xem lượt chờ")
    for line in ticket.footer_lines:
        write(line)
    printer.cut(mode="PART")
    return bytes(printer.output)


def to_cp1258(text: str) -> str:
    """Vietnamese as CP1258 spells it: â ă ê ô ơ ư đ precomposed, tone marks as combining characters.

    Python's cp1258 codec maps NFC letters such as 'ố' to '?', because that
    code page has no room for every toned vowel.
    """
    out: list[str] = []
    for char in unicodedata.normalize("NFC", text):
        decomposed = unicodedata.normalize("NFD", char)
        tones = "".join(c for c in decomposed if c in TONE_MARKS)
        base = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in TONE_MARKS))
        out.append(base + tones)
    return "".join(out)


def _text_printer(codepage: str, profile: str | None) -> Any:
    """A Dummy whose magic encoder switches only between the two TCVN-3 pages, or uses one fixed page."""
    from escpos.magicencode import Encoder

    printer = new_dummy(profile)
    pages = printer.profile.get_code_pages()
    if codepage.upper() == "TCVN-3":
        tcvn = {name: index for name, index in pages.items() if name.startswith("TCVN-3")}
        if not tcvn:
            raise ValueError(f"printer profile {profile or 'default'!r} has no TCVN-3 code page")
        return new_dummy(profile, magic_encode_args={"encoder": Encoder(tcvn)})
    if codepage.upper() not in pages:
        raise ValueError(f"printer profile {profile or 'default'!r} has no code page {codepage!r}")
    return printer  # encode_text fixes the page with charcode(), which also sends ESC t n


def _writer(printer: Any, codepage: str) -> Any:
    """A function that prints one line of NFC Vietnamese in the chosen code page."""
    def write(line: str) -> None:
        line = line.translate(ASCII_PUNCTUATION)
        text = to_cp1258(line) if codepage.upper() == "CP1258" else unicodedata.normalize("NFC", line)
        printer.textln(text)

    return write
