"""ESC/POS bytes from python-escpos: raster jobs decoded back, text mode code pages."""

from __future__ import annotations

import unicodedata

import pytest

from printers import render_ticket
from printers.encode import encode_raster, encode_text, to_cp1258
from tests.support.escpos_stream import decode, raster_image
from tests.support.qr import read_qr
from tests.support.ticket_print import ticket

VIETNAMESE = "aàảãáạăằẳẵắặâầẩẫấậđeèẻẽéẹêềểễếệiìỉĩíịoòỏõóọôồổỗốộơờởỡớợuùủũúụưừửữứựyỳỷỹýỵ"


@pytest.mark.parametrize("paper, width_bytes", [(58, 48), (80, 72)])
def test_raster_job_is_init_image_bands_feed_and_cut(paper: int, width_bytes: int) -> None:
    image = render_ticket(ticket(), paper)
    commands = decode(encode_raster(image))
    names = [c.name for c in commands]
    assert names[0] == "init"
    assert names[-2:] == ["feed", "cut"]
    assert set(names[1:-2]) == {"raster"}
    assert {c.args[1] for c in commands if c.name == "raster"} == {width_bytes}
    assert all(c.args[2] <= 256 for c in commands if c.name == "raster")  # bands small printers accept


def test_decoded_raster_is_the_rendered_ticket_pixel_for_pixel() -> None:
    image = render_ticket(ticket(priority="merit"), 80)
    printed = raster_image(decode(encode_raster(image)))
    assert printed.size == image.size
    assert printed.tobytes() == image.tobytes()


def test_qr_in_the_raster_leads_to_the_ticket_status_page() -> None:
    url = "http://192.0.2.7:8080/t/Zk3q9XbT2mYpQ0"
    printed = raster_image(decode(encode_raster(render_ticket(ticket(status_url=url), 58))))
    assert read_qr(printed) == url


def test_text_mode_tcvn3_switches_between_its_two_pages_for_vietnamese() -> None:
    data = encode_text(ticket(service_name="Tư pháp – Hộ tịch"), codepage="TCVN-3")
    assert data.startswith(b"\x1b@")
    assert b"\x1bt\x1e" in data  # ESC t 30: TCVN-3-1
    assert "T\u01b0 ph\u00e1p - H\u1ed9 t\u1ecbch".encode("ascii", "replace") not in data
    assert b"T\xad ph\xb8p - H\xe9 t\xdech" in data  # "Tư pháp - Hộ tịch" in TCVN-3
    assert b"\x1d(k" in data  # native QR code
    assert data.rstrip(b"\x00").endswith(b"\x1dV\x01")


def test_text_mode_cp1258_spells_tones_as_combining_bytes() -> None:
    data = encode_text(ticket(), codepage="CP1258")
    assert b"\x1bt\x34" in data  # ESC t 52: CP1258 in the default profile
    assert "Số người đang chờ: 7".encode("cp1258", "replace") not in data
    assert to_cp1258("Số người đang chờ: 7").encode("cp1258") in data


def test_cp1258_spelling_loses_no_vietnamese_letter() -> None:
    """Every letter, lower and upper case, in every tone (the alphabet is small: check it all)."""
    for letter in VIETNAMESE + VIETNAMESE.upper():
        encoded = to_cp1258(letter).encode("cp1258")
        assert unicodedata.normalize("NFC", encoded.decode("cp1258")) == letter, letter


def test_text_mode_refuses_a_code_page_the_profile_lacks() -> None:
    with pytest.raises(ValueError, match="code page"):
        encode_text(ticket(), codepage="CP1258", profile="TM-T88IV-SA")


@pytest.mark.parametrize("width", [384, 576, 13])
def test_our_raster_bytes_are_the_ones_escpos_image_makes(width: int) -> None:
    from printers.encode import new_dummy, raster_command

    image = render_ticket(ticket(), 58).crop((0, 0, width, 200))
    reference = new_dummy(None, 576)
    reference.image(image, impl="bitImageRaster", fragment_height=1000)
    assert raster_command(image) == bytes(reference.output)
