"""SQL for job clubs: clubs and sessions, seats, the waitlist, seat offers, attendance, the
evaluation at the end.

Every decision about a seat (join, leave, offer, accept, decline, expire) is one transaction
(BEGIN IMMEDIATE, and the connection's lock), so two taps can never take the same seat: an open
offer holds its seat, and a seat is free only when neither a member nor an open offer has it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from aiosqlite import Row

from bot.clock import from_db, to_db
from bot.db import Database, Transaction
from bot.features.citizens import Purpose
from bot.features.clubs.model import (
    Club,
    ClubSession,
    Joined,
    JoinResult,
    Mark,
    OfferStatus,
    SeatOffer,
    Seats,
    Standing,
)

_CLUB_COLUMNS = ("k.id AS club_id, k.title_da, k.title_en, k.consultant_id, k.capacity, "
                 "k.locale, k.minutes, k.link, k.joined_after, k.invite_label, "
                 "k.cancelled_at AS club_cancelled_at, k.version, k.notified_version, "
                 "k.notified_link ")
_CLUB = "SELECT " + _CLUB_COLUMNS + "FROM clubs k "
_SESSION = ("SELECT s.id, s.number, s.starts_at, s.cancelled_at, s.sequence, "
            "s.notified_starts_at, s.notified_cancelled, " + _CLUB_COLUMNS
            + "FROM club_sessions s JOIN clubs k ON k.id = s.club_id ")
_OFFER = ("SELECT id, club_id, citizen_id, from_club_id, waited_since, offered_at, expires_at, "
          "status FROM club_seat_offers ")
_CONSENTED = ("(SELECT e.granted FROM consent_events e WHERE e.citizen_id = c.id "
              "AND e.purpose = ? ORDER BY e.id DESC LIMIT 1)")


@dataclass(frozen=True, slots=True)
class NewClub:
    title_da: str
    title_en: str
    consultant_id: int
    capacity: int
    locale: str
    minutes: int
    link: str | None
    joined_after: datetime | None = None
    invite_label: str | None = None


@dataclass(frozen=True, slots=True)
class SessionCounts:
    """One meeting's row in `report clubs`, with its club's numbers."""

    session: ClubSession
    members: int
    dropped: int
    """Left the club (themselves, /stop or blocking; not a cancelled club)."""
    waiting: int
    cant_come: int
    attended: int
    missed: int


@dataclass(frozen=True, slots=True)
class Evaluation:
    """One member's evaluation of one club, as /mydata shows it."""

    club_id: int
    asked_at: datetime
    score: int | None
    comment: str | None
    comment_at: datetime | None


@dataclass(frozen=True, slots=True)
class EvaluationCounts:
    """One club's evaluations in `report clubs`."""

    asked: int
    scored: int
    mean: float | None
    per_score: tuple[int, int, int, int, int]
    """How many gave 1, 2, 3, 4 and 5."""


@dataclass(frozen=True, slots=True)
class Demand:
    """Citizens waiting for clubs of one kind, and the newest such club (to copy)."""

    kind: str
    waiting: int
    club_id: int


_PLACES = ("SELECT club_id FROM club_members WHERE citizen_id = ? AND left_at IS NULL "
           "UNION SELECT club_id FROM club_waitlist WHERE citizen_id = ? "
           "UNION SELECT club_id FROM club_seat_offers WHERE citizen_id = ? AND status = 'open'")
"""The clubs a citizen has a seat, a place on the waitlist or an open offer in."""


class ClubStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    # clubs and sessions --------------------------------------------------------------
    async def create(self, club: NewClub, starts: Iterable[datetime], created_by: str,
                     now: datetime) -> int:
        async with self._db.transaction() as tx:
            club_id = await tx.execute(
                "INSERT INTO clubs (title_da, title_en, consultant_id, capacity, locale, minutes, "
                "link, joined_after, invite_label, created_by, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (club.title_da, club.title_en, club.consultant_id, club.capacity, club.locale,
                 club.minutes, club.link, _maybe(club.joined_after), club.invite_label,
                 created_by, to_db(now)))
            await tx.execute_many(
                "INSERT INTO club_sessions (club_id, number, starts_at) VALUES (?, ?, ?)",
                [(club_id, number, to_db(start)) for number, start in enumerate(starts, 1)])
        return club_id

    async def clubs(self) -> list[Club]:
        return [_club(r) for r in await self._db.fetch_all(_CLUB + "ORDER BY k.id")]

    async def club(self, club_id: int) -> Club | None:
        row = await self._db.fetch_one(_CLUB + "WHERE k.id = ?", (club_id,))
        return _club(row) if row else None

    async def open_clubs(self, now: datetime) -> list[Club]:
        """Clubs not cancelled with a meeting still to come, the soonest first."""
        rows = await self._db.fetch_all(
            "SELECT " + _CLUB_COLUMNS + ", MIN(s.starts_at) AS next_start FROM clubs k "
            "JOIN club_sessions s ON s.club_id = k.id AND s.cancelled_at IS NULL "
            "AND s.starts_at > ? WHERE k.cancelled_at IS NULL GROUP BY k.id "
            "ORDER BY next_start, k.id", (to_db(now),))
        return [_club(r) for r in rows]

    async def sessions(self, club_id: int) -> list[ClubSession]:
        rows = await self._db.fetch_all(_SESSION + "WHERE s.club_id = ? ORDER BY s.number",
                                        (club_id,))
        return [_session(r) for r in rows]

    async def session(self, session_id: int) -> ClubSession | None:
        row = await self._db.fetch_one(_SESSION + "WHERE s.id = ?", (session_id,))
        return _session(row) if row else None

    async def move_sessions(self, club_id: int, moves: Iterable[tuple[int, datetime]]) -> None:
        """New start times; each moved session's SEQUENCE and the club's version go up."""
        async with self._db.transaction() as tx:
            await tx.execute_many(
                "UPDATE club_sessions SET starts_at = ?, sequence = sequence + 1 "
                "WHERE id = ? AND club_id = ?",
                [(to_db(start), session_id, club_id) for session_id, start in moves])
            await _bump(tx, club_id)

    async def set_link(self, club_id: int, link: str, now: datetime) -> None:
        async with self._db.transaction() as tx:
            await tx.execute("UPDATE clubs SET link = ? WHERE id = ?", (link, club_id))
            await tx.execute(
                "UPDATE club_sessions SET sequence = sequence + 1 WHERE club_id = ? "
                "AND cancelled_at IS NULL AND starts_at > ?", (club_id, to_db(now)))
            await _bump(tx, club_id)

    async def cancel_session(self, session_id: int, now: datetime) -> None:
        async with self._db.transaction() as tx:
            await tx.execute(
                "UPDATE club_sessions SET cancelled_at = ?, sequence = sequence + 1 "
                "WHERE id = ? AND cancelled_at IS NULL", (to_db(now), session_id))
            row = await tx.fetch_one("SELECT club_id FROM club_sessions WHERE id = ?",
                                     (session_id,))
            if row is not None:
                await _bump(tx, row["club_id"])

    async def cancel(self, club_id: int, now: datetime) -> None:
        """The club and every meeting still to come are cancelled (SEQUENCE up)."""
        async with self._db.transaction() as tx:
            await tx.execute("UPDATE clubs SET cancelled_at = ? WHERE id = ?",
                             (to_db(now), club_id))
            await tx.execute(
                "UPDATE club_sessions SET cancelled_at = ?, sequence = sequence + 1 "
                "WHERE club_id = ? AND cancelled_at IS NULL AND starts_at > ?",
                (to_db(now), club_id, to_db(now)))
            await _bump(tx, club_id)

    async def unhandled(self, limit: int = 100) -> list[Club]:
        """Clubs created or changed (by the CLI or the staff chat) that the running bot has not
        armed timers for, or told the members about, yet."""
        rows = await self._db.fetch_all(
            _CLUB + "WHERE k.notified_version IS NULL OR k.notified_version < k.version "
            "ORDER BY k.id LIMIT ?", (limit,))
        return [_club(r) for r in rows]

    async def mark_handled(self, club: Club, sessions: Iterable[ClubSession]) -> None:
        """What the bot acted on: the version it read, and each session as it was then."""
        async with self._db.transaction() as tx:
            await tx.execute("UPDATE clubs SET notified_version = ?, notified_link = ? "
                             "WHERE id = ?", (club.version, club.link, club.id))
            await tx.execute_many(
                "UPDATE club_sessions SET notified_starts_at = ?, notified_cancelled = ? "
                "WHERE id = ?",
                [(to_db(s.starts_at), int(s.cancelled), s.id) for s in sessions])

    # seats ---------------------------------------------------------------------------
    async def seats(self, club_id: int) -> Seats:
        async with self._db.transaction() as tx:
            return await _seats(tx, club_id)

    async def join(self, club_id: int, citizen_id: int, now: datetime) -> Joined:
        """A seat if one is free and nobody waits for it, else a place on the waitlist. An
        open offer for this club is taken as accepted."""
        async with self._db.transaction() as tx:
            if await _is_member(tx, club_id, citizen_id):
                return Joined(JoinResult.MEMBER_ALREADY)
            ticket = await _ticket(tx, club_id, citizen_id)
            if ticket is not None:
                return Joined(JoinResult.WAITING_ALREADY, await _position(tx, club_id, ticket))
            offer = await tx.fetch_one(
                _OFFER + "WHERE club_id = ? AND citizen_id = ? AND status = 'open' "
                "AND expires_at > ?", (club_id, citizen_id, to_db(now)))
            if offer is not None:
                await _accept(tx, _offer(offer), now)
                return Joined(JoinResult.JOINED)
            row = await tx.fetch_one("SELECT capacity FROM clubs WHERE id = ?", (club_id,))
            capacity = int(row["capacity"]) if row else 0
            seats = await _seats(tx, club_id)
            if seats.free(capacity) > 0 and seats.waiting == 0:
                await _seat(tx, club_id, citizen_id, None, now)
                return Joined(JoinResult.JOINED)
            await tx.execute("UPDATE clubs SET waitlist_tickets = waitlist_tickets + 1 "
                             "WHERE id = ?", (club_id,))
            row = await tx.fetch_one("SELECT waitlist_tickets FROM clubs WHERE id = ?",
                                     (club_id,))
            ticket = int(row["waitlist_tickets"]) if row else 1
            await tx.execute("INSERT INTO club_waitlist (club_id, citizen_id, ticket, joined_at) "
                             "VALUES (?, ?, ?, ?)", (club_id, citizen_id, ticket, to_db(now)))
            return Joined(JoinResult.WAITLISTED, await _position(tx, club_id, ticket))

    async def leave(self, club_id: int, citizen_id: int, reason: str, now: datetime) -> bool:
        """Off the club: the seat, the waitlist place and an open offer; True if they had a
        seat or an offer (something to give to the next one)."""
        async with self._db.transaction() as tx:
            return await _leave(tx, club_id, citizen_id, reason, now)

    async def leave_all(self, citizen_id: int, reason: str, now: datetime) -> list[int]:
        """Off every club (/stop, blocked, erased); the clubs where a seat came free.

        Most citizens are in no club: a plain read finds that, without a write transaction
        (which would end the group commit of every update in flight, bot/db.py). A seat
        offered meanwhile is taken back by the next sweep (`gone`)."""
        places = (citizen_id, citizen_id, citizen_id)
        if not await self._db.fetch_all(_PLACES, places):
            return []
        async with self._db.transaction() as tx:
            rows = await tx.fetch_all(_PLACES, places)
            return [r["club_id"] for r in rows
                    if await _leave(tx, r["club_id"], citizen_id, reason, now)]

    async def gone(self) -> list[tuple[int, bool]]:
        """Citizens with a seat, a place or an offer who blocked the bot or no longer consent
        to job clubs: (citizen id, blocked)."""
        rows = await self._db.fetch_all(
            "SELECT c.id, c.blocked_at IS NOT NULL AS blocked FROM citizens c "
            "WHERE c.id IN (SELECT citizen_id FROM club_members WHERE left_at IS NULL "
            "UNION SELECT citizen_id FROM club_waitlist "
            "UNION SELECT citizen_id FROM club_seat_offers WHERE status = 'open') "
            "AND (c.blocked_at IS NOT NULL OR COALESCE(" + _CONSENTED + ", 0) = 0) "
            "ORDER BY c.id", (Purpose.JOB_CLUB.value,))
        return [(r["id"], bool(r["blocked"])) for r in rows]

    async def members(self, club_id: int) -> list[int]:
        rows = await self._db.fetch_all(
            "SELECT citizen_id FROM club_members WHERE club_id = ? AND left_at IS NULL "
            "ORDER BY joined_at, citizen_id", (club_id,))
        return [r["citizen_id"] for r in rows]

    async def seated_anywhere(self) -> frozenset[int]:
        """Citizens with a seat in a club not cancelled."""
        rows = await self._db.fetch_all(
            "SELECT DISTINCT m.citizen_id FROM club_members m JOIN clubs k ON k.id = m.club_id "
            "WHERE m.left_at IS NULL AND k.cancelled_at IS NULL")
        return frozenset(r["citizen_id"] for r in rows)

    async def waiting(self, club_id: int) -> list[int]:
        rows = await self._db.fetch_all(
            "SELECT citizen_id FROM club_waitlist WHERE club_id = ? ORDER BY ticket",
            (club_id,))
        return [r["citizen_id"] for r in rows]

    async def standing(self, club_id: int, citizen_id: int, now: datetime) -> Standing:
        async with self._db.transaction() as tx:
            if await _is_member(tx, club_id, citizen_id):
                return Standing(member=True)
            offer = await tx.fetch_one(
                _OFFER + "WHERE club_id = ? AND citizen_id = ? AND status = 'open' "
                "AND expires_at > ?", (club_id, citizen_id, to_db(now)))
            ticket = await _ticket(tx, club_id, citizen_id)
            position = await _position(tx, club_id, ticket) if ticket is not None else None
            return Standing(False, position, _offer(offer) if offer else None)

    async def citizen_clubs(self, citizen_id: int, now: datetime) -> list[tuple[Club, Standing]]:
        """Every club the citizen has a seat, a place or an offer in, by id."""
        rows = await self._db.fetch_all(
            _CLUB + "WHERE k.id IN (SELECT club_id FROM club_members WHERE citizen_id = ? "
            "AND left_at IS NULL UNION SELECT club_id FROM club_waitlist WHERE citizen_id = ? "
            "UNION SELECT club_id FROM club_seat_offers WHERE citizen_id = ? "
            "AND status = 'open') ORDER BY k.id", (citizen_id, citizen_id, citizen_id))
        return [(_club(r), await self.standing(r["club_id"], citizen_id, now)) for r in rows]

    # seat offers ---------------------------------------------------------------------
    async def make_offers(self, club_id: int, offered_at: datetime, expires_at: datetime,
                          now: datetime) -> list[SeatOffer]:
        """Each free seat to the first who waits: on this club's waitlist first, then on the
        waitlist of a club of the same kind (language and label), longest waiting first;
        only citizens this club is open to, with no other offer open."""
        async with self._db.transaction() as tx:
            row = await tx.fetch_one(
                "SELECT capacity, locale, invite_label, joined_after, cancelled_at FROM clubs "
                "WHERE id = ?", (club_id,))
            if row is None or row["cancelled_at"] is not None:
                return []
            free = (await _seats(tx, club_id)).free(int(row["capacity"]))
            offers: list[SeatOffer] = []
            for _seat_number in range(free):
                found = await tx.fetch_one(
                    "SELECT w.club_id, w.citizen_id, w.joined_at FROM club_waitlist w "
                    "JOIN clubs k ON k.id = w.club_id JOIN citizens c ON c.id = w.citizen_id "
                    "WHERE k.locale = ? AND COALESCE(k.invite_label, '') = COALESCE(?, '') "
                    "AND c.blocked_at IS NULL AND (? IS NULL OR c.joined_at >= ?) "
                    "AND (? IS NULL OR c.invite_label = ?) "
                    "AND NOT EXISTS (SELECT 1 FROM club_members m WHERE m.club_id = ? "
                    "AND m.citizen_id = w.citizen_id AND m.left_at IS NULL) "
                    "AND NOT EXISTS (SELECT 1 FROM club_seat_offers o "
                    "WHERE o.citizen_id = w.citizen_id AND o.status = 'open') "
                    "ORDER BY w.club_id = ? DESC, w.joined_at, w.ticket LIMIT 1",
                    (row["locale"], row["invite_label"], row["joined_after"],
                     row["joined_after"], row["invite_label"], row["invite_label"], club_id,
                     club_id))
                if found is None:
                    break
                offer_id = await tx.execute(
                    "INSERT INTO club_seat_offers (club_id, citizen_id, from_club_id, "
                    "waited_since, offered_at, expires_at, status) "
                    "VALUES (?, ?, ?, ?, ?, ?, 'open')",
                    (club_id, found["citizen_id"], found["club_id"], found["joined_at"],
                     to_db(offered_at), to_db(expires_at)))
                offers.append(SeatOffer(offer_id, club_id, found["citizen_id"],
                                        found["club_id"], from_db(found["joined_at"]),
                                        offered_at, expires_at, OfferStatus.OPEN))
            return offers

    async def offer(self, offer_id: int) -> SeatOffer | None:
        row = await self._db.fetch_one(_OFFER + "WHERE id = ?", (offer_id,))
        return _offer(row) if row else None

    async def accept(self, offer_id: int, citizen_id: int, now: datetime) -> bool:
        """Take the seat the offer holds; False when it is not open (answered, withdrawn, run
        out) or not this citizen's."""
        async with self._db.transaction() as tx:
            row = await tx.fetch_one(_OFFER + "WHERE id = ? AND citizen_id = ?",
                                     (offer_id, citizen_id))
            if row is None or row["status"] != OfferStatus.OPEN or from_db(
                    row["expires_at"]) <= now:
                return False
            await _accept(tx, _offer(row), now)
            return True

    async def decline(self, offer_id: int, citizen_id: int, now: datetime) -> bool:
        """No thanks: the offer ends and they leave the waitlist it came from."""
        async with self._db.transaction() as tx:
            row = await tx.fetch_one(_OFFER + "WHERE id = ? AND citizen_id = ?",
                                     (offer_id, citizen_id))
            if row is None or row["status"] != OfferStatus.OPEN:
                return False
            await _close_offer(tx, _offer(row), OfferStatus.DECLINED, now)
            return True

    async def expire(self, offer_id: int, now: datetime) -> SeatOffer | None:
        """The offer ran out unanswered (None if it was answered or is not due yet)."""
        async with self._db.transaction() as tx:
            row = await tx.fetch_one(_OFFER + "WHERE id = ?", (offer_id,))
            if row is None or row["status"] != OfferStatus.OPEN or from_db(
                    row["expires_at"]) > now:
                return None
            offer = _offer(row)
            await _close_offer(tx, offer, OfferStatus.EXPIRED, now)
            return offer

    # attendance -----------------------------------------------------------------------
    async def cant_come(self, session_id: int, citizen_id: int, now: datetime) -> bool:
        """True the first time the member says so for this session."""
        async with self._db.transaction() as tx:
            row = await tx.fetch_one("SELECT cant_come_at FROM club_attendance "
                                     "WHERE session_id = ? AND citizen_id = ?",
                                     (session_id, citizen_id))
            if row is not None and row["cant_come_at"] is not None:
                return False
            await tx.execute(
                "INSERT INTO club_attendance (session_id, citizen_id, cant_come_at) "
                "VALUES (?, ?, ?) ON CONFLICT (session_id, citizen_id) "
                "DO UPDATE SET cant_come_at = excluded.cant_come_at",
                (session_id, citizen_id, to_db(now)))
            return True

    async def cant_come_streak(self, club_id: int, citizen_id: int, number: int) -> int:
        """How many meetings in a row, up to and including `number`, the member said they
        could not come to (cancelled meetings skipped)."""
        rows = await self._db.fetch_all(
            "SELECT a.cant_come_at FROM club_sessions s LEFT JOIN club_attendance a "
            "ON a.session_id = s.id AND a.citizen_id = ? WHERE s.club_id = ? "
            "AND s.number <= ? AND s.cancelled_at IS NULL ORDER BY s.number DESC",
            (citizen_id, club_id, number))
        streak = 0
        for row in rows:
            if row["cant_come_at"] is None:
                break
            streak += 1
        return streak

    async def mark(self, session_id: int, citizen_id: int, attended: bool, staff_id: int,
                   now: datetime) -> None:
        await self._db.execute(
            "INSERT INTO club_attendance (session_id, citizen_id, attended, marked_at, "
            "marked_by) VALUES (?, ?, ?, ?, ?) ON CONFLICT (session_id, citizen_id) "
            "DO UPDATE SET attended = excluded.attended, marked_at = excluded.marked_at, "
            "marked_by = excluded.marked_by",
            (session_id, citizen_id, int(attended), to_db(now), staff_id))

    async def marks(self, session_id: int) -> list[Mark]:
        """The club's members (and anyone marked) with their line for this session."""
        rows = await self._db.fetch_all(
            "SELECT m.citizen_id, a.cant_come_at, a.attended FROM club_sessions s "
            "JOIN club_members m ON m.club_id = s.club_id "
            "LEFT JOIN club_attendance a ON a.session_id = s.id AND a.citizen_id = m.citizen_id "
            "WHERE s.id = ? AND (m.left_at IS NULL OR a.attended IS NOT NULL) "
            "ORDER BY m.joined_at, m.citizen_id", (session_id,))
        return [Mark(r["citizen_id"], r["cant_come_at"] is not None,
                     None if r["attended"] is None else bool(r["attended"])) for r in rows]

    async def missed(self, club_id: int, citizen_id: int) -> int:
        """Meetings of the club the consultant marked the member as not attending."""
        row = await self._db.fetch_one(
            "SELECT COUNT(*) AS n FROM club_attendance a JOIN club_sessions s "
            "ON s.id = a.session_id WHERE s.club_id = ? AND a.citizen_id = ? "
            "AND a.attended = 0", (club_id, citizen_id))
        return int(row["n"]) if row else 0

    # report ---------------------------------------------------------------------------
    async def session_counts(self) -> list[SessionCounts]:
        rows = await self._db.fetch_all(
            "SELECT s.id, s.number, s.starts_at, s.cancelled_at, s.sequence, "
            "s.notified_starts_at, s.notified_cancelled, " + _CLUB_COLUMNS + ", "
            "(SELECT COUNT(*) FROM club_members m WHERE m.club_id = k.id "
            " AND m.left_at IS NULL) AS members, "
            "(SELECT COUNT(*) FROM club_members m WHERE m.club_id = k.id "
            " AND m.left_at IS NOT NULL AND m.left_reason <> 'cancelled') AS dropped, "
            "(SELECT COUNT(*) FROM club_waitlist w WHERE w.club_id = k.id) AS waiting, "
            "COALESCE(SUM(CASE WHEN a.cant_come_at IS NOT NULL THEN 1 ELSE 0 END), 0) "
            "AS cant_come, "
            "COALESCE(SUM(CASE WHEN a.attended = 1 THEN 1 ELSE 0 END), 0) AS attended, "
            "COALESCE(SUM(CASE WHEN a.attended = 0 THEN 1 ELSE 0 END), 0) AS missed "
            "FROM club_sessions s JOIN clubs k ON k.id = s.club_id "
            "LEFT JOIN club_attendance a ON a.session_id = s.id "
            "GROUP BY s.id, k.id ORDER BY k.id, s.number")
        return [SessionCounts(_session(r), r["members"], r["dropped"], r["waiting"],
                              r["cant_come"], r["attended"], r["missed"]) for r in rows]

    async def waits(self) -> list[tuple[int, datetime, datetime]]:
        """(club id, joined the waitlist, got the seat) of every member who came through it."""
        rows = await self._db.fetch_all(
            "SELECT club_id, waited_since, joined_at FROM club_members "
            "WHERE waited_since IS NOT NULL ORDER BY club_id")
        return [(r["club_id"], from_db(r["waited_since"]), from_db(r["joined_at"]))
                for r in rows]

    # demand ---------------------------------------------------------------------------
    async def demand(self) -> list[Demand]:
        """Citizens waiting, per kind of club still open."""
        rows = await self._db.fetch_all(
            "SELECT k.locale || '|' || COALESCE(k.invite_label, '') AS kind, "
            "COUNT(DISTINCT w.citizen_id) AS waiting, MAX(k.id) AS club_id "
            "FROM club_waitlist w JOIN clubs k ON k.id = w.club_id "
            "WHERE k.cancelled_at IS NULL GROUP BY kind ORDER BY kind")
        return [Demand(r["kind"], int(r["waiting"]), int(r["club_id"])) for r in rows]

    async def alerted(self) -> dict[str, int]:
        rows = await self._db.fetch_all("SELECT kind, waiting FROM club_demand_alerts")
        return {r["kind"]: int(r["waiting"]) for r in rows}

    async def set_alerted(self, kind: str, waiting: int, now: datetime) -> None:
        await self._db.execute(
            "INSERT INTO club_demand_alerts (kind, waiting, alerted_at) VALUES (?, ?, ?) "
            "ON CONFLICT (kind) DO UPDATE SET waiting = excluded.waiting, "
            "alerted_at = excluded.alerted_at", (kind, waiting, to_db(now)))

    async def clear_alerted(self, kind: str) -> None:
        await self._db.execute("DELETE FROM club_demand_alerts WHERE kind = ?", (kind,))


