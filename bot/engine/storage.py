"""SQL for the one dialog session a citizen is in."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

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
class DueTimeout:
    citizen_id: int
    dialog: str
    state: str


class SessionStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def load(self, citizen_id: int) -> Session | None:
        row = await self._db.fetch_one(
            "SELECT dialog, state, data, timeout_at FROM dialog_sessions WHERE citizen_id = ?",
            (citizen_id,),
        )
        if row is None:
            return None
        timeout = from_db(row["timeout_at"]) if row["timeout_at"] else None
        return Session(row["dialog"], row["state"], json.loads(row["data"]), timeout)

    async def save(self, citizen_id: int, session: Session, now: datetime) -> None:
        self._db.write(
            "INSERT INTO dialog_sessions (citizen_id, dialog, state, data, updated_at, timeout_at) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (citizen_id) DO UPDATE SET "
            "dialog = excluded.dialog, state = excluded.state, data = excluded.data, "
            "updated_at = excluded.updated_at, timeout_at = excluded.timeout_at",
            (citizen_id, session.dialog, session.state,
             json.dumps(session.data, separators=(",", ":")), to_db(now),
             to_db(session.timeout_at) if session.timeout_at else None),
        )

    async def due_timeouts(self, now: datetime, limit: int = 500) -> list[DueTimeout]:
        rows = await self._db.fetch_all(
            "SELECT citizen_id, dialog, state FROM dialog_sessions "
            "WHERE timeout_at IS NOT NULL AND timeout_at <= ? ORDER BY timeout_at LIMIT ?",
            (to_db(now), limit),
        )
        return [DueTimeout(r["citizen_id"], r["dialog"], r["state"]) for r in rows]
