"""SQL for timers."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from bot.clock import from_db, to_db
from bot.db import Database
from bot.scheduler.model import Timer


class TimerStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def set(self, key: str, kind: str, citizen_id: int | None, due_at: datetime,
                  data: dict[str, Any]) -> None:
        self._db.write(
            "INSERT INTO timers (key, kind, citizen_id, due_at, data) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (key) DO UPDATE SET due_at = excluded.due_at, data = excluded.data, "
            "claimed_until = NULL",
            (key, kind, citizen_id, to_db(due_at), json.dumps(data)),
            scope=citizen_id,  # a timer's key names its citizen; None: kept in place
        )

    async def get(self, key: str) -> Timer | None:
        row = await self._db.fetch_one(
            "SELECT key, kind, citizen_id, due_at, data FROM timers WHERE key = ?", (key,))
        return _timer(row) if row else None

    async def due(self, now: datetime, limit: int = 200) -> list[Timer]:
        rows = await self._db.fetch_all(
            "SELECT key, kind, citizen_id, due_at, data FROM timers WHERE due_at <= ? "
            "ORDER BY due_at LIMIT ?", (to_db(now), limit))
        return [_timer(r) for r in rows]

    async def claim_due(self, now: datetime, until: datetime, limit: int = 200) -> list[Timer]:
        """As `due`, for one of several workers: the timers due and not claimed by another
        worker (or whose claim has run out), claimed now until `until`."""
        rows = await self._db.execute_returning(
            "UPDATE timers SET claimed_until = ? WHERE key IN (SELECT key FROM timers "
            "WHERE due_at <= ? AND (claimed_until IS NULL OR claimed_until <= ?) "
            f"ORDER BY due_at LIMIT ?{self._db.skip_locked}) "
            "RETURNING key, kind, citizen_id, due_at, data",
            (to_db(until), to_db(now), to_db(now), limit))
        return sorted((_timer(r) for r in rows), key=lambda t: t.due_at)

    async def delete(self, key: str) -> None:
        self._db.write("DELETE FROM timers WHERE key = ?", (key,))


def _timer(row: Any) -> Timer:
    return Timer(row["key"], row["kind"], row["citizen_id"], from_db(row["due_at"]),
                 json.loads(row["data"]))
