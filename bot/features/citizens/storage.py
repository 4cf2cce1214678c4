"""SQL for citizens and consent events, through the per-citizen cache (bot/cache)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

from aiosqlite import Row

from bot.cache import MISSING, Part, StateCache
from bot.clock import from_db, to_db
from bot.db import Database
from bot.features.citizens.model import Citizen, ConsentRecord, PreferredTime, Purpose

CITIZEN: Part[Citizen] = Part("citizen")
CONSENTS: Part[dict[Purpose, ConsentRecord]] = Part("consents", at_birth={})
"""Never changed in place (a change puts a new dict), so the empty one can be shared."""
_UPDATES = {
    "first_name": "UPDATE citizens SET first_name = ? WHERE id = ?",
    "unemployed_since": "UPDATE citizens SET unemployed_since = ? WHERE id = ?",
    "preferred_time": "UPDATE citizens SET preferred_time = ? WHERE id = ?",
    "locale": "UPDATE citizens SET locale = ? WHERE id = ?",
}
"""The profile fields a citizen controls, each with its own statement."""


class CitizenStore:
    def __init__(self, db: Database, cache: StateCache) -> None:
        self._db = db
        self._cache = cache

    async def by_user(self, telegram_user_id: int) -> Citizen | None:
        known = self._cache.aliased(("user", telegram_user_id))
        if known is not None:
            cached = self._cache.get(CITIZEN, known)
            if cached is not MISSING:
                return cached
        epoch = self._cache.epoch
        row = await self._db.fetch_one(
            "SELECT id, telegram_user_id, chat_id, locale, joined_at, first_name, "
            "unemployed_since, preferred_time, invite_label, blocked_at FROM citizens "
            "WHERE telegram_user_id = ?", (telegram_user_id,),
        )
        return self._filled(_citizen(row), epoch) if row else None

    async def by_id(self, citizen_id: int) -> Citizen | None:
        cached = self._cache.get(CITIZEN, citizen_id)
        if cached is not MISSING:
            return cached
        epoch = self._cache.epoch
        row = await self._db.fetch_one(
            "SELECT id, telegram_user_id, chat_id, locale, joined_at, first_name, "
            "unemployed_since, preferred_time, invite_label, blocked_at FROM citizens "
            "WHERE id = ?", (citizen_id,))
        return self._filled(_citizen(row), epoch) if row else None

    async def create(self, telegram_user_id: int, chat_id: int, locale: str,
                     now: datetime) -> Citizen:
        """Insert, or return the existing row if a concurrent update created it first."""
        epoch = self._cache.epoch
        rows = await self._db.execute_returning(
            "INSERT INTO citizens (telegram_user_id, chat_id, locale, joined_at) "
            "VALUES (?, ?, ?, ?) ON CONFLICT (telegram_user_id) DO NOTHING "
            "RETURNING id, telegram_user_id, chat_id, locale, joined_at, first_name, "
            "unemployed_since, preferred_time, invite_label, blocked_at",
            (telegram_user_id, chat_id, locale, to_db(now)),
        )
        if not rows:
            citizen = await self.by_user(telegram_user_id)
            assert citizen is not None
            return citizen
        citizen = _citizen(rows[0])
        self._cache.put(CITIZEN, citizen.id, citizen)
        self._cache.born(citizen.id, epoch)  # no consents, dialog or case yet
        self._cache.alias(("user", telegram_user_id), citizen.id)
        return citizen

    async def update(self, citizen_id: int, **fields: str | None) -> None:
        """Change profile fields the citizen controls, all or none of them."""
        unknown = set(fields) - _UPDATES.keys()
        if unknown:
            raise ValueError(f"not editable: {sorted(unknown)}")
        for name, value in fields.items():  # one unit of work: all or none
            self._db.write(_UPDATES[name], (value, citizen_id), undo=self._undo(citizen_id),
                           scope=citizen_id)
        changes = dict(fields)
        if "preferred_time" in changes:
            wish = changes.pop("preferred_time")
            self._cache.update(CITIZEN, citizen_id, lambda c: replace(
                c, preferred_time=PreferredTime(wish) if wish else None))
        if changes:
            self._cache.update(CITIZEN, citizen_id, lambda c: replace(c, **changes))

    async def set_invite_label(self, citizen_id: int, label: str) -> None:
        self._db.write("UPDATE citizens SET invite_label = ? WHERE id = ?", (label, citizen_id),
                       undo=self._undo(citizen_id), scope=citizen_id)
        self._cache.update(CITIZEN, citizen_id, lambda c: replace(c, invite_label=label))

    async def set_blocked(self, telegram_user_id: int, blocked_at: datetime | None) -> bool:
        """Marks the citizen gone (or back); False when we never knew them."""
        rows = await self._db.execute_returning(
            "UPDATE citizens SET blocked_at = ? WHERE telegram_user_id = ? RETURNING id",
            (to_db(blocked_at) if blocked_at else None, telegram_user_id),
        )
        for row in rows:
            self._cache.update(CITIZEN, row["id"], lambda c: replace(c, blocked_at=blocked_at))
        return bool(rows)

    async def set_blocked_by_chat(self, chat_id: int, blocked_at: datetime) -> bool:
        rows = await self._db.execute_returning(
            "UPDATE citizens SET blocked_at = ? WHERE chat_id = ? AND blocked_at IS NULL "
            "RETURNING id", (to_db(blocked_at), chat_id),
        )
        for row in rows:
            self._cache.update(CITIZEN, row["id"], lambda c: replace(c, blocked_at=blocked_at))
        return bool(rows)

    async def delete(self, citizen_id: int) -> None:
        """Erase the citizen; consent history and dialog state go with them (ON DELETE CASCADE),
        and so does everything the cache held about them."""
        self._db.write("DELETE FROM citizens WHERE id = ?", (citizen_id,),
                       undo=self._undo(citizen_id), scope=citizen_id)
        self._cache.erase(citizen_id)

    async def record_consents(self, citizen_id: int, choices: dict[Purpose, bool],
                              text_version: str, now: datetime) -> None:
        self._db.write_many(
            "INSERT INTO consent_events (citizen_id, purpose, granted, text_version, "
            "recorded_at) VALUES (?, ?, ?, ?, ?)",
            [(citizen_id, p.value, int(g), text_version, to_db(now)) for p, g in choices.items()],
            undo=self._undo(citizen_id), scope=citizen_id,
        )
        recorded = {p: ConsentRecord(p, g, text_version, from_db(to_db(now)))
                    for p, g in choices.items()}
        self._cache.update(CONSENTS, citizen_id, lambda current: {**current, **recorded})

    async def consents(self, citizen_id: int) -> dict[Purpose, ConsentRecord]:
        """The record in force per purpose: the newest event wins."""
        cached = self._cache.get(CONSENTS, citizen_id)
        if cached is not MISSING:
            return dict(cached)
        epoch = self._cache.epoch
        rows = await self._db.fetch_all(
            "SELECT purpose, granted, text_version, recorded_at FROM consent_events "
            "WHERE citizen_id = ? ORDER BY id",
            (citizen_id,),
        )
        current: dict[Purpose, ConsentRecord] = {}
        for row in rows:
            purpose = Purpose(row["purpose"])
            current[purpose] = ConsentRecord(purpose, bool(row["granted"]),
                                             row["text_version"], from_db(row["recorded_at"]))
        self._cache.fill(CONSENTS, citizen_id, current, epoch)
        return dict(current)

    def _filled(self, citizen: Citizen, epoch: int) -> Citizen:
        self._cache.fill(CITIZEN, citizen.id, citizen, epoch)
        self._cache.alias(("user", citizen.telegram_user_id), citizen.id)
        return citizen

    def _undo(self, citizen_id: int) -> Callable[[], None]:
        """If the write is rolled back, what is cached about the citizen is no longer true."""
        return lambda: self._cache.erase(citizen_id)


def _citizen(row: Row) -> Citizen:
    return Citizen(
        id=row["id"],
        telegram_user_id=row["telegram_user_id"],
        chat_id=row["chat_id"],
        locale=row["locale"],
        joined_at=from_db(row["joined_at"]),
        first_name=row["first_name"],
        unemployed_since=row["unemployed_since"],
        preferred_time=PreferredTime(row["preferred_time"]) if row["preferred_time"] else None,
        invite_label=row["invite_label"],
        blocked_at=from_db(row["blocked_at"]) if row["blocked_at"] else None,
    )
