"""Danish working days: Monday to Friday. Public holidays are not known here (a promise made
before Easter may fall on a holiday); the answer time is an expectation, not a deadline."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

DAY = timedelta(days=1)


def is_working_day(day: date) -> bool:
    return day.weekday() < 5


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
