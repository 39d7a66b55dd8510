"""The satisfaction section as a commune report writes it: Vietnamese sentences with the office's rounding.

The office head pastes these paragraphs into the quarterly report
(báo cáo kết quả khảo sát sự hài lòng), so they follow the style such
reports use: "hài lòng 114 phiếu/174 phiếu, chiếm 65,5%", answers from
the most to the least chosen, small counts written "02", a decimal comma.
Pure: the report's satisfaction section in, text out (issue 15.2).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

HALF_UP = "half_up"
DOWN = "down"


@dataclass(frozen=True)
class ShareRounding:
    """How the office writes a share: a fixed number of decimals, or of significant digits; half up or cut.

    Offices differ: many cut to three significant digits (65,5% · 33,3% ·
    1,14%), others round half up to one decimal. The office file says which
    (``[reports] share_rounding``), so the figures match what it sent before.
    """

    decimals: int | None = 1
    significant: int | None = None
    mode: str = HALF_UP

    def decimals_for(self, percent: Fraction) -> int:
        """Decimals to write for this share (significant digits count from the first non-zero one)."""
        if self.significant is None:
            return self.decimals or 0
        if percent >= 1:
            return max(0, self.significant - len(str(int(percent))))
        return self.significant + _leading_zeros(percent)

    def text(self, part: int, whole: int) -> str:
        """``part / whole`` as "65,5%", computed from the exact fraction."""
        if part == 0:
            return "0%"
        percent = Fraction(100 * part, whole)
        places = self.decimals_for(percent)
        scaled = percent * 10**places
        if self.mode == HALF_UP:
            scaled += Fraction(1, 2)
        units = scaled.numerator // scaled.denominator
        digits = str(units).rjust(places + 1, "0")
        number = digits[:-places] + "," + digits[-places:] if places else digits
        return number + "%"


def _leading_zeros(percent: Fraction) -> int:
    """Zeros after the decimal comma before the first significant digit of a share below 1 %."""
    zeros = 0
    while percent and percent * 10 ** (zeros + 1) < 1:
        zeros += 1
    return zeros


def count_text(count: int) -> str:
    """Counts below ten written with two digits, as the report forms do: "02 phiếu"."""
    return f"{count:02d}"


def _mid_sentence(label: str) -> str:
    """"Rất hài lòng" → "rất hài lòng": a label inside a sentence (an all-capital word stays)."""
    first = label.split(" ", 1)[0]
    return label if first.isupper() and len(first) > 1 else label[:1].lower() + label[1:]


def answers_sentence(items: Iterable[Mapping[str, Any]], whole: int, rounding: ShareRounding) -> str:
    """"hài lòng 114 phiếu/174 phiếu, chiếm 65,5%, …": answers given at least once, most chosen first."""
    chosen = [item for item in items if item["count"]]
    ordered = sorted(enumerate(chosen), key=lambda pair: (-pair[1]["count"], pair[0]))
    return ", ".join(f"{_mid_sentence(item['label'])} {count_text(item['count'])} phiếu/{whole} phiếu, "
                     f"chiếm {rounding.text(item['count'], whole)}" for _, item in ordered)


def satisfaction_paragraphs(section: Mapping[str, Any], rounding: ShareRounding = ShareRounding()) -> list[str]:
    """The survey's paragraphs: the ballot count, the overall level, then each criterion and question.

    Every configured criterion and question gets its paragraph, also when no
    ballot answered it (the report says so rather than dropping the line).
    """
    total = int(section["ratings"])
    if not total:
        return ["Trong kỳ báo cáo chưa có phiếu khảo sát nào."]
    paragraphs = [f"Tổng số phiếu khảo sát {total} phiếu.",
                  f"Mức độ hài lòng chung: {answers_sentence(section['levels'], total, rounding)}."]
    for question in (*section.get("criteria", ()), *section.get("questions", ())):
        answered = int(question["answered"])
        label = question["label"].rstrip(" :?")
        if not answered:
            paragraphs.append(f"{label}: không có phiếu nào trả lời.")
            continue
        of_total = "" if answered == total else f" (có {answered}/{total} phiếu trả lời)"
        paragraphs.append(f"{label}{of_total}: {answers_sentence(question['answers'], answered, rounding)}.")
    reasons = section.get("reasons") or {}
    given = [r for r in reasons.get("items", ()) if r["count"]]
    if given and reasons.get("low_ratings"):
        low = int(reasons["low_ratings"])
        paragraphs.append(f"Lý do chưa hài lòng ({low} phiếu ở mức thấp): "
                          f"{answers_sentence(given, low, rounding)}.")
    return paragraphs
