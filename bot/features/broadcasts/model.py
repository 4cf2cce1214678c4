"""A broadcast: texts per language, a segment, a time; and what became of it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from bot.outbox.model import Media, MediaKind, Message

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

    UNKNOWN = "unknown"  # a hand-picked number that never was a citizen's
    ERASED = "erased"  # a hand-picked number whose citizen erased themselves
    BLOCKED = "blocked"
    NO_CONSENT = "no_consent"
    WEEKLY_CAP = "weekly_cap"


@dataclass(frozen=True, slots=True)
class Membership:
    """A filter another feature answers (Feature.segment_filters): the citizens it names
    (`member`), or everyone else – e.g. those who answered webinar 12, `Membership("rsvp",
    "12")`, or who did not, `Membership("rsvp", "12", member=False)`."""

    kind: str
    argument: str
    member: bool = True

    @property
    def label(self) -> str:
        """As the CLI's flag would name it: `rsvp 12`, `no-rsvp 12`."""
        return f"{'' if self.member else 'no-'}{self.kind} {self.argument}"


@dataclass(frozen=True, slots=True)
class Segment:
    """Who is meant; consent to webinar news is always required on top. Empty: no filter."""

    languages: tuple[str, ...] = ()
    label: str | None = None
    joined_from: date | None = None  # local dates, both inclusive
    joined_to: date | None = None
    citizens: tuple[int, ...] = ()  # hand-picked citizen numbers
    memberships: tuple[Membership, ...] = ()
    """Every one must hold (answered a webinar or not, …)."""

    def to_json(self) -> dict[str, Any]:
        return {"languages": list(self.languages), "label": self.label,
                "joined_from": self.joined_from.isoformat() if self.joined_from else None,
                "joined_to": self.joined_to.isoformat() if self.joined_to else None,
                "citizens": list(self.citizens),
                "memberships": [[m.kind, m.argument, m.member] for m in self.memberships]}

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> Segment:
        def day(value: str | None) -> date | None:
            return date.fromisoformat(value) if value else None

        return cls(tuple(raw.get("languages", ())), raw.get("label"),
                   day(raw.get("joined_from")), day(raw.get("joined_to")),
                   tuple(int(c) for c in raw.get("citizens", ())),
                   tuple(Membership(str(kind), str(argument), bool(member))
                         for kind, argument, member in raw.get("memberships", ())))


@dataclass(frozen=True, slots=True)
class Attachment:
    """An image or a document every message of a broadcast carries, its text as the caption
    (so each text must fit Telegram's 1,024 characters for a caption).

    Two ways to make one:

    * known to Telegram already, e.g. a photo or file a coordinator sent the bot in the staff
      chat: `Attachment(MediaKind.PHOTO, file_id=message.photo[-1].file_id,
      size=message.photo[-1].file_size)` or `Attachment(MediaKind.DOCUMENT,
      file_id=document.file_id, filename=document.file_name, size=document.file_size)`.
      Nothing is uploaded; the preview's messages carry it, so a test send shows it too.
    * bytes to upload (the CLI's --image / --document): `Attachment.of_bytes(kind, filename,
      content)`. `BroadcastService.check` looks at the bytes (an image must be JPEG, PNG or
      WebP, ≤ 10 MB; a document ≤ 20 MB); `create` stores them once (bot/outbox
      `Outbox.add_file`) and keeps only their `upload_id`; the first message uploads them and
      every later one sends the file_id Telegram returned. They are released when the
      broadcast has finished (or is cancelled before it started).
    """

    kind: MediaKind
    filename: str | None = None
    size: int | None = None
    """Bytes, for the preview; None when Telegram did not say."""
    file_id: str | None = None
    upload_id: int | None = None
    content: bytes | None = field(default=None, repr=False, compare=False)
    """Bytes not stored yet (until `BroadcastService.create`); never in JSON."""

    @classmethod
    def of_bytes(cls, kind: MediaKind, filename: str, content: bytes) -> Attachment:
        return cls(kind, filename, len(content), content=content)

    @property
    def media(self) -> Media | None:
        """As the outbox sends it; None while its bytes are not stored yet."""
        if self.file_id is None and self.upload_id is None:
            return None
        return Media(self.kind, self.file_id, self.upload_id, self.filename)

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind.value, "filename": self.filename, "size": self.size,
                "file_id": self.file_id, "upload_id": self.upload_id}

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> Attachment:
        return cls(MediaKind(raw["kind"]), raw.get("filename"), raw.get("size"),
                   raw.get("file_id"), raw.get("upload_id"))


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
    attachment: Attachment | None = None
    """An image or document with every message (see Attachment)."""


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
    attachment: Attachment | None = None
    """The image or document every message carries."""

    @property
    def recipients(self) -> int:
        return sum(self.per_language.values())

    @property
    def segment(self) -> int:
        """Everyone the filters name, before anyone is left out: the recipients, the excluded
        (hand-picked numbers not found among them), and those without a text in their
        language when they block sending."""
        unsent = 0 if self.fallback else sum(self.without_text.values())
        return self.recipients + sum(self.excluded.values()) + unsent

    @property
    def blocked_by(self) -> tuple[str, ...]:
        """Languages whose citizens would get nothing: queueing is refused while any remain."""
        return () if self.fallback else tuple(sorted(self.without_text))
