"""Outbox rows as the sender sees them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import IntEnum, StrEnum
from typing import Any

from bot.engine.screen import Screen, render, render_buttons
from bot.i18n import Translator

Buttons = tuple[tuple[tuple[str, str], ...], ...]
"""Rows of (label, callback data)."""


class Priority(IntEnum):
    """Lower goes first."""

    URGENT_ALERT = 0
    STAFF = 10
    RELAY = 20
    CHECKIN = 50
    REMINDER = 60
    BROADCAST = 90


class Status(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    UNCERTAIN = "uncertain"
    CANCELLED = "cancelled"
    HELD = "held"
    """Kept back on purpose (a paused broadcast): not sent, not a backlog; back to pending on
    resume, cancelled with the rest of the chat's queue on a 403."""


@dataclass(frozen=True, slots=True)
class Document:
    """A small text file sent with a message (e.g. an .ics calendar file). Its text is kept in
    the row's JSON payload: bytes would not fit there, and a file regenerated at send time
    could differ from what was decided when it was queued."""

    filename: str
    text: str
    """The file's content; sent encoded as UTF-8."""


class MediaKind(StrEnum):
    PHOTO = "photo"
    DOCUMENT = "document"


@dataclass(frozen=True, slots=True)
class Media:
    """A photo (sendPhoto) or a file (sendDocument) that Telegram knows or will know by a
    `file_id`: either `file_id` is known already (e.g. a photo a coordinator sent the bot), or
    `upload_id` names stored bytes (`Outbox.add_file`). The first message with an `upload_id`
    uploads them and keeps the `file_id` Telegram returns; every later one sends that id, so
    100,000 recipients mean one upload."""

    kind: MediaKind
    file_id: str | None = None
    upload_id: int | None = None
    filename: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind.value, "file_id": self.file_id, "upload_id": self.upload_id,
                "filename": self.filename}

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> Media:
        return cls(MediaKind(raw["kind"]), raw.get("file_id"), raw.get("upload_id"),
                   raw.get("filename"))


@dataclass(frozen=True, slots=True)
class StoredFile:
    """Bytes kept for upload (outbox_files), and Telegram's file_id once uploaded."""

    id: int
    kind: MediaKind
    filename: str
    size: int
    content: bytes | None
    """None once released (the broadcast that needed it has finished)."""
    file_id: str | None


@dataclass(frozen=True, slots=True)
class Message:
    """What to send: text with inline buttons as (label, callback_data) rows, or a copy of a
    message from another chat; into a citizen's staff topic when `topic_of` is set. With a
    `document`, the file is sent (sendDocument) and the text is its caption (≤ 1024); with
    `media`, the photo or file it names, the text as its caption (≤ 1024) likewise."""

    text: str = ""
    buttons: Buttons = ()
    topic_of: int | None = None
    copy_from: tuple[int, int] | None = None  # (chat_id, message_id)
    thread_id: int | None = None  # a known topic, for when the citizen is gone already
    document: Document | None = None
    media: Media | None = None

    @classmethod
    def from_screen(cls, screen: Screen, _: Translator) -> Message:
        """A dialog step, rendered in the citizen's language, as a message to queue."""
        return cls(render(screen.text, _).strip(), render_buttons(screen, _))

    def to_json(self) -> dict[str, Any]:
        return {"text": self.text, "buttons": [list(map(list, row)) for row in self.buttons],
                "topic_of": self.topic_of, "thread_id": self.thread_id,
                "copy_from": list(self.copy_from) if self.copy_from else None,
                "document": ([self.document.filename, self.document.text]
                             if self.document else None),
                **({"media": self.media.to_json()} if self.media else {})}

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> Message:
        buttons = tuple(tuple((str(b[0]), str(b[1])) for b in row) for row in raw["buttons"])
        copy = raw.get("copy_from")
        document = raw.get("document")
        media = raw.get("media")  # rows from before media existed have none
        return cls(raw["text"], buttons, raw.get("topic_of"),
                   (int(copy[0]), int(copy[1])) if copy else None, raw.get("thread_id"),
                   Document(str(document[0]), str(document[1])) if document else None,
                   Media.from_json(media) if media else None)


@dataclass(frozen=True, slots=True)
class Addressed:
    """One message to one chat, for `Outbox.enqueue_many`."""

    chat_id: int
    message: Message
    citizen_id: int | None = None
    key: str | None = None


@dataclass(frozen=True, slots=True)
class OutboxItem:
    id: int
    chat_id: int
    citizen_id: int | None
    priority: int
    kind: str
    message: Message
    not_before: datetime
    attempts: int = 0
    at_most_once: bool = False
    status: Status = Status.PENDING
    key: str | None = None
    ref: int | None = None
