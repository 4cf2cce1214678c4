"""The .ics calendar file for a session (bot/calendar/ics.py makes it): one VEVENT, whose UID
never changes and whose SEQUENCE is the next for that citizen (WebinarStore.calendar_sequence):
a change to the session, or the citizen's own No after a Yes (a cancellation, their calendar
drops it) and Yes again.

The link is never in the file: it is shown only from the reminder on."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.calendar.ics import CalendarEvent, calendar_text
from bot.features.webinars.model import Session
from bot.i18n import N_, Translator

PRODID = "-//Jobcentre outreach bot//webinars//EN"
UID_DOMAIN = "webinars.jobcentre-outreach-bot"
"""Part of every UID; it must never change, or calendars would see new events."""
NO_LINK_YET = N_("The link comes in a message from the job centre's bot {minutes} minutes "
                 "before the start.")
FILENAME = "webinar-{session}.ics"


def session_uid(session_id: int) -> str:
    return f"webinar-{session_id}@{UID_DOMAIN}"


def calendar_file(session: Session, _: Translator, zone: ZoneInfo, reminder: timedelta,
                  now: datetime, *, sequence: int, cancelled: bool) -> str:
    """The iCalendar text (CRLF lines, as RFC 5545 has it)."""
    description = _(NO_LINK_YET, minutes=int(reminder.total_seconds() // 60))
    return calendar_text(
        [CalendarEvent(session_uid(session.id), sequence, session.webinar.title(_.locale),
                       session.starts_at, session.ends_at, description, cancelled)],
        prodid=PRODID, zone=zone, now=now)


def filename(session: Session) -> str:
    return FILENAME.format(session=session.id)
