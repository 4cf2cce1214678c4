"""Job clubs, their sessions, seats, the waitlist and seat offers, as the services see them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

DEFAULT_WEEKS = 6
DEFAULT_MINUTES = 120
DEFAULT_CAPACITY = 10


@dataclass(frozen=True, slots=True)
class Club:
    id: int
    title_da: str
    title_en: str
    consultant_id: int
    capacity: int
    locale: str
    """The language the meetings are held in."""
    minutes: int
    link: str | None
    joined_after: datetime | None
    invite_label: str | None
    cancelled_at: datetime | None = None
    version: int = 0
    notified_version: int | None = None
    notified_link: str | None = None

    def title(self, locale: str) -> str:
        return self.title_da if locale == "da" else self.title_en

    @property
    def cancelled(self) -> bool:
        return self.cancelled_at is not None

    @property
    def kind(self) -> str:
        """Clubs of one kind share their demand: the same language and invite label."""
        return f"{self.locale}|{self.invite_label or ''}"


@dataclass(frozen=True, slots=True)
class ClubSession:
    """One week's meeting of a club."""

    id: int
    club: Club
    number: int
    starts_at: datetime
    cancelled_at: datetime | None
    sequence: int
    notified_starts_at: datetime | None = None
    notified_cancelled: bool = False

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.club.minutes)

    @property
    def cancelled(self) -> bool:
        return self.cancelled_at is not None


class JoinResult(StrEnum):
    JOINED = "joined"
    WAITLISTED = "waitlisted"
    MEMBER_ALREADY = "member"
    WAITING_ALREADY = "waiting"


@dataclass(frozen=True, slots=True)
class Joined:
    """What a tap on Join (or Waitlist) did, decided in one transaction."""

    result: JoinResult
    position: int | None = None
    """1-based place on the waitlist."""


class OfferStatus(StrEnum):
    OPEN = "open"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"


@dataclass(frozen=True, slots=True)
class SeatOffer:
    id: int
    club_id: int
    citizen_id: int
    from_club_id: int
    waited_since: datetime
    offered_at: datetime
    expires_at: datetime
    status: OfferStatus


@dataclass(frozen=True, slots=True)
class Standing:
    """Where one citizen stands with one club."""

    member: bool = False
    position: int | None = None
    """1-based place on the waitlist, if waiting."""
    offer: SeatOffer | None = None
    """An open seat offer for this club."""


@dataclass(frozen=True, slots=True)
class Seats:
    """One club's numbers, for `club list` and the citizens' view."""

    taken: int
    offered: int
    """Seats held by an open offer."""
    waiting: int

    def free(self, capacity: int) -> int:
        return max(0, capacity - self.taken - self.offered)


@dataclass(frozen=True, slots=True)
class Mark:
    """A member's line for one session: said they could not come, and what the consultant
    marked (None: not yet)."""

    citizen_id: int
    cant_come: bool
    attended: bool | None
