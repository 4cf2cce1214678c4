"""SQL of the workers' session connections: advisory locks by name, NOTIFY, LISTEN, and the
inbox statements of the chat pump (bot/workers/pump.py).

An advisory lock is the database's, not a schema's: the lock's key is a hash of the schema and
the name, so two bots on one server never hold each other's chats. The inbox statements are
single statements in autocommit, one trip each: the group-commit writer (bot/db.py) would
wrap each in BEGIN and COMMIT, three trips, for statements that commit alone anyway.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import Any, NamedTuple

import psycopg
from psycopg import AsyncConnection, AsyncCursor

from bot.cache.storage import CHANNEL
from bot.db_postgres import PostgresError, session_connection

_KEY = "hashtextextended(current_schema() || ':' || %s, 0)"
ConnectionLost = (psycopg.Error, PostgresError, OSError)
"""What a session's calls raise when its server or connection is gone."""


class Kept(NamedTuple):
    update_id: int
    body: str
    starts: int
    """Tries, this one included."""


class WorkerSession:
    """One connection of its own: what it locks is held until it unlocks or the connection
    ends, however the process ends."""

    def __init__(self, conn: AsyncConnection[Any], channel: str) -> None:
        self._conn = conn
        self.channel = channel

    @classmethod
    async def open(cls, url: str) -> WorkerSession:
        conn = await session_connection(url)
        row = await (await conn.execute(f"SELECT {CHANNEL}")).fetchone()
        assert row is not None
        return cls(conn, str(row[0]))

    async def keep(self, update_id: int, chat_id: int | None, body: str, received: str
                   ) -> bool:
        """The webhook's update, committed when this returns; False for a repeat (its
        update_id is kept already)."""
        row = await (await self._execute(
            "INSERT INTO inbox (update_id, chat_id, body, received_at) VALUES (%s, %s, %s, %s) "
            "ON CONFLICT (update_id) DO NOTHING RETURNING update_id",
            (update_id, chat_id, body, received))).fetchone()
        return row is not None

    async def take(self, chat_id: int | None, worker: str) -> tuple[list[Kept], bool]:
        """For the holder of the chat's lock: the chat's updates kept but not handled, oldest
        first, now taken by `worker`; and whether `worker` handled the chat last (no other
        worker took any of its updates since the last one `worker` handled)."""
        chat = "chat_id IS NULL" if chat_id is None else "chat_id = %s"
        params = () if chat_id is None else (chat_id,)
        rows = await (await self._execute(
            f"WITH old AS (SELECT update_id, taken_by FROM inbox WHERE {chat} "
            "AND done_at IS NULL AND body IS NOT NULL FOR UPDATE), "
            f"last AS (SELECT taken_by FROM inbox WHERE {chat} AND done_at IS NOT NULL "
            "ORDER BY update_id DESC LIMIT 1) "
            "UPDATE inbox SET starts = inbox.starts + 1, taken_by = %s FROM old "
            "WHERE inbox.update_id = old.update_id "
            "RETURNING inbox.update_id, inbox.body, inbox.starts, old.taken_by, "
            "(SELECT taken_by FROM last)", (*params, *params, worker))).fetchall()
        kept = sorted(Kept(int(r[0]), str(r[1]), int(r[2])) for r in rows)
        last = bool(rows) and all(r[4] == worker and r[3] in (None, worker) for r in rows)
        return kept, last

    async def unlock_and_look(self, name: str, chat_id: int | None) -> bool:
        """Lets the chat's lock go, then tells whether the chat has updates kept but not
        handled (one kept while the lock was held, say): two statements in one trip, the
        second with a snapshot taken after the lock went. (In one statement the snapshot
        would come first, and an update kept in between would wait for watch_orphans.)"""
        chat = "chat_id IS NULL" if chat_id is None else "chat_id = %s"
        cursor = await self._execute(
            f"SELECT pg_advisory_unlock({_KEY}); SELECT EXISTS (SELECT 1 FROM inbox "
            f"WHERE {chat} AND done_at IS NULL AND body IS NOT NULL)",
            (name, *(() if chat_id is None else (chat_id,))))
        cursor.nextset()
        row = await cursor.fetchone()
        return bool(row and row[0])

    async def try_lock(self, name: str) -> bool:
        return await self._value(f"SELECT pg_try_advisory_lock({_KEY})", name) is True

    async def unlock(self, name: str) -> None:
        await self._value(f"SELECT pg_advisory_unlock({_KEY})", name)

    async def notify(self, payload: str) -> None:
        await self._value("SELECT pg_notify(%s, %s)", self.channel, payload)

    @property
    def lost(self) -> bool:
        """The connection is gone (and with it whatever it held)."""
        return bool(self._conn.closed or self._conn.broken)

    async def ping(self) -> None:
        await self._value("SELECT 1")

    async def listen(self) -> None:
        """From now on the channel's notifications are kept for `notices` (this session is
        then for listening only)."""
        await self._execute(f'LISTEN "{self.channel}"')

    async def notices(self) -> AsyncIterator[str]:
        """The payloads, for as long as the connection lasts."""
        try:
            async for notice in self._conn.notifies():
                yield notice.payload
        except psycopg.Error as exc:
            raise PostgresError(exc) from None

    async def close(self) -> None:
        await self._conn.close()

    async def _value(self, sql: str, *params: Any) -> Any:
        row = await (await self._execute(sql, params or None)).fetchone()
        return row[0] if row else None

    async def _execute(self, sql: str, params: Sequence[Any] | None = None
                       ) -> AsyncCursor[Any]:
        """Errors as bot/db_postgres.py tells them: SQLSTATE and class, never row values (a
        citizen's message may be in a statement)."""
        try:
            return await self._conn.execute(sql, params)
        except psycopg.Error as exc:
            raise PostgresError(exc) from None
