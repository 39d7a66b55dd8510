"""The pure parts: texts, waits, the Vietnamese keyboard."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from kiosk.texts import TEXTS, format_wait, join_numbers, label_for, spell_ticket_number, tr
from kiosk.vnkeys import LETTER_ROWS, TONES, VIETNAMESE_LETTERS, apply_tone, type_key


def type_all(keys: list[str]) -> str:
    text = ""
    for key in keys:
        text = type_key(text, key)
    return text


def test_every_english_text_has_a_vietnamese_original_with_the_same_placeholders():
    for key, english in TEXTS["en"].items():
        vietnamese = TEXTS["vi"][key]
        assert sorted(_placeholders(english)) == sorted(_placeholders(vietnamese)), key


def _placeholders(text: str) -> set[str]:
    import string

    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_vietnamese_text_is_nfc():
    for text in TEXTS["vi"].values():
        assert unicodedata.is_normalized("NFC", text)


def test_a_missing_english_text_falls_back_to_vietnamese_and_a_missing_key_shows_itself():
    assert tr("home.take_number", "xx") == "Lấy số thứ tự"
    assert tr("no.such.key", "en") == "no.such.key"


def test_waits_are_said_as_people_say_them():
    assert format_wait(0) == "dưới 1 phút"
    assert format_wait(61) == "2 phút"
    assert format_wait(23 * 60) == "25 phút"
    assert format_wait(600, "en") == "10 min"


def test_counters_are_joined_with_or():
    assert join_numbers([3]) == "3"
    assert join_numbers([1, 2]) == "1 hoặc 2"
    assert join_numbers([1, 2, 3], "en") == "1, 2 or 3"


def test_a_ticket_number_is_spelled_digit_by_digit():
    assert spell_ticket_number("A012") == "A, không, một, hai"


def test_an_office_label_wins_in_vietnamese_and_ours_in_english():
    labels = {"reason.waited_long": "Phải chờ quá lâu", "criterion.forms": "Biểu mẫu dễ hiểu"}
    assert label_for("reason", "waited_long", "vi", labels) == "Phải chờ quá lâu"
    assert label_for("reason", "waited_long", "en", labels) == "Long wait"
    assert label_for("criterion", "forms", "en", labels) == "Biểu mẫu dễ hiểu"


def test_typing_khai_sinh_with_the_tone_key_gives_nfc_vietnamese():
    assert type_all([*"khai", "space", *"sinh"]) == "khai sinh"
    assert type_all([*"chưng", "sac", "space", *"thưc", "nang"]) == "chứng thực"


def test_tones_go_where_vietnamese_spelling_puts_them():
    cases = {("hoa", "huyen"): "hòa", ("toan", "sac"): "toán", ("ngươi", "huyen"): "người", ("quy", "sac"): "quý",
             ("gia", "sac"): "giá", ("thuy", "hoi"): "thủy", ("mua", "sac"): "múa", ("tiên", "sac"): "tiến",
             ("đăng", "nang"): "đặng"}
    for (word, tone), expected in cases.items():
        assert apply_tone(word, tone) == expected


def test_the_same_tone_again_removes_it_and_another_tone_replaces_it():
    assert apply_tone("hộ", "nang") == "hô"
    assert apply_tone("hộ", "sac") == "hố"


def test_a_tone_without_a_vowel_changes_nothing():
    assert apply_tone("khg", "sac") == "khg"
    assert apply_tone("", "sac") == ""


def test_backspace_removes_a_whole_letter_with_its_marks_and_space_never_doubles():
    assert type_key("hố", "backspace") == "h"
    assert type_key("ho ", "space") == "ho "
    assert type_key("", "space") == ""
    assert type_key("abc", "clear") == ""


KEYS = [*"".join(LETTER_ROWS), *VIETNAMESE_LETTERS, *TONES, "space", "backspace"]


@given(st.lists(st.sampled_from(KEYS), max_size=30))
def test_whatever_is_typed_the_text_stays_nfc_with_at_most_one_tone_per_word(keys):
    text = type_all(keys)
    assert unicodedata.is_normalized("NFC", text)
    for word in text.split(" "):
        tones = [ch for ch in unicodedata.normalize("NFD", word) if ch in TONES.values()]
        assert len(tones) <= 1
