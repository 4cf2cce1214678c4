"""The checks behind `python -m bot health`; each reads the database and gives one line."""

from __future__ import annotations

import sqlite3
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.clock import Clock
from bot.config import Settings
from bot.db import Database, DatabasePathError, EngineError, load_migrations
from bot.db_open import open_database
from bot.health.storage import HeartbeatStore
from bot.outbox.storage import OutboxStore

BACKLOG_LIMIT = timedelta(minutes=15)
SILENCE_LIMIT = timedelta(minutes=10)


@dataclass(frozen=True, slots=True)
class Check:
    name: str
    ok: bool
    detail: str

    @property
    def line(self) -> str:
        return f"{self.name}: {'ok' if self.ok else 'FAIL'} – {self.detail}"


async def run_checks(settings: Settings, clock: Clock, show_path: bool = True) -> list[Check]:
    """Every check in order; only one line when the database cannot be opened at all.
    show_path=False leaves the database's file path out (for /healthz, reachable from outside)."""
    try:
        db = await open_database(settings, read_only=True)
    except DatabasePathError as exc:
        return [Check("database", False, str(exc) if show_path else "cannot be opened")]
    now = clock.now()
    try:
        return [
            await _guarded("database", lambda: _schema(db, settings, show_path)),
            await _guarded("outbox", lambda: _outbox(OutboxStore(db), now)),
            await _guarded("bot api", lambda: _bot_api(HeartbeatStore(db), now, settings)),
        ]
    finally:
        await db.close()


async def _guarded(name: str, check: Callable[[], Awaitable[Check]]) -> Check:
    try:
        return await check()
    except (sqlite3.Error, EngineError) as exc:
        return Check(name, False, f"cannot read the database ({exc})")


async def _schema(db: Database, settings: Settings, show_path: bool) -> Check:
    found, shipped = await db.schema_version(), load_migrations()[-1][0]
    where = f"{settings.database_label}, schema {found:04d}" if show_path else f"schema {found:04d}"
    if found == shipped:
        return Check("database", True, f"{where}, as this version ships")
    if found < shipped:
        return Check("database", False, f"{where}, this version ships {shipped:04d}: start the "
                     "bot (or run `python -m bot migrate`)")
    return Check("database", False, f"{where} is newer than this version ({shipped:04d}): "
                 "install the newer version, or restore the backup taken before it")


async def _outbox(store: OutboxStore, now: datetime) -> Check:
    count, oldest = await store.backlog()
    if oldest is None:
        return Check("outbox", True, "nothing waiting to be sent")
    waited = now - oldest
    detail = f"{count} waiting to be sent, the oldest for {_duration(waited)}"
    if waited > BACKLOG_LIMIT:
        return Check("outbox", False, f"{detail} (limit {_duration(BACKLOG_LIMIT)})")
    return Check("outbox", True, detail)


async def _bot_api(store: HeartbeatStore, now: datetime, settings: Settings) -> Check:
    if settings.console_mode:
        return Check("bot api", True, "not checked in console mode (no BOT_TOKEN)")
    last = await store.last_ok()
    if last is None:
        return Check("bot api", False, "no successful call recorded: has the bot run yet?")
    detail = f"last successful call {_duration(now - last)} ago"
    if now - last > SILENCE_LIMIT:
        return Check("bot api", False, f"{detail} (limit {_duration(SILENCE_LIMIT)}): is the "
                     "bot running, and can it reach Telegram?")
    return Check("bot api", True, detail)


def _duration(delta: timedelta) -> str:
    """Rounded down to what an operator needs: 42 s, 12 min, 3 h 5 min, 2 d 4 h."""
    seconds = max(int(delta.total_seconds()), 0)
    if seconds < 60:
        return f"{seconds} s"
    minutes, hours, days = seconds // 60, seconds // 3600, seconds // 86400
    if minutes < 60:
        return f"{minutes} min"
    if hours < 24:
        return f"{hours} h {minutes % 60} min"
    return f"{days} d {hours % 24} h"
