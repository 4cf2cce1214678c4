"""The .ics calendar file for a session: one VEVENT per session, with a VTIMEZONE for the
display zone, a UID that never changes, and a SEQUENCE raised on every change, so a calendar
replaces the event it has instead of adding a second one (STATUS:CANCELLED on cancellation).

The link is never in the file: it is shown only from the reminder on."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

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


def calendar_file(sessions: Iterable[Session], _: Translator, zone: ZoneInfo,
                  reminder: timedelta, now: datetime) -> str:
    """The iCalendar text (CRLF lines, as RFC 5545 has it)."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    firsts: list[datetime] = []
    for session in sessions:
        event = Event()
        event.add("uid", session_uid(session.id))
        event.add("dtstamp", now)
        event.add("sequence", session.sequence)
        event.add("summary", session.webinar.title(_.locale))
        event.add("dtstart", session.starts_at.astimezone(zone))
        event.add("dtend", session.ends_at.astimezone(zone))
        event.add("description", _(NO_LINK_YET, minutes=int(reminder.total_seconds() // 60)))
        event.add("status", "CANCELLED" if session.cancelled else "CONFIRMED")
        calendar.add_component(event)
        firsts.append(session.starts_at)
    if firsts:
        first = min(firsts).astimezone(zone).date()
        calendar.add_missing_timezones(first_date=first - timedelta(days=366),
                                       last_date=max(firsts).date() + timedelta(days=366))
    return calendar.to_ical().decode("utf-8")


def filename(session: Session) -> str:
    return FILENAME.format(session=session.id)
