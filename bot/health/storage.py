"""SQL for the Bot API heartbeat."""

from __future__ import annotations

from datetime import datetime

from bot.clock import from_db, to_db
from bot.db import Database


class HeartbeatStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def record_ok(self, now: datetime) -> None:
        await self._db.execute(
            "INSERT INTO bot_api_heartbeat (id, ok_at) VALUES (1, ?) "
            "ON CONFLICT (id) DO UPDATE SET ok_at = excluded.ok_at", (to_db(now),))

    async def last_ok(self) -> datetime | None:
        row = await self._db.fetch_one("SELECT ok_at FROM bot_api_heartbeat WHERE id = 1")
        return from_db(row["ok_at"]) if row else None
