"""When a proactive message may reach a citizen: never in quiet hours, at their chosen time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.features.citizens.model import PreferredTime

WINDOWS = {
    PreferredTime.MORNING: (time(8, 0), time(11, 0)),
    PreferredTime.MIDDAY: (time(11, 0), time(14, 0)),
    PreferredTime.AFTERNOON: (time(14, 0), time(17, 0)),
}
STEP = timedelta(minutes=15)
HORIZON = timedelta(days=14)
SATURDAY = 5


@dataclass(frozen=True, slots=True)
class ContactRules:
    quiet: tuple[time, time] | None
    quiet_weekends: bool
    zone: ZoneInfo

    def allowed(self, moment: datetime, preferred: PreferredTime | None = None) -> bool:
        local = moment.astimezone(self.zone)
        if self.quiet_weekends and local.weekday() >= SATURDAY:
            return False
        clock = local.time()
        if self.quiet is not None and _inside(clock, *self.quiet):
            return False
        return preferred is None or _inside(clock, *WINDOWS[preferred])

    def next_allowed(self, moment: datetime, preferred: PreferredTime | None) -> datetime:
        """`moment` if allowed, else the first allowed quarter hour after it (UTC).

        A preferred time that can never be met (e.g. hidden by quiet hours) is dropped rather
        than letting the message wait forever.
        """
        for wish in (preferred, None):
            if self.allowed(moment, wish):
                return moment
            candidate = _next_quarter(moment)
            while candidate - moment <= HORIZON:
                if self.allowed(candidate, wish):
                    return candidate
                candidate += STEP
        return moment


def _inside(clock: time, start: time, end: time) -> bool:
    """Inside [start, end), where the range may wrap midnight (20:00-08:00)."""
    if start <= end:
        return start <= clock < end
    return clock >= start or clock < end


def _next_quarter(moment: datetime) -> datetime:
    utc = moment.astimezone(UTC).replace(second=0, microsecond=0)
    return utc + timedelta(minutes=15 - utc.minute % 15)
