"""Webinars, their sessions and the citizens' answers, as the service sees them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum


class Repeat(StrEnum):
    WEEKDAYS = "weekdays"
    WEEKLY = "weekly"


@dataclass(frozen=True, slots=True)
class NewWebinar:
    """A webinar to create (its sessions come from the planner)."""

    title_da: str
    title_en: str
    link: str
    recording_link: str | None
    minutes: int
    capacity: int | None


class Answer(StrEnum):
    YES = "yes"
    MAYBE = "maybe"
    NO = "no"


@dataclass(frozen=True, slots=True)
class Webinar:
    id: int
    title_da: str
    title_en: str
    link: str
    recording_link: str | None
    minutes: int
    capacity: int | None
    cancelled_at: datetime | None = None

    def title(self, locale: str) -> str:
        return self.title_da if locale == "da" else self.title_en


@dataclass(frozen=True, slots=True)
class Session:
    """One sitting of a webinar, with one sign-up of its own."""

    id: int
    webinar: Webinar
    starts_at: datetime
    cancelled_at: datetime | None
    sequence: int
    notified_sequence: int | None = None
    notified_starts_at: datetime | None = None
    notified_link: str | None = None

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.webinar.minutes)

    @property
    def cancelled(self) -> bool:
        return self.cancelled_at is not None


@dataclass(frozen=True, slots=True)
class Rsvp:
    session_id: int
    citizen_id: int
    answer: Answer
    waitlist_ticket: int | None
    answered_at: datetime
    reminded_at: datetime | None = None

    @property
    def seated(self) -> bool:
        """A Yes with a seat."""
        return self.answer is Answer.YES and self.waitlist_ticket is None

    @property
    def coming(self) -> bool:
        """Yes with a seat, or Maybe: they get the calendar file, the reminder and notices."""
        return self.seated or self.answer is Answer.MAYBE


@dataclass(frozen=True, slots=True)
class Answered:
    """What one answer did, decided in one transaction."""

    rsvp: Rsvp
    waitlist_position: int | None
    """1-based place in the waitlist, for a Yes that found the session full."""
    promoted: tuple[Rsvp, ...] = ()
    """Those moved up from the waitlist into the seat this answer freed."""
    before: Rsvp | None = None
    """The answer it replaced, if any."""
