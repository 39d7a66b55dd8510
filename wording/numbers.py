"""Numbers and ticket numbers read aloud: the kiosk's read-aloud and both boards' calls say them alike."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping

DIGITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")

LETTER_NAMES: Mapping[str, str] = {
    "A": "A", "Ă": "Á", "Â": "Ớ", "B": "Bê", "C": "Xê", "D": "Dê", "Đ": "Đê", "E": "E", "Ê": "Ê",
    "F": "Ép", "G": "Giê", "H": "Hát", "I": "I", "J": "Gi", "K": "Ca", "L": "E-lờ", "M": "Em-mờ",
    "N": "En-nờ", "O": "O", "Ô": "Ô", "Ơ": "Ơ", "P": "Pê", "Q": "Quy", "R": "E-rờ", "S": "Ét-xì",
    "T": "Tê", "U": "U", "Ư": "Ư", "V": "Vê", "W": "Vê kép", "X": "Ích-xì", "Y": "I dài", "Z": "Dét",
}
"""Letter names as a Vietnamese school teaches them: a voice that says "B" may say the English "bee"."""

_UNITS = ("", "nghìn", "triệu", "tỷ")


def read_number(n: int) -> str:
    """A whole number in words, the way a caller says it: 21 → "hai mươi mốt", 105 → "một trăm linh năm"."""
    if n < 0:
        return "âm " + read_number(-n)
    if n < 1000:
        return _read_below_thousand(n, full=False)
    groups: list[int] = []
    while n:
        groups.append(n % 1000)
        n //= 1000
    words: list[str] = []
    top = len(groups) - 1
    for index in range(top, -1, -1):
        if groups[index] == 0:
            continue
        words.append(_read_below_thousand(groups[index], full=index != top))
        if 0 < index < len(_UNITS):
            words.append(_UNITS[index])
    return " ".join(words)


def _read_below_thousand(n: int, full: bool) -> str:
    """0–999; ``full`` reads a group after a bigger one ("không trăm linh hai")."""
    hundreds, rest = divmod(n, 100)
    tens, ones = divmod(rest, 10)
    words: list[str] = []
    if hundreds or full:
        words += [DIGITS[hundreds], "trăm"]
    if tens == 0:
        if ones:
            if words:
                words.append("linh")
            words.append(DIGITS[ones])
        elif not words:
            words.append("không")
        return " ".join(words)
    words.append("mười" if tens == 1 else f"{DIGITS[tens]} mươi")
    if ones == 1:
        words.append("một" if tens == 1 else "mốt")
    elif ones == 5:
        words.append("lăm")
    elif ones:
        words.append(DIGITS[ones])
    return " ".join(words)


def read_digits(digits: str) -> str:
    """Digit by digit: "1002" → "một, không, không, hai"."""
    return ", ".join(DIGITS[int(d)] for d in digits if d.isdigit())


def read_ticket_number(number: str, mode: str = "digits") -> str:
    """A ticket number aloud: "B012" → "Bê, không, một, hai" (``mode="number"``: "Bê, mười hai").

    Letters by their Vietnamese names, then the digits one by one (what a
    lobby understands over its noise) or as one number.
    """
    number = unicodedata.normalize("NFC", number.strip()).upper()
    letters = [LETTER_NAMES.get(ch, ch) for ch in number if not ch.isdigit() and not ch.isspace()]
    digits = "".join(ch for ch in number if ch.isdigit())
    parts = list(letters)
    if digits:
        parts.append(read_digits(digits) if mode == "digits" else read_number(int(digits)))
    return ", ".join(parts)
