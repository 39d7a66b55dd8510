"""Vietnamese text normalisation: NFC/NFD, đ, tone placement, i/y, collation."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from queue_server.catalog.normalize import accent_key, collation_key, fold, has_diacritics, nfc, tokens

VIETNAMESE = st.text(alphabet="aăâbcdđeêghiklmnoôơpqrstuưvxy"
                             "áàảãạắằẳẵặấầẩẫậéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ ĐƯƠ", max_size=30)


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def test_nfd_input_becomes_nfc():
    assert nfc(nfd("Đăng ký khai sinh")) == "Đăng ký khai sinh"
    assert len(nfc(nfd("ký"))) == 2


def test_fold_strips_every_diacritic_and_maps_d_bar_to_d():
    assert fold("Đăng ký khai sinh") == "dang ki khai sinh"
    assert fold("ĐƯỜNG ĐỜI") == "duong doi"


def test_fold_maps_d_bar_although_it_does_not_decompose():
    assert unicodedata.normalize("NFD", "đ") == "đ"
    assert fold("đ") == "d"


def test_fold_is_the_same_for_nfc_and_nfd_input():
    assert fold(nfd("chứng thực hợp đồng")) == fold("chứng thực hợp đồng") == "chung thuc hop dong"


def test_old_and_new_tone_placement_fold_to_one_form():
    assert accent_key("hoà") == accent_key("hòa")
    assert accent_key("thuỷ") == accent_key("thủy")
    assert accent_key("uỷ") == accent_key("ủy")
    assert fold("hoà giải") == fold("hòa giải") == "hoa giai"


def test_accent_key_keeps_tones_and_letter_marks_apart():
    assert accent_key("họ") != accent_key("hộ")
    assert accent_key("tử") != accent_key("tư")
    assert accent_key("ho") != accent_key("họ")


def test_i_and_y_spellings_after_a_consonant_are_one_word():
    assert fold("chữ kí") == fold("chữ ký") == "chu ki"
    assert fold("lí lịch") == fold("lý lịch")
    assert accent_key("kí") == accent_key("ký")


def test_y_after_a_vowel_stays_y():
    assert fold("quy") == "quy"
    assert fold("tuyển") == "tuyen"
    assert fold("ngày") == "ngay"


def test_tokens_drop_punctuation_and_keep_digits():
    assert tokens("Cấp III, cấp IV (nhà ở) – 80 tuổi") == ["cap", "iii", "cap", "iv", "nha", "o", "80", "tuoi"]


def test_has_diacritics():
    assert has_diacritics("đi") and has_diacritics("ký") and has_diacritics(nfd("ký"))
    assert not has_diacritics("quy") and not has_diacritics("khai")


def test_collation_puts_vietnamese_letters_in_alphabet_order():
    words = ["Ư", "Z", "Đăng ký lại", "Đăng ký", "Dân", "Ăn", "Ân", "An", "Bé", "Ơn", "Ôm", "Om"]
    assert sorted(words, key=collation_key) == [
        "An", "Ăn", "Ân", "Bé", "Dân", "Đăng ký", "Đăng ký lại", "Om", "Ôm", "Ơn", "Ư", "Z"]


def test_collation_orders_tones_ngang_huyen_hoi_nga_sac_nang():
    assert sorted(["ạ", "á", "ã", "ả", "à", "a"], key=collation_key) == ["a", "à", "ả", "ã", "á", "ạ"]


def test_plain_sorting_would_get_it_wrong():
    assert sorted(["Đất đai", "Hộ tịch"]) == ["Hộ tịch", "Đất đai"]
    assert sorted(["Đất đai", "Hộ tịch"], key=collation_key) == ["Đất đai", "Hộ tịch"]


@given(VIETNAMESE)
def test_fold_ignores_the_normalisation_form(text: str):
    assert fold(nfd(text)) == fold(text) == fold(nfc(text))


@given(VIETNAMESE)
def test_collation_key_ignores_the_normalisation_form(text: str):
    assert collation_key(nfd(text))[:2] == collation_key(text)[:2]


@given(VIETNAMESE)
def test_fold_output_is_plain_ascii_for_vietnamese_text(text: str):
    assert fold(text).isascii()
