"""The .ics file for a club: every meeting as one VEVENT (bot/calendar/ics.py makes it), with a
UID per meeting that never changes and the meeting's SEQUENCE, so a calendar that has the file
updates its events when the time changes or a meeting is cancelled. The link is never in it:
it comes in the last reminder."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.calendar.ics import CalendarEvent, calendar_text
from bot.features.clubs.model import ClubSession
from bot.i18n import N_, Translator
from bot.outbox.model import Document

PRODID = "-//Jobcentre outreach bot//job clubs//EN"
UID_DOMAIN = "clubs.jobcentre-outreach-bot"
"""Part of every UID; it must never change, or calendars would see new events."""
DESCRIPTION = N_("A job club meeting with the job centre, online. The link comes in a message "
                 "from the job centre's bot {minutes} minutes before the start.")
FILENAME = "job-club-{club}.ics"


def session_uid(session_id: int) -> str:
    return f"club-session-{session_id}@{UID_DOMAIN}"


def club_calendar(sessions: Sequence[ClubSession], _: Translator, zone: ZoneInfo,
                  reminder: timedelta, now: datetime) -> Document:
    """The file for a member: all of the club's meetings, cancelled ones as cancelled."""
    description = _(DESCRIPTION, minutes=int(reminder.total_seconds() // 60))
    text = calendar_text(
        (CalendarEvent(session_uid(s.id), s.sequence, s.club.title(_.locale), s.starts_at,
                       s.ends_at, description, s.cancelled) for s in sessions),
        prodid=PRODID, zone=zone, now=now)
    return Document(FILENAME.format(club=sessions[0].club.id), text)
