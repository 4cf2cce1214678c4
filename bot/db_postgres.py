"""The PostgreSQL engine behind the same storage API as bot/db.py (psycopg 3, async).

`PostgresDatabase` is `Database` with another connection under it, so the group commit is the
same code: one *writer* connection runs the queued units of work, all of them in one
transaction, a SAVEPOINT per unit when one fails, and `transaction()` holds it alone. What
bot/db.py sends to aiosqlite goes here to `_WriterConnection`, which speaks psycopg: SQLite's
``?`` placeholders become ``%s`` (bot/sql_dialect.py), parameters are bound on the client (so
``? IS NULL OR col = ?`` works as in SQLite, where a parameter has no type of its own), an
INSERT into a table with an identity column returns its new id (SQLite's lastrowid).

Reads whose task queued nothing uncommitted go to a small pool (at most four connections) and
do not wait for the writer. Migrations are the SQLite files translated at load time; the
schema's version is the one row of `schema_version`.

An error is logged, and raised, as its SQLSTATE, its class and the constraint it broke, never
with PostgreSQL's message or detail, which quote the row's values (personal data).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

import psycopg
from psycopg import AsyncClientCursor, AsyncConnection
from psycopg.adapt import Dumper, Loader
from psycopg.pq import TransactionStatus
from psycopg_pool import AsyncConnectionPool

from bot.config import url_label
from bot.db import Database, DatabasePathError, EngineError, Params, load_migrations
from bot.sql_dialect import placeholders, postgres_migration

log = logging.getLogger(__name__)
POOL_SIZE = 4
CONNECT_TIMEOUT = 10  # seconds
_VERSION_TABLE = "schema_version"


class PostgresError(EngineError):
    """A PostgreSQL error without its message and detail (which may quote personal data):
    SQLSTATE, class and constraint name only."""

    def __init__(self, exc: psycopg.Error) -> None:
        self.sqlstate = exc.sqlstate or "?????"
        self.constraint = exc.diag.constraint_name if exc.diag else None
        where = f" on {self.constraint}" if self.constraint else ""
        super().__init__(f"PostgreSQL {self.sqlstate} {type(exc).__name__}{where}")


class DatabaseUrlError(DatabasePathError):
    """DATABASE_URL names a server that cannot be used; the message is one line for the
    operator and never holds the password."""


class PgRow(tuple[Any, ...]):
    """A result row like sqlite3.Row: by position and by column name (case-insensitive, as
    PostgreSQL lower-cases unquoted aliases). Each column set has its own subclass."""

    _index: dict[str, int] = {}  # noqa: RUF012 (set per subclass)
    _names: tuple[str, ...] = ()

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str):
            try:
                return tuple.__getitem__(self, self._index[key.lower()])
            except KeyError:
                raise IndexError("No item with that key") from None
        return tuple.__getitem__(self, key)

    def keys(self) -> list[str]:
        return list(self._names)


@lru_cache(maxsize=2048)
def _row_class(names: tuple[str, ...]) -> type[PgRow]:
    index: dict[str, int] = {}
    for position, name in enumerate(names):
        index.setdefault(name.lower(), position)
    return type("PgRow", (PgRow,), {"_index": index, "_names": names})


def row_factory(cursor: Any) -> Any:
    description = cursor.description
    if description is None:
        return tuple
    cls = _row_class(tuple(column.name for column in description))
    return lambda values: tuple.__new__(cls, values)


class _BoolAsInteger(Dumper):
    """SQLite has no booleans: True and False are stored as 1 and 0 in INTEGER columns."""

    oid = psycopg.adapters.types["int8"].oid

    def dump(self, obj: Any) -> bytes:
        return b"1" if obj else b"0"


class _NumericAsNumber(Loader):
    """SUM and AVG give `numeric`; SQLite gives an int or a float."""

    def load(self, data: Any) -> int | float:
        text = bytes(data).decode()
        return float(text) if any(c in text for c in ".eEN") else int(text)


def _configure(conn: AsyncConnection[Any]) -> None:
    conn.adapters.register_dumper(bool, _BoolAsInteger)
    conn.adapters.register_loader("numeric", _NumericAsNumber)


async def _connect(url: str, *, read_only: bool) -> AsyncConnection[Any]:
    conn = await AsyncConnection.connect(url, autocommit=True, row_factory=row_factory,
                                         cursor_factory=AsyncClientCursor,
                                         connect_timeout=CONNECT_TIMEOUT)
    _configure(conn)
    if read_only:
        await conn.execute("SET default_transaction_read_only = on")
    return conn


async def session_connection(url: str) -> AsyncConnection[Any]:
    """A connection of its own, outside the writer and the pool, for what lives as long as a
    session: advisory locks and LISTEN (bot/workers). Raises `PostgresError`."""
    try:
        return await _connect(url, read_only=False)
    except psycopg.Error as exc:
        raise PostgresError(exc) from None


@dataclass(slots=True)
class _Result:
    """What bot/db.py reads of an aiosqlite cursor."""

    lastrowid: int = 0
    rowcount: int = 0


class _WriterConnection:
    """The writer connection, answering bot/db.py's calls as aiosqlite's Connection would."""

    def __init__(self, conn: AsyncConnection[Any], pool: AsyncConnectionPool[Any]) -> None:
        self._conn = conn
        self.pool = pool
        self.identities: dict[str, str] = {}  # table -> its identity column

    @property
    def in_transaction(self) -> bool:
        return self._conn.info.transaction_status != TransactionStatus.IDLE

    async def execute(self, sql: str, params: Params = ()) -> _Result:
        if sql == "BEGIN IMMEDIATE":
            sql = "BEGIN"
        elif _is_ddl(sql) and not params:
            return await self._ddl(sql)
        returning = self._returning(sql)
        try:
            cursor = await self._conn.execute(*_query(sql + returning, params))
            result = _Result(rowcount=max(cursor.rowcount, 0))
            if returning:
                row = await cursor.fetchone()
                result.lastrowid = int(row[0]) if row else 0
            return result
        except psycopg.Error as exc:
            raise PostgresError(exc) from None

    async def executemany(self, sql: str, params: Sequence[Params]) -> _Result:
        try:
            cursor = self._conn.cursor()
            await cursor.executemany(placeholders(sql), params)
            return _Result(rowcount=max(cursor.rowcount, 0))
        except psycopg.Error as exc:
            raise PostgresError(exc) from None

    async def execute_fetchall(self, sql: str, params: Params = ()) -> list[PgRow]:
        try:
            cursor = await self._conn.execute(*_query(sql, params))
            return await cursor.fetchall() if cursor.description else []
        except psycopg.Error as exc:
            raise PostgresError(exc) from None

    async def _ddl(self, sql: str) -> _Result:
        """A CREATE, ALTER or DROP written for SQLite (a test's table, say), translated as
        the migrations are; the identity columns are looked up again."""
        await self.script(postgres_migration(sql))
        rows = await self.execute_fetchall(_IDENTITY_COLUMNS)
        self.identities = {str(r[0]): str(r[1]) for r in rows}
        return _Result()

    async def script(self, sql: str) -> None:
        """Several statements without parameters (a migration)."""
        try:
            await self._conn.execute(sql)
        except psycopg.Error as exc:
            raise PostgresError(exc) from None

    async def close(self) -> None:
        try:
            await self.pool.close()
        finally:
            await self._conn.close()

    def _returning(self, sql: str) -> str:
        """An INSERT into a table with an identity column returns it: SQLite's lastrowid."""
        head = sql.lstrip()[:12].upper()
        if not head.startswith("INSERT") or " RETURNING " in sql.upper():
            return ""
        table = _insert_table(sql)
        column = self.identities.get(table) if table else None
        return f" RETURNING {column}" if column else ""


def _is_ddl(sql: str) -> bool:
    return sql.lstrip()[:7].upper() in ("CREATE ", "ALTER T", "DROP TA", "DROP IN")


_IDENTITY_COLUMNS = (
    "SELECT table_name, column_name FROM information_schema.columns "
    "WHERE table_schema = current_schema() AND is_identity = 'YES'")


def _query(sql: str, params: Params) -> tuple[str, Params | None]:
    """psycopg's form of a statement: placeholders translated only when there are parameters
    (without them psycopg reads ``%`` as itself)."""
    return (placeholders(sql), params) if params else (sql, None)


@lru_cache(maxsize=1024)
def _insert_table(sql: str) -> str | None:
    words = sql.replace("(", " (").split()
    upper = [w.upper() for w in words]
    if "INTO" not in upper:
        return None
    position = upper.index("INTO") + 1
    return words[position].strip('"').lower() if position < len(words) else None


class PostgresDatabase(Database):
    """`Database` on PostgreSQL: the same group commit, a read pool, translated migrations."""

    _conn: _WriterConnection  # type: ignore[assignment]
    postgres = True
    skip_locked = " FOR UPDATE SKIP LOCKED"

    @classmethod
    async def open_url(cls, url: str, *, read_only: bool = False) -> PostgresDatabase:
        """Connect (the writer, then the read pool), create the URL's schema if it names one
        that does not exist, and apply the migrations (not when `read_only`)."""
        label = url_label(url)
        try:
            conn = await _connect(url, read_only=read_only)
        except psycopg.Error as exc:
            raise DatabaseUrlError(f"DATABASE_URL: cannot connect to {label} "
                                   f"({_reason(exc, url)})") from None
        pool: AsyncConnectionPool[Any] | None = None
        try:
            if not read_only:
                await _ensure_schema(conn)

            async def configure(pooled: AsyncConnection[Any]) -> None:
                _configure(pooled)
                if read_only:
                    await pooled.execute("SET default_transaction_read_only = on")

            pool = AsyncConnectionPool(
                url, min_size=1, max_size=POOL_SIZE, open=False, configure=configure,
                kwargs={"autocommit": True, "row_factory": row_factory,
                        "cursor_factory": AsyncClientCursor, "connect_timeout": CONNECT_TIMEOUT})
            await pool.open(wait=True, timeout=CONNECT_TIMEOUT)
            db = cls(_WriterConnection(conn, pool))  # type: ignore[arg-type]
            if not read_only:
                await db.migrate()
            await db._load_identities()
        except BaseException:
            if pool is not None:
                await pool.close()
            await conn.close()
            raise
        log.debug("database: %s", label)
        return db

    async def schema_version(self) -> int:
        row = await self.fetch_one(
            "SELECT to_regclass(?) IS NOT NULL AS present", (_VERSION_TABLE,))
        if not row or not row["present"]:
            return 0
        version = await self.fetch_one(f"SELECT version FROM {_VERSION_TABLE}")
        return int(version["version"]) if version else 0

    async def migrate(self) -> list[int]:
        """Every migration newer than `schema_version`, all in one transaction (PostgreSQL's
        DDL is transactional), under an advisory lock so two processes never both apply one."""
        async with self._lock:
            conn = self._conn
            await conn.execute("BEGIN")
            try:
                await conn.execute("SELECT pg_advisory_xact_lock(hashtext(current_schema()))")
                await conn.script(f"CREATE TABLE IF NOT EXISTS {_VERSION_TABLE} "
                                  "(version BIGINT NOT NULL)")
                rows = await conn.execute_fetchall(f"SELECT version FROM {_VERSION_TABLE}")
                current = int(rows[0][0]) if rows else 0
                applied: list[int] = []
                for number, sql in load_migrations():
                    if number > current:
                        await conn.script(postgres_migration(sql))
                        applied.append(number)
                if applied:
                    await conn.script(f"DELETE FROM {_VERSION_TABLE}")
                    await conn.execute(f"INSERT INTO {_VERSION_TABLE} (version) VALUES (?)",
                                       (applied[-1],))
                await conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    await conn.execute("ROLLBACK")
                raise
            for number in applied:
                log.info("applied migration %04d", number)
            return applied

    async def _identity_columns(self) -> dict[str, str]:
        rows = await self._conn.execute_fetchall(_IDENTITY_COLUMNS)
        return {str(r[0]): str(r[1]) for r in rows}

    async def _load_identities(self) -> None:
        async with self._lock:
            self._conn.identities = await self._identity_columns()

    async def fetch_all(self, sql: str, params: Params = (), *,
                        after_queued: bool = True) -> list[PgRow]:  # type: ignore[override]
        """From the read pool, once the queued writes are committed (see Database.fetch_all)."""
        if self._closed:
            raise ValueError("the database is closed")
        if after_queued and self._last is not None and not self._last.done.done():
            await self.flush()
        self.stats.trips += 1
        try:
            async with self._conn.pool.connection() as conn:
                cursor = await conn.execute(*_query(sql, params))
                return await cursor.fetchall() if cursor.description else []
        except psycopg.Error as exc:
            raise PostgresError(exc) from None

    async def table_names(self) -> list[str]:
        rows = await self.fetch_all(
            "SELECT table_name AS name FROM information_schema.tables "
            "WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' "
            "AND table_name <> ? ORDER BY table_name", (_VERSION_TABLE,))
        return [str(r["name"]) for r in rows]

    async def column_names(self, table: str) -> list[str]:
        rows = await self.fetch_all(
            "SELECT column_name AS name FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND table_name = ? ORDER BY ordinal_position",
            (table,))
        return [str(r["name"]) for r in rows]

    async def row_order(self, table: str) -> str:
        """The table's primary key (SQLite's rowid order for its integer keys)."""
        rows = await self.fetch_all(
            "SELECT a.attname AS name FROM pg_index i JOIN pg_attribute a "
            "ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) "
            "WHERE i.indrelid = to_regclass(?) AND i.indisprimary ORDER BY a.attnum", (table,))
        return ", ".join(_quoted(str(r["name"])) for r in rows) or "ctid"


def _quoted(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


async def _ensure_schema(conn: AsyncConnection[Any]) -> None:
    """A URL whose search_path names a schema that does not exist yet: create it."""
    row = await (await conn.execute("SELECT current_schema()")).fetchone()
    if row and row[0]:
        return
    path = await (await conn.execute("SHOW search_path")).fetchone()
    first = str(path[0]).split(",")[0].strip().strip('"') if path else ""
    if first and not first.startswith("$"):
        await conn.execute(f"CREATE SCHEMA IF NOT EXISTS {_quoted(first)}")


def _reason(exc: psycopg.Error, url: str) -> str:
    """Why a connection failed, in libpq's words on one line, the password blanked should
    libpq ever repeat it."""
    text = " ".join(line.strip() for line in str(exc).splitlines() if line.strip())
    password = urlsplit(url).password
    if password:
        text = text.replace(password, "***")
    return text or type(exc).__name__
