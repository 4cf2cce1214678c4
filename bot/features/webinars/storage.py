"""SQL for webinars, their sessions and the answers."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from aiosqlite import Row

from bot.clock import from_db, to_db
from bot.db import Database, Transaction
from bot.features.webinars.model import (
    Answer,
    Answered,
    NewWebinar,
    Rsvp,
    Session,
    Webinar,
)

_SESSION_COLUMNS = (
    "SELECT s.id, s.starts_at, s.cancelled_at, s.sequence, s.notified_sequence, "
    "s.notified_starts_at, s.notified_link, w.id AS webinar_id, w.title_da, w.title_en, w.link, "
    "w.recording_link, w.minutes, w.capacity, w.cancelled_at AS webinar_cancelled_at ")
_SESSION_FROM = "FROM webinar_sessions s JOIN webinars w ON w.id = s.webinar_id "
_SESSION = _SESSION_COLUMNS + _SESSION_FROM
_COUNTS = (
    _SESSION_COLUMNS
    + ", COALESCE(SUM(CASE WHEN r.answer = 'yes' AND r.waitlist_ticket IS NULL THEN 1 ELSE 0 END)"
    ", 0) AS yes, "
    "COALESCE(SUM(CASE WHEN r.answer = 'maybe' THEN 1 ELSE 0 END), 0) AS maybe, "
    "COALESCE(SUM(CASE WHEN r.answer = 'no' THEN 1 ELSE 0 END), 0) AS no, "
    "COALESCE(SUM(CASE WHEN r.waitlist_ticket IS NOT NULL THEN 1 ELSE 0 END), 0) "
    "AS waitlisted, "
    "COALESCE(SUM(CASE WHEN r.reminded_at IS NOT NULL THEN 1 ELSE 0 END), 0) AS reminded, "
    "COALESCE(SUM(CASE WHEN r.attended_at IS NOT NULL THEN 1 ELSE 0 END), 0) AS attended, "
    "COALESCE(SUM(CASE WHEN r.feedback_requested_at IS NOT NULL THEN 1 ELSE 0 END), 0) "
    "AS feedback "
    + _SESSION_FROM + "LEFT JOIN webinar_rsvps r ON r.session_id = s.id ")
_RSVP = ("SELECT session_id, citizen_id, answer, waitlist_ticket, answered_at, reminded_at "
         "FROM webinar_rsvps ")


@dataclass(frozen=True, slots=True)
class SessionCounts:
    """One session's row in `report webinars`."""

    session: Session
    yes: int
    maybe: int
    no: int
    waitlisted: int
    reminded: int
    attended: int
    feedback: int


class WebinarStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    # webinars and sessions ---------------------------------------------------------
    async def create(self, webinar: NewWebinar, starts: Iterable[datetime],
                     now: datetime) -> int:
        async with self._db.transaction() as tx:
            webinar_id = await tx.execute(
                "INSERT INTO webinars (title_da, title_en, link, recording_link, minutes, "
                "capacity, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (webinar.title_da, webinar.title_en, webinar.link, webinar.recording_link,
                 webinar.minutes, webinar.capacity, to_db(now)))
            await tx.execute_many(
                "INSERT INTO webinar_sessions (webinar_id, starts_at) VALUES (?, ?)",
                [(webinar_id, to_db(start)) for start in starts])
        return webinar_id

    async def webinars(self) -> list[Webinar]:
        rows = await self._db.fetch_all(
            "SELECT id, title_da, title_en, link, recording_link, minutes, capacity, "
            "cancelled_at AS webinar_cancelled_at FROM webinars ORDER BY id")
        return [_webinar(r, "id") for r in rows]

    async def sessions(self, webinar_id: int) -> list[Session]:
        rows = await self._db.fetch_all(
            _SESSION + "WHERE s.webinar_id = ? ORDER BY s.starts_at, s.id", (webinar_id,))
        return [_session(r) for r in rows]

    async def session(self, session_id: int) -> Session | None:
        row = await self._db.fetch_one(_SESSION + "WHERE s.id = ?", (session_id,))
        return _session(row) if row else None

    async def next_session(self, webinar_id: int, now: datetime) -> Session | None:
        """The first session not begun yet and not cancelled."""
        row = await self._db.fetch_one(
            _SESSION + "WHERE s.webinar_id = ? AND s.cancelled_at IS NULL AND s.starts_at > ? "
            "ORDER BY s.starts_at LIMIT 1", (webinar_id, to_db(now)))
        return _session(row) if row else None

    async def move_sessions(self, moves: Iterable[tuple[int, datetime]]) -> None:
        """New start times; each moved session's SEQUENCE goes up."""
        async with self._db.transaction() as tx:
            await tx.execute_many(
                "UPDATE webinar_sessions SET starts_at = ?, sequence = sequence + 1 "
                "WHERE id = ?", [(to_db(start), session_id) for session_id, start in moves])

    async def set_link(self, webinar_id: int, link: str, now: datetime) -> None:
        """A new link; every session still to come is changed (SEQUENCE up)."""
        async with self._db.transaction() as tx:
            await tx.execute("UPDATE webinars SET link = ? WHERE id = ?", (link, webinar_id))
            await tx.execute(
                "UPDATE webinar_sessions SET sequence = sequence + 1 WHERE webinar_id = ? "
                "AND cancelled_at IS NULL AND starts_at > ?", (webinar_id, to_db(now)))

    async def cancel(self, webinar_id: int, now: datetime) -> None:
        """The webinar and every session still to come are cancelled (SEQUENCE up)."""
        async with self._db.transaction() as tx:
            await tx.execute("UPDATE webinars SET cancelled_at = ? WHERE id = ?",
                             (to_db(now), webinar_id))
            await tx.execute(
                "UPDATE webinar_sessions SET cancelled_at = ?, sequence = sequence + 1 "
                "WHERE webinar_id = ? AND cancelled_at IS NULL AND starts_at > ?",
                (to_db(now), webinar_id, to_db(now)))

    async def unhandled(self, limit: int = 200) -> list[Session]:
        """Sessions created or changed (by the CLI or a staff command) that the running bot has
        not armed timers for, or told the citizens about, yet."""
        rows = await self._db.fetch_all(
            _SESSION + "WHERE s.notified_sequence IS NULL OR s.notified_sequence < s.sequence "
            "ORDER BY s.id LIMIT ?", (limit,))
        return [_session(r) for r in rows]

    async def mark_handled(self, session: Session) -> None:
        await self._db.execute(
            "UPDATE webinar_sessions SET notified_sequence = ?, notified_starts_at = ?, "
            "notified_link = ? WHERE id = ?",
            (session.sequence, to_db(session.starts_at), session.webinar.link, session.id))

    # answers ------------------------------------------------------------------------
    async def answer(self, session_id: int, citizen_id: int, answer: Answer,
                     now: datetime) -> Answered:
        """Record an answer in one transaction, so that two Yes for the last seat can never
        both get it: a Yes finding every seat taken gets the next waitlist ticket, and a seat
        given up goes to the lowest ticket at once."""
        async with self._db.transaction() as tx:
            row = await tx.fetch_one(
                "SELECT w.capacity FROM webinar_sessions s JOIN webinars w "
                "ON w.id = s.webinar_id WHERE s.id = ?", (session_id,))
            capacity = row["capacity"] if row else None
            old_row = await tx.fetch_one(_RSVP + "WHERE session_id = ? AND citizen_id = ?",
                                         (session_id, citizen_id))
            old = _rsvp(old_row) if old_row else None
            ticket: int | None = None
            if answer is Answer.YES:
                if old is not None and old.answer is Answer.YES:
                    ticket = old.waitlist_ticket
                elif capacity is not None and await _seated(tx, session_id) >= capacity:
                    ticket = await _next_ticket(tx, session_id)
            await tx.execute(
                "INSERT INTO webinar_rsvps (session_id, citizen_id, answer, waitlist_ticket, "
                "answered_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (session_id, citizen_id) "
                "DO UPDATE SET answer = excluded.answer, "
                "waitlist_ticket = excluded.waitlist_ticket, answered_at = excluded.answered_at",
                (session_id, citizen_id, answer.value, ticket, to_db(now)))
            promoted: list[Rsvp] = []
            if old is not None and old.seated and answer is not Answer.YES \
                    and capacity is not None:
                promoted = await _fill_seats(tx, session_id, capacity)
            position = None
            if ticket is not None:
                ahead = await tx.fetch_one(
                    "SELECT COUNT(*) AS n FROM webinar_rsvps WHERE session_id = ? "
                    "AND waitlist_ticket IS NOT NULL AND waitlist_ticket <= ?",
                    (session_id, ticket))
                position = int(ahead["n"]) if ahead else 1
        rsvp = Rsvp(session_id, citizen_id, answer, ticket, now,
                    old.reminded_at if old else None)
        return Answered(rsvp, position, tuple(promoted), old)

    async def rsvp(self, session_id: int, citizen_id: int) -> Rsvp | None:
        row = await self._db.fetch_one(_RSVP + "WHERE session_id = ? AND citizen_id = ?",
                                       (session_id, citizen_id))
        return _rsvp(row) if row else None

    async def rsvps(self, session_id: int) -> list[Rsvp]:
        rows = await self._db.fetch_all(_RSVP + "WHERE session_id = ? ORDER BY citizen_id",
                                        (session_id,))
        return [_rsvp(r) for r in rows]

    async def citizen_rsvps(self, citizen_id: int) -> list[tuple[Session, Rsvp]]:
        """Every answer of one citizen with its session, soonest first."""
        rows = await self._db.fetch_all(
            _SESSION_COLUMNS
            + ", r.answer, r.waitlist_ticket, r.answered_at, r.reminded_at " + _SESSION_FROM
            + "JOIN webinar_rsvps r ON r.session_id = s.id WHERE r.citizen_id = ? "
            "ORDER BY s.starts_at, s.id", (citizen_id,))
        return [(_session(r), Rsvp(r["id"], citizen_id, Answer(r["answer"]),
                                   r["waitlist_ticket"], from_db(r["answered_at"]),
                                   _moment(r["reminded_at"]))) for r in rows]

    async def calendar_sequence(self, session_id: int, citizen_id: int, least: int) -> int:
        """The SEQUENCE for the next calendar file to this citizen about the session: the
        session's own (`least`), or one above the last file they got, whichever is higher, so
        each file replaces the one before in their calendar. Remembered as sent."""
        async with self._db.transaction() as tx:
            await tx.execute(
                "UPDATE webinar_rsvps SET calendar_sequence = CASE "
                "WHEN calendar_sequence IS NULL OR calendar_sequence < ? THEN ? "
                "ELSE calendar_sequence + 1 END WHERE session_id = ? AND citizen_id = ?",
                (least, least, session_id, citizen_id))
            row = await tx.fetch_one(
                "SELECT calendar_sequence FROM webinar_rsvps WHERE session_id = ? "
                "AND citizen_id = ?", (session_id, citizen_id))
        return int(row["calendar_sequence"]) if row else least

    async def answered_by(self, webinar_id: int) -> frozenset[int]:
        """The citizens who answered any session of the webinar (Yes, Maybe or No)."""
        rows = await self._db.fetch_all(
            "SELECT DISTINCT r.citizen_id FROM webinar_rsvps r JOIN webinar_sessions s "
            "ON s.id = r.session_id WHERE s.webinar_id = ?", (webinar_id,))
        return frozenset(int(r["citizen_id"]) for r in rows)

    async def waitlist_position(self, session_id: int, ticket: int) -> int:
        row = await self._db.fetch_one(
            "SELECT COUNT(*) AS n FROM webinar_rsvps WHERE session_id = ? "
            "AND waitlist_ticket IS NOT NULL AND waitlist_ticket <= ?", (session_id, ticket))
        return int(row["n"]) if row else 1

    async def mark_reminded(self, session_id: int, citizen_id: int, now: datetime) -> None:
        await self._db.execute(
            "UPDATE webinar_rsvps SET reminded_at = ? WHERE session_id = ? AND citizen_id = ?",
            (to_db(now), session_id, citizen_id))

    async def request_feedback(self, session_id: int, citizen_id: int, now: datetime) -> bool:
        """True the first time the citizen takes the follow-up's feedback offer."""
        changed = await self._db.execute_rowcount(
            "UPDATE webinar_rsvps SET feedback_requested_at = ? WHERE session_id = ? "
            "AND citizen_id = ? AND feedback_requested_at IS NULL",
            (to_db(now), session_id, citizen_id))
        return changed > 0

    async def mark_attended(self, session_id: int, citizen_ids: Iterable[int],
                            now: datetime) -> int:
        """Staff's list of who took part, among those who answered; returns how many."""
        ids = sorted(set(citizen_ids))
        if not ids:
            return 0
        return await self._db.execute_rowcount(
            "UPDATE webinar_rsvps SET attended_at = ? WHERE session_id = ? "
            f"AND citizen_id IN ({', '.join('?' * len(ids))})",
            (to_db(now), session_id, *ids))

    # report --------------------------------------------------------------------------
    async def session_counts(self) -> list[SessionCounts]:
        """Every session, by webinar (`report webinars`)."""
        rows = await self._db.fetch_all(
            _COUNTS + "GROUP BY s.id, w.id ORDER BY w.id, s.starts_at, s.id")
        return [_counts(r) for r in rows]

    async def upcoming_counts(self, now: datetime, limit: int) -> tuple[list[SessionCounts], int]:
        """The sessions not begun and not cancelled, soonest first (/webinar list), at most
        `limit` of them, and how many there are in all."""
        rows = await self._db.fetch_all(
            _COUNTS + "WHERE s.starts_at > ? AND s.cancelled_at IS NULL "
            "GROUP BY s.id, w.id ORDER BY s.starts_at, s.id LIMIT ?", (to_db(now), limit))
        total = await self._db.fetch_one(
            "SELECT COUNT(*) AS n FROM webinar_sessions WHERE starts_at > ? "
            "AND cancelled_at IS NULL", (to_db(now),))
        return [_counts(r) for r in rows], int(total["n"]) if total else 0

    async def invitations(self) -> dict[int, tuple[int, int]]:
        """Per session: broadcast messages that carried its RSVP buttons (`rsvp:<webinar>`
        answers the session that was next when the message was made, so each counts for that
        session only), and how many of them Telegram accepted. The outbox keeps rows for 8 days,
        so older invitations are not counted."""
        rows = await self._db.fetch_all(
            "SELECT status, payload FROM outbox WHERE kind = 'broadcast' "
            "AND payload LIKE '%webinar|rsvp|%|yes%'")
        found: dict[int, tuple[int, int]] = {}
        for row in rows:
            for session_id in _rsvp_yes_sessions(row["payload"]):
                invited, delivered = found.get(session_id, (0, 0))
                found[session_id] = (invited + 1, delivered + (row["status"] == "sent"))
        return found


