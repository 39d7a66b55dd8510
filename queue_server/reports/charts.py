"""Report charts drawn with Pillow: grouped bars and the weekday × hour heatmap, as PNG bytes.

Light on purpose (no plotting library): a few rectangles and labels in a
font that has Vietnamese letters (Kivy's Roboto, else DejaVu Sans).
"""

from __future__ import annotations

import importlib.util
import io
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw, ImageFont

WIDTH, HEIGHT = 900, 460
TITLE_PX, LABEL_PX = 24, 17
"""Shown at its own width (the page keeps a chart 860–900 px wide), a 17 px label reads as 16 px or more."""
PALETTE = ("#1f6fb2", "#f29d38", "#3a9a5b", "#c8453c", "#8a63b8")
LEVEL_COLOURS = ("#2e8b57", "#7cbf6a", "#f2c14e", "#d9534f", "#8a63b8", "#555555", "#999999")
INK, GRID, PAPER = "#222222", "#dddddd", "#ffffff"


@lru_cache(maxsize=8)
def font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """A TrueType font with Vietnamese glyphs at this size."""
    candidates = []
    spec = importlib.util.find_spec("kivy")
    if spec and spec.origin:
        candidates.append(Path(spec.origin).parent / "data" / "fonts" / "Roboto-Regular.ttf")
    candidates += [Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
                   Path("/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf")]
    for path in candidates:
        if path.exists():
            return ImageFont.truetype(str(path), size)
    return ImageFont.load_default(size)


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def _nice_max(value: float) -> float:
    """A round axis maximum at or above ``value``."""
    if value <= 0:
        return 1.0
    step = 10 ** (len(str(int(value))) - 1)
    for factor in (1, 2, 2.5, 5, 10):
        if value <= factor * step:
            return factor * step
    return 10 * step


def bar_chart(title: str, categories: Sequence[str], series: Sequence[tuple[str, Sequence[float | None]]],
              unit: str = "", colours: Sequence[str] = PALETTE) -> bytes:
    """Grouped vertical bars: one group per category, one bar per series, a legend on top."""
    image = Image.new("RGB", (WIDTH, HEIGHT), PAPER)
    draw = ImageDraw.Draw(image)
    draw.text((16, 8), title, font=font(TITLE_PX), fill=INK)
    left, right, top, bottom = 72, WIDTH - 16, 84, HEIGHT - 2 * LABEL_PX - 24
    x = left
    for index, (name, _) in enumerate(series):
        draw.rectangle((x, 48, x + 18, 66), fill=colours[index % len(colours)])
        draw.text((x + 24, 46), name, font=font(LABEL_PX), fill=INK)
        x += 40 + int(draw.textlength(name, font=font(LABEL_PX)))
    peak = _nice_max(max([v for _, values in series for v in values if v is not None] or [0]))
    for tick in range(5):
        y = bottom - (bottom - top) * tick / 4
        draw.line((left, y, right, y), fill=GRID)
        draw.text((8, y - 9), _fmt(peak * tick / 4) + unit, font=font(LABEL_PX), fill=INK)
    if categories:
        group = (right - left) / len(categories)
        bar = max(2.0, group * 0.8 / max(len(series), 1))
        for c, category in enumerate(categories):
            gx = left + group * c + group * 0.1
            for s, (_, values) in enumerate(series):
                value = values[c]
                if value:
                    height = (bottom - top) * value / peak
                    draw.rectangle((gx + bar * s, bottom - height, gx + bar * (s + 1) - 1, bottom),
                                   fill=colours[s % len(colours)])
            for line_no, line in enumerate(_label_lines(draw, category, group - 6)):
                width = draw.textlength(line, font=font(LABEL_PX))
                draw.text((left + group * c + (group - width) / 2, bottom + 6 + line_no * (LABEL_PX + 3)), line,
                          font=font(LABEL_PX), fill=INK)
    draw.line((left, bottom, right, bottom), fill=INK)
    return _png(image)


def _label_lines(draw: ImageDraw.ImageDraw, text: str, width: float) -> list[str]:
    """A field's name on at most two lines under its bars, cut with "…" only when even two are too short."""
    words, lines = text.split(), [""]
    for word in words:
        candidate = f"{lines[-1]} {word}".strip()
        if draw.textlength(candidate, font=font(LABEL_PX)) <= width or not lines[-1]:
            lines[-1] = candidate
        elif len(lines) < 2:
            lines.append(word)
        else:
            lines[-1] = candidate
    if draw.textlength(lines[-1], font=font(LABEL_PX)) > width:
        while len(lines[-1]) > 1 and draw.textlength(lines[-1] + "…", font=font(LABEL_PX)) > width:
            lines[-1] = lines[-1][:-1]
        lines[-1] = lines[-1].rstrip() + "…"
    return lines


