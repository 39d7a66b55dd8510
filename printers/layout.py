"""Ticket → 1-bit image, ready for a thermal printer's raster mode.

A pure function of a ``TicketPrint``, the paper width and an optional logo:
no clock, no I/O besides reading the logo file. Drawn directly in mode "1"
(no anti-aliasing) because thermal dots are either burnt or not, and grey
edges would only be dithered into noise.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import qrcode
from PIL import Image, ImageDraw, ImageFont, ImageOps

from .fonts import load_font
from .ticket import TicketPrint

DPI = 203
PAPER_WIDTH_PX = {58: 384, 80: 576}
"""Printable dots per line at 203 dpi: 48 mm on 58 mm paper, 72 mm on 80 mm paper."""

BLACK, WHITE = 0, 1
MAX_HEIGHT_PX = 2400  # a canvas far taller than any ticket; cropped to what was drawn


@dataclass(frozen=True)
class Metrics:
    """Sizes in dots for one paper width."""

    margin: int
    office: int
    service: int
    priority: int
    number: int
    counters: int
    detail: int
    footer: int
    qr_box: int
    logo_height: int
    gap: int


METRICS = {
    58: Metrics(margin=8, office=22, service=26, priority=22, number=120, counters=30, detail=21,
                footer=19, qr_box=4, logo_height=72, gap=8),
    80: Metrics(margin=16, office=27, service=32, priority=27, number=150, counters=36, detail=25,
                footer=22, qr_box=5, logo_height=88, gap=9),
}


def paper_width(paper: int) -> int:
    """Dots per line for 58 or 80 mm paper."""
    try:
        return PAPER_WIDTH_PX[paper]
    except KeyError:
        raise ValueError(f"paper must be 58 or 80 (mm), got {paper!r}") from None


def render_ticket(ticket: TicketPrint, paper: int = 80, logo: Image.Image | Path | str | None = None) -> Image.Image:
    """The ticket as a mode "1" image, 384 (58 mm) or 576 (80 mm) dots wide."""
    width = paper_width(paper)
    m = METRICS[paper]
    canvas = _Canvas(width, m.margin)
    if logo is not None:
        canvas.image(_prepare_logo(logo, width - 2 * m.margin, m.logo_height))
        canvas.space(m.gap)
    canvas.text(ticket.office_name, load_font(m.office, bold=True))
    canvas.rule(m.gap)
    canvas.text(ticket.service_name, load_font(m.service, bold=True))
    if ticket.priority_label:
        canvas.space(m.gap // 2)
        canvas.banner(f"ƯU TIÊN: {ticket.priority_label}", load_font(m.priority, bold=True))
    if ticket.reprint_text:
        canvas.space(m.gap // 2)
        canvas.banner(ticket.reprint_text, load_font(m.priority, bold=True))
    canvas.number(ticket.number, m.number)
    if ticket.counters_text:
        canvas.text(f"Mời đến {ticket.counters_text}", load_font(m.counters, bold=True))
    canvas.rule(m.gap)
    details = [ticket.waiting_text, ticket.wait_text, ticket.issued_text]
    canvas.details([d for d in details if d], ticket.status_url, load_font(m.detail), m.qr_box,
                   beside=paper == 80)
    if ticket.footer_lines:
        canvas.rule(m.gap)
        for line in ticket.footer_lines:
            canvas.text(line, load_font(m.footer))
    canvas.space(m.gap)
    return canvas.finish()


def render_ticket_png(ticket: TicketPrint, path: Path | str, paper: int = 80,
                      logo: Image.Image | Path | str | None = None) -> Path:
    """Render the ticket and save it as a PNG (on-screen preview, docs, the png:// printer)."""
    path = Path(path)
    render_ticket(ticket, paper, logo).save(path, format="PNG", dpi=(DPI, DPI), optimize=False)
    return path


def wrap(text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """Greedy word wrap to a pixel width; a word longer than a line is cut between letters."""
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        line = ""
        for word in paragraph.split(" "):  # not split(): a no-break space stays inside its word
            if not word:
                continue
            candidate = f"{line} {word}" if line else word
            if font.getlength(candidate) <= width:
                line = candidate
                continue
            if line:
                lines.append(line)
            line = ""
            for char in word:  # only for words wider than the whole line
                if font.getlength(line + char) > width and line:
                    lines.append(line)
                    line = ""
                line += char
        lines.append(line)
    return lines


def balanced_wrap(text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """As many lines as ``wrap`` needs, but of even lengths: "Trung tâm … xã" / "Tân Phú", not "… Tân" / "Phú"."""
    lines = wrap(text, font, width)
    words = [word for word in text.split(" ") if word]
    if len(lines) < 2 or "\n" in text:
        return lines
    sizes = [font.getlength(word) for word in words]
    if max(sizes) > width:
        return lines
    space = font.getlength(" ")

    def groups(limit: float) -> list[list[str]]:
        result: list[list[str]] = [[]]
        used = 0.0
        for word, size in zip(words, sizes, strict=True):
            extra = size + (space if result[-1] else 0)
            if result[-1] and used + extra > limit:
                result.append([])
                used, extra = 0.0, size
            result[-1].append(word)
            used += extra
        return result

    low, high = max(sizes), float(width)
    while high - low > 1:  # the narrowest limit that needs no more lines than greedy wrapping
        middle = (low + high) / 2
        low, high = (low, middle) if len(groups(middle)) <= len(lines) else (middle, high)
    balanced = [" ".join(group) for group in groups(high)]
    return balanced if all(font.getlength(line) <= width for line in balanced) else lines


@lru_cache(maxsize=512)
def _lines(text: str, font: ImageFont.FreeTypeFont, width: int, balanced: bool) -> tuple[str, ...]:
    """Wrapped lines, remembered: an office prints the same names all day."""
    return tuple(balanced_wrap(text, font, width) if balanced else wrap(text, font, width))


TEXT_PAD = 8
"""Room around a cached line for accents above the ascender (Ễ) and overhanging glyphs."""


@lru_cache(maxsize=512)
def _line_mask(text: str, font: ImageFont.FreeTypeFont) -> Image.Image:
    """One line of text as a 1-bit mask (ink = 1), drawn once and pasted on every ticket."""
    ascent, descent = font.getmetrics()
    mask = Image.new("1", (int(font.getlength(text)) + 2 * TEXT_PAD, ascent + descent + 2 * TEXT_PAD), 0)
    draw = ImageDraw.Draw(mask)
    draw.fontmode = "1"
    draw.text((TEXT_PAD, TEXT_PAD), text, font=font, fill=1, anchor="la")
    return mask


def qr_matrix(data: str) -> list[list[bool]]:
    """QR modules (True = dark) with a 2-module quiet zone; error correction M survives smudges."""
    # A fixed mask pattern is valid QR and skips qrcode's pure-Python search over
    # all eight masks (~50 ms, half the time budget of a whole ticket).
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=2, mask_pattern=0)
    code.add_data(data)
    code.make(fit=True)
    return code.get_matrix()


def _prepare_logo(logo: Image.Image | Path | str, max_width: int, max_height: int) -> Image.Image:
    """The office logo fitted into a box, flattened on white and dithered to 1 bit."""
    if isinstance(logo, Image.Image):
        return _fit_logo(logo, max_width, max_height)
    path = Path(logo)
    return _logo_file(str(path), path.stat().st_mtime_ns, max_width, max_height)


@lru_cache(maxsize=4)
def _logo_file(path: str, mtime_ns: int, max_width: int, max_height: int) -> Image.Image:
    """A logo file, read and dithered once (again when the file changes)."""
    with Image.open(path) as image:
        return _fit_logo(image, max_width, max_height)


def _fit_logo(image: Image.Image, max_width: int, max_height: int) -> Image.Image:
    image = image.convert("RGBA")
    flat = Image.new("RGBA", image.size, (255, 255, 255, 255))
    flat.alpha_composite(image)
    fitted = ImageOps.contain(flat.convert("L"), (max_width, max_height))
    return fitted.convert("1")


@lru_cache(maxsize=8)
def _dashes(width: int) -> Image.Image:
    """A dashed line 2 dots thick: 8 dots of ink every 12."""
    line = Image.new("1", (width, 2), WHITE)
    draw = ImageDraw.Draw(line)
    for x in range(0, width, 12):
        draw.rectangle([(x, 0), (min(x + 7, width - 1), 1)], fill=BLACK)
    return line


class _Canvas:
    """A top-to-bottom writer on a tall 1-bit page; ``finish`` crops to what was drawn."""

    def __init__(self, width: int, margin: int) -> None:
        self.width, self.margin, self.y = width, margin, margin
        self.page = Image.new("1", (width, MAX_HEIGHT_PX), WHITE)
        self.draw = ImageDraw.Draw(self.page)
        self.draw.fontmode = "1"

    @property
    def inner(self) -> int:
        return self.width - 2 * self.margin

    def space(self, dots: int) -> None:
        self.y += dots

    def text(self, text: str, font: ImageFont.FreeTypeFont, *, x: int | None = None,
             width: int | None = None, center: bool = True) -> None:
        """Wrapped lines, centred in the page (or left-aligned in a column)."""
        width = width if width is not None else self.inner
        left = x if x is not None else self.margin
        ascent, descent = font.getmetrics()
        # A dash ends a line rather than starting the next: "Nông nghiệp –" / "Môi trường".
        text = text.replace(" – ", "\u00a0– ")
        for line in _lines(text, font, width, center):
            offset = (width - font.getlength(line)) / 2 if center else 0
            self.line(line, font, left + offset, self.y)
            self.y += ascent + descent

    def line(self, text: str, font: ImageFont.FreeTypeFont, x: float, y: int, ink: int = BLACK) -> None:
        """One line of text with its top-left (ascender line) at x, y."""
        self.page.paste(ink, (round(x) - TEXT_PAD, y - TEXT_PAD), _line_mask(text, font))

    def rule(self, gap: int) -> None:
        """A dashed separator with some air around it."""
        self.y += gap
        self.page.paste(_dashes(self.width - 2 * self.margin), (self.margin, self.y))
        self.y += gap + 2

    def banner(self, text: str, font: ImageFont.FreeTypeFont) -> None:
        """White text on a black band, for the priority group."""
        ascent, descent = font.getmetrics()
        lines = _lines(text, font, self.inner - 16, True)
        height = len(lines) * (ascent + descent) + 8
        self.draw.rectangle([(self.margin, self.y), (self.width - self.margin - 1, self.y + height)], fill=BLACK)
        y = self.y + 4
        for line in lines:
            self.line(line, font, (self.width - font.getlength(line)) / 2, y, ink=WHITE)
            y += ascent + descent
        self.y += height + 1

    def number(self, number: str, size: int) -> None:
        """The ticket number as large as the paper allows, centred on its ink."""
        font = load_font(size, bold=True)
        while font.getlength(number) > self.inner and size > 24:
            size -= 8
            font = load_font(size, bold=True)
        left, top, right, bottom = font.getbbox(number, anchor="la")
        pad = size // 8
        self.y += pad
        x = (self.width - (right - left)) / 2 - left
        self.draw.text((x, self.y - top), number, font=font, fill=BLACK, anchor="la")
        self.y += int(bottom - top) + pad  # FreeType boxes are whole pixels, typed float

    def details(self, lines: list[str], url: str, font: ImageFont.FreeTypeFont, box: int, beside: bool) -> None:
        """The waiting details and the QR code: side by side on 80 mm, stacked and centred on 58 mm."""
        caption = "Quét mã QR để xem lượt chờ"
        if not url or not beside:
            for line in lines:
                self.text(line, font)
            if url:
                self.space(4)
                self.qr(url, box, x=None)
                self.text(caption, font)
            return
        size = self.qr(url, box, self.margin)
        top = self.y - size
        column_x = self.margin + size + 8
        column_width = self.width - self.margin - column_x
        ascent, descent = font.getmetrics()
        text_lines = [w for line in lines + [caption] for w in _lines(line, font, column_width, False)]
        self.y = top + max(0, (size - len(text_lines) * (ascent + descent)) // 2)
        for line in text_lines:
            self.line(line, font, column_x, self.y)
            self.y += ascent + descent
        self.y = max(self.y, top + size)

    def qr(self, url: str, box: int, x: int | None) -> int:
        """The QR code of a URL at x (centred when None), ``box`` dots per module; returns its size."""
        matrix = qr_matrix(url)
        modules = Image.new("1", (len(matrix), len(matrix)), WHITE)
        modules.putdata([BLACK if dark else WHITE for row in matrix for dark in row])
        size = len(matrix) * box
        left = (self.width - size) // 2 if x is None else x
        self.page.paste(modules.resize((size, size), Image.Resampling.NEAREST), (left, self.y))
        self.y += size
        return size

    def image(self, image: Image.Image) -> None:
        """A centred picture (the logo)."""
        self.page.paste(image, ((self.width - image.width) // 2, self.y))
        self.y += image.height

    def finish(self) -> Image.Image:
        return self.page.crop((0, 0, self.width, min(self.y + self.margin, MAX_HEIGHT_PX)))
