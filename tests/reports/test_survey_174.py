"""The commune survey's 174 ballots: every share as a person computes it by hand (half up, one decimal).

Hand computation, e.g. 61/174 = 35.057…% → 35.1 %; 2/160 = 1.25 % → 1.3 % (a float
``round(1.25, 1)`` gives 1.2); each share is rounded on its own, so a column may add
up to 100.1 %, as on the paper forms.
"""

from __future__ import annotations

import itertools
from datetime import date

import pytest

from queue_server.config import load_config
from queue_server.reports.queries import period_rows
from queue_server.reports.settings import rating_settings
from queue_server.reports.store import RatingRecord, insert_ratings
from queue_server.reports.summary import build_report
from queue_server.store.db import connect
from queue_server.store.schema import apply_migrations
from tests.support.reports_office import COMMUNE

DAY = "2026-09-15"

OVERALL = {"very_satisfied": 61, "satisfied": 87, "neutral": 19, "dissatisfied": 7}
ATTITUDE = {"very_satisfied": 98, "satisfied": 60, "neutral": 9, "dissatisfied": 3}          # 170 answered
FORMS = {"very_satisfied": 90, "satisfied": 52, "neutral": 16, "dissatisfied": 2}            # 160 answered
INFO_SOURCE = {"clerk": 104, "notice_board": 38, "media": 20, "acquaintance": 12}            # 174 answered
EXTRA_REQUESTS = {"no": 171, "yes": 3}
RESULT_TIMING = {"early": 24, "on_time": 128, "late": 8}                                     # 160 answered
REASONS = {"waited_long": 12, "unclear_guidance": 6, "extra_papers": 5, "come_back": 4, "attitude": 3, "facilities": 2}


def _given(answer: str | None) -> str:
    """An answer the ballot has (every ballot answers the overall question)."""
    assert answer is not None
    return answer


def _spread(counts: dict[str, int], total: int = 174) -> list[str | None]:
    """One answer per ballot (None: left blank), in a fixed order."""
    answers = list(itertools.chain.from_iterable([code] * n for code, n in counts.items()))
    return answers + [None] * (total - len(answers))


def _ballots() -> list[RatingRecord]:
    overall = _spread(OVERALL)
    low = [i for i, level in enumerate(overall) if level in ("neutral", "dissatisfied")]
    reasons: dict[int, list[str]] = {i: [] for i in low}
    cycle = itertools.cycle(low)
    for code, n in REASONS.items():  # 32 reasons over the 26 low ballots: some give two
        for _ in range(n):
            ballot = next(cycle)
            while code in reasons[ballot]:
                ballot = next(cycle)
            reasons[ballot].append(code)
    columns = {"attitude": _spread(ATTITUDE), "forms": _spread(FORMS)}
    questions = {"info_source": _spread(INFO_SOURCE), "extra_requests": _spread(EXTRA_REQUESTS),
                 "result_timing": _spread(RESULT_TIMING)}
    ballots = []
    for i in range(174):
        ballots.append(RatingRecord(
            ticket_id=None, day=DAY, rated_at=f"{DAY}T03:00:00.000000+00:00", service="HT", counter=1 + i % 5,
            clerk=f"quay{1 + i % 5}", overall=_given(overall[i]),
            criteria={k: _given(v[i]) for k, v in columns.items() if v[i] is not None},
            answers={k: _given(v[i]) for k, v in questions.items() if v[i] is not None},
            reasons=tuple(reasons.get(i, ()))))
    return ballots


@pytest.fixture(scope="module")
def survey(tmp_path_factory) -> dict:
    config = load_config(COMMUNE)
    with connect(tmp_path_factory.mktemp("survey") / "survey.db") as db:
        apply_migrations(db)
        db.conn.execute("BEGIN")
        insert_ratings(db.conn, _ballots())
        db.conn.execute("COMMIT")
        rows = period_rows(db.conn, date(2026, 9, 15), date(2026, 9, 15))
    day = date(2026, 9, 15)
    return build_report(config.office, rating_settings(config), day, day, rows)["satisfaction"]


def _shares(items: list[dict]) -> dict[str, float]:
    return {item["code"]: item["share"] for item in items}


def test_overall_shares_of_174_ballots(survey):
    assert survey["ratings"] == 174
    assert _shares(survey["levels"]) == {"very_satisfied": 35.1, "satisfied": 50.0, "neutral": 10.9,
                                         "dissatisfied": 4.0}
    assert survey["satisfied_share"] == 85.1  # (61 + 87) / 174 = 85.057…


def test_criterion_shares_count_only_the_ballots_that_answered(survey):
    attitude, forms = (c for c in survey["criteria"] if c["code"] in ("attitude", "forms"))
    assert attitude["answered"] == 170
    assert _shares(attitude["answers"]) == {"very_satisfied": 57.6, "satisfied": 35.3, "neutral": 5.3,
                                            "dissatisfied": 1.8}
    assert forms["answered"] == 160
    # 56.25 → 56.3 and 1.25 → 1.3: half up, so this column adds up to 100.1.
    assert _shares(forms["answers"]) == {"very_satisfied": 56.3, "satisfied": 32.5, "neutral": 10.0,
                                         "dissatisfied": 1.3}


def test_unanswered_criteria_have_no_shares(survey):
    guidance = next(c for c in survey["criteria"] if c["code"] == "guidance")
    assert guidance["answered"] == 0 and all(a["share"] is None for a in guidance["answers"])


def test_question_shares(survey):
    questions = {q["code"]: q for q in survey["questions"]}
    assert _shares(questions["info_source"]["answers"]) == {"clerk": 59.8, "notice_board": 21.8, "media": 11.5,
                                                             "acquaintance": 6.9}
    assert _shares(questions["extra_requests"]["answers"]) == {"no": 98.3, "yes": 1.7}
    assert questions["result_timing"]["answered"] == 160
    assert _shares(questions["result_timing"]["answers"]) == {"early": 15.0, "on_time": 80.0, "late": 5.0}


def test_reasons_are_shares_of_the_low_ballots(survey):
    assert survey["reasons"]["low_ratings"] == 26
    assert {r["code"]: (r["count"], r["share"]) for r in survey["reasons"]["items"]} == {
        "waited_long": (12, 46.2), "attitude": (3, 11.5), "unclear_guidance": (6, 23.1), "extra_papers": (5, 19.2),
        "come_back": (4, 15.4), "facilities": (2, 7.7)}
