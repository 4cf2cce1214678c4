"""What we know about a citizen: only what they chose to tell us and what reaching them needs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class Purpose(StrEnum):
    """Consent is given per purpose, never in bulk (GDPR art. 7)."""

    CHECKINS = "checkins"
    JOB_CLUB = "job_club"
    FEEDBACK = "feedback"
    WEBINARS = "webinars"
    WELLBEING = "wellbeing"  # health data (GDPR art. 9): its own explicit consent


class PreferredTime(StrEnum):
    MORNING = "morning"
    MIDDAY = "midday"
    AFTERNOON = "afternoon"


@dataclass(frozen=True, slots=True)
class Citizen:
    id: int
    telegram_user_id: int
    chat_id: int
    locale: str
    joined_at: datetime
    first_name: str | None = None
    unemployed_since: str | None = None
    preferred_time: PreferredTime | None = None
    invite_label: str | None = None
    blocked_at: datetime | None = None

    @property
    def reachable(self) -> bool:
        return self.blocked_at is None


@dataclass(frozen=True, slots=True)
class ConsentRecord:
    purpose: Purpose
    granted: bool
    text_version: str
    recorded_at: datetime
