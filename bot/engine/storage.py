"""SQL for the one dialog session a citizen is in, through the per-citizen cache (bot/cache)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.cache import MISSING, Part, StateCache
from bot.clock import from_db, to_db
from bot.db import Database


@dataclass(slots=True)
class Session:
    """Where a citizen is in which dialog; `data` holds answers not yet saved elsewhere."""

    dialog: str
    state: str
    data: dict[str, Any] = field(default_factory=dict)
    timeout_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class _Stored:
    """A session as cached: its data as the JSON text saved, so every load gets its own copy
    to change."""

    dialog: str
    state: str
    data: str
    timeout_at: datetime | None


SESSION: Part[_Stored | None] = Part("session", at_birth=None)
"""None: the citizen is in no dialog."""


@dataclass(frozen=True, slots=True)
class DueTimeout:
    citizen_id: int
    dialog: str
    state: str


class SessionStore:
    def __init__(self, db: Database, cache: StateCache) -> None:
        self._db = db
        self._cache = cache

    async def load(self, citizen_id: int) -> Session | None:
        cached = self._cache.get(SESSION, citizen_id)
        if cached is MISSING:
            epoch = self._cache.epoch
            row = await self._db.fetch_one(
                "SELECT dialog, state, data, timeout_at FROM dialog_sessions "
                "WHERE citizen_id = ?", (citizen_id,),
            )
            cached = (_Stored(row["dialog"], row["state"], row["data"],
                              from_db(row["timeout_at"]) if row["timeout_at"] else None)
                      if row else None)
            self._cache.fill(SESSION, citizen_id, cached, epoch)
        if cached is None:
            return None
        return Session(cached.dialog, cached.state, json.loads(cached.data), cached.timeout_at)

    async def save(self, citizen_id: int, session: Session, now: datetime) -> None:
        data = json.dumps(session.data, separators=(",", ":"))
        self._db.write(
            "INSERT INTO dialog_sessions (citizen_id, dialog, state, data, updated_at, timeout_at) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (citizen_id) DO UPDATE SET "
            "dialog = excluded.dialog, state = excluded.state, data = excluded.data, "
            "updated_at = excluded.updated_at, timeout_at = excluded.timeout_at",
            (citizen_id, session.dialog, session.state, data, to_db(now),
             to_db(session.timeout_at) if session.timeout_at else None),
            undo=lambda: self._cache.forget(SESSION, citizen_id), scope=citizen_id,
        )
        timeout = from_db(to_db(session.timeout_at)) if session.timeout_at else None  # as stored
        self._cache.put(SESSION, citizen_id, _Stored(session.dialog, session.state, data, timeout))

    async def due_timeouts(self, now: datetime, limit: int = 500) -> list[DueTimeout]:
        rows = await self._db.fetch_all(
            "SELECT citizen_id, dialog, state FROM dialog_sessions "
            "WHERE timeout_at IS NOT NULL AND timeout_at <= ? ORDER BY timeout_at LIMIT ?",
            (to_db(now), limit),
        )
        return [DueTimeout(r["citizen_id"], r["dialog"], r["state"]) for r in rows]
