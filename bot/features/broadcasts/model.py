"""A broadcast: texts per language, a segment, a time; and what became of it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from bot.outbox.model import Message

KIND = "broadcast"
"""Outbox kind of the citizens' messages; their `ref` is the broadcast id."""
PROGRESS_KIND = "broadcast-progress"
"""Outbox kind of the progress message in the staff chat."""
UNSUBSCRIBE = "broadcast|unsubscribe"
"""Callback data of the "No more webinar news" button every broadcast message carries."""


class BroadcastStatus(StrEnum):
    DRAFT = "draft"
    SCHEDULED = "scheduled"
    SENDING = "sending"
    PAUSED = "paused"
    CANCELLED = "cancelled"
    DONE = "done"


OPEN = frozenset({BroadcastStatus.DRAFT, BroadcastStatus.SCHEDULED, BroadcastStatus.SENDING,
                  BroadcastStatus.PAUSED})
"""Statuses a coordinator can still change (pause, resume, cancel)."""


class Exclusion(StrEnum):
    """Why a citizen in the segment does not get the broadcast (the first that applies)."""

    ERASED = "erased"  # a hand-picked number that no longer exists
    BLOCKED = "blocked"
    NO_CONSENT = "no_consent"
    WEEKLY_CAP = "weekly_cap"


@dataclass(frozen=True, slots=True)
class Segment:
    """Who is meant; consent to webinar news is always required on top. Empty: no filter."""

    languages: tuple[str, ...] = ()
    label: str | None = None
    joined_from: date | None = None  # local dates, both inclusive
    joined_to: date | None = None
    citizens: tuple[int, ...] = ()  # hand-picked citizen numbers

    def to_json(self) -> dict[str, Any]:
        return {"languages": list(self.languages), "label": self.label,
                "joined_from": self.joined_from.isoformat() if self.joined_from else None,
                "joined_to": self.joined_to.isoformat() if self.joined_to else None,
                "citizens": list(self.citizens)}

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> Segment:
        def day(value: str | None) -> date | None:
            return date.fromisoformat(value) if value else None

        return cls(tuple(raw.get("languages", ())), raw.get("label"),
                   day(raw.get("joined_from")), day(raw.get("joined_to")),
                   tuple(int(c) for c in raw.get("citizens", ())))


@dataclass(frozen=True, slots=True)
class Draft:
    """What a coordinator composes, before it is stored."""

    name: str
    texts: Mapping[str, str]
    """Locale -> the text, as written."""
    segment: Segment
    send_at: datetime
    buttons: tuple[str, ...] = ()
    """Extra buttons as `prefix:argument` (e.g. `rsvp:12`), from features' broadcast_buttons."""
    important: bool = False
    """May pass the weekly cap on unsolicited messages; never quiet hours."""
    fallback_to_default: bool = False
    """Citizens whose language has no text get the default language's."""


@dataclass(frozen=True, slots=True)
class Counts:
    """The broadcast's outbox rows by what became of them."""

    sent: int = 0
    pending: int = 0
    """Not sent yet and free to go (in flight included)."""
    delayed: int = 0
    """Of the pending: waiting for a later moment (quiet hours, a retry)."""
    held: int = 0
    failed: int = 0
    blocked: int = 0
    uncertain: int = 0
    """In flight at a crash: not resent, in doubt whether it arrived."""
    cancelled: int = 0
    failures: tuple[tuple[str, int], ...] = ()
    """Failed (blocked aside) by reason, most frequent first."""

    @property
    def total(self) -> int:
        return (self.sent + self.pending + self.held + self.failed + self.blocked
                + self.uncertain + self.cancelled)

    @property
    def unfinished(self) -> int:
        return self.pending + self.held

    def to_json(self) -> dict[str, Any]:
        return {"sent": self.sent, "pending": self.pending, "delayed": self.delayed,
                "held": self.held, "failed": self.failed, "blocked": self.blocked,
                "uncertain": self.uncertain, "cancelled": self.cancelled,
                "failures": [list(f) for f in self.failures]}

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> Counts:
        return cls(*(int(raw[k]) for k in ("sent", "pending", "delayed", "held", "failed",
                                           "blocked", "uncertain", "cancelled")),
                   failures=tuple((str(r), int(n)) for r, n in raw.get("failures", ())))


@dataclass(frozen=True, slots=True)
class Broadcast:
    id: int
    draft: Draft
    status: BroadcastStatus
    created_by: str
    created_at: datetime
    started_at: datetime | None = None
    queued_at: datetime | None = None
    recipients: int | None = None
    finished_at: datetime | None = None
    counts: Counts | None = None
    """Final counts, once finished."""
    progress_message_id: int | None = None


@dataclass(frozen=True, slots=True)
class Preview:
    """What a broadcast would do now: a service result, rendered by the CLI and the staff chat."""

    per_language: Mapping[str, int]
    """Recipients by the language of the message they get."""
    excluded: Mapping[Exclusion, int]
    delayed: int
    """Recipients whose message waits for the end of quiet hours."""
    not_before: datetime
    """When the first message may go."""
    messages: Mapping[str, Message]
    """Each language's message, exactly as a citizen gets it."""
    without_text: Mapping[str, int] = field(default_factory=dict)
    """Languages in the segment with no text -> how many citizens speak them."""
    fallback: str | None = None
    """The language they get instead (fallback_to_default), or None: they block queueing."""

    @property
    def recipients(self) -> int:
        return sum(self.per_language.values())

    @property
    def blocked_by(self) -> tuple[str, ...]:
        """Languages whose citizens would get nothing: queueing is refused while any remain."""
        return () if self.fallback else tuple(sorted(self.without_text))
