"""What a coordinator's typed answer to a /broadcast step means: a join window, citizen numbers,
a time to send at. Each is the value, or the msgid of why not. No Telegram."""

from __future__ import annotations

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.features.broadcasts import compose_wording as w
from bot.local_time import LocalTimeError, local_to_utc, parse_day, parse_local_time

MAX_NAME = 80
MAX_LABEL = 100  # as an invite label (bot/features/invites)
_NUMBERS = re.compile(r"[\s,;]+")


class Refused(ValueError):
    """A typed answer that does not do: `msgid` says why."""

    def __init__(self, msgid: str) -> None:
        super().__init__(msgid)
        self.msgid = msgid


def joined_window(line: str) -> tuple[date | None, date | None]:
    """Two days, "YYYY-MM-DD YYYY-MM-DD", either of them "-"."""
    parts = line.split()
    try:
        if len(parts) != 2:
            raise LocalTimeError(line)
        start, end = (None if p == "-" else parse_day(p) for p in parts)
    except LocalTimeError:
        raise Refused(w.BAD_DAYS) from None
    if start and end and start > end:
        raise Refused(w.DAYS_ORDER)
    return start, end


def citizen_numbers(line: str) -> tuple[int, ...]:
    """Numbers separated by commas or spaces, each once, in the order typed."""
    parts = [p for p in _NUMBERS.split(line) if p]
    if not parts or not all(p.isdigit() and int(p) > 0 for p in parts):
        raise Refused(w.BAD_NUMBERS)
    return tuple(dict.fromkeys(int(p) for p in parts))


def send_time(line: str, zone: ZoneInfo, now: datetime) -> datetime:
    """A local "YYYY-MM-DD HH:MM" still to come, in UTC; Refused(BAD_TIME) wants the example
    filled in."""
    try:
        send_at = local_to_utc(parse_local_time(line), zone)
    except LocalTimeError:
        raise Refused(w.BAD_TIME) from None
    if send_at <= now:
        raise Refused(w.PAST_TIME)
    return send_at
