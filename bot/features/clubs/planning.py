"""Creating and changing job clubs (the CLI's and the staff chat's side): weekly sessions from a
local start time, changes written with their SEQUENCE raised. Only the database is written; the
running bot's sweep arms the timers and tells the members (ClubNotices.handle_changes)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.features.clubs.model import Club, ClubSession
from bot.features.clubs.storage import ClubStore, NewClub
from bot.features.webinars.planning import PlanningError, Problem
from bot.local_time import local_to_utc

LIKE_LEAD = timedelta(days=7)
"""A club "like this one" starts on the same weekday and time, at least this far ahead."""
MAX_WEEKS = 52


def weekly_starts(first: datetime, weeks: int, zone: ZoneInfo) -> list[datetime]:
    """UTC starts of `weeks` weekly meetings from `first` (local, naive), always at the same
    local time, across summer time changes."""
    return [local_to_utc(first + timedelta(weeks=week), zone) for week in range(weeks)]


def checked_weeks(raw: str) -> int:
    if not raw.strip().isdigit() or not 0 < int(raw) <= MAX_WEEKS:
        raise PlanningError(Problem.TOO_MANY, f"expected weeks from 1 to {MAX_WEEKS}, "
                            f"got {raw!r}")
    return int(raw)


def _past(start: datetime) -> PlanningError:
    return PlanningError(Problem.PAST, f"--start {start:%Y-%m-%d %H:%M}: that is in the past")


@dataclass(frozen=True, slots=True)
class Change:
    """What `club edit` did: how many sessions moved and whether the link changed."""

    moved: int
    link_changed: bool


class ClubPlanner:
    def __init__(self, store: ClubStore, clock: Clock, zone: ZoneInfo) -> None:
        self._store = store
        self._clock = clock
        self._zone = zone

    async def create(self, club: NewClub, first: datetime, weeks: int, created_by: str) -> int:
        starts = weekly_starts(first, weeks, self._zone)
        if starts[0] <= self._clock.now():
            raise _past(first)
        return await self._store.create(club, starts, created_by, self._clock.now())

    async def create_like(self, club_id: int, created_by: str) -> tuple[int, datetime]:
        """A copy of the club (title, consultant, seats, language, eligibility, number and
        length of meetings) on the same weekday and local time, from a week ahead; without the
        link, which a new club gets later. Returns its id and first start."""
        club, sessions = await self._club(club_id)
        first_local = sessions[0].starts_at.astimezone(self._zone)
        earliest = (self._clock.now() + LIKE_LEAD).astimezone(self._zone).date()
        day = earliest + timedelta(days=(first_local.weekday() - earliest.weekday()) % 7)
        first = datetime.combine(day, first_local.time().replace(tzinfo=None))
        new = NewClub(club.title_da, club.title_en, club.consultant_id, club.capacity,
                      club.locale, club.minutes, None, club.joined_after, club.invite_label)
        return (await self._store.create(new, weekly_starts(first, len(sessions), self._zone),
                                         created_by, self._clock.now()),
                local_to_utc(first, self._zone))

    async def edit(self, club_id: int, start: datetime | None, link: str | None) -> Change:
        """--start moves the next meeting to that local time, and every later one by the same
        amount ("Tuesdays 10:00" becomes "Wednesdays 13:00"); --link replaces the link."""
        club, _sessions = await self._club(club_id)
        upcoming = await self._upcoming(club_id)
        moved = 0
        if start is not None:
            if local_to_utc(start, self._zone) <= self._clock.now():
                raise _past(start)
            shift = start - self._local(upcoming[0])
            moves = [(s.id, local_to_utc(self._local(s) + shift, self._zone)) for s in upcoming]
            await self._store.move_sessions(club_id, moves)
            moved = len(moves)
        if link is None or link == club.link:
            return Change(moved, link_changed=False)
        await self._store.set_link(club_id, link, self._clock.now())
        return Change(moved, link_changed=True)

    async def cancel_session(self, club_id: int, number: int) -> ClubSession:
        """One meeting (by its week number) called off; the members are told."""
        await self._club(club_id)
        found = next((s for s in await self._upcoming(club_id) if s.number == number), None)
        if found is None:
            raise PlanningError(Problem.NOTHING_TO_COME,
                                f"club #{club_id} has no meeting {number} still to come")
        await self._store.cancel_session(found.id, self._clock.now())
        return replace(found, cancelled_at=self._clock.now())

    async def cancel(self, club_id: int) -> int:
        """The whole club; returns how many meetings were still to come."""
        upcoming = await self._upcoming(club_id)
        await self._store.cancel(club_id, self._clock.now())
        return len(upcoming)

    async def _club(self, club_id: int) -> tuple[Club, list[ClubSession]]:
        club = await self._store.club(club_id)
        sessions = await self._store.sessions(club_id)
        if club is None or not sessions:
            raise PlanningError(Problem.UNKNOWN, f"no club #{club_id}")
        return club, sessions

    async def _upcoming(self, club_id: int) -> list[ClubSession]:
        club, sessions = await self._club(club_id)
        now = self._clock.now()
        upcoming = [s for s in sessions if not s.cancelled and s.starts_at > now]
        if club.cancelled or not upcoming:
            raise PlanningError(Problem.NOTHING_TO_COME,
                                f"club #{club_id} has no meeting still to come")
        return upcoming

    def _local(self, session: ClubSession) -> datetime:
        return session.starts_at.astimezone(self._zone).replace(tzinfo=None)


def joined_after_utc(day: date | None, zone: ZoneInfo) -> datetime | None:
    """An eligibility date (local, inclusive) as the UTC moment it begins."""
    return local_to_utc(datetime.combine(day, datetime.min.time()), zone) if day else None
