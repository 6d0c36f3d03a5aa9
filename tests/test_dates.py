"""Partial dates: the one parser that release dates, date filters, twin dates and the web's checks share."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from werkzeug.datastructures import MultiDict

from indexer import dates
from web.params import api_params, page_params


@pytest.mark.parametrize("value, first, last", [
    ("2019", date(2019, 1, 1), date(2019, 12, 31)),
    ("2019-07", date(2019, 7, 1), date(2019, 7, 31)),
    ("2020-02", date(2020, 2, 1), date(2020, 2, 29)),
    ("2019-12", date(2019, 12, 1), date(2019, 12, 31)),
    ("2019-07-09", date(2019, 7, 9), date(2019, 7, 9)),
    ("2019-7-9", date(2019, 7, 9), date(2019, 7, 9)),
])
def test_a_partial_date_is_the_period_it_names(value, first, last):
    assert dates.period(value) == dates.Period(first, last)


@pytest.mark.parametrize("value", ["", None, "x", "19", "2019-13", "2019-02-30", "2019-07-09T10:00", " 2019",
                                   "99999-01-01", "2019/07/09"])
def test_anything_else_is_no_date(value):
    assert dates.period(value) is None and not dates.valid(value)


def test_a_period_runs_from_its_first_to_its_last_moment_and_overlapping_periods_are_no_days_apart():
    year = dates.period("2019")
    assert year.start == datetime(2019, 1, 1) and year.end == datetime(2019, 12, 31, 23, 59, 59, 999999)
    assert dates.period("2019-07").days_apart(dates.period("2019-07-09")) == 0
    assert dates.period("2019-07-09").days_apart(dates.period("2019-07-20")) == 11


def test_the_web_accepts_exactly_the_dates_the_core_accepts():
    assert page_params(MultiDict({"q": "x", "from": "2019-7"})).date_from == "2019-7"
    assert api_params(MultiDict({"q": "x", "to": "2019-07-09"})).date_to == "2019-07-09"
    notices = page_params(MultiDict({"q": "x", "from": "2019-02-30"})).notices
    assert [key for key, _ in notices] == ["param_notice_date"]
