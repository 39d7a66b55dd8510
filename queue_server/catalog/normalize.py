"""Vietnamese text as the catalogue search sees it (standard library only).

Three forms of a word are used:

* ``nfc(text)``: what is stored and shown (keyboards, scanners and PDFs send NFD);
* ``accent_key(word)``: lower case with its marks, the tone mark moved to the
  end, so the old and new placements (hoà / hòa, thuỷ / thủy) are equal;
* ``fold(text)``: lower case without any diacritics, đ → d, and the i/y
  spelling variant (kí / ký, lí / lý) folded to i — what matching uses.

``collation_key`` sorts in Vietnamese alphabetical order (a ă â b c d đ e ê …),
which plain ``sorted`` gets wrong (it puts Đ, Ơ, Ư after Z).
"""

from __future__ import annotations

import re
import unicodedata

# Combining tone marks (thanh điệu) in the traditional dictionary order:
# ngang (none), huyền, hỏi, ngã, sắc, nặng.
TONE_MARKS = ("\u0300", "\u0309", "\u0303", "\u0301", "\u0323")
# Combining marks that make a new letter (ă â ê ô ơ ư), not a tone.
LETTER_MARKS = ("\u0306", "\u0302", "\u031b")

ALPHABET = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
"""Vietnamese letter order; f, j, w, z (foreign words) slot in where Latin puts them."""
_LETTER_RANK = {letter: rank for rank, letter in enumerate(ALPHABET)}

# Every combining mark (the Unicode blocks of them) goes; đ does not decompose, so it is mapped.
_STRIP_MARKS: dict[int, str | None] = {
    code: None for first, last in ((0x0300, 0x036F), (0x1AB0, 0x1AFF), (0x1DC0, 0x1DFF), (0x20D0, 0x20FF),
                                   (0xFE20, 0xFE2F)) for code in range(first, last + 1)}
_STRIP_MARKS[ord("đ")] = "d"
_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)
_VOWELS = set("aeiouy")
# y after a consonant at the end of a syllable is written either way (kí/ký, lí/lý, mĩ/mỹ).
_FINAL_Y = re.compile(r"(?<=[bcdghklmnpqrstvx])y\b")


def nfc(text: str) -> str:
    """The NFC form every stored and compared text uses."""
    return unicodedata.normalize("NFC", text)


def fold(text: str) -> str:
    """Lower case, no diacritics, đ → d, final consonant+y → i: the matching form."""
    return _FINAL_Y.sub("i", unicodedata.normalize("NFD", text.lower()).translate(_STRIP_MARKS))


def words(text: str) -> list[str]:
    """The words of a text as written (NFC), in order, without punctuation."""
    return _TOKEN.findall(nfc(text))


def tokens(text: str) -> list[str]:
    """The folded words of a text, in order (parallel to ``words``)."""
    return _TOKEN.findall(fold(text))


def phrase_key(text: str) -> str:
    """A short text compared loosely: folded words joined by single spaces ("Cư trú" = "cu  tru")."""
    return " ".join(tokens(text))


def accent_key(word: str) -> str:
    """A word with its letter marks (ă â ê ô ơ ư đ) but its tone moved to the end.

    Where the tone sits does not matter (hoà = hòa, thuỷ = thủy), whether it
    is there does (họ ≠ hộ, tử ≠ tư); final consonant+y is folded to i as in ``fold``.
    """
    decomposed = unicodedata.normalize("NFD", word.lower())
    tone = "".join(ch for ch in decomposed if ch in TONE_MARKS)
    shape = nfc("".join(ch for ch in decomposed if ch not in TONE_MARKS))
    return _FINAL_Y.sub("i", shape) + tone


def accent_keys(text: str) -> list[str]:
    """``accent_key`` of each word of a text, in order (parallel to ``tokens``)."""
    return [accent_key(word) for word in words(text)]


def has_diacritics(word: str) -> bool:
    """True when a word carries any Vietnamese mark (including đ)."""
    return "đ" in word.lower() or any(unicodedata.combining(ch) for ch in unicodedata.normalize("NFD", word))


def collation_key(text: str) -> tuple[tuple[int, ...], tuple[int, ...], str]:
    """Sort key for Vietnamese alphabetical order: letters first, then tones, then the text itself."""
    primary: list[int] = []
    tones: list[int] = []
    for ch in nfc(text.lower()):
        key = _CHAR_KEYS.get(ch) or _CHAR_KEYS.setdefault(ch, _char_key(ch))
        if key[0] is not None:
            primary.append(key[0])
        if key[1] is not None:
            tones.append(key[1])
    return tuple(primary), tuple(tones), text


_CHAR_KEYS: dict[str, tuple[int | None, int | None]] = {}


def _char_key(ch: str) -> tuple[int | None, int | None]:
    """(letter rank, tone rank) of one NFC character; a stray combining mark weighs nothing."""
    decomposed = unicodedata.normalize("NFD", ch)
    base = decomposed[0]
    if unicodedata.combining(base):
        return None, None
    tone = next((mark for mark in decomposed[1:] if mark in TONE_MARKS), "")
    shape = nfc(base + "".join(mark for mark in decomposed[1:] if mark in LETTER_MARKS))
    tone_rank = (TONE_MARKS.index(tone) + 1 if tone else 0) if base in _VOWELS else None
    return _rank(shape), tone_rank


def _rank(shape: str) -> int:
    """Primary weight of one letter: spaces and punctuation first, then digits, then the alphabet."""
    if shape in _LETTER_RANK:
        return _LETTER_RANK[shape]
    if shape.isdigit():
        return -10 + int(shape) if shape.isascii() else -1
    if not shape.isalnum():
        return -20  # spaces and punctuation: "Đăng ký" before "Đăng ký lại"
    return 100 + ord(shape)
