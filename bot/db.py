"""One SQLite connection (WAL), numbered migrations, and serialised statements.

All tasks share one aiosqlite connection. Every statement runs under one asyncio lock, so a
multi-statement ``transaction()`` of one chat can never swallow another chat's writes.
Statements outside a transaction autocommit; in WAL mode with ``synchronous=NORMAL`` a commit
reaches the OS at once, so ``kill -9`` loses nothing that was committed.
"""

from __future__ import annotations

import asyncio
import logging
import re
import sqlite3
from collections.abc import AsyncIterator, Iterable, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager, suppress
from importlib import resources
from pathlib import Path
from typing import Any

import aiosqlite

log = logging.getLogger(__name__)
_MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")
_REBUILD_MARK = "-- migrate: foreign_keys=off"
"""First line of a migration that rebuilds a table and so must run with foreign keys off."""

Params = Sequence[Any] | dict[str, Any]
_NOT_A_DATABASE = frozenset({sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_CORRUPT})
_UNUSABLE = frozenset({sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_READONLY, sqlite3.SQLITE_PERM,
                       sqlite3.SQLITE_IOERR, sqlite3.SQLITE_FULL, sqlite3.SQLITE_BUSY,
                       sqlite3.SQLITE_LOCKED, sqlite3.SQLITE_AUTH, sqlite3.SQLITE_NOLFS})


class DatabasePathError(Exception):
    """DATABASE_PATH names something SQLite cannot use; the message is one line for the
    operator, naming the setting and the reason."""