def _rsvp_yes_sessions(payload: str) -> list[int]:
    """The session of each Yes button (``webinar|rsvp|<session>|yes``) in a message."""
    rows = json.loads(payload).get("buttons") or []
    found = []
    for buttons in rows:
        for button in buttons:
            data = button[1] if isinstance(button, list) and len(button) > 1 else None
            if (isinstance(data, str) and data.startswith("webinar|rsvp|")
                    and data.endswith("|yes") and len(data) >= 17):
                found.append(_leading_integer(data[13:-4]))
    return found


def _leading_integer(text: str) -> int:
    """SQLite's CAST(text AS INTEGER): the leading digits, 0 without any."""
    match = re.match(r"\s*([+-]?\d+)", text)
    return int(match.group(1)) if match else 0


async def _seated(tx: Transaction, session_id: int) -> int:
    row = await tx.fetch_one(
        "SELECT COUNT(*) AS n FROM webinar_rsvps WHERE session_id = ? AND answer = 'yes' "
        "AND waitlist_ticket IS NULL", (session_id,))
    return int(row["n"]) if row else 0


async def _next_ticket(tx: Transaction, session_id: int) -> int:
    await tx.execute("UPDATE webinar_sessions SET waitlist_tickets = waitlist_tickets + 1 "
                     "WHERE id = ?", (session_id,))
    row = await tx.fetch_one("SELECT waitlist_tickets FROM webinar_sessions WHERE id = ?",
                             (session_id,))
    return int(row["waitlist_tickets"]) if row else 1


