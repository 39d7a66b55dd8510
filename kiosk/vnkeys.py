"""The on-screen keyboard's Vietnamese logic (pure): letters, tone marks, editing.

A citizen types plain letters, the extra letters (ă â đ ê ô ơ ư) from their own
row, and a tone key (sắc, huyền, hỏi, ngã, nặng) after the word: the tone goes
on the vowel where Vietnamese spelling puts it, replacing any tone there.
Pressing the same tone again removes it (as Telex does). Output is NFC.
"""

from __future__ import annotations

import unicodedata

TONES = {"sac": "\u0301", "huyen": "\u0300", "hoi": "\u0309", "nga": "\u0303", "nang": "\u0323"}
"""Tone keys and their combining marks."""

TONE_KEY_LABELS = {"sac": "á", "huyen": "à", "hoi": "ả", "nga": "ã", "nang": "ạ"}
"""What each tone key shows: the tone on an ``a``, as on printed Vietnamese keyboards."""

LETTER_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
VIETNAMESE_LETTERS = "ăâđêôơư"

_TONE_MARKS = set(TONES.values())
_VOWELS = set("aeiouy")
_MARKED = {"ă", "â", "ê", "ô", "ơ", "ư"}


def _split_letters(word: str) -> list[str]:
    """NFD letters: each base character with its combining marks."""
    letters: list[str] = []
    for ch in unicodedata.normalize("NFD", word):
        if unicodedata.combining(ch) and letters:
            letters[-1] += ch
        else:
            letters.append(ch)
    return letters


def _shape(letter: str) -> str:
    """A letter without its tone, NFC and lower case (ầ → â)."""
    return unicodedata.normalize("NFC", "".join(c for c in letter if c not in _TONE_MARKS)).lower()


def tone_position(word: str) -> int | None:
    """Index (in NFD letters) of the vowel that carries the tone, or None when there is no vowel."""
    letters = _split_letters(word)
    shapes = [_shape(letter) for letter in letters]
    vowels = [i for i, s in enumerate(shapes) if unicodedata.normalize("NFD", s)[0] in _VOWELS]
    if not vowels:
        return None
    # "qu" and "gi" open the syllable: their u/i is part of the consonant (quả, giá) unless it is the only vowel.
    if len(vowels) > 1 and vowels[0] == 1 and shapes[0] in ("q", "g") and shapes[1] in ("u", "i"):
        vowels = vowels[1:]
    marked = [i for i in vowels if shapes[i] in _MARKED]
    if marked:
        return marked[-1]  # ươ carries the tone on ơ (người), others on their only marked vowel
    if len(vowels) == 1:
        return vowels[0]
    if vowels[-1] < len(letters) - 1:  # a consonant closes the syllable: toán, hoàng
        return vowels[-1]
    if len(vowels) == 2:
        return vowels[0]  # open two-vowel syllable: múa, tái, hóa
    return vowels[1]  # three vowels: ngoài, khuỷu


def apply_tone(text: str, tone: str) -> str:
    """Put ``tone`` (a key of TONES) on the last word of ``text``; the same tone again removes it."""
    mark = TONES[tone]
    head, sep, word = text.rpartition(" ")
    if not word:
        return text
    position = tone_position(word)
    if position is None:
        return text
    letters = _split_letters(word)
    target = letters[position]
    had_same = mark in target
    letters = ["".join(c for c in letter if c not in _TONE_MARKS) for letter in letters]
    if not had_same:
        letters[position] += mark
    result = unicodedata.normalize("NFC", "".join(letters))
    return head + sep + result


def type_key(text: str, key: str) -> str:
    """The text after pressing one key: a letter, ``space``, ``backspace``, ``clear`` or a tone."""
    if key == "space":
        return text + " " if text and not text.endswith(" ") else text
    if key == "backspace":
        return unicodedata.normalize("NFC", text)[:-1]
    if key == "clear":
        return ""
    if key in TONES:
        return apply_tone(text, key)
    return unicodedata.normalize("NFC", text + key)
