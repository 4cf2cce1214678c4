"""SQL for the outbox."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

from aiosqlite import Row

from bot.clock import from_db, to_db
from bot.db import Database, Transaction
from bot.outbox.model import Addressed, MediaKind, Message, OutboxItem, Status, StoredFile


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

    async def add_many(self, rows: Sequence[Addressed], *, priority: int, kind: str,
                       ref: int | None, not_before: datetime, at_most_once: bool,
                       now: datetime) -> int:
        """Many rows in one transaction; a row whose idempotency key exists already is skipped.
        Returns how many were added."""
        payloads: dict[int, str] = {}  # one JSON text per distinct message object
        values = []
        for row in rows:
            payload = payloads.get(id(row.message))
            if payload is None:
                payload = payloads[id(row.message)] = json.dumps(row.message.to_json(),
                                                                 ensure_ascii=False)
            values.append((row.key, row.chat_id, row.citizen_id, priority, kind, ref,
                           int(at_most_once), payload, to_db(not_before), to_db(now)))
        async with self._db.transaction() as tx:
            return await tx.execute_many(
                "INSERT INTO outbox (idempotency_key, chat_id, citizen_id, priority, kind, ref, "
                "at_most_once, payload, not_before, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (idempotency_key) DO NOTHING", values)

    async def ready(self, now: datetime, limit: int = 50) -> list[OutboxItem]:
        rows = await self._db.fetch_all(
            "SELECT id, chat_id, citizen_id, priority, kind, ref, payload, not_before, attempts, "
            "at_most_once, status, idempotency_key FROM outbox "
            "WHERE status = 'pending' AND not_before <= ? "
            "ORDER BY priority, not_before, id LIMIT ?",
            (to_db(now), limit), after_queued=False,  # the claim loop (bot/outbox/sender.py)
        )
        return [_item(r) for r in rows]

    async def any_ready(self, now: datetime) -> bool:
        """Whether some row could go now (cheaper than `ready`: nothing is read)."""
        row = await self._db.fetch_one(
            "SELECT 1 AS one FROM outbox WHERE status = 'pending' AND not_before <= ? LIMIT 1",
            (to_db(now),), after_queued=False)
        return row is not None

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

    async def mark_sending(self, item_id: int) -> bool:
        """Claim a pending row for sending; False when it is no longer pending (e.g. cancelled
        or held from the CLI since it was read, or claimed already). On PostgreSQL a row
        another transaction holds is skipped, not waited for (several workers)."""
        return await self._db.execute_rowcount(
            "UPDATE outbox SET status = 'sending', attempts = attempts + 1 WHERE id = "
            f"(SELECT id FROM outbox WHERE id = ? AND status = 'pending'{self._db.skip_locked})",
            (item_id,)) == 1

    async def mark_sent(self, item_id: int, message_id: int | None, now: datetime) -> None:
        await self._db.execute(
            "UPDATE outbox SET status = 'sent', message_id = ?, sent_at = ?, last_error = NULL "
            "WHERE id = ?", (message_id, to_db(now), item_id))

    async def retry_later(self, item_id: int, not_before: datetime, error: str) -> None:
        await self._db.execute(
            "UPDATE outbox SET status = 'pending', not_before = ?, last_error = ? WHERE id = ?",
            (to_db(not_before), error, item_id))

    async def paused_until(self) -> datetime | None:
        """The end of the last 429 pause, as kept on the row it stopped (for a restart)."""
        row = await self._db.fetch_one(
            "SELECT MAX(not_before) AS until FROM outbox "
            "WHERE status = 'pending' AND last_error = '429'")
        return from_db(row["until"]) if row and row["until"] else None

    async def fail(self, item_id: int, error: str) -> None:
        await self._db.execute(
            "UPDATE outbox SET status = 'failed', last_error = ? WHERE id = ?", (error, item_id))

    async def cancel_chat(self, chat_id: int, reason: str) -> int:
        return await self._db.execute_rowcount(
            "UPDATE outbox SET status = 'cancelled', last_error = ? "
            "WHERE chat_id = ? AND status IN ('pending', 'held')", (reason, chat_id))

    async def cancel_citizen_kind(self, citizen_id: int, kind: str, reason: str) -> int:
        """A citizen's rows of one kind not sent yet will not be sent (e.g. after opting out)."""
        return await self._db.execute_rowcount(
            "UPDATE outbox SET status = 'cancelled', last_error = ? "
            "WHERE citizen_id = ? AND kind = ? AND status IN ('pending', 'held')",
            (reason, citizen_id, kind))

    async def hold_ref(self, kind: str, ref: int) -> int:
        """Keep back every pending row about one thing (e.g. a paused broadcast)."""
        return await self._db.execute_rowcount(
            "UPDATE outbox SET status = 'held' WHERE kind = ? AND ref = ? AND status = 'pending'",
            (kind, ref))

    async def release_ref(self, kind: str, ref: int) -> int:
        return await self._db.execute_rowcount(
            "UPDATE outbox SET status = 'pending' WHERE kind = ? AND ref = ? AND status = 'held'",
            (kind, ref))

    async def cancel_ref(self, kind: str, ref: int, reason: str) -> int:
        """Rows about one thing not sent yet (pending or held) will not be sent."""
        return await self._db.execute_rowcount(
            "UPDATE outbox SET status = 'cancelled', last_error = ? "
            "WHERE kind = ? AND ref = ? AND status IN ('pending', 'held')", (reason, kind, ref))

    async def defer_ref(self, kind: str, ref: int, not_before: datetime) -> int:
        """Pending rows about one thing wait until a moment (e.g. the end of quiet hours). A
        row moved so keeps no 429 mark: a restart must not pause everything until then."""
        return await self._db.execute_rowcount(
            "UPDATE outbox SET not_before = ?, "
            "last_error = CASE last_error WHEN '429' THEN NULL ELSE last_error END "
            "WHERE kind = ? AND ref = ? AND status = 'pending' AND not_before < ?",
            (to_db(not_before), kind, ref, to_db(not_before)))

    async def defer_kind(self, kind: str, not_before: datetime) -> int:
        """Every pending row of a kind waits until a moment (as defer_ref)."""
        return await self._db.execute_rowcount(
            "UPDATE outbox SET not_before = ?, "
            "last_error = CASE last_error WHEN '429' THEN NULL ELSE last_error END "
            "WHERE kind = ? AND status = 'pending' AND not_before < ?",
            (to_db(not_before), kind, to_db(not_before)))

    async def tally_ref(self, kind: str, ref: int, now: datetime
                        ) -> list[tuple[Status, str | None, bool, int]]:
        """(status, last error, waiting for a later moment, how many) of the rows about one
        thing."""
        rows = await self._db.fetch_all(
            "SELECT status, last_error, status = 'pending' AND not_before > ? AS later, "
            "COUNT(*) AS n FROM outbox WHERE kind = ? AND ref = ? "
            "GROUP BY status, last_error, later", (to_db(now), kind, ref))
        return [(Status(r["status"]), r["last_error"], bool(r["later"]), int(r["n"]))
                for r in rows]

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
            "AND priority >= ? AND (status IN ('pending', 'sending', 'held') OR "
            "(status IN ('sent', 'uncertain') AND COALESCE(sent_at, created_at) >= ?))",
            (citizen_id, lowest_priority, to_db(since)))
        return int(row["n"]) if row else 0

    async def count_unsolicited_all(self, since: datetime, lowest_priority: int
                                    ) -> dict[int, int]:
        """count_unsolicited for every citizen at once: citizen id -> count (none: 0)."""
        rows = await self._db.fetch_all(
            "SELECT citizen_id, COUNT(*) AS n FROM outbox WHERE citizen_id IS NOT NULL "
            "AND chat_id > 0 AND priority >= ? AND (status IN ('pending', 'sending', 'held') "
            "OR (status IN ('sent', 'uncertain') AND COALESCE(sent_at, created_at) >= ?)) "
            "GROUP BY citizen_id", (lowest_priority, to_db(since)))
        return {int(r["citizen_id"]): int(r["n"]) for r in rows}

    async def add_file(self, kind: MediaKind, filename: str, content: bytes, now: datetime,
                       tx: Transaction | None = None) -> int:
        """`tx`: inside the caller's transaction (the row that will name the file)."""
        return await (tx or self._db).execute(
            "INSERT INTO outbox_files (kind, filename, size, content, created_at) "
            "VALUES (?, ?, ?, ?, ?)", (kind.value, filename, len(content), content, to_db(now)))

    async def file(self, file_id: int) -> StoredFile | None:
        row = await self._db.fetch_one(
            "SELECT id, kind, filename, size, content, file_id FROM outbox_files WHERE id = ?",
            (file_id,))
        if row is None:
            return None
        return StoredFile(row["id"], MediaKind(row["kind"]), row["filename"], row["size"],
                          row["content"], row["file_id"])

    async def set_telegram_file_id(self, file_id: int, telegram_file_id: str) -> None:
        await self._db.execute("UPDATE outbox_files SET file_id = ? WHERE id = ?",
                               (telegram_file_id, file_id))

    async def release_file(self, file_id: int) -> None:
        """The bytes are not needed any more (Telegram's file_id stays)."""
        await self._db.execute("UPDATE outbox_files SET content = NULL WHERE id = ?",
                               (file_id,))

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
