"""A case as staff see it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class CaseLevel(StrEnum):
    """Urgent = risk to life; possible = maybe (the citizen is asked directly, staff are alerted
    in the urgent lane); high = very low wellbeing; concern = a worrying answer;
    request = the citizen asked for a person."""

    URGENT = "urgent"
    POSSIBLE = "possible"
    HIGH = "high"
    CONCERN = "concern"
    REQUEST = "request"

    @property
    def priority(self) -> int:
        """Lower sorts first in the staff's case list."""
        return list(CaseLevel).index(self)

    @property
    def urgent_lane(self) -> bool:
        """Alerted before everything else, and alerted again while nobody claims it."""
        return self in (CaseLevel.URGENT, CaseLevel.POSSIBLE)


class CaseSource(StrEnum):
    FREE_TEXT = "free_text"
    HUMAN_REQUEST = "human_request"
    CALL_REQUEST = "call_request"
    WELLBEING = "wellbeing"
    CHECKIN_NOTE = "checkin_note"
    CLUB_ABSENCE = "club_absence"  # a job club's consultant, after two missed meetings


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
    call_window: str | None = None
    risk_mark: str | None = None

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


@dataclass(frozen=True, slots=True)
class CallPhone:
    """The number a citizen gave for a requested call (None while the question is open)."""

    case_id: int
    citizen_id: int
    asked_at: datetime
    phone: str | None = None
    given_at: datetime | None = None

    @property
    def shown(self) -> str:
        return shown_phone(self.phone or "")


def shown_phone(phone: str) -> str:
    """+45 12 34 56 78 for a Danish number, others as stored (E.164)."""
    if phone.startswith("+45") and len(phone) == 11:
        return "+45 " + " ".join(phone[i:i + 2] for i in range(3, 11, 2))
    return phone