class Database:
    """The only object that talks to SQLite; storage modules hold one."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn
        self._lock = asyncio.Lock()

    @classmethod
    async def open(cls, path: Path | str) -> Database:
        """Open (creating the folder), switch on WAL and foreign keys, apply migrations.

        A file or folder SQLite cannot use raises DatabasePathError. On every failure the
        connection's (non-daemon) thread is stopped, so it cannot keep the process alive."""
        if str(path) != ":memory:":
            folder = Path(path).parent
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise DatabasePathError(f"DATABASE_PATH: cannot create the folder {folder} "
                                        f"({exc.strerror or exc})") from None
        with _operator_errors(path):
            conn = await aiosqlite.connect(str(path), isolation_level=None)
            try:
                conn.row_factory = aiosqlite.Row
                await conn.execute("PRAGMA busy_timeout=5000")
                await conn.execute("PRAGMA journal_mode=WAL")
                await conn.execute("PRAGMA synchronous=NORMAL")
                await conn.execute("PRAGMA foreign_keys=ON")
                db = cls(conn)
                await db._check_writable()
                await db.migrate()
            except BaseException:
                with suppress(sqlite3.Error, ValueError):
                    await conn.close()
                raise
        return db

    @classmethod
    async def open_readonly(cls, path: Path | str) -> Database:
        """For looking only (`python -m bot health`): no folder or file is made, no migration
        runs, nothing is written. A missing file or one SQLite cannot read raises
        DatabasePathError. (SQLite may still leave the -wal and -shm files of WAL mode.)"""
        uri = _readonly_uri(path)
        with _operator_errors(path):
            conn = await aiosqlite.connect(uri, uri=True, isolation_level=None)
            try:
                conn.row_factory = aiosqlite.Row
                await conn.execute("PRAGMA busy_timeout=5000")
                await conn.execute("SELECT COUNT(*) FROM sqlite_master")  # reads the header
            except BaseException:
                with suppress(sqlite3.Error, ValueError):
                    await conn.close()
                raise
        return cls(conn)

    async def close(self) -> None:
        await self._conn.close()

    async def schema_version(self) -> int:
        """The number of the last migration applied to this file."""
        row = await self.fetch_one("PRAGMA user_version")
        return int(row[0]) if row else 0

    async def _check_writable(self) -> None:
        """A read-only file opens without complaint: fail now, not at the first write.
        Setting user_version to its own value is the smallest write there is."""
        cursor = await self._conn.execute("PRAGMA user_version")
        row = await cursor.fetchone()
        await self._conn.execute(f"PRAGMA user_version = {int(row[0]) if row else 0}")

    async def migrate(self) -> list[int]:
        """Apply every migration newer than PRAGMA user_version, each atomically."""
        async with self._lock:
            cursor = await self._conn.execute("PRAGMA user_version")
            row = await cursor.fetchone()
            current = int(row[0]) if row else 0
            applied: list[int] = []
            for number, sql in load_migrations():
                if number <= current:
                    continue
                if sql.startswith(_REBUILD_MARK):
                    await self._rebuild(number, sql)
                else:
                    await self._conn.executescript(
                        f"BEGIN;\n{sql}\nPRAGMA user_version = {number};\nCOMMIT;"
                    )
                applied.append(number)
                log.info("applied migration %04d", number)
            return applied

    async def _rebuild(self, number: int, sql: str) -> None:
        """A table rebuild (SQLite's documented procedure): foreign keys off, so dropping the
        old table cascades nothing; every reference is checked before the commit."""
        await self._conn.execute("PRAGMA foreign_keys=OFF")
        try:
            await self._conn.executescript(f"BEGIN;\n{sql}\nPRAGMA user_version = {number};")
            broken = await (await self._conn.execute("PRAGMA foreign_key_check")).fetchall()
            if broken:
                await self._conn.execute("ROLLBACK")
                raise RuntimeError(f"migration {number:04d} broke {len(broken)} references")
            await self._conn.execute("COMMIT")
        except BaseException:
            if self._conn.in_transaction:
                await self._conn.execute("ROLLBACK")
            raise
        finally:
            await self._conn.execute("PRAGMA foreign_keys=ON")

    async def execute(self, sql: str, params: Params = ()) -> int:
        """Run one write; returns lastrowid (useful after INSERT)."""
        async with self._lock:
            cursor = await self._conn.execute(sql, params)
            return cursor.lastrowid or 0

    async def execute_rowcount(self, sql: str, params: Params = ()) -> int:
        async with self._lock:
            cursor = await self._conn.execute(sql, params)
            return cursor.rowcount

    async def fetch_one(self, sql: str, params: Params = ()) -> aiosqlite.Row | None:
        rows = await self.fetch_all(sql, params)
        return rows[0] if rows else None

    async def fetch_all(self, sql: str, params: Params = ()) -> list[aiosqlite.Row]:
        """One trip to the database thread (execute and fetch together): reads are the hot path."""
        async with self._lock:
            return list(await self._conn.execute_fetchall(sql, params))

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Transaction]:
        """All-or-nothing unit of work; nothing else touches the connection meanwhile."""
        async with self._lock:
            await self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield Transaction(self._conn)
            except BaseException:
                await self._conn.execute("ROLLBACK")
                raise
            await self._conn.execute("COMMIT")

    async def table_names(self) -> list[str]:
        rows = await self.fetch_all(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
        return [str(r["name"]) for r in rows]


class Transaction:
    """Statements inside ``Database.transaction()``; the lock is already held."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    async def execute(self, sql: str, params: Params = ()) -> int:
        cursor = await self._conn.execute(sql, params)
        return cursor.lastrowid or 0

    async def execute_many(self, sql: str, rows: Iterable[Params]) -> None:
        await self._conn.executemany(sql, rows)

    async def fetch_one(self, sql: str, params: Params = ()) -> aiosqlite.Row | None:
        cursor = await self._conn.execute(sql, params)
        return await cursor.fetchone()

    async def fetch_all(self, sql: str, params: Params = ()) -> list[aiosqlite.Row]:
        cursor = await self._conn.execute(sql, params)
        return list(await cursor.fetchall())


@contextmanager
def _operator_errors(path: Path | str) -> Iterator[None]:
    """A file SQLite cannot use becomes the operator's one line; any other error (a faulty
    migration, say) stays itself, with its traceback."""
    try:
        yield
    except sqlite3.Error as exc:
        code = (getattr(exc, "sqlite_errorcode", None) or 0) & 0xFF
        if code in _NOT_A_DATABASE:
            raise DatabasePathError(f"DATABASE_PATH: not an SQLite database ({exc})") from None
        if code in _UNUSABLE:
            raise DatabasePathError(f"DATABASE_PATH: cannot use {path} ({exc})") from None
        raise


def _readonly_uri(path: Path | str) -> str:
    """A file: URI that opens an existing database read-only; a missing file is named as such
    (SQLite's own word for it is only "unable to open database file")."""
    if not Path(path).is_file():
        raise DatabasePathError(f"DATABASE_PATH: no database file at {path}")
    return f"{Path(path).resolve().as_uri()}?mode=ro"


def load_migrations() -> list[tuple[int, str]]:
    """Migrations ship inside the package as NNNN_verb_noun.sql and are never edited."""
    found: list[tuple[int, str]] = []
    for entry in resources.files("bot.migrations").iterdir():
        match = _MIGRATION_NAME.match(entry.name)
        if match:
            found.append((int(match.group(1)), entry.read_text(encoding="utf-8")))
    found.sort()
    numbers = [n for n, _ in found]
    if numbers != list(range(1, len(numbers) + 1)):
        raise RuntimeError(f"migrations must be numbered 0001.. without gaps, found {numbers}")
    return found
