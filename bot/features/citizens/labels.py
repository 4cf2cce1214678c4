"""How citizen fields read to a person, in any language."""

from __future__ import annotations

import re

from bot.engine.screen import Month, Phrase, Value
from bot.features.citizens.model import PreferredTime, Purpose
from bot.i18n import N_

PURPOSE_LABELS: dict[Purpose, Phrase] = {
    Purpose.CHECKINS: Phrase(N_("Short check-ins on how it is going")),
    Purpose.JOB_CLUB: Phrase(N_("Job club with others in your situation")),
    Purpose.FEEDBACK: Phrase(N_("Feedback on applications and CV")),
    Purpose.WEBINARS: Phrase(N_("News about webinars")),
    Purpose.WELLBEING: Phrase(N_("A wellbeing check every 4 weeks (five questions about how "
                                 "you feel; a consultant sees the result)")),
}

TIME_LABELS: dict[PreferredTime, Phrase] = {
    PreferredTime.MORNING: Phrase(N_("Morning (8–11)")),
    PreferredTime.MIDDAY: Phrase(N_("Midday (11–14)")),
    PreferredTime.AFTERNOON: Phrase(N_("Afternoon (14–17)")),
}

LANGUAGE_NAMES = {"da": "Dansk", "en": "English"}

_MONTH = re.compile(r"^(before-)?(\d{4})-(\d{2})$")


def month_value(year: int, month: int, before: bool = False) -> str:
    """Stored form of 'unemployed since': 'YYYY-MM', or 'before-YYYY-MM' for 'earlier'."""
    return f"{'before-' if before else ''}{year:04d}-{month:02d}"


def unemployed_since_value(stored: str | None) -> Value | None:
    match = _MONTH.match(stored or "")
    if not match:
        return None
    month = Month(int(match.group(2)), int(match.group(3)))
    return Phrase(N_("before {month}"), {"month": month}) if match.group(1) else month
