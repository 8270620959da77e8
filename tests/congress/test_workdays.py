import datetime
import logging

import pytest

from congress import workdays
from congress.workdays import add_months, add_working_days, is_working_day, working_days_between

D = datetime.date


def test_national_day_week_is_skipped():
    # Wed 30 Sep 2026 is a working day; 1-7 Oct are holidays; Thu 8 Oct is the next working day
    assert is_working_day(D(2026, 9, 30))
    assert not any(is_working_day(D(2026, 10, d)) for d in range(1, 8))
    assert add_working_days(D(2026, 9, 30), 1) == D(2026, 10, 8)
    assert add_working_days(D(2026, 9, 29), 4) == D(2026, 10, 10)  # 30 Sep, 8, 9 Oct, Sat 10 Oct (make-up)
    assert add_working_days(D(2026, 9, 29), 5) == D(2026, 10, 12)


def test_make_up_saturday_counts_and_ordinary_saturday_does_not():
    assert D(2026, 10, 10).weekday() == 5 and is_working_day(D(2026, 10, 10))
    assert D(2026, 10, 17).weekday() == 5 and not is_working_day(D(2026, 10, 17))
    assert add_working_days(D(2026, 10, 9), 1) == D(2026, 10, 10)
    assert add_working_days(D(2026, 10, 16), 1) == D(2026, 10, 19)  # Fri -> Mon


def test_mid_autumn_friday_and_make_up_sunday():
    assert not is_working_day(D(2026, 9, 25))  # 中秋节
    assert is_working_day(D(2026, 9, 20))  # a Sunday worked


def test_between_and_zero():
    assert add_working_days(D(2026, 10, 1), 0) == D(2026, 10, 1)
    assert working_days_between(D(2026, 9, 30), D(2026, 10, 8)) == 1
    assert working_days_between(D(2026, 10, 8), D(2026, 10, 8)) == 0
    with pytest.raises(ValueError):
        add_working_days(D(2026, 10, 1), -1)


def test_unknown_year_falls_back_to_monday_to_friday_with_a_warning(caplog):
    workdays._warned.discard(2099)
    with caplog.at_level(logging.WARNING, logger="congress.workdays"):
        assert add_working_days(D(2099, 1, 2), 1) == D(2099, 1, 5)  # Fri -> Mon; no holidays known
        assert is_working_day(D(2099, 10, 1))  # a Thursday; National Day is unknown to the package that year
    assert [r.getMessage() for r in caplog.records if "2099" in r.getMessage()].__len__() == 1


def test_add_months_clamps_to_month_end():
    assert add_months(D(2026, 3, 1), 3) == D(2026, 6, 1)
    assert add_months(D(2026, 8, 31), 6) == D(2027, 2, 28)
    assert add_months(D(2026, 11, 30), 3) == D(2027, 2, 28)
    assert add_months(D(2027, 8, 31), 6) == D(2028, 2, 29)
