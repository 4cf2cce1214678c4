"""A case as staff see it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class CaseLevel(StrEnum):
    """Urgent = risk to life; concern = a worrying answer; request = the citizen asked."""

    URGENT = "urgent"
    CONCERN = "concern"
    REQUEST = "request"

    @property
    def priority(self) -> int:
        """Lower sorts first in the staff's case list."""
        return {CaseLevel.URGENT: 0, CaseLevel.CONCERN: 1, CaseLevel.REQUEST: 2}[self]


class CaseSource(StrEnum):
    FREE_TEXT = "free_text"
    HUMAN_REQUEST = "human_request"


@dataclass(frozen=True, slots=True)
class Case:
    id: int
    citizen_id: int | None
    level: CaseLevel
    category: str | None
    source: CaseSource
    opened_at: datetime
    source_message_id: int | None = None
    claimed_at: datetime | None = None
    claimed_by: int | None = None
    closed_at: datetime | None = None
    alert_message_id: int | None = None
    alerts_sent: int = 0
    next_alert_at: datetime | None = None

    @property
    def is_open(self) -> bool:
        return self.closed_at is None
