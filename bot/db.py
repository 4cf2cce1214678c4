"""One SQLite connection (WAL, through aiosqlite), numbered migrations, and group commit.

All tasks share one aiosqlite connection; each call to it is one *trip* to its thread and back,
and trips, with commits, are what the hot path paid for. So writes are grouped:

* `write()` / `write_many()` queue a statement whose result nobody needs (a session saved, a
  profile field changed) and return at once. The statements one task queues without an await
  in between form one *unit of work*.
* One writer task takes every queued unit and commits them in one transaction. aiosqlite runs
  one statement (or one `executemany`) per trip and has no public way to run a batch of
  different statements on its thread, so the writer makes the fewest trips it can: BEGIN,
  then the same SQL of many units as one `executemany` (the dialog sessions of many chats
  saved together; a write says whose rows it touches, its `scope`, so it can be moved past
  other citizens' writes but never past its own), then COMMIT. If any statement fails, the
  transaction is rolled back and the group is done again unit by unit, a SAVEPOINT each, so a
  unit that fails is rolled back alone (its `undo` callbacks run, its task is told at its next
  `flush()`) and the others commit.
* `flush()` waits until everything queued so far is committed. Every Bot API call waits for it
  first (bot/outbox/limiter.py), so a reply never shows the citizen what is not yet on disk.
  Reads wait for it too, so a task always reads what it wrote.
* `execute()` and friends, whose result the caller needs (an id, a row count), are a unit of
  their own in the same group commit, awaited.
* `transaction()` is for a unit that must read between its writes: it waits for the queued
  units, then holds the connection alone until it commits.

Units commit in the order they were queued, so one chat's writes keep their order (its updates
are handled one after the other, bot/dispatch.py). With ``synchronous=NORMAL`` in WAL mode a
commit reaches the OS at once, so ``kill -9`` loses nothing that was committed.
"""

from __future__ import annotations

import asyncio
import logging
import re
import sqlite3
from collections.abc import (
    AsyncIterator,
    Awaitable,
    Callable,
    Hashable,
    Iterable,
    Iterator,
    Sequence,
)
from contextlib import asynccontextmanager, contextmanager, suppress
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar
from weakref import WeakKeyDictionary

import aiosqlite

log = logging.getLogger(__name__)
_MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")
_REBUILD_MARK = "-- migrate: foreign_keys=off"
"""First line of a migration that rebuilds a table and so must run with foreign keys off."""

Params = Sequence[Any] | dict[str, Any]
Undo = Callable[[], None]
"""What to forget in memory when a queued write did not reach the disk (e.g. a cache entry)."""
T = TypeVar("T")
_NOT_A_DATABASE = frozenset({sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_CORRUPT})
_UNUSABLE = frozenset({sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_READONLY, sqlite3.SQLITE_PERM,
                       sqlite3.SQLITE_IOERR, sqlite3.SQLITE_FULL, sqlite3.SQLITE_BUSY,
                       sqlite3.SQLITE_LOCKED, sqlite3.SQLITE_AUTH, sqlite3.SQLITE_NOLFS})


class DatabasePathError(Exception):
    """DATABASE_PATH names something SQLite cannot use (or DATABASE_URL a PostgreSQL server
    that cannot be used); the message is one line for the operator, naming the setting and
    the reason."""


class EngineError(RuntimeError):
    """An error of another engine than SQLite (bot/db_postgres.py), told without the row
    values its own message may quote."""


class WriteFailed(RuntimeError):
    """A write this task queued was rolled back (its unit of work failed); raised at the
    task's next flush, so nothing it shows the citizen pretends it was saved."""


@dataclass(slots=True)
class DatabaseStats:
    """What the hot path costs the database: trips to its thread and commits (benchmarks)."""

    trips: int = 0
    commits: int = 0


@dataclass(slots=True)
class _Statement:
    sql: str
    params: Any
    many: bool = False
    scope: Hashable | None = None
    returning: bool = False
    lastrowid: int = 0
    rowcount: int = 0
    rows: list[aiosqlite.Row] = field(default_factory=list)


