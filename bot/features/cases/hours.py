"""When consultants are at work, in local time; decides what a citizen is promised."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

SATURDAY = 5


@dataclass(frozen=True, slots=True)
class OfficeHours:
    start: time
    end: time
    weekends: bool
    zone: ZoneInfo

    def is_open(self, moment: datetime) -> bool:
        local = moment.astimezone(self.zone)
        return self._workday(local) and self.start <= local.time() < self.end

    def next_opening(self, moment: datetime) -> datetime:
        """`moment` itself when open, else the next start of a working day (as UTC)."""
        if self.is_open(moment):
            return moment
        local = moment.astimezone(self.zone)
        day = local.date()
        if local.time() >= self.start:
            day += timedelta(days=1)
        while True:
            opening = datetime.combine(day, self.start, tzinfo=self.zone)
            if self._workday(opening):
                return opening.astimezone(UTC)
            day += timedelta(days=1)

    def _workday(self, local: datetime) -> bool:
        return self.weekends or local.weekday() < SATURDAY