async def _fill_seats(tx: Transaction, session_id: int, capacity: int) -> list[Rsvp]:
    """Free seats to the lowest waitlist tickets, in order."""
    promoted: list[Rsvp] = []
    while await _seated(tx, session_id) < capacity:
        row = await tx.fetch_one(
            _RSVP + "WHERE session_id = ? AND waitlist_ticket IS NOT NULL "
            "ORDER BY waitlist_ticket LIMIT 1", (session_id,))
        if row is None:
            break
        await tx.execute("UPDATE webinar_rsvps SET waitlist_ticket = NULL "
                         "WHERE session_id = ? AND citizen_id = ?",
                         (session_id, row["citizen_id"]))
        waiting = _rsvp(row)
        promoted.append(Rsvp(waiting.session_id, waiting.citizen_id, Answer.YES,
                             None, waiting.answered_at, waiting.reminded_at))
    return promoted


def _moment(raw: str | None) -> datetime | None:
    return from_db(raw) if raw else None


def _webinar(row: Row, id_column: str) -> Webinar:
    return Webinar(row[id_column], row["title_da"], row["title_en"], row["link"],
                   row["recording_link"], row["minutes"], row["capacity"],
                   _moment(row["webinar_cancelled_at"]))


def _session(row: Row) -> Session:
    return Session(row["id"], _webinar(row, "webinar_id"), from_db(row["starts_at"]),
                   _moment(row["cancelled_at"]), row["sequence"], row["notified_sequence"],
                   _moment(row["notified_starts_at"]), row["notified_link"])


def _counts(row: Row) -> SessionCounts:
    return SessionCounts(_session(row), row["yes"], row["maybe"], row["no"], row["waitlisted"],
                         row["reminded"], row["attended"], row["feedback"])


def _rsvp(row: Row) -> Rsvp:
    return Rsvp(row["session_id"], row["citizen_id"], Answer(row["answer"]),
                row["waitlist_ticket"], from_db(row["answered_at"]), _moment(row["reminded_at"]))
