"""The ticket image: paper widths, Vietnamese glyphs, wrapping without clipping, snapshots."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

from printers import render_ticket, render_ticket_png
from printers.fonts import load_font
from printers.layout import METRICS, wrap
from tests.support.ticket_print import LONG_FIELD, LONG_OFFICE, ticket

VIETNAMESE_LETTERS = (
    "aàảãáạăằẳẵắặâầẩẫấậbcdđeèẻẽéẹêềểễếệghiìỉĩíịklmnoòỏõóọôồổỗốộơờởỡớợpqrstuùủũúụưừửữứựvxyỳỷỹýỵ"
)
MAX_RASTER_BYTES = 60 * 1024


def dots(image: Image.Image) -> np.ndarray:
    """True where a dot is burnt."""
    return np.array(image.convert("L")) < 128


def raster_bytes(image: Image.Image) -> int:
    return (image.width + 7) // 8 * image.height


@pytest.mark.parametrize("paper, width", [(58, 384), (80, 576)])
def test_ticket_is_as_wide_as_the_paper_and_one_bit(paper: int, width: int) -> None:
    image = render_ticket(ticket(), paper)
    assert image.mode == "1"
    assert image.width == width
    assert 300 < image.height < 1500


@pytest.mark.parametrize("bold", [False, True])
def test_every_vietnamese_letter_has_a_glyph_in_the_bundled_font(bold: bool) -> None:
    font = load_font(40, bold)

    def drawn(char: str) -> bytes:
        image = Image.new("L", (60, 70), 0)
        ImageDraw.Draw(image).text((5, 5), char, font=font, fill=255)
        return image.tobytes()

    missing = drawn("\ue000")  # a private-use character: the font's "no glyph" box
    letters = VIETNAMESE_LETTERS + VIETNAMESE_LETTERS.upper()
    boxes = [c for c in letters if drawn(c) == missing]
    assert boxes == []
    assert drawn("\u4e00") == missing  # the check does see a box where there is one


@pytest.mark.parametrize("paper", [58, 80])
def test_nfd_input_prints_exactly_like_nfc(paper: int) -> None:
    words = "Trung tâm Phục vụ hành chính công phường Ngũ Hành Sơn"
    nfc = ticket(office_name=words, service_name="Văn hóa – Xã hội – Ưu đãi người có công")
    nfd = ticket(office_name=unicodedata.normalize("NFD", words),
                 service_name=unicodedata.normalize("NFD", "Văn hóa – Xã hội – Ưu đãi người có công"))
    assert render_ticket(nfc, paper).tobytes() == render_ticket(nfd, paper).tobytes()


@pytest.mark.parametrize("paper", [58, 80])
def test_long_names_wrap_inside_the_margins(paper: int) -> None:
    image = render_ticket(ticket(office_name=LONG_OFFICE, service_name=LONG_FIELD, priority="pregnant"), paper)
    ink = dots(image)
    margin = METRICS[paper].margin
    assert not ink[:, : margin - 1].any(), "ink in the left margin: something is clipped"
    assert not ink[:, image.width - margin + 1:].any(), "ink in the right margin: something is clipped"
    assert not ink[-3:, :].any(), "ink on the last rows: the bottom is clipped"


def test_long_names_make_the_ticket_taller_not_wider() -> None:
    short = render_ticket(ticket(), 58)
    long = render_ticket(ticket(office_name=LONG_OFFICE, service_name=LONG_FIELD), 58)
    assert long.width == short.width and long.height > short.height + 60


def test_wrap_never_exceeds_the_width_and_keeps_every_word() -> None:
    font = load_font(26, bold=True)
    lines = wrap(LONG_FIELD, font, 200)
    assert all(font.getlength(line) <= 200 for line in lines)
    assert " ".join(lines).split() == LONG_FIELD.split()


def test_a_word_wider_than_the_line_is_cut_between_letters() -> None:
    font = load_font(26)
    lines = wrap("Quốc" * 20, font, 150)
    assert len(lines) > 1 and "".join(lines) == "Quốc" * 20
    assert all(font.getlength(line) <= 150 for line in lines)


@pytest.mark.parametrize("number", ["A012", "1002", "HT1234"])
def test_the_number_is_the_largest_text_and_fits(number: str) -> None:
    image = render_ticket(ticket(number=number), 58)
    rows = np.asarray(dots(image).any(axis=1))  # one flag per dot row: any black dot in it
    runs, run = [], 0
    for filled in rows:
        run = run + 1 if filled else 0
        runs.append(run)
    assert max(runs) >= 80  # the number is at least 1 cm tall on 58 mm paper
    assert not dots(image)[:, :4].any()


def test_logo_is_fitted_above_the_office_name(logo_file: Path) -> None:
    plain = render_ticket(ticket(), 80)
    with_logo = render_ticket(ticket(), 80, logo_file)
    assert with_logo.width == 576
    assert with_logo.height - plain.height == pytest.approx(METRICS[80].logo_height + METRICS[80].gap, abs=2)
    assert dots(with_logo)[16:80, 240:336].mean() > 0.3  # the emblem, centred


@pytest.mark.parametrize("paper", [58, 80])
def test_a_typical_ticket_with_logo_stays_under_60_kb_of_raster(paper: int, logo_file: Path) -> None:
    image = render_ticket(ticket(priority="elderly"), paper, logo_file)
    assert raster_bytes(image) <= MAX_RASTER_BYTES


def test_ticket_without_qr_or_footer_still_lays_out() -> None:
    image = render_ticket(ticket(status_url="", hotline="", footer="", counters=(), estimated_wait_s=None), 58)
    assert image.width == 384 and image.height > 200


@pytest.mark.parametrize("paper", [58, 80])
def test_snapshots_for_people_to_look_at(paper: int, snapshot_dir: Path, logo_file: Path) -> None:
    """Writes out/printers/*.png: a typical ticket, and one with long names and a priority."""
    typical = render_ticket_png(ticket(), snapshot_dir / f"ticket-{paper}mm.png", paper, logo_file)
    long = render_ticket_png(ticket(office_name=LONG_OFFICE, service_name=LONG_FIELD, priority="pregnant",
                                    number="C1234", counters=(4, 5, 6), estimated_wait_s=4800, ahead=23,
                                    footer="Cảm ơn quý khách đã sử dụng dịch vụ!\nGóp ý: gopy@example.vn"),
                             snapshot_dir / f"ticket-{paper}mm-long.png", paper)
    for path in (typical, long):
        with Image.open(path) as image:
            assert image.width == {58: 384, 80: 576}[paper]
            assert image.info["dpi"] == pytest.approx((203, 203), abs=0.5)


def test_unknown_paper_width_is_refused() -> None:
    with pytest.raises(ValueError, match="58 or 80"):
        render_ticket(ticket(), 76)



def test_centred_titles_wrap_into_even_lines() -> None:
    from printers.layout import balanced_wrap

    font = load_font(27, bold=True)
    lines = balanced_wrap("Trung tâm Phục vụ hành chính công xã Tân Phú", font, 544)
    assert len(lines) == 2
    assert lines[1] != "Phú"
    widths = [font.getlength(line) for line in lines]
    assert max(widths) - min(widths) < 200
    assert " ".join(lines).split() == ["Trung", "tâm", "Phục", "vụ", "hành", "chính", "công", "xã", "Tân", "Phú"]