def heatmap(title: str, rows: Sequence[str], counts: Sequence[Sequence[int]], hours: Sequence[int]) -> bytes:
    """A weekday × hour grid shaded by the number of tickets issued."""
    image = Image.new("RGB", (WIDTH, 330), PAPER)
    draw = ImageDraw.Draw(image)
    draw.text((16, 8), title, font=font(TITLE_PX), fill=INK)
    left, top = 60, 48
    cell_w = (WIDTH - left - 16) / max(len(hours), 1)
    cell_h = 34
    peak = max([max(row[h] for h in hours) for row in counts] + [1])
    for r, label in enumerate(rows):
        y = top + r * cell_h
        draw.text((12, y + 7), label, font=font(LABEL_PX), fill=INK)
        for c, hour in enumerate(hours):
            value = counts[r][hour]
            shade = int(245 - 200 * value / peak)
            x = left + c * cell_w
            draw.rectangle((x, y, x + cell_w - 2, y + cell_h - 2),
                           fill=(shade, shade + (255 - shade) // 3, 255) if value else "#f4f4f4")
            if value:
                text = _fmt(value)
                width = draw.textlength(text, font=font(14))
                draw.text((x + (cell_w - width) / 2, y + 8), text, font=font(14),
                          fill=PAPER if value > peak * 0.6 else INK)
    for c, hour in enumerate(hours):
        draw.text((left + c * cell_w + 4, top + len(rows) * cell_h + 4), f"{hour}h", font=font(LABEL_PX), fill=INK)
    return _png(image)


def _fmt(value: float) -> str:
    """Vietnamese number format: thousands with dots, one decimal with a comma."""
    if abs(value - round(value)) < 1e-9:
        return f"{int(round(value)):,}".replace(",", ".")
    return f"{value:.1f}".replace(".", ",")


def _minutes(value: float | None) -> float | None:
    return None if value is None else value / 60


def tickets_chart(report: dict[str, Any]) -> bytes:
    """Issued, served and absent tickets per field."""
    rows = report["by_service"]
    return bar_chart("Số phiếu theo lĩnh vực", [r["name"] for r in rows], [
        ("Cấp số", [r["tickets"]["issued"] for r in rows]),
        ("Đã phục vụ", [r["tickets"]["served"] for r in rows]),
        ("Vắng mặt", [r["tickets"]["no_show"] for r in rows]),
    ])


def wait_chart(report: dict[str, Any]) -> bytes:
    """Mean, median and 90th percentile wait per field, in minutes."""
    rows = report["by_service"]
    return bar_chart("Thời gian chờ theo lĩnh vực (phút)", [r["name"] for r in rows], [
        ("Trung bình", [_minutes(r["wait_s"]["mean"]) for r in rows]),
        ("Trung vị", [_minutes(r["wait_s"]["median"]) for r in rows]),
        ("90% công dân chờ dưới", [_minutes(r["wait_s"]["p90"]) for r in rows]),
    ], unit="'")


def service_chart(report: dict[str, Any]) -> bytes:
    """Mean and 90th percentile service time per counter, in minutes."""
    rows = report["by_counter"]
    return bar_chart("Thời gian phục vụ theo quầy (phút)", [r["name"] for r in rows], [
        ("Trung bình", [_minutes(r["service_s"]["mean"]) for r in rows]),
        ("90%", [_minutes(r["service_s"]["p90"]) for r in rows]),
    ], unit="'")


def satisfaction_chart(report: dict[str, Any]) -> bytes:
    """Share of each level overall and per field, in percent."""
    overall = report["satisfaction"]
    groups = [("Chung", overall)] + [(r["name"], r["satisfaction"]) for r in report["by_service"]]
    series = [(level["label"], [next((lv["share"] for lv in g["levels"] if lv["code"] == level["code"]), None)
                                for _, g in groups]) for level in overall["levels"]]
    return bar_chart(f"Mức độ hài lòng (%), {overall['ratings']} lượt đánh giá", [name for name, _ in groups], series,
                     unit="%", colours=LEVEL_COLOURS)


def heatmap_chart(report: dict[str, Any]) -> bytes:
    """Tickets issued by weekday and hour (office hours with any ticket, at least 7h–17h)."""
    grid = report["heatmap"]["counts"]
    busy = [h for h in range(24) if any(row[h] for row in grid)]
    start, end = min(busy + [7]), max(busy + [16])
    return heatmap("Giờ cao điểm: số phiếu theo thứ và giờ", report["heatmap"]["weekdays"], grid, range(start, end + 1))


CHARTS: dict[str, Callable[[dict[str, Any]], bytes]] = {
    "tickets": tickets_chart,
    "wait": wait_chart,
    "service": service_chart,
    "satisfaction": satisfaction_chart,
    "heatmap": heatmap_chart,
}
"""Chart name (URL /api/reports/charts/<name>.png) → renderer."""


def render(name: str, report: dict[str, Any]) -> bytes:
    """One chart of a report."""
    return CHARTS[name](report)
