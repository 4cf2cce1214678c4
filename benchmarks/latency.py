"""Reply latency of the full path at a steady offered load, on a big database, sweeps running.

Part of `python -m benchmarks.updates`. The database holds `CITIZENS` citizens who went through
onboarding (each at the menu, with consents and a check-in timer). One in `DUE_TIMERS_PER` has
a check-in due and one in `DUE_TIMEOUTS_PER` a dialog deadline when the bot starts, so the
sweeps fire check-ins (which the outbox sender then sends) and expire sessions while the
measured citizens chat. The real application runs with its background tasks (outbox sender,
sweeps every 10 s); updates are put on its queue at `rate` per second, open loop (a slow reply
does not slow the arrivals).

An update's latency is the time from its arrival on the queue to its last Bot API call (the
reply the citizen waits for). Quiet hours are off, so check-ins go out at once.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import sqlite3
import statistics
import time
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from telegram import Update
from telegram.ext import TypeHandler

from bot.app import build_application
from bot.clock import to_db
from bot.config import Settings
from bot.db import Database
from bot.features.citizens import Purpose
from bot.gc_tuning import serving_thresholds
from bot.transport.local_api import ApiCall, LocalBotApi
from bot.transport.local_updates import UpdateFactory

CITIZENS = 100_000
DUE_TIMERS_PER = 50  # one citizen in 50 has a check-in due at start (2,000 of 100,000)
DUE_TIMEOUTS_PER = 200  # one in 200 a dialog deadline (500 of 100,000)
LATENCY_USER_BASE = 50_000_000  # citizen i (1-based): telegram user id = chat id = base + i
SEND_RATE = 1000  # as in benchmarks.broadcast: the local Bot API is not Telegram's 30/s
P99_GOAL_MS = 25.0


@dataclass
class LatencyRun:
    latencies_ms: list[float]
    updates: int
    trips: int
    commits: int
    checkins_sent: int
    problems: list[str] = field(default_factory=list)

    def percentile(self, share: float) -> float:
        ordered = sorted(self.latencies_ms)
        if not ordered:
            return float("nan")
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))]

    @property
    def p50(self) -> float:
        return self.percentile(0.50)

    @property
    def p99(self) -> float:
        return self.percentile(0.99)


def populate(path: Path, citizens: int = CITIZENS) -> None:
    """A migrated database with `citizens` onboarded citizens, written straight into SQLite."""
    asyncio.run(_migrate(path))
    now = datetime.now(UTC)
    due_timers, due_timeouts = citizens // DUE_TIMERS_PER, citizens // DUE_TIMEOUTS_PER
    joined = to_db(now - timedelta(days=3))
    with sqlite3.connect(path) as conn:
        conn.executemany(
            "INSERT INTO citizens (id, telegram_user_id, chat_id, first_name, locale, joined_at) "
            "VALUES (?, ?, ?, 'Anna', 'da', ?)",
            ((i, LATENCY_USER_BASE + i, LATENCY_USER_BASE + i, joined)
             for i in range(1, citizens + 1)))
        conn.executemany(
            "INSERT INTO consent_events (citizen_id, purpose, granted, text_version, "
            "recorded_at) VALUES (?, ?, ?, 'bench', ?)",
            ((i, purpose.value, int(purpose in (Purpose.CHECKINS, Purpose.WEBINARS)), joined)
             for i in range(1, citizens + 1) for purpose in Purpose))
        expired = to_db(now - timedelta(minutes=1))
        expiring = range(due_timers + 1, due_timers + due_timeouts + 1)  # not the timers' own
        conn.executemany(
            "INSERT INTO dialog_sessions (citizen_id, dialog, state, data, updated_at, "
            "timeout_at) VALUES (?, 'onboarding', ?, '{}', ?, ?)",
            ((i, "ask_name" if i in expiring else "menu", joined,
              expired if i in expiring else None) for i in range(1, citizens + 1)))
        conn.executemany(
            "INSERT INTO timers (key, kind, citizen_id, due_at, data) "
            "VALUES (?, 'checkin', ?, ?, '{}')",
            ((f"checkin:{i}", i, to_db(now - timedelta(minutes=1)) if i <= due_timers
              else to_db(now + timedelta(days=1 + i % 20))) for i in range(1, citizens + 1)))
        conn.execute("ANALYZE")


async def _migrate(path: Path) -> None:
    db = await Database.open(path)
    await db.close()


def chatting_users(chats: int, citizens: int = CITIZENS) -> list[int]:
    """Telegram ids of the measured citizens: the last ones, whose timers are not due."""
    return [LATENCY_USER_BASE + citizens - k for k in range(chats)]


class _LastCall(list[ApiCall]):
    """Stands in for `LocalBotApi.calls`: the time of each update's last Bot API call."""

    def __init__(self, current: ContextVar[int | None]) -> None:
        super().__init__()
        self.current = current  # ContextVar: the update being handled in this task
        self.last: dict[int, float] = {}

    def append(self, call: ApiCall) -> None:
        update_id = self.current.get()
        if update_id is not None:
            self.last[update_id] = time.perf_counter()


