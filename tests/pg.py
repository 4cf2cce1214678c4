"""The suite on PostgreSQL: with TEST_DATABASE_URL set, every database a test opens is there.

Each pytest run creates a database of its own on that server (dropped at the end); each SQLite
path a test would use (tmp_path / "bot.db", ...) becomes a schema of its own in it, named after
the path, so two opens of one path share their data as two opens of one file do. In the test
process `Database.open` and `Database.open_readonly` are pointed there (`use_postgres`); a
child `python -m bot` gets DATABASE_URL beside its DATABASE_PATH (tests/processes.py).
`connect` is the tests' own look into a database, sqlite3's or PostgreSQL's.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import sqlite3
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Self
from urllib.parse import quote, urlsplit, urlunsplit
from weakref import WeakSet

import pytest

from bot.db import Database, load_migrations
from bot.sql_dialect import placeholders, postgres_migration

TEST_URL = os.environ.get("TEST_DATABASE_URL") or None
ON_POSTGRES = TEST_URL is not None
SQLITE_ONLY = pytest.mark.skipif(ON_POSTGRES, reason="about the SQLite file itself")
_RUN_DATABASE = f"pgtest_{os.getpid()}_{secrets.token_hex(3)}"
_opened: WeakSet[Any] = WeakSet()


def schema_for(path: Path | str) -> str:
    """The schema standing in for one SQLite file."""
    digest = hashlib.sha1(str(Path(path).resolve()).encode()).hexdigest()[:20]
    return f"t_{digest}"


def url_for(path: Path | str) -> str:
    """DATABASE_URL for the schema standing in for `path`, in this run's database."""
    assert TEST_URL is not None
    parts = urlsplit(TEST_URL)
    query = f"options={quote(f'-csearch_path={schema_for(path)}')}"
    return urlunsplit((parts.scheme, parts.netloc, f"/{_RUN_DATABASE}", query, ""))


def _server_url() -> str:
    assert TEST_URL is not None
    return TEST_URL


def create_run_database() -> None:
    import psycopg

    with psycopg.connect(_server_url(), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{_RUN_DATABASE}"')


def drop_run_database() -> None:
    import psycopg

    with psycopg.connect(_server_url(), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{_RUN_DATABASE}" WITH (FORCE)')


def use_postgres() -> None:
    """Point the test process's `Database.open` / `open_readonly` at the schemas."""
    from bot.db_postgres import PostgresDatabase

    async def open_path(cls: type[Database], path: Path | str) -> Database:
        db = await PostgresDatabase.open_url(url_for(_stand_in(path)))
        _opened.add(db)
        return db

    async def open_readonly(cls: type[Database], path: Path | str) -> Database:
        db = await PostgresDatabase.open_url(url_for(_stand_in(path)), read_only=True)
        _opened.add(db)
        return db

    Database.open = classmethod(open_path)  # type: ignore[method-assign,assignment]
    Database.open_readonly = classmethod(open_readonly)  # type: ignore[method-assign,assignment]


def _stand_in(path: Path | str) -> str:
    """":memory:" is a new database at every open."""
    return f"/memory/{secrets.token_hex(8)}" if str(path) == ":memory:" else str(path)


def left_open() -> int:
    """PostgreSQL databases this process opened and did not close."""
    return sum(1 for db in _opened if not db._closed)


def forget_open() -> None:
    _opened.clear()


def child_database_env(env: dict[str, str]) -> dict[str, str]:
    """DATABASE_URL for a child's DATABASE_PATH (unless the test set one itself)."""
    if ON_POSTGRES and "DATABASE_PATH" in env and "DATABASE_URL" not in env:
        return {**env, "DATABASE_URL": url_for(env["DATABASE_PATH"])}
    return env


class _PgCursor:
    def __init__(self, cursor: Any) -> None:
        self._cursor = cursor

    def fetchone(self) -> tuple[Any, ...] | None:
        return self._cursor.fetchone() if self._cursor.description else None

    def fetchall(self) -> list[tuple[Any, ...]]:
        return self._cursor.fetchall() if self._cursor.description else []

    def __iter__(self) -> Iterator[tuple[Any, ...]]:
        return iter(self.fetchall())

    @property
    def rowcount(self) -> int:
        return int(self._cursor.rowcount)


class PgConnection:
    """sqlite3.Connection's few calls the tests use, on the schema standing in for a file:
    `?` placeholders; rows by position and by name; `with conn:` commits and closes."""

    def __init__(self, path: Path | str, *, autocommit: bool = False) -> None:
        import psycopg

        from bot.db_postgres import row_factory

        self._conn = psycopg.connect(url_for(path), cursor_factory=psycopg.ClientCursor,
                                     row_factory=row_factory, autocommit=autocommit)

    def execute(self, sql: str, params: Sequence[Any] = ()) -> _PgCursor:
        sql = _PRAGMA_FK.sub("SELECT 1 WHERE false", sql)
        query = placeholders(sql) if params else sql
        return _PgCursor(self._conn.execute(query, params or None))

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        self._conn.cursor().executemany(placeholders(sql), rows)

    def executescript(self, script: str) -> None:
        self._conn.execute(script)

    def commit(self) -> None:
        self._conn.commit()

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, kind: object, *rest: object) -> None:
        try:
            if kind is None:
                self._conn.commit()
            else:
                self._conn.rollback()
        finally:
            self._conn.close()


_PRAGMA_FK = re.compile(r"^\s*PRAGMA\s+foreign_key_check\s*$", re.IGNORECASE)


def connect(path: Path | str, **kwargs: Any) -> sqlite3.Connection | PgConnection:
    """A look into the database at `path`: the SQLite file, or its PostgreSQL schema."""
    if ON_POSTGRES:
        return PgConnection(path)
    return sqlite3.connect(path, **kwargs)


def database_at(path: Path | str, version: int) -> sqlite3.Connection | PgConnection:
    """A database as a release with migrations up to `version` left it (SQLite's file, or
    the PostgreSQL schema standing in for it), open in autocommit mode to put rows in."""
    if not ON_POSTGRES:
        conn = sqlite3.connect(path, isolation_level=None)
        conn.execute("PRAGMA foreign_keys=ON")
        for number, sql in load_migrations()[:version]:
            conn.executescript(f"BEGIN;\n{sql}\nPRAGMA user_version = {number};\nCOMMIT;")
        return conn
    pg = PgConnection(path, autocommit=True)
    pg.executescript(f"CREATE SCHEMA IF NOT EXISTS {schema_for(path)}")
    script = "".join(postgres_migration(sql) for _, sql in load_migrations()[:version])
    pg.executescript(f"BEGIN;\n{script}\nCREATE TABLE schema_version (version BIGINT NOT NULL);\n"
                     f"INSERT INTO schema_version VALUES ({version});\nCOMMIT;")
    return pg
