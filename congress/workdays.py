"""Working days (工作日) by the State Council's holiday calendar, from the kept `chinesecalendar` package.

A public holiday (国庆节 1–7 October) is not a working day; a make-up working day (调休, such as Saturday
10 October 2026) is. The package knows the years the State Council has announced. For a year it does not
know yet (the calendar for next year is published in November or December) we fall back to Monday–Friday
and log a warning once per year: a deadline a few days off is better than a deadline that cannot be set,
and the package is updated when the new calendar is out.
"""

from __future__ import annotations

import datetime
import logging

import chinese_calendar

log = logging.getLogger(__name__)
_warned: set[int] = set()


def is_working_day(day: datetime.date) -> bool:
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        if day.year not in _warned:
            _warned.add(day.year)
            log.warning("chinesecalendar %s has no holiday calendar for %s: counting Monday to Friday as working days",
                        getattr(chinese_calendar, "__version__", "?"), day.year)
        return day.weekday() < 5


def add_working_days(day: datetime.date, n: int) -> datetime.date:
    """The date n working days after `day` (day itself not counted): add_working_days(Wed 30 Sep 2026, 1) is
    Thu 8 Oct 2026. n = 0 gives `day` itself."""
    if n < 0:
        raise ValueError("n must not be negative")
    while n:
        day += datetime.timedelta(days=1)
        if is_working_day(day):
            n -= 1
    return day


def working_days_between(start: datetime.date, end: datetime.date) -> int:
    """Working days after `start` up to and including `end` (0 when end <= start)."""
    n, day = 0, start
    while day < end:
        day += datetime.timedelta(days=1)
        n += is_working_day(day)
    return n


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` calendar months later, or the month's last day (31 Aug + 6 months = 28/29 Feb)."""
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    for d in (day.day, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=d)
        except ValueError:
            continue
    raise AssertionError("unreachable")
