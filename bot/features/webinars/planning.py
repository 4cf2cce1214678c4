"""Creating and changing webinars (the CLI's side): sessions from local times, changes written
with their SEQUENCE raised. Only the database is written; the running bot's sweep arms the
timers and tells the citizens (WebinarService.handle_changes)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.features.webinars.model import Session
from bot.features.webinars.storage import NewWebinar, WebinarStore

MAX_SESSIONS = 400
"""A series of more than this is surely a typo in --until (a weekday series for 1.5 years)."""


class Repeat(StrEnum):
    WEEKDAYS = "weekdays"
    WEEKLY = "weekly"


class PlanningError(ValueError):
    """A webinar that cannot be made or changed as asked; the message says why."""


def local_to_utc(local: datetime, zone: ZoneInfo) -> datetime:
    """A wall-clock time in the display zone (naive) as UTC."""
    return local.replace(tzinfo=zone).astimezone(UTC)


def session_starts(first: datetime, zone: ZoneInfo, repeat: Repeat | None,
                   until: date | None) -> list[datetime]:
    """UTC start times: `first` (local, naive) alone, or repeated on weekdays or weekly up to
    and including `until`, always at the same local time (across summer time changes)."""
    if repeat is None:
        return [local_to_utc(first, zone)]
    if until is None or until < first.date():
        raise PlanningError("--until must be a date on or after --at")
    step = timedelta(days=7 if repeat is Repeat.WEEKLY else 1)
    starts: list[datetime] = []
    moment = first
    while moment.date() <= until:
        if repeat is Repeat.WEEKLY or moment.weekday() < 5:
            starts.append(local_to_utc(moment, zone))
        moment += step
        if len(starts) > MAX_SESSIONS:
            raise PlanningError(f"a series has at most {MAX_SESSIONS} sessions")
    if not starts:
        raise PlanningError("the series has no weekday between --at and --until")
    return starts


@dataclass(frozen=True, slots=True)
class Change:
    """What `webinar change` did: how many sessions moved and whether the link changed."""

    moved: int
    link_changed: bool


class WebinarPlanner:
    def __init__(self, store: WebinarStore, clock: Clock, zone: ZoneInfo) -> None:
        self._store = store
        self._clock = clock
        self._zone = zone

    async def create(self, webinar: NewWebinar, first: datetime, repeat: Repeat | None,
                     until: date | None) -> int:
        starts = session_starts(first, self._zone, repeat, until)
        if starts[0] <= self._clock.now():
            raise PlanningError("--at is in the past")
        return await self._store.create(webinar, starts, self._clock.now())

    async def change(self, webinar_id: int, at: datetime | None, link: str | None) -> Change:
        """--at moves the next session to that local time, and every later session of a series
        by the same amount ("every weekday 14:00" becomes 15:00); --link replaces the link."""
        upcoming = await self._upcoming(webinar_id)
        moved = 0
        if at is not None:
            new_first = local_to_utc(at, self._zone)
            if new_first <= self._clock.now():
                raise PlanningError("--at is in the past")
            shift = at - upcoming[0].starts_at.astimezone(self._zone).replace(tzinfo=None)
            moves = [(s.id, local_to_utc(
                s.starts_at.astimezone(self._zone).replace(tzinfo=None) + shift, self._zone))
                for s in upcoming]
            await self._store.move_sessions(moves)
            moved = len(moves)
        if link is None or link == upcoming[0].webinar.link:
            return Change(moved, link_changed=False)
        await self._store.set_link(webinar_id, link, self._clock.now())
        return Change(moved, link_changed=True)

    async def cancel(self, webinar_id: int) -> int:
        """Cancels every session still to come; returns how many."""
        upcoming = await self._upcoming(webinar_id)
        await self._store.cancel(webinar_id, self._clock.now())
        return len(upcoming)

    async def _upcoming(self, webinar_id: int) -> list[Session]:
        now = self._clock.now()
        sessions = await self._store.sessions(webinar_id)
        if not sessions:
            raise PlanningError(f"no webinar {webinar_id}")
        upcoming = [s for s in sessions if not s.cancelled and s.starts_at > now]
        if not upcoming:
            raise PlanningError(f"webinar {webinar_id} has no session still to come")
        return upcoming
