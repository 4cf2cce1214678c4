"""Outbox rows as the sender sees them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import IntEnum, StrEnum
from typing import Any


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


@dataclass(frozen=True, slots=True)
class Message:
    """What to send: text, inline buttons as (label, callback_data) rows, optional topic."""

    text: str
    buttons: tuple[tuple[tuple[str, str], ...], ...] = ()
    thread_id: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {"text": self.text, "buttons": [list(map(list, row)) for row in self.buttons],
                "thread_id": self.thread_id}

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> Message:
        buttons = tuple(tuple((str(b[0]), str(b[1])) for b in row) for row in raw["buttons"])
        return cls(raw["text"], buttons, raw.get("thread_id"))


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
