"""SQL for the inbox of updates (bot/migrations/0021_create_inbox.sql)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.clock import to_db
from bot.db import Database


class InboxStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def add(self, updates: Sequence[tuple[int, int | None, str]], now: datetime
                  ) -> set[int]:
        """Stores (update id, chat id, JSON body) rows in one statement, committed before it
        returns; the ids that were new (a repeat of a kept one is left as it is)."""
        if not updates:
            return set()
        received = to_db(now)
        values = ", ".join("(?, ?, ?, ?)" for _ in updates)
        params = tuple(value for update_id, chat_id, body in updates
                       for value in (update_id, chat_id, body, received))
        rows = await self._db.execute_returning(
            f"INSERT INTO inbox (update_id, chat_id, body, received_at) VALUES {values} "
            "ON CONFLICT (update_id) DO NOTHING RETURNING update_id", params)
        return {int(r["update_id"]) for r in rows}

    def done(self, update_id: int, now: datetime) -> None:
        """Queued for the next group commit: the update was handled; its body goes."""
        self._db.write("UPDATE inbox SET done_at = ?, body = NULL WHERE update_id = ?",
                       (to_db(now), update_id), scope=("inbox", update_id))

    async def restart(self) -> list[tuple[int, str, int]]:
        """The updates kept but not handled, oldest first, as (id, body, how many starts have
        now taken them up, this one included)."""
        rows = await self._db.execute_returning(
            "UPDATE inbox SET starts = starts + 1 WHERE done_at IS NULL AND body IS NOT NULL "
            "RETURNING update_id, body, starts")
        return sorted((int(r["update_id"]), str(r["body"]), int(r["starts"])) for r in rows)

    async def pending_chats(self) -> set[int | None]:
        """The chats with updates kept but not handled (bot/workers/pump.py)."""
        rows = await self._db.fetch_all(
            "SELECT DISTINCT chat_id FROM inbox WHERE done_at IS NULL AND body IS NOT NULL")
        return {r["chat_id"] for r in rows}

    async def purge_done(self, before: datetime) -> int:
        return await self._db.execute_rowcount(
            "DELETE FROM inbox WHERE done_at IS NOT NULL AND done_at < ?", (to_db(before),))
