"""SQL of the workers' session connections: advisory locks by name, NOTIFY, LISTEN.

An advisory lock is the database's, not a schema's: the lock's key is a hash of the schema and
the name, so two bots on one server never hold each other's chats.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import psycopg
from psycopg import AsyncConnection

from bot.cache.storage import CHANNEL
from bot.db_postgres import PostgresError, session_connection

_KEY = "hashtextextended(current_schema() || ':' || %s, 0)"
ConnectionLost = (psycopg.Error, PostgresError, OSError)
"""What a session's calls raise when its server or connection is gone."""


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
        await self._conn.execute(f'LISTEN "{self.channel}"')

    async def notices(self) -> AsyncIterator[str]:
        """The payloads, for as long as the connection lasts."""
        async for notice in self._conn.notifies():
            yield notice.payload

    async def close(self) -> None:
        await self._conn.close()

    async def _value(self, sql: str, *params: Any) -> Any:
        row = await (await self._conn.execute(sql, params or None)).fetchone()
        return row[0] if row else None
