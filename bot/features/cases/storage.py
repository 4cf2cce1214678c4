"""SQL for cases; a citizen's open cases through the per-citizen cache (bot/cache)."""

from __future__ import annotations

from datetime import datetime

from aiosqlite import Row

from bot.cache import MISSING, Part, StateCache
from bot.clock import from_db, to_db
from bot.db import Database
from bot.features.cases.model import CallPhone, Case, CaseLevel, CaseSource

OPEN_CASES: Part[tuple[Case, ...]] = Part("open cases", at_birth=())
"""Most urgent first, then oldest first."""


class CaseStore:
    """A write to a case by its id forgets its citizen's open cases (the next read has the
    case as it is now), after the write: a read that was under way cannot put the old back."""

    def __init__(self, db: Database, cache: StateCache) -> None:
        self._db = db
        self._cache = cache

    async def open(self, citizen_id: int, level: CaseLevel, category: str | None,
                   source: CaseSource, source_message_id: int | None, now: datetime,
                   next_alert_at: datetime | None, call_window: str | None = None) -> Case:
        case_id = await self._db.execute(
            "INSERT INTO cases (citizen_id, level, category, source, source_message_id, "
            "opened_at, next_alert_at, call_window) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (citizen_id, level.value, category, source.value, source_message_id, to_db(now),
             to_db(next_alert_at) if next_alert_at else None, call_window),
        )
        self._cache.forget(OPEN_CASES, citizen_id)
        case = await self.get(case_id)
        assert case is not None
        return case

    async def get(self, case_id: int) -> Case | None:
        row = await self._db.fetch_one(
            "SELECT id, citizen_id, level, category, source, opened_at, source_message_id, "
            "claimed_at, claimed_by, closed_at, alert_message_id, alerts_sent, next_alert_at, "
            "call_window, risk_mark FROM cases WHERE id = ?", (case_id,))
        return _case(row) if row else None

    async def open_for_citizen(self, citizen_id: int) -> list[Case]:
        cached = self._cache.get(OPEN_CASES, citizen_id)
        if cached is not MISSING:
            return list(cached)
        epoch = self._cache.epoch
        rows = await self._db.fetch_all(
            "SELECT id, citizen_id, level, category, source, opened_at, source_message_id, "
            "claimed_at, claimed_by, closed_at, alert_message_id, alerts_sent, next_alert_at, "
            "call_window, risk_mark FROM cases "
            "WHERE citizen_id = ? AND closed_at IS NULL "
            "ORDER BY CASE level WHEN 'urgent' THEN 0 WHEN 'possible' THEN 1 WHEN 'high' THEN 2 "
            "WHEN 'concern' THEN 3 ELSE 4 END, opened_at",
            (citizen_id,),
        )
        cases = tuple(_case(r) for r in rows)
        for case in cases:
            self._cache.alias(("case", case.id), citizen_id)
        self._cache.fill(OPEN_CASES, citizen_id, cases, epoch)
        return list(cases)

    async def list_open(self, limit: int = 50) -> list[Case]:
        """Most urgent first, then oldest first: the order staff should pick them up in."""
        rows = await self._db.fetch_all(
            "SELECT id, citizen_id, level, category, source, opened_at, source_message_id, "
            "claimed_at, claimed_by, closed_at, alert_message_id, alerts_sent, next_alert_at, "
            "call_window, risk_mark FROM cases WHERE closed_at IS NULL "
            "ORDER BY CASE level WHEN 'urgent' THEN 0 WHEN 'possible' THEN 1 WHEN 'high' THEN 2 "
            "WHEN 'concern' THEN 3 ELSE 4 END, opened_at LIMIT ?",
            (limit,),
        )
        return [_case(r) for r in rows]

    async def raise_level(self, case_id: int, level: CaseLevel, category: str | None,
                          next_alert_at: datetime | None) -> None:
        await self._db.execute(
            "UPDATE cases SET level = ?, category = COALESCE(?, category), "
            "next_alert_at = COALESCE(next_alert_at, ?) WHERE id = ?",
            (level.value, category, to_db(next_alert_at) if next_alert_at else None, case_id),
        )
        self._changed(case_id)

    async def lower_to(self, case_id: int, level: CaseLevel) -> None:
        """Only on the citizen's own word (a "no" to the direct question): no more re-alerts."""
        await self._db.execute(
            "UPDATE cases SET level = ?, next_alert_at = NULL WHERE id = ? AND closed_at IS NULL",
            (level.value, case_id))
        self._changed(case_id)

    async def mark_risk(self, case_id: int, mark: str, staff_id: int, now: datetime) -> bool:
        """A consultant's verdict on the classifier: wrongly_flagged or missed."""
        changed = await self._db.execute_rowcount(
            "UPDATE cases SET risk_mark = ?, risk_marked_by = ?, risk_marked_at = ? WHERE id = ?",
            (mark, staff_id, to_db(now), case_id))
        self._changed(case_id)
        return changed > 0

    async def record_alert(self, case_id: int, next_alert_at: datetime | None) -> None:
        await self._db.execute(
            "UPDATE cases SET alerts_sent = alerts_sent + 1, next_alert_at = ? WHERE id = ?",
            (to_db(next_alert_at) if next_alert_at else None, case_id),
        )
        self._changed(case_id)

    async def set_call_window(self, case_id: int, window: str) -> None:
        await self._db.execute("UPDATE cases SET call_window = ? WHERE id = ?", (window, case_id))
        self._changed(case_id)

    async def set_alert_message(self, case_id: int, message_id: int) -> None:
        await self._db.execute("UPDATE cases SET alert_message_id = ? WHERE id = ?",
                               (message_id, case_id))
        self._changed(case_id)

    async def claim(self, case_id: int, staff_id: int, now: datetime) -> bool:
        """Only an open, unclaimed case can be claimed; True when this call claimed it."""
        changed = await self._db.execute_rowcount(
            "UPDATE cases SET claimed_at = ?, claimed_by = ?, next_alert_at = NULL "
            "WHERE id = ? AND claimed_by IS NULL AND closed_at IS NULL",
            (to_db(now), staff_id, case_id),
        )
        self._changed(case_id)
        return changed > 0

    async def take_over(self, case_id: int, staff_id: int, now: datetime) -> bool:
        changed = await self._db.execute_rowcount(
            "UPDATE cases SET claimed_at = ?, claimed_by = ?, next_alert_at = NULL "
            "WHERE id = ? AND closed_at IS NULL AND claimed_by IS NOT NULL",
            (to_db(now), staff_id, case_id))
        self._changed(case_id)
        return changed > 0

    async def unclaim(self, case_id: int) -> bool:
        """Back to the bot: the case stays open for the record, but nobody holds the chat."""
        changed = await self._db.execute_rowcount(
            "UPDATE cases SET claimed_at = NULL, claimed_by = NULL, next_alert_at = NULL "
            "WHERE id = ? AND closed_at IS NULL AND claimed_by IS NOT NULL", (case_id,))
        self._changed(case_id)
        return changed > 0

    async def close(self, case_id: int, now: datetime) -> bool:
        """Closed, and the phone number given for its call goes with it."""
        async with self._db.transaction() as tx:
            closed = await tx.fetch_all(
                "UPDATE cases SET closed_at = ?, next_alert_at = NULL "
                "WHERE id = ? AND closed_at IS NULL RETURNING id", (to_db(now), case_id))
            await tx.execute("DELETE FROM call_phones WHERE case_id = ?", (case_id,))
        self._changed(case_id)
        return bool(closed)

    # the phone number for a requested call ------------------------------------------
    async def ask_phone(self, case_id: int, citizen_id: int, now: datetime) -> None:
        """Open the question for the call's number, unless the number is there already."""
        await self._db.execute(
            "INSERT INTO call_phones (case_id, citizen_id, asked_at) VALUES (?, ?, ?) "
            "ON CONFLICT (case_id) DO UPDATE SET asked_at = excluded.asked_at "
            "WHERE call_phones.phone IS NULL", (case_id, citizen_id, to_db(now)))

    async def phone_question(self, citizen_id: int) -> CallPhone | None:
        """The newest open question for a number, on a case that is still open (none without
        an open case: most citizens, known from the cache)."""
        if not await self.open_for_citizen(citizen_id):
            return None
        row = await self._db.fetch_one(
            "SELECT case_id, citizen_id, asked_at, phone, given_at FROM call_phones "
            "WHERE citizen_id = ? AND phone IS NULL "
            "AND case_id IN (SELECT id FROM cases WHERE closed_at IS NULL) "
            "ORDER BY asked_at DESC LIMIT 1", (citizen_id,))
        return _phone(row) if row else None

    async def give_phone(self, case_id: int, phone: str, text_version: str,
                         now: datetime) -> None:
        await self._db.execute(
            "UPDATE call_phones SET phone = ?, given_at = ?, text_version = ? WHERE case_id = ?",
            (phone, to_db(now), text_version, case_id))

    async def call_phone(self, case_id: int) -> CallPhone | None:
        row = await self._db.fetch_one(
            "SELECT case_id, citizen_id, asked_at, phone, given_at FROM call_phones "
            "WHERE case_id = ?", (case_id,))
        return _phone(row) if row else None

    async def phones_of(self, citizen_id: int) -> list[CallPhone]:
        """The numbers the citizen gave (open questions are not numbers)."""
        rows = await self._db.fetch_all(
            "SELECT case_id, citizen_id, asked_at, phone, given_at FROM call_phones "
            "WHERE citizen_id = ? "
            "AND phone IS NOT NULL ORDER BY case_id", (citizen_id,))
        return [_phone(r) for r in rows]

    async def forget_phone(self, case_id: int) -> bool:
        """The question or number goes; True when there was a number."""
        row = await self._db.fetch_one(
            "DELETE FROM call_phones WHERE case_id = ? RETURNING phone", (case_id,))
        return row is not None and row["phone"] is not None

    async def due_realerts(self, now: datetime) -> list[Case]:
        rows = await self._db.fetch_all(
            "SELECT id, citizen_id, level, category, source, opened_at, source_message_id, "
            "claimed_at, claimed_by, closed_at, alert_message_id, alerts_sent, next_alert_at, "
            "call_window, risk_mark FROM cases "
            "WHERE next_alert_at IS NOT NULL "
            "AND next_alert_at <= ? AND claimed_by IS NULL AND closed_at IS NULL "
            "ORDER BY next_alert_at",
            (to_db(now),),
        )
        return [_case(r) for r in rows]


    def _changed(self, case_id: int) -> None:
        self._cache.forget_aliased(OPEN_CASES, ("case", case_id))


def _case(row: Row) -> Case:
    def when(name: str) -> datetime | None:
        return from_db(row[name]) if row[name] else None

    return Case(
        id=row["id"], citizen_id=row["citizen_id"], level=CaseLevel(row["level"]),
        category=row["category"], source=CaseSource(row["source"]),
        opened_at=from_db(row["opened_at"]), source_message_id=row["source_message_id"],
        claimed_at=when("claimed_at"), claimed_by=row["claimed_by"], closed_at=when("closed_at"),
        alert_message_id=row["alert_message_id"], alerts_sent=row["alerts_sent"],
        next_alert_at=when("next_alert_at"), call_window=row["call_window"],
        risk_mark=row["risk_mark"],
    )


def _phone(row: Row) -> CallPhone:
    return CallPhone(row["case_id"], row["citizen_id"], from_db(row["asked_at"]), row["phone"],
                     from_db(row["given_at"]) if row["given_at"] else None)