async def run_latency(template: Path, workdir: Path, steps: list[tuple[int, str, str]],
                      rate: float, token: str, current: ContextVar[int | None],
                      problem_count: Callable[[], int]) -> LatencyRun:
    """One run on a fresh copy of `template`; `steps` are (user, "msg" | "press", payload)."""
    with serving_thresholds():  # the garbage collector as `python -m bot` sets it
        return await _run_latency(template, workdir, steps, rate, token, current,
                                  problem_count)


async def _run_latency(template: Path, workdir: Path, steps: list[tuple[int, str, str]],
                       rate: float, token: str, current: ContextVar[int | None],
                       problem_count: Callable[[], int]) -> LatencyRun:
    database = workdir / "latency.db"
    shutil.copyfile(template, database)
    tally = _LastCall(current)
    settings = Settings(token=token, database_path=database, risk_model=False,
                        send_rate=SEND_RATE, quiet_hours=None, quiet_weekends=False)
    application = build_application(settings, request=LocalBotApi(calls=tally),
                                    background=True)

    async def mark(update: Update, context: Any) -> None:
        current.set(update.update_id)

    application.add_handler(TypeHandler(Update, mark), group=-1000)
    await application.initialize()
    problems: list[str] = []
    try:
        assert application.post_init is not None
        await application.post_init(application)
        await application.start()
        try:
            factory = UpdateFactory(application.bot)
            built = [factory.message(user, payload) if kind == "msg"
                     else factory.press(user, payload, message_id=2)
                     for user, kind, payload in steps]
            db = application.bot_data["app"].db
            trips, commits = db.stats.trips, db.stats.commits
            errors_before = problem_count()
            arrival: dict[int, float] = {}
            inbox = application.bot.inbox
            intake: list[asyncio.Task[None]] = []

            posted = {u.update_id: json.dumps(u.to_dict()) for u in built}  # the POST bodies

            async def deliver(update: Update) -> None:
                """As a webhook POST is taken: kept in the inbox (committed), then queued."""
                if inbox is not None:
                    await inbox.keep([update], {update.update_id: posted[update.update_id]})
                application.update_queue.put_nowait(update)

            started = time.perf_counter()
            for index, update in enumerate(built):
                delay = started + index / rate - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
                arrival[update.update_id] = time.perf_counter()
                intake.append(asyncio.create_task(deliver(update)))
            await asyncio.gather(*intake)
            await application.update_queue.join()
            trips, commits = db.stats.trips - trips, db.stats.commits - commits
            latencies = [(tally.last[u] - at) * 1000 for u, at in arrival.items()
                         if u in tally.last]
            if len(latencies) != len(built):
                problems.append(f"{len(built) - len(latencies)} updates got no reply")
            sent = await db.fetch_one(
                "SELECT COUNT(*) AS n FROM outbox WHERE kind = 'checkin' AND status = 'sent'")
            checkins = int(sent["n"]) if sent else 0
            if problem_count() != errors_before:
                problems.append(f"{problem_count() - errors_before} warning/error log records")
        finally:
            await application.stop()
    finally:
        assert application.post_shutdown is not None
        await application.post_shutdown(application)
        await application.shutdown()
    return LatencyRun(latencies, len(built), trips, commits, checkins, problems)


def summary(runs: list[LatencyRun], rate: float, citizens: int) -> list[str]:
    """The report's lines about the latency phase."""
    p99 = statistics.median(r.p99 for r in runs)
    per = max(1, runs[0].updates)
    return [
        f"reply latency at {rate:.0f} updates/s offered, {citizens:,} citizens, sweeps running "
        f"({citizens // DUE_TIMERS_PER:,} check-ins and {citizens // DUE_TIMEOUTS_PER:,} dialog "
        "deadlines due at start):",
        "  p50 ms per run: " + " ".join(f"{r.p50:.1f}" for r in runs)
        + "; p99 ms per run: " + " ".join(f"{r.p99:.1f}" for r in runs)
        + f"; max {max(max(r.latencies_ms, default=0) for r in runs):.0f} ms",
        f"  SQL trips per update {statistics.median(r.trips for r in runs) / per:.2f}, "
        f"commits per update {statistics.median(r.commits for r in runs) / per:.2f} "
        "(the sweeps and the outbox sender included)",
        "  check-ins sent by the outbox meanwhile, per run: "
        + " ".join(str(r.checkins_sent) for r in runs),
        f"p99 latency: {p99:.1f} ms (goal <= {P99_GOAL_MS:.0f})",
    ]
