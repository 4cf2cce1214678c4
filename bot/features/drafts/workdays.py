"""Danish working days: Monday to Friday, except the public holidays and the days the public
sector has off besides (Grundlovsdag, Christmas Eve, New Year's Eve). Store bededag counts as a
holiday until 2023, when it was abolished."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

DAY = timedelta(days=1)
LAST_STORE_BEDEDAG = 2023


def easter_sunday(year: int) -> date:
    """The Gregorian Easter Sunday (the anonymous algorithm, as in Meeus)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    l_ = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l_) // 451
    month, day = divmod(h + l_ - 7 * m + 114, 31)
    return date(year, month, day + 1)


@cache
def days_off(year: int) -> frozenset[date]:
    easter = easter_sunday(year)
    after_easter = [-3, -2, 1, 39, 50]  # Skærtorsdag, Langfredag, 2. påskedag, Kr. Himmelfart,
    if year <= LAST_STORE_BEDEDAG:      # 2. pinsedag; Store bededag until 2023
        after_easter.append(26)
    fixed = [(1, 1), (6, 5), (12, 24), (12, 25), (12, 26), (12, 31)]
    return frozenset([easter + timedelta(days=n) for n in after_easter]
                     + [date(year, month, day) for month, day in fixed])


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in days_off(day.year)


def add_working_days(start: datetime, days: int, zone: ZoneInfo) -> datetime:
    """The moment `days` working days after `start`, at the same local time of day; from a
    weekend, counting starts on the Monday."""
    local = start.astimezone(zone)
    moment = local
    left = days
    while left > 0:
        moment += DAY
        if is_working_day(moment.date()):
            left -= 1
    wall = moment.replace(tzinfo=None)
    return wall.replace(tzinfo=zone).astimezone(start.tzinfo)


def working_days_between(start: datetime, end: datetime, zone: ZoneInfo) -> float:
    """How many working days lie between two moments: only the hours of Monday to Friday
    count (a Friday afternoon to Monday morning is less than a day)."""
    if end <= start:
        return 0.0
    local_start, local_end = start.astimezone(zone), end.astimezone(zone)
    total = timedelta()
    day = local_start.date()
    while day <= local_end.date():
        if is_working_day(day):
            begin = datetime.combine(day, datetime.min.time(), zone)
            finish = begin + DAY
            total += min(finish, local_end) - max(begin, local_start)
        day += DAY
    return total / DAY


def working_days_until(now: datetime, deadline: date, zone: ZoneInfo) -> float:
    """Working days left from now to the end of the deadline day."""
    end = datetime.combine(deadline + DAY, datetime.min.time(), zone)
    return working_days_between(now, end, zone)
