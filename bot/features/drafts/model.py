"""A draft sent for feedback, as the service and the staff chat see it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any


class Kind(StrEnum):
    APPLICATION = "application"
    CV = "cv"
    BOTH = "both"


class Form(StrEnum):
    """How the draft came: one document, photos of paper pages, or text in the chat."""

    DOCUMENT = "document"
    PHOTOS = "photos"
    TEXT = "text"


class Status(StrEnum):
    WAITING = "waiting"
    TAKEN = "taken"
    ANSWERED = "answered"


@dataclass(frozen=True, slots=True)
class FileRef:
    """A file Telegram keeps for us, never stored: the consultant sees the citizen's message
    itself (copyMessage from chat_id, message_id)."""

    kind: str
    """photo | document (bot/outbox/model.py MediaKind)."""
    file_id: str
    unique_id: str
    """Telegram's file_unique_id: the same file sent twice has the same."""
    chat_id: int
    message_id: int
    """The citizen's message that carried the file."""
    size: int | None = None
    type: str | None = None
    """What its bytes are: pdf | docx | odt | image (a photo: None)."""
    scanned: bool | None = None
    """A file the bot fetched: True when clamd found it clean, False when no scanner is set
    up (CLAMD_SOCKET); None for a photo (Telegram's own re-encoded JPEG, never fetched)."""
    preview: int | None = None
    """Page 1 of a PDF as a PNG: its upload_id (Outbox.add_file), released once sent."""

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "file_id": self.file_id, "unique_id": self.unique_id,
                "chat_id": self.chat_id, "message_id": self.message_id, "size": self.size,
                "type": self.type, "scanned": self.scanned, "preview": self.preview}

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> FileRef:
        return cls(str(raw["kind"]), str(raw["file_id"]), str(raw["unique_id"]),
                   int(raw["chat_id"]), int(raw["message_id"]), raw.get("size"),
                   raw.get("type"), raw.get("scanned"), raw.get("preview"))


@dataclass(frozen=True, slots=True)
class NewDraft:
    """What the citizen's dialog gathered, ready to store."""

    citizen_id: int
    kind: Kind
    locale: str
    form: Form
    files: tuple[FileRef, ...] = ()
    body: str | None = None
    job_ad: str | None = None
    deadline: date | None = None
    wishes: str | None = None
    previous: int | None = None
    """The draft this is a new version of."""


@dataclass(frozen=True, slots=True)
class Draft:
    id: int
    citizen_id: int
    series_id: int | None
    version: int
    kind: Kind
    locale: str
    form: Form
    files: tuple[FileRef, ...]
    body: str | None
    job_ad: str | None
    deadline: date | None
    wishes: str | None
    received_at: datetime
    due_at: datetime
    status: Status
    taken_by: int | None
    taken_at: datetime | None
    answered_at: datetime | None
    rating: int | None
    purged: bool

    @property
    def series(self) -> int:
        """The first version's id: what all versions of one application share."""
        return self.series_id or self.id

    @property
    def ref(self) -> str:
        """The reference the citizen and staff use: one per application, whatever version."""
        return f"D-{self.series}"
