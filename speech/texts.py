"""What is said for a call: Vietnamese number reading and the call sentences (pure text, no audio)."""

from __future__ import annotations

import unicodedata

DIGITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")


def read_number(n: int) -> str:
    """A whole number in Vietnamese words, the way a caller says it."""
    if n < 0:
        return "âm " + read_number(-n)
    if n < 1000:
        return _read_below_thousand(n, full=False)
    groups: list[int] = []
    while n:
        groups.append(n % 1000)
        n //= 1000
    units = ("", "nghìn", "triệu", "tỷ")
    words: list[str] = []
    top = len(groups) - 1
    for index in range(top, -1, -1):
        group = groups[index]
        if group == 0:
            continue
        words.append(_read_below_thousand(group, full=index != top))
        if 0 < index < len(units):
            words.append(units[index])
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
    """A ticket number aloud: prefix letters as letters, then the digits or the number."""
    number = unicodedata.normalize("NFC", number.strip())
    letters = "".join(ch for ch in number if not ch.isdigit())
    digits = "".join(ch for ch in number if ch.isdigit())
    parts = [", ".join(letters)] if letters else []
    if digits:
        parts.append(read_digits(digits) if mode == "digits" else read_number(int(digits)))
    return ", ".join(p for p in parts if p)


def announcement_text(number: str, counter: int | str, mode: str = "digits") -> str:
    """The Vietnamese call: "Xin mời công dân có số thứ tự … đến quầy số …"."""
    counter_words = read_number(int(counter)) if str(counter).isdigit() else str(counter)
    return f"Xin mời công dân có số thứ tự {read_ticket_number(number, mode)}, đến quầy số {counter_words}."


def english_text(number: str, counter: int | str) -> str:
    """The optional English line."""
    spelled = " ".join(number.strip())
    return f"Ticket number {spelled}, please come to counter {counter}."
