"""Creating and changing webinars, for the CLI and the staff chat's /webinar alike: the checks of
what staff typed (one set of rules, each failure a PlanningError naming its Problem), sessions
from local times, changes written with their SEQUENCE raised. Only the database is written; the
running bot's sweep arms the timers and tells the citizens (WebinarService.handle_changes)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.features.webinars.model import NewWebinar, Repeat, Session
from bot.features.webinars.storage import WebinarStore
from bot.local_time import local_to_utc

MAX_SESSIONS = 400
"""A series of more than this is surely a typo in --until (a weekday series for 1.5 years)."""
MAX_MINUTES = 600
MAX_TITLE = 100


class Problem(StrEnum):
    """What is wrong, so the staff chat can say it in its own language."""

    TITLE = "title"
    MINUTES = "minutes"
    LINK = "link"
    CAPACITY = "capacity"
    PAST = "past"
    REPEAT_UNTIL = "repeat_until"
    UNTIL_BEFORE = "until_before"
    NO_WEEKDAY = "no_weekday"
    TOO_MANY = "too_many"
    UNKNOWN = "unknown"
    NOTHING_TO_COME = "nothing_to_come"


class PlanningError(ValueError):
    """A webinar that cannot be made or changed as asked; the message says why (in English,
    naming the CLI's options), the problem says what for everyone else."""

    def __init__(self, problem: Problem, message: str) -> None:
        super().__init__(message)
        self.problem = problem


def checked_title(raw: str) -> str:
    title = raw.strip()
    if not 0 < len(title) <= MAX_TITLE:
        raise PlanningError(Problem.TITLE, f"expected a title of 1-{MAX_TITLE} characters, "
                            f"got {len(title)}")
    return title


def checked_minutes(raw: str) -> int:
    if not raw.strip().isdigit() or not 0 < int(raw) <= MAX_MINUTES:
        raise PlanningError(Problem.MINUTES, f"expected minutes from 1 to {MAX_MINUTES}, "
                            f"got {raw!r}")
    return int(raw)


def checked_capacity(raw: str) -> int:
    if not raw.strip().isdigit() or int(raw) < 1:
        raise PlanningError(Problem.CAPACITY, f"expected a positive whole number, got {raw!r}")
    return int(raw)


def checked_link(raw: str) -> str:
    link = raw.strip()
    parts = urlsplit(link)
    if parts.scheme not in ("https", "http") or not parts.netloc or any(
            c.isspace() for c in link):
        raise PlanningError(Problem.LINK, f"expected an http(s):// link, got {raw!r}")
    return link


def checked_future(local: datetime, zone: ZoneInfo, now: datetime) -> datetime:
    """A start (local, naive) still to come, as UTC."""
    moment = local_to_utc(local, zone)
    if moment <= now:
        raise PlanningError(Problem.PAST, f"--at {local:%Y-%m-%d %H:%M}: that is in the past")
    return moment


def session_starts(first: datetime, zone: ZoneInfo, repeat: Repeat | None,
                   until: date | None) -> list[datetime]:
    """UTC start times: `first` (local, naive) alone, or repeated on weekdays or weekly up to
    and including `until`, always at the same local time (across summer time changes)."""
    if repeat is None and until is None:
        return [local_to_utc(first, zone)]
    if repeat is None or until is None:
        raise PlanningError(Problem.REPEAT_UNTIL, "--repeat and --until go together")
    if until < first.date():
        raise PlanningError(Problem.UNTIL_BEFORE, "--until must be a date on or after --at")
    step = timedelta(days=7 if repeat is Repeat.WEEKLY else 1)
    starts: list[datetime] = []
    moment = first
    while moment.date() <= until:
        if repeat is Repeat.WEEKLY or moment.weekday() < 5:
            starts.append(local_to_utc(moment, zone))
        moment += step
        if len(starts) > MAX_SESSIONS:
            raise PlanningError(Problem.TOO_MANY, f"a series has at most {MAX_SESSIONS} sessions")
    if not starts:
        raise PlanningError(Problem.NO_WEEKDAY,
                            "the series has no weekday between --at and --until")
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
        checked_future(first, self._zone, self._clock.now())
        starts = session_starts(first, self._zone, repeat, until)
        return await self._store.create(webinar, starts, self._clock.now())

    async def change(self, webinar_id: int, at: datetime | None, link: str | None) -> Change:
        """--at moves the next session to that local time, and every later session of a series
        by the same amount ("every weekday 14:00" becomes 15:00); --link replaces the link."""
        upcoming = await self._upcoming(webinar_id)
        moved = 0
        if at is not None:
            checked_future(at, self._zone, self._clock.now())
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
            raise PlanningError(Problem.UNKNOWN, f"no webinar #{webinar_id}")
        upcoming = [s for s in sessions if not s.cancelled and s.starts_at > now]
        if not upcoming:
            raise PlanningError(Problem.NOTHING_TO_COME,
                                f"webinar #{webinar_id} has no session still to come")
        return upcoming
