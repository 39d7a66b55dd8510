"""The survey paragraphs the office head pastes into the quarterly report (issue 15.2).

The figures are the commune's own survey report: 174 ballots, "hài lòng 114
phiếu/174 phiếu, chiếm 65,5%, rất hài lòng 58 phiếu/174 phiếu, chiếm 33,3%,
bình thường 02 phiếu/174 phiếu, chiếm 1,14%" — three significant digits, cut,
which the sample office file declares as its rounding.
"""

from __future__ import annotations

from datetime import date
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from queue_server.config import ConfigError, load_config
from queue_server.reports.narrative import DOWN, HALF_UP, ShareRounding, satisfaction_paragraphs
from queue_server.reports.queries import period_rows
from queue_server.reports.settings import rating_settings, report_settings
from queue_server.reports.store import RatingRecord, insert_ratings
from queue_server.reports.summary import build_report
from queue_server.store.db import connect
from queue_server.store.schema import apply_migrations
from tests.support.reports_office import COMMUNE

DAY = date(2026, 9, 15)
OVERALL = ["satisfied"] * 114 + ["very_satisfied"] * 58 + ["neutral"] * 2
ATTITUDE = ["very_satisfied"] * 100 + ["satisfied"] * 70  # 170 of the 174 answered


def _ballots() -> list[RatingRecord]:
    return [RatingRecord(ticket_id=None, day=DAY.isoformat(), rated_at=f"{DAY}T03:00:00.000000+00:00", service="HT",
                         counter=1, clerk="quay1", overall=level,
                         criteria={"attitude": ATTITUDE[i]} if i < len(ATTITUDE) else {}, answers={},
                         reasons=("waited_long",) if level == "neutral" else ())
            for i, level in enumerate(OVERALL)]


@pytest.fixture(scope="module")
def paragraphs(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    config = load_config(COMMUNE)
    with connect(tmp_path_factory.mktemp("survey") / "survey.db") as db:
        apply_migrations(db)
        db.conn.execute("BEGIN")
        insert_ratings(db.conn, _ballots())
        db.conn.execute("COMMIT")
        rows = period_rows(db.conn, DAY, DAY)
    section = build_report(config.office, rating_settings(config), DAY, DAY, rows)["satisfaction"]
    return satisfaction_paragraphs(section, report_settings(config).share_rounding)


def test_the_174_ballots_read_as_the_communes_report_wrote_them(paragraphs: list[str]) -> None:
    assert paragraphs[0] == "Tổng số phiếu khảo sát 174 phiếu."
    assert paragraphs[1] == ("Mức độ hài lòng chung: hài lòng 114 phiếu/174 phiếu, chiếm 65,5%, rất hài lòng 58 "
                             "phiếu/174 phiếu, chiếm 33,3%, bình thường 02 phiếu/174 phiếu, chiếm 1,14%.")


def test_every_configured_criterion_and_question_has_its_paragraph(paragraphs: list[str]) -> None:
    config = load_config(COMMUNE)
    settings = rating_settings(config)
    for question in (*settings.criteria, *settings.questions):
        assert any(p.startswith(question.label.rstrip(" :?")) for p in paragraphs), question.code
    attitude = next(p for p in paragraphs if p.startswith("Thái độ của cán bộ"))
    assert attitude == ("Thái độ của cán bộ (có 170/174 phiếu trả lời): rất hài lòng 100 phiếu/170 phiếu, "
                        "chiếm 58,8%, hài lòng 70 phiếu/170 phiếu, chiếm 41,1%.")
    assert "Hướng dẫn, niêm yết thủ tục: không có phiếu nào trả lời." in paragraphs
    assert paragraphs[-1] == "Lý do chưa hài lòng (2 phiếu ở mức thấp): chờ lâu 02 phiếu/2 phiếu, chiếm 100%."


@pytest.mark.parametrize("rounding, part, whole, text", [
    (ShareRounding(decimals=None, significant=3, mode=DOWN), 2, 174, "1,14%"),
    (ShareRounding(decimals=None, significant=3, mode=DOWN), 114, 174, "65,5%"),
    (ShareRounding(decimals=None, significant=3, mode=DOWN), 1, 1000, "0,100%"),
    (ShareRounding(decimals=None, significant=3, mode=DOWN), 174, 174, "100%"),
    (ShareRounding(decimals=1, mode=HALF_UP), 2, 174, "1,1%"),
    (ShareRounding(decimals=1, mode=HALF_UP), 1, 8, "12,5%"),
    (ShareRounding(decimals=1, mode=HALF_UP), 7, 16, "43,8%"),  # 43,75: half up from the exact fraction
    (ShareRounding(decimals=0, mode=HALF_UP), 1, 2, "50%"),
    (ShareRounding(decimals=2, mode=DOWN), 0, 9, "0%"),
])
def test_shares_follow_the_offices_rounding(rounding: ShareRounding, part: int, whole: int, text: str) -> None:
    assert rounding.text(part, whole) == text


@given(st.integers(min_value=1, max_value=5000), st.data())
def test_a_cut_share_is_never_above_the_true_share_nor_a_digit_below(whole: int, data: st.DataObject) -> None:
    part = data.draw(st.integers(min_value=1, max_value=whole))
    rounding = ShareRounding(decimals=None, significant=3, mode=DOWN)
    written = Fraction(rounding.text(part, whole).rstrip("%").replace(",", "."))
    true = Fraction(100 * part, whole)
    places = rounding.decimals_for(true)
    assert written <= true < written + Fraction(1, 10**places)


def test_no_ballot_says_so() -> None:
    assert satisfaction_paragraphs({"ratings": 0, "levels": []}) == ["Trong kỳ báo cáo chưa có phiếu khảo sát nào."]


@pytest.mark.parametrize("line", ['share_rounding = { significant = 3, decimals = 1 }',
                                  'share_rounding = { decimals = 1, mode = "banker" }',
                                  'share_rounding = "3 digits"', 'share_rounding = { digits = 3 }'])
def test_a_wrong_rounding_in_the_office_file_names_the_key_and_the_fix(tmp_path: Path, line: str) -> None:
    text = COMMUNE.read_text(encoding="utf-8")
    text = text.replace('share_rounding = { significant = 3, mode = "down" }', line, 1)
    path = tmp_path / "office.toml"
    path.write_text(text.replace("[office]\n", f'[office]\nfiles_dir = "{COMMUNE.parent}"\n', 1), encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        report_settings(load_config(path))
    assert raised.value.key == "reports.share_rounding" and "significant = 3" in raised.value.message
