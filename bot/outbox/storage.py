"""SQL for the outbox."""

from __future__ import annotations

import json
from datetime import datetime

from aiosqlite import Row

from bot.clock import from_db, to_db
from bot.db import Database
from bot.outbox.model import Message, OutboxItem, Status


class OutboxStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def add(self, *, key: str | None, chat_id: int, citizen_id: int | None,
                  priority: int, kind: str, ref: int | None, message: Message,
                  not_before: datetime, at_most_once: bool, now: datetime) -> int | None:
        """The new row's id, or None when a row with this idempotency key exists already."""
        async with self._db.transaction() as tx:
            if key is not None and await tx.fetch_one(
                    "SELECT 1 FROM outbox WHERE idempotency_key = ?", (key,)):
                return None
            return await tx.execute(
                "INSERT INTO outbox (idempotency_key, chat_id, citizen_id, priority, kind, ref, "
                "at_most_once, payload, not_before, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (key, chat_id, citizen_id, priority, kind, ref, int(at_most_once),
                 json.dumps(message.to_json(), ensure_ascii=False), to_db(not_before),
                 to_db(now)),
            )

    async def ready(self, now: datetime, limit: int = 50) -> list[OutboxItem]:
        rows = await self._db.fetch_all(
            "SELECT id, chat_id, citizen_id, priority, kind, ref, payload, not_before, attempts, "
            "at_most_once, status, idempotency_key FROM outbox "
            "WHERE status = 'pending' AND not_before <= ? "
            "ORDER BY priority, not_before, id LIMIT ?",
            (to_db(now), limit),
        )
        return [_item(r) for r in rows]

    async def ready_for_chat(self, chat_id: int, kind: str, now: datetime,
                             limit: int = 100) -> list[OutboxItem]:
        rows = await self._db.fetch_all(
            "SELECT id, chat_id, citizen_id, priority, kind, ref, payload, not_before, attempts, "
            "at_most_once, status, idempotency_key FROM outbox "
            "WHERE status = 'pending' AND not_before <= ? "
            "AND chat_id = ? AND kind = ? ORDER BY id LIMIT ?",
            (to_db(now), chat_id, kind, limit),
        )
        return [_item(r) for r in rows]

    async def next_due(self) -> datetime | None:
        row = await self._db.fetch_one(
            "SELECT MIN(not_before) AS due FROM outbox WHERE status = 'pending'")
        return from_db(row["due"]) if row and row["due"] else None

    async def mark_sending(self, item_id: int) -> None:
        await self._db.execute(
            "UPDATE outbox SET status = 'sending', attempts = attempts + 1 WHERE id = ?",
            (item_id,))

    async def mark_sent(self, item_id: int, message_id: int | None, now: datetime) -> None:
        await self._db.execute(
            "UPDATE outbox SET status = 'sent', message_id = ?, sent_at = ?, last_error = NULL "
            "WHERE id = ?", (message_id, to_db(now), item_id))

    async def retry_later(self, item_id: int, not_before: datetime, error: str) -> None:
        await self._db.execute(
            "UPDATE outbox SET status = 'pending', not_before = ?, last_error = ? WHERE id = ?",
            (to_db(not_before), error, item_id))

    async def defer_chat(self, chat_id: int, not_before: datetime) -> None:
        """A 429 for one chat holds back every pending row for that chat."""
        await self._db.execute(
            "UPDATE outbox SET not_before = MAX(not_before, ?) "
            "WHERE chat_id = ? AND status = 'pending'", (to_db(not_before), chat_id))

    async def fail(self, item_id: int, error: str) -> None:
        await self._db.execute(
            "UPDATE outbox SET status = 'failed', last_error = ? WHERE id = ?", (error, item_id))

    async def cancel_chat(self, chat_id: int, reason: str) -> int:
        return await self._db.execute_rowcount(
            "UPDATE outbox SET status = 'cancelled', last_error = ? "
            "WHERE chat_id = ? AND status = 'pending'", (reason, chat_id))

    async def recover_after_crash(self) -> tuple[int, int]:
        """Rows caught mid-send: at-most-once ones become uncertain, the others go again."""
        uncertain = await self._db.execute_rowcount(
            "UPDATE outbox SET status = 'uncertain' WHERE status = 'sending' AND at_most_once = 1")
        again = await self._db.execute_rowcount(
            "UPDATE outbox SET status = 'pending' WHERE status = 'sending' AND at_most_once = 0")
        return uncertain, again

    async def get(self, item_id: int) -> OutboxItem | None:
        row = await self._db.fetch_one(
            "SELECT id, chat_id, citizen_id, priority, kind, ref, payload, not_before, attempts, "
            "at_most_once, status, idempotency_key FROM outbox WHERE id = ?", (item_id,))
        return _item(row) if row else None

    async def backlog(self) -> tuple[int, datetime | None]:
        """Rows Telegram does not have yet: how many, and when the oldest was queued."""
        row = await self._db.fetch_one(
            "SELECT COUNT(*) AS n, MIN(created_at) AS oldest FROM outbox "
            "WHERE status IN ('pending', 'sending')")
        if row is None or not row["n"]:
            return 0, None
        return int(row["n"]), from_db(row["oldest"])

    async def count_unsolicited(self, citizen_id: int, since: datetime,
                                lowest_priority: int) -> int:
        """Messages the bot started itself (priority `lowest_priority` or later in the queue)
        sent to, or queued for, a citizen's own chat since a moment."""
        row = await self._db.fetch_one(
            "SELECT COUNT(*) AS n FROM outbox WHERE citizen_id = ? AND chat_id > 0 "
            "AND priority >= ? AND (status IN ('pending', 'sending') OR "
            "(status IN ('sent', 'uncertain') AND COALESCE(sent_at, created_at) >= ?))",
            (citizen_id, lowest_priority, to_db(since)))
        return int(row["n"]) if row else 0

    async def purge(self, before: datetime) -> int:
        """Delivered (or given-up) rows hold message texts: keep them only as long as needed."""
        return await self._db.execute_rowcount(
            "DELETE FROM outbox WHERE status IN ('sent', 'failed', 'cancelled', 'uncertain') "
            "AND created_at < ?", (to_db(before),))


def _item(row: Row) -> OutboxItem:
    return OutboxItem(
        id=row["id"], chat_id=row["chat_id"], citizen_id=row["citizen_id"],
        priority=row["priority"], kind=row["kind"], ref=row["ref"],
        message=Message.from_json(json.loads(row["payload"])),
        not_before=from_db(row["not_before"]), attempts=row["attempts"],
        at_most_once=bool(row["at_most_once"]), status=Status(row["status"]),
        key=row["idempotency_key"],
    )
