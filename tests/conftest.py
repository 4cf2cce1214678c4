"""Fixtures: the real Application on a temp SQLite file, driven through the local Bot API; and,
from tests/processes.py, the launchers of `python -m bot` as a real process."""

from __future__ import annotations

import os
import threading
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiosqlite
import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from bot.app import App, build_application
from bot.config import Settings
from bot.context import AppContext
from bot.feature import Feature
from bot.features.enabled import FEATURES
from bot.transport.local_api import LocalBotApi
from bot.transport.local_updates import UpdateFactory
from tests import pg
from tests.fakes import FakeClock

# The `python -m bot` process launchers, shared by every test that starts the real process.
from tests.processes import TOKEN as TOKEN
from tests.processes import WebhookBot as WebhookBot
from tests.processes import bot_process as bot_process
from tests.processes import child_env as child_env
from tests.processes import run_cli as run_cli
from tests.processes import start_bot as start_bot
from tests.processes import webhook_bot as webhook_bot

CITIZEN = 4242

# Hypothesis (tests/test_fuzz.py): few examples in CI, which has a hard time limit;
# HYPOTHESIS_PROFILE=long for a thorough run. A failure prints the seed to replay it with.
_FUZZ = {"deadline": None, "print_blob": True,
         "suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]}
hypothesis_settings.register_profile("ci", max_examples=20, **_FUZZ)
hypothesis_settings.register_profile("long", max_examples=2000, **_FUZZ)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def pytest_configure(config: pytest.Config) -> None:
    """TEST_DATABASE_URL: this run's own database on that server (tests/pg.py)."""
    if pg.ON_POSTGRES:
        pg.create_run_database()
        pg.use_postgres()


def pytest_unconfigure(config: pytest.Config) -> None:
    if pg.ON_POSTGRES:
        pg.drop_run_database()


def pytest_report_header(config: pytest.Config) -> str:
    return "database: PostgreSQL (TEST_DATABASE_URL)" if pg.ON_POSTGRES else "database: SQLite"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(token="123456:TEST-token-for-the-local-api-only",
                    database_path=tmp_path / "bot.db", jobcentre_name="Jobcenter Testby")


@dataclass
class Harness:
    """One running application and the means to talk to it like a citizen would."""

    application: App
    api: LocalBotApi
    updates: UpdateFactory
    clock: FakeClock

    @property
    def ctx(self) -> AppContext:
        return self.application.bot_data["app"]  # type: ignore[no-any-return]

    async def say(self, text: str, user: int = CITIZEN, **kw: Any) -> list[str]:
        """Send a message; returns the texts the bot sent to that chat in response."""
        before = len(self.api.texts(user))
        await self.application.process_update(self.updates.message(user, text, **kw))
        return self.api.texts(user)[before:]

    async def tap(self, label: str, user: int = CITIZEN, **kw: Any) -> list[str]:
        """Tap the visible button whose text contains `label`."""
        data = self.button_data(label, user)
        before = len(self.api.texts(user))
        await self.application.process_update(self.updates.press(user, data, **kw))
        return self.api.texts(user)[before:]

    async def drain(self, *, follow_time: bool = True, limit: int = 1000) -> int:
        """Let the outbox sender work until the queue is empty, moving the fake clock along
        to each pacing slot or retry time (or stopping there when follow_time is False)."""
        sender = self.application.bot_data["outbox_sender"]
        sends = 0
        for _ in range(limit):
            wait = await sender.send_next()
            if wait is None:
                return sends
            if wait.total_seconds() == 0:
                sends += 1
                continue
            if not follow_time:
                return sends
            self.clock.advance(seconds=wait.total_seconds())
        raise AssertionError("outbox did not drain")

    def buttons(self, user: int = CITIZEN) -> list[str]:
        return [b["text"] for row in self.api.last_keyboard(user) for b in row]

    def button_data(self, label: str, user: int = CITIZEN) -> str:
        for row in self.api.last_keyboard(user):
            for button in row:
                if label in button["text"]:
                    return str(button["callback_data"])
        raise AssertionError(f"no button {label!r} among {self.buttons(user)}")


async def start_harness(settings: Settings, clock: FakeClock, api: LocalBotApi | None = None,
                        features: tuple[Feature, ...] = FEATURES) -> Harness:
    api = api or LocalBotApi()
    application = build_application(settings, request=api, clock=clock, background=False,
                                    features=features)
    await application.initialize()
    assert application.post_init is not None
    await application.post_init(application)
    return Harness(application, api, UpdateFactory(application.bot), clock)


async def stop_harness(harness: Harness) -> None:
    assert harness.application.post_shutdown is not None
    await harness.application.post_shutdown(harness.application)
    await harness.application.shutdown()


async def crash_harness(harness: Harness) -> None:
    """As with kill -9: no shutdown hook runs, nothing is flushed; the connection is only
    dropped, so committed rows stay and an open transaction is rolled back."""
    await harness.ctx.db.close()


@pytest.fixture
async def bot(settings: Settings, clock: FakeClock) -> AsyncIterator[Harness]:
    harness = await start_harness(settings, clock)
    yield harness
    await stop_harness(harness)


# aiosqlite internals (0.22); should a later release rename them, the guard below stands aside
_WORKER = getattr(aiosqlite.core, "_connection_worker_thread", None)
_STOP = getattr(aiosqlite.core, "_STOP_RUNNING_SENTINEL", None)


def _sqlite_workers() -> set[threading.Thread]:
    if _WORKER is None:
        return set()
    return {t for t in threading.enumerate() if getattr(t, "_target", None) is _WORKER}


def _still_running(worker: threading.Thread) -> bool:
    """A closed connection's worker ends at once; give it a moment to do so."""
    worker.join(timeout=2)
    return worker.is_alive()


@pytest.fixture(autouse=True)
def no_open_database_connection() -> Iterator[None]:
    """aiosqlite's worker thread is not a daemon: a connection left open keeps the test
    process (and CI) alive forever after the last test. Every test must close what it opens;
    one that does not fails here, and its worker is stopped so the run can still end."""
    before = _sqlite_workers()
    pg.forget_open()
    yield
    leaked = [t for t in _sqlite_workers() - before if _still_running(t)]
    for worker in leaked:
        queue = worker._args[0]  # type: ignore[attr-defined]
        queue.put_nowait((None, lambda: _STOP))
    assert not leaked, f"{len(leaked)} database connection(s) left open by this test"
    assert not pg.left_open(), f"{pg.left_open()} PostgreSQL database(s) left open by this test"
