"""An iCalendar file made with the `icalendar` library: one VEVENT per meeting, with a
VTIMEZONE for the display zone (Outlook shifts events by an hour without one), a UID that
never changes and a SEQUENCE raised on every change, so a calendar replaces the event it has
instead of adding a second one; a cancelled meeting is STATUS:CANCELLED, and a file that only
cancels is METHOD:CANCEL, so the calendar drops the event rather than keeping it crossed out."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

ZONE_MARGIN = timedelta(days=366)
"""The VTIMEZONE covers the events' dates with this much on each side."""


@dataclass(frozen=True, slots=True)
class CalendarEvent:
    uid: str
    """Stable for the meeting's whole life, e.g. `webinar-12@webinars.jobcentre-outreach-bot`."""
    sequence: int
    summary: str
    starts_at: datetime
    ends_at: datetime
    description: str
    cancelled: bool = False


def calendar_text(events: Iterable[CalendarEvent], *, prodid: str, zone: ZoneInfo,
                  now: datetime) -> str:
    """The iCalendar text (CRLF lines, as RFC 5545 has it), times in `zone`."""
    items = list(events)
    calendar = Calendar()
    calendar.add("prodid", prodid)
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if items and all(e.cancelled for e in items)
                 else "PUBLISH")
    starts: list[datetime] = []
    for item in items:
        event = Event()
        event.add("uid", item.uid)
        event.add("dtstamp", now)
        event.add("sequence", item.sequence)
        event.add("summary", item.summary)
        event.add("dtstart", item.starts_at.astimezone(zone))
        event.add("dtend", item.ends_at.astimezone(zone))
        event.add("description", item.description)
        event.add("status", "CANCELLED" if item.cancelled else "CONFIRMED")
        calendar.add_component(event)
        starts.append(item.starts_at)
    if starts:
        calendar.add_missing_timezones(
            first_date=min(starts).astimezone(zone).date() - ZONE_MARGIN,
            last_date=max(starts).astimezone(zone).date() + ZONE_MARGIN)
    return calendar.to_ical().decode("utf-8")
