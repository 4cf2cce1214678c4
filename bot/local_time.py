"""Times and days as staff type them: local wall-clock time "YYYY-MM-DD HH:MM" in the display
zone (TIMEZONE) and days "YYYY-MM-DD". One parser for the CLI and the staff chat's dialogs, with
one way of saying what is wrong (LocalTimeError), and the step to UTC, in which everything is
stored. Citizens write days more freely (parse_citizen_day)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

LOCAL_TIME = "YYYY-MM-DD HH:MM"
DAY = "YYYY-MM-DD"
_LOCAL_TIME_FORMAT = "%Y-%m-%d %H:%M"
_DAY_FORMAT = "%Y-%m-%d"
_DAY_MONTH = re.compile(r"^(\d{1,2})[./-](\d{1,2})(?:[./-](\d{2}|\d{4}))?$")


class LocalTimeError(ValueError):
    """Not a time or a day as staff write them; the message says what was expected."""


def parse_local_time(raw: str) -> datetime:
    """"2026-12-01 14:00" as a naive datetime: a wall-clock time in the display zone."""
    try:
        return datetime.strptime(raw.strip(), _LOCAL_TIME_FORMAT)
    except ValueError:
        raise LocalTimeError(f"expected local time as \"{LOCAL_TIME}\", got {raw!r}") from None


def parse_day(raw: str) -> date:
    """"2026-12-18" as a date."""
    try:
        return datetime.strptime(raw.strip(), _DAY_FORMAT).date()
    except ValueError:
        raise LocalTimeError(f"expected a date as {DAY}, got {raw!r}") from None


def local_to_utc(local: datetime, zone: ZoneInfo) -> datetime:
    """A wall-clock time in the display zone (naive) as UTC."""
    return local.replace(tzinfo=zone).astimezone(UTC)


def local_text(moment: datetime, zone: ZoneInfo) -> str:
    """An instant as staff type it: "YYYY-MM-DD HH:MM" in the display zone."""
    return typed(moment.astimezone(zone).replace(tzinfo=None))


def typed(local: datetime) -> str:
    """A wall-clock time (naive) as staff type it: what parse_local_time reads back."""
    return local.strftime(_LOCAL_TIME_FORMAT)


def parse_citizen_day(raw: str, today: date) -> date | None:
    """A day from today on, as citizens write it: 18.12.2026, 18/12, 18-12-26 or 2026-12-18
    (a day and month without a year: the next such day); None for anything else."""
    text = raw.strip()
    found: date | None
    try:
        found = parse_day(text)
    except LocalTimeError:
        found = None
    match = _DAY_MONTH.match(text)
    if found is None and match:
        day, month, year = int(match[1]), int(match[2]), match[3]
        try:
            if year is None:
                found = date(today.year, month, day)
                if found < today:
                    found = date(today.year + 1, month, day)
            else:
                found = date(int(year) + (2000 if len(year) == 2 else 0), month, day)
        except ValueError:
            found = None
    return found if found is not None and found >= today else None