@dataclass(slots=True, eq=False)
class _Unit:
    owner: asyncio.Task[Any] | None
    done: asyncio.Future[None]
    statements: list[_Statement] = field(default_factory=list)
    undo: list[Undo] = field(default_factory=list)
    sealed: bool = False
    """An awaited write: a unit of its own, nothing is added to it, its caller reads its
    lastrowid, rowcount or rows."""
    error: BaseException | None = None


class Database:
    """The only object that talks to SQLite; storage modules hold one."""

    postgres = False
    """True for bot/db_postgres.py's engine (what only it has: advisory locks, NOTIFY)."""
    skip_locked = ""
    """Appended to a SELECT that claims rows: PostgreSQL skips rows another transaction
    holds; SQLite has one writer at a time, so there is nothing to skip."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn
        self._lock = asyncio.Lock()  # one trip, one group or one transaction() at a time
        self._queue: list[_Unit] = []
        self._last: _Unit | None = None  # the newest unit queued (or committing)
        self._wake = asyncio.Event()
        self._writer: asyncio.Task[None] | None = None
        self._failures: WeakKeyDictionary[asyncio.Task[Any], BaseException] = (
            WeakKeyDictionary())
        self._closed = False
        self.stats = DatabaseStats()

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
        """Commit what is queued, then close; later calls raise ValueError."""
        if self._closed:
            return
        try:
            while self._last is not None and not self._last.done.done():
                await asyncio.shield(self._last.done)  # and whatever was queued meanwhile
        finally:
            self._closed = True
            if self._writer is not None:
                self._writer.cancel()
                with suppress(asyncio.CancelledError):
                    await self._writer
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

    # reads ------------------------------------------------------------------------------
    async def fetch_one(self, sql: str, params: Params = (), *,
                        after_queued: bool = True) -> aiosqlite.Row | None:
        rows = await self.fetch_all(sql, params, after_queued=after_queued)
        return rows[0] if rows else None

    async def fetch_all(self, sql: str, params: Params = (), *,
                        after_queued: bool = True) -> list[aiosqlite.Row]:
        """One trip (execute and fetch together); it waits for the queued writes first, so a
        task reads what it wrote. `after_queued=False`: what is committed now is enough (a
        task that queues no writes of its own and looks again when woken: the outbox
        sender's claim loop), so it does not wait for a commit cycle of everybody else's."""
        if after_queued and self._last is not None and not self._last.done.done():
            await self.flush()
        async with self._lock:
            before = self._conn.total_changes
            rows = list(await self._trip(self._conn.execute_fetchall(sql, params)))
            if self._conn.total_changes != before:  # it wrote (DELETE ... RETURNING): a commit
                self.stats.commits += 1
            return rows

    # writes -----------------------------------------------------------------------------
    def write(self, sql: str, params: Params = (), *, undo: Undo | None = None,
              scope: Hashable | None = None) -> None:
        """Queue a statement whose result nobody needs; committed with the next group.

        `scope` names whose rows alone it touches (a citizen's number): the writer may then
        run it together with the same statement of other scopes queued earlier in the group,
        past statements of other scopes (never past one of its own scope or one without)."""
        unit = self._open_unit()
        unit.statements.append(_Statement(sql, params, scope=scope))
        if undo is not None:
            unit.undo.append(undo)

    def write_many(self, sql: str, rows: Iterable[Params], *, undo: Undo | None = None,
                   scope: Hashable | None = None) -> None:
        """`write` for many parameter sets of one statement (one unit of work)."""
        unit = self._open_unit()
        unit.statements.append(_Statement(sql, list(rows), many=True, scope=scope))
        if undo is not None:
            unit.undo.append(undo)

    async def execute(self, sql: str, params: Params = ()) -> int:
        """Run one write in the next group commit; returns lastrowid (useful after INSERT)."""
        return (await self._awaited(sql, params)).lastrowid

    async def execute_rowcount(self, sql: str, params: Params = ()) -> int:
        return (await self._awaited(sql, params)).rowcount

    async def execute_returning(self, sql: str, params: Params = ()) -> list[aiosqlite.Row]:
        """A write with RETURNING: its rows, once committed."""
        return (await self._awaited(sql, params, returning=True)).rows

    async def flush(self) -> None:
        """Wait until every write queued so far (by any task) is committed. Raises WriteFailed
        if one of this task's queued writes was rolled back since its last flush."""
        last = self._last
        if last is not None and not last.done.done():
            await asyncio.shield(last.done)
        if self._failures:
            task = asyncio.current_task()
            error = self._failures.pop(task, None) if task is not None else None
            if error is not None:
                raise WriteFailed(f"a queued write was rolled back: {error}") from error

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Transaction]:
        """All-or-nothing unit of work that reads between its writes; nothing else touches
        the connection meanwhile (queued units are committed first, in their order)."""
        async with self._lock:
            queued = self._take()
            if queued:
                await self._commit(queued)
            await self._trip(self._conn.execute("BEGIN IMMEDIATE"))
            try:
                yield Transaction(self)
            except BaseException:
                await self._trip(self._conn.execute("ROLLBACK"))
                raise
            await self._trip(self._conn.execute("COMMIT"))
            self.stats.commits += 1

    async def table_names(self) -> list[str]:
        rows = await self.fetch_all(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
        return [str(r["name"]) for r in rows]

    async def column_names(self, table: str) -> list[str]:
        """The table's columns, in their order."""
        rows = await self.fetch_all(f"PRAGMA table_info({_quoted(table)})")
        return [str(r["name"]) for r in rows]

    async def row_order(self, table: str) -> str:
        """An ORDER BY that lists a table's rows as they were added (SQLite: rowid)."""
        return "rowid"

    # the writer -------------------------------------------------------------------------
    def _open_unit(self) -> _Unit:
        """The task's unit still in the queue, if nothing else was queued after it."""
        owner = asyncio.current_task()
        last = self._queue[-1] if self._queue else None
        if last is not None and owner is not None and last.owner is owner and not last.sealed:
            return last
        return self._queue_unit(_Unit(owner, asyncio.get_running_loop().create_future()))

    def _queue_unit(self, unit: _Unit) -> _Unit:
        if self._closed:
            raise ValueError("the database is closed")
        self._queue.append(unit)
        self._last = unit
        if self._writer is None:
            self._writer = asyncio.get_running_loop().create_task(self._write_loop(),
                                                                  name="database writer")
        self._wake.set()
        return unit

    async def _awaited(self, sql: str, params: Params, *, returning: bool = False) -> _Statement:
        statement = _Statement(sql, params, returning=returning)
        unit = self._queue_unit(_Unit(asyncio.current_task(),
                                      asyncio.get_running_loop().create_future(),
                                      [statement], sealed=True))
        await asyncio.shield(unit.done)
        if unit.error is not None:
            raise unit.error
        return statement

    async def _write_loop(self) -> None:
        while True:
            await self._wake.wait()
            async with self._lock:
                self._wake.clear()
                units = self._take()
                if units:
                    await self._commit(units)

    def _take(self) -> list[_Unit]:
        units, self._queue = self._queue, []
        return units

    async def _commit(self, units: list[_Unit]) -> None:
        """One transaction for all the units; then everyone waiting is told."""
        try:
            await self._trip(self._conn.execute("BEGIN IMMEDIATE"))
            try:
                if not await self._run_together(units):
                    await self._rollback()
                    await self._trip(self._conn.execute("BEGIN IMMEDIATE"))
                    await self._run_one_by_one(units)
                await self._trip(self._conn.execute("COMMIT"))
            except BaseException:
                await self._rollback()
                raise
            self.stats.commits += 1
            log.debug("group commit: %d unit(s) of work in one transaction", len(units))
        except BaseException as exc:  # BEGIN or COMMIT failed: nothing of the batch is saved
            for unit in units:
                unit.error = unit.error or exc
            if isinstance(exc, asyncio.CancelledError):
                raise
        finally:
            for unit in units:
                if unit.error is not None:
                    self._failed(unit)
                if not unit.done.done():
                    unit.done.set_result(None)

    async def _run_together(self, units: list[_Unit]) -> bool:
        """The fast path: the same SQL of many units, whose results nobody reads, goes as one
        executemany, one trip (`_batches`). False if any statement failed (the transaction
        then holds part of the group and must be rolled back)."""
        try:
            for run in _batches(units):
                if len(run) == 1:
                    await self._run(run[0])
                else:
                    params = [p for s in run for p in (s.params if s.many else [s.params])]
                    await self._trip(self._conn.executemany(run[0].sql, params))
        except Exception as exc:
            log.debug("group commit: a statement failed (%s); again unit by unit",
                      type(exc).__name__)
            return False
        return True

    async def _run_one_by_one(self, units: list[_Unit]) -> None:
        """The slow path, after a failure: a SAVEPOINT per unit, so only the failing one is
        rolled back."""
        for unit in units:
            await self._trip(self._conn.execute("SAVEPOINT unit"))
            try:
                for statement in unit.statements:
                    await self._run(statement)
            except Exception as exc:
                await self._trip(self._conn.execute("ROLLBACK TO unit"))
                unit.error = exc
            await self._trip(self._conn.execute("RELEASE unit"))

    async def _run(self, statement: _Statement) -> None:
        if statement.many:
            cursor = await self._trip(self._conn.executemany(statement.sql, statement.params))
            statement.rowcount = cursor.rowcount
            return
        if statement.returning:
            statement.rows = list(await self._trip(
                self._conn.execute_fetchall(statement.sql, statement.params)))
            return
        cursor = await self._trip(self._conn.execute(statement.sql, statement.params))
        statement.lastrowid, statement.rowcount = cursor.lastrowid or 0, cursor.rowcount

    async def _rollback(self) -> None:
        """SQLite rolls some failures back by itself (a full disk, say)."""
        if self._conn.in_transaction:
            await self._trip(self._conn.execute("ROLLBACK"))

    def _failed(self, unit: _Unit) -> None:
        error = unit.error
        assert error is not None
        for undo in unit.undo:
            undo()
        if unit.sealed:
            return  # its caller gets the error itself
        log.error("a unit of work was rolled back (%s: %s); the rest of its group committed",
                  type(error).__name__, error)
        if unit.owner is not None:
            self._failures[unit.owner] = error

    async def _trip(self, call: Awaitable[T]) -> T:
        """One call to aiosqlite's thread, counted."""
        self.stats.trips += 1
        return await call


class Transaction:
    """Statements inside ``Database.transaction()``; the connection is already held."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def execute(self, sql: str, params: Params = ()) -> int:
        statement = _Statement(sql, params)
        await self._db._run(statement)
        return statement.lastrowid

    async def execute_many(self, sql: str, rows: Iterable[Params]) -> int:
        """One statement for many parameter sets; returns how many rows they changed."""
        statement = _Statement(sql, list(rows), many=True)
        await self._db._run(statement)
        return statement.rowcount

    async def fetch_one(self, sql: str, params: Params = ()) -> aiosqlite.Row | None:
        rows = await self.fetch_all(sql, params)
        return rows[0] if rows else None

    async def fetch_all(self, sql: str, params: Params = ()) -> list[aiosqlite.Row]:
        db = self._db
        return list(await db._trip(db._conn.execute_fetchall(sql, params)))


def _batches(units: list[_Unit]) -> list[list[_Statement]]:
    """The group's statements as batches run in order, each of one SQL (one executemany).

    A statement joins the newest batch of its SQL when that moves it past no statement of its
    own scope and none without a scope, so each scope's statements keep their order and a
    statement without a scope stays where it was queued. An awaited unit's statement goes
    alone (its caller reads what it returns) and counts as one without a scope."""
    batches: list[list[_Statement]] = []
    newest: dict[str, int] = {}  # SQL -> its newest batch that may be joined
    last_of: dict[Hashable, int] = {}  # scope -> the batch of its latest statement
    fence = -1  # the batch of the latest statement without a scope
    for unit in units:
        for statement in unit.statements:
            scope = None if unit.sealed else statement.scope
            index = -1 if unit.sealed else newest.get(statement.sql, -1)
            if scope is None:
                joins = index >= 0 and index == len(batches) - 1
            else:
                joins = index >= 0 and index >= fence and index >= last_of.get(scope, -1)
            if joins:
                batches[index].append(statement)
            else:
                batches.append([statement])
                index = len(batches) - 1
            if not unit.sealed:
                newest[statement.sql] = index
            if scope is None:
                fence = index
            else:
                last_of[scope] = index
    return batches


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


def _quoted(identifier: str) -> str:
    """An SQL identifier in double quotes, any double quote in it doubled."""
    return '"' + identifier.replace('"', '""') + '"'


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