class ClubEvaluationStore:
    """The evaluation at a club's end: asked once per member, a score and maybe a comment."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def asked(self, club_id: int, citizen_id: int) -> bool:
        return await self._db.fetch_one(
            "SELECT 1 FROM club_evaluations WHERE club_id = ? AND citizen_id = ?",
            (club_id, citizen_id)) is not None

    async def ask(self, club_id: int, citizen_id: int, now: datetime) -> None:
        await self._db.execute(
            "INSERT INTO club_evaluations (club_id, citizen_id, asked_at) VALUES (?, ?, ?) "
            "ON CONFLICT (club_id, citizen_id) DO NOTHING", (club_id, citizen_id, to_db(now)))

    async def score(self, club_id: int, citizen_id: int, score: int, now: datetime) -> bool:
        """False when the member was never asked (nothing to answer)."""
        return await self._db.execute_rowcount(
            "UPDATE club_evaluations SET score = ?, scored_at = ? WHERE club_id = ? "
            "AND citizen_id = ?", (score, to_db(now), club_id, citizen_id)) > 0

    async def comment(self, club_id: int, citizen_id: int, comment: str,
                      now: datetime) -> bool:
        return await self._db.execute_rowcount(
            "UPDATE club_evaluations SET comment = ?, comment_at = ? WHERE club_id = ? "
            "AND citizen_id = ?", (comment, to_db(now), club_id, citizen_id)) > 0

    async def of_citizen(self, citizen_id: int) -> list[Evaluation]:
        rows = await self._db.fetch_all(
            "SELECT club_id, asked_at, score, comment, comment_at FROM club_evaluations "
            "WHERE citizen_id = ? ORDER BY asked_at, club_id", (citizen_id,))
        return [Evaluation(r["club_id"], from_db(r["asked_at"]), r["score"], r["comment"],
                           _moment(r["comment_at"])) for r in rows]

    async def forget_comments(self, written_before: datetime) -> int:
        """Retention: the words go, the score stays."""
        return await self._db.execute_rowcount(
            "UPDATE club_evaluations SET comment = NULL WHERE comment IS NOT NULL "
            "AND comment_at < ?", (to_db(written_before),))

    async def counts(self) -> dict[int, EvaluationCounts]:
        """Per club, for `report clubs`: how many were asked, and the scores (no comments)."""
        rows = await self._db.fetch_all(
            "SELECT club_id, COUNT(*) AS asked, COUNT(score) AS scored, "
            "AVG(score) AS mean, "
            "COALESCE(SUM(CASE WHEN score = 1 THEN 1 ELSE 0 END), 0) AS s1, "
            "COALESCE(SUM(CASE WHEN score = 2 THEN 1 ELSE 0 END), 0) AS s2, "
            "COALESCE(SUM(CASE WHEN score = 3 THEN 1 ELSE 0 END), 0) AS s3, "
            "COALESCE(SUM(CASE WHEN score = 4 THEN 1 ELSE 0 END), 0) AS s4, "
            "COALESCE(SUM(CASE WHEN score = 5 THEN 1 ELSE 0 END), 0) AS s5 "
            "FROM club_evaluations GROUP BY club_id")
        return {r["club_id"]: EvaluationCounts(
            r["asked"], r["scored"], r["mean"],
            (r["s1"], r["s2"], r["s3"], r["s4"], r["s5"])) for r in rows}


async def _bump(tx: Transaction, club_id: int) -> None:
    await tx.execute("UPDATE clubs SET version = version + 1 WHERE id = ?", (club_id,))


async def _seats(tx: Transaction, club_id: int) -> Seats:
    row = await tx.fetch_one(
        "SELECT (SELECT COUNT(*) FROM club_members WHERE club_id = ? AND left_at IS NULL) "
        "AS taken, (SELECT COUNT(*) FROM club_seat_offers WHERE club_id = ? "
        "AND status = 'open') AS offered, "
        "(SELECT COUNT(*) FROM club_waitlist WHERE club_id = ?) AS waiting",
        (club_id, club_id, club_id))
    assert row is not None
    return Seats(int(row["taken"]), int(row["offered"]), int(row["waiting"]))


async def _is_member(tx: Transaction, club_id: int, citizen_id: int) -> bool:
    return await tx.fetch_one(
        "SELECT 1 FROM club_members WHERE club_id = ? AND citizen_id = ? AND left_at IS NULL",
        (club_id, citizen_id)) is not None


async def _ticket(tx: Transaction, club_id: int, citizen_id: int) -> int | None:
    row = await tx.fetch_one("SELECT ticket FROM club_waitlist WHERE club_id = ? "
                             "AND citizen_id = ?", (club_id, citizen_id))
    return int(row["ticket"]) if row else None


async def _position(tx: Transaction, club_id: int, ticket: int) -> int:
    row = await tx.fetch_one("SELECT COUNT(*) AS n FROM club_waitlist WHERE club_id = ? "
                             "AND ticket <= ?", (club_id, ticket))
    return int(row["n"]) if row else 1


async def _seat(tx: Transaction, club_id: int, citizen_id: int, waited_since: datetime | None,
                now: datetime) -> None:
    await tx.execute(
        "INSERT INTO club_members (club_id, citizen_id, joined_at, waited_since) "
        "VALUES (?, ?, ?, ?) ON CONFLICT (club_id, citizen_id) DO UPDATE SET "
        "joined_at = excluded.joined_at, waited_since = excluded.waited_since, left_at = NULL, "
        "left_reason = NULL", (club_id, citizen_id, to_db(now), _maybe(waited_since)))


async def _accept(tx: Transaction, offer: SeatOffer, now: datetime) -> None:
    await tx.execute("UPDATE club_seat_offers SET status = 'accepted', answered_at = ? "
                     "WHERE id = ?", (to_db(now), offer.id))
    await tx.execute("DELETE FROM club_waitlist WHERE citizen_id = ? AND club_id IN (?, ?)",
                     (offer.citizen_id, offer.club_id, offer.from_club_id))
    await _seat(tx, offer.club_id, offer.citizen_id, offer.waited_since, now)


async def _close_offer(tx: Transaction, offer: SeatOffer, status: OfferStatus,
                       now: datetime) -> None:
    await tx.execute("UPDATE club_seat_offers SET status = ?, answered_at = ? WHERE id = ?",
                     (status.value, to_db(now), offer.id))
    await tx.execute("DELETE FROM club_waitlist WHERE citizen_id = ? AND club_id = ?",
                     (offer.citizen_id, offer.from_club_id))


async def _leave(tx: Transaction, club_id: int, citizen_id: int, reason: str,
                 now: datetime) -> bool:
    seated = await _is_member(tx, club_id, citizen_id)
    if seated:
        await tx.execute("UPDATE club_members SET left_at = ?, left_reason = ? "
                         "WHERE club_id = ? AND citizen_id = ?",
                         (to_db(now), reason, club_id, citizen_id))
    offered = await tx.fetch_one("SELECT id FROM club_seat_offers WHERE club_id = ? "
                                 "AND citizen_id = ? AND status = 'open'",
                                 (club_id, citizen_id))
    if offered is not None:
        await tx.execute("UPDATE club_seat_offers SET status = 'withdrawn', answered_at = ? "
                         "WHERE id = ?", (to_db(now), offered["id"]))
    await tx.execute("DELETE FROM club_waitlist WHERE club_id = ? AND citizen_id = ?",
                     (club_id, citizen_id))
    return seated or offered is not None


def _maybe(moment: datetime | None) -> str | None:
    return to_db(moment) if moment else None


def _moment(raw: str | None) -> datetime | None:
    return from_db(raw) if raw else None


def _club(row: Row) -> Club:
    return Club(row["club_id"], row["title_da"], row["title_en"], row["consultant_id"],
                row["capacity"], row["locale"], row["minutes"], row["link"],
                _moment(row["joined_after"]), row["invite_label"],
                _moment(row["club_cancelled_at"]), row["version"], row["notified_version"],
                row["notified_link"])


def _session(row: Row) -> ClubSession:
    return ClubSession(row["id"], _club(row), row["number"], from_db(row["starts_at"]),
                       _moment(row["cancelled_at"]), row["sequence"],
                       _moment(row["notified_starts_at"]), bool(row["notified_cancelled"]))


def _offer(row: Row) -> SeatOffer:
    return SeatOffer(row["id"], row["club_id"], row["citizen_id"], row["from_club_id"],
                     from_db(row["waited_since"]), from_db(row["offered_at"]),
                     from_db(row["expires_at"]), OfferStatus(row["status"]))
