"""`python -m bot health` as an operator, cron or a container's HEALTHCHECK runs it: one line per
check, exit 0 when healthy and 1 when not, and the database only looked at."""

from __future__ import annotations

import logging
import random
import signal
import sqlite3
import subprocess
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from bot.clock import to_db
from bot.config import Settings
from bot.db import load_migrations
from bot.health.heartbeat import ApiHeartbeat
from bot.health.storage import HeartbeatStore
from bot.transport.local_api import Fault
from bot.transport.webhook import web_app
from tests.conftest import TOKEN, Harness, bot_process, run_cli
from tests.fakes import FakeClock
from tests.http_bot_api import HttpBotApi
from tests.pg import SQLITE_ONLY, connect

SHIPPED = load_migrations()[-1][0]
WITH_TOKEN = {"BOT_TOKEN": TOKEN, "ALLOW_NO_STAFF_CHAT": "1"}


def health(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """The real command in an empty folder, on tmp_path/bot.db unless DATABASE_PATH says."""
    return run_cli(tmp_path, "health", **{"DATABASE_PATH": str(tmp_path / "bot.db"), **env})


def fresh_database(tmp_path: Path) -> Path:
    path = tmp_path / "bot.db"
    migrated = run_cli(tmp_path, "migrate", DATABASE_PATH=str(path))
    assert migrated.returncode == 0, migrated.stderr
    return path


def checks(result: subprocess.CompletedProcess[str]) -> dict[str, str]:
    """check name -> the rest of its line, e.g. {'outbox': 'ok – nothing waiting to be sent'}"""
    lines = result.stdout.splitlines()
    assert all(": " in line for line in lines), result.stdout
    return dict(line.split(": ", 1) for line in lines)


@SQLITE_ONLY
def test_a_fresh_database_in_console_mode_is_healthy(tmp_path: Path) -> None:
    fresh_database(tmp_path)
    result = health(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert checks(result) == {
        "database": f"ok – {tmp_path / 'bot.db'}, schema {SHIPPED:04d}, as this version ships",
        "outbox": "ok – nothing waiting to be sent",
        "bot api": "ok – not checked in console mode (no BOT_TOKEN)",
    }
    assert result.stderr == ""


def test_a_running_bot_is_healthy_through_its_heartbeat(tmp_path: Path) -> None:
    with HttpBotApi(token=TOKEN) as api, bot_process(api, tmp_path) as bot:
        api.wait_for_call("getUpdates")  # start-up (and its first heartbeat) is done
        result = health(tmp_path, **WITH_TOKEN)
        assert bot.stop() == 0, bot.stderr
    assert result.returncode == 0, result.stdout + result.stderr
    found = checks(result)
    assert found["database"].startswith("ok – ")
    assert found["outbox"] == "ok – nothing waiting to be sent"
    assert found["bot api"].startswith("ok – last successful call "), found


def test_sigusr1_writes_every_task_stack_and_the_bot_keeps_running(tmp_path: Path) -> None:
    with HttpBotApi(token=TOKEN) as api, bot_process(api, tmp_path) as bot:
        api.wait_for_call("getUpdates")
        bot.proc.send_signal(signal.SIGUSR1)
        deadline = time.monotonic() + 10
        while "Current thread" not in bot.stderr and time.monotonic() < deadline:
            time.sleep(0.05)
        dump = bot.stderr
        assert bot.stop() == 0, bot.stderr
    assert "stack dump on SIGUSR1" in dump
    assert "--- task outbox" in dump and "--- task sweeps" in dump
    assert "Current thread" in dump  # faulthandler's part: every thread


def test_an_old_pending_outbox_row_fails_naming_the_backlog(tmp_path: Path) -> None:
    path = fresh_database(tmp_path)
    queued = datetime.now(UTC) - timedelta(hours=1, minutes=5)
    with connect(path) as db:
        db.execute("INSERT INTO outbox (chat_id, priority, kind, payload, not_before, created_at)"
                   " VALUES (4242, 50, 'checkin', '{}', ?, ?)", (to_db(queued), to_db(queued)))
    db.close()
    result = health(tmp_path)
    assert result.returncode == 1, result.stdout
    found = checks(result)
    assert found["outbox"] == ("FAIL – 1 waiting to be sent, the oldest for 1 h 5 min "
                               "(limit 15 min)")
    assert found["database"].startswith("ok – ") and found["bot api"].startswith("ok – ")


def test_a_recent_pending_row_is_no_problem(tmp_path: Path) -> None:
    path = fresh_database(tmp_path)
    now = to_db(datetime.now(UTC) - timedelta(minutes=2))
    with connect(path) as db:
        db.executemany("INSERT INTO outbox (chat_id, priority, kind, payload, not_before, "
                       "created_at, status) VALUES (4242, 50, 'checkin', '{}', ?, ?, ?)",
                       [(now, now, "pending"), (now, now, "sending"), (now, now, "sent")])
    db.close()
    result = health(tmp_path)
    assert result.returncode == 0, result.stdout
    assert checks(result)["outbox"] == "ok – 2 waiting to be sent, the oldest for 2 min"


@pytest.mark.parametrize(("silent", "ok"), [(timedelta(minutes=9), True),
                                             (timedelta(minutes=11), False)])
def test_the_bot_api_check_fails_after_ten_silent_minutes(
        tmp_path: Path, silent: timedelta, ok: bool) -> None:
    path = fresh_database(tmp_path)
    with connect(path) as db:
        db.execute("INSERT INTO bot_api_heartbeat (id, ok_at) VALUES (1, ?)",
                   (to_db(datetime.now(UTC) - silent),))
    db.close()
    result = health(tmp_path, **WITH_TOKEN)
    minutes = int(silent.total_seconds() // 60)
    line = checks(result)["bot api"]
    if ok:
        assert result.returncode == 0, result.stdout
        assert line == f"ok – last successful call {minutes} min ago"
    else:
        assert result.returncode == 1, result.stdout
        assert line == (f"FAIL – last successful call {minutes} min ago (limit 10 min): is the "
                        "bot running, and can it reach Telegram?")


def test_with_a_token_but_no_heartbeat_ever_it_fails(tmp_path: Path) -> None:
    fresh_database(tmp_path)
    result = health(tmp_path, **WITH_TOKEN)
    assert result.returncode == 1
    assert checks(result)["bot api"] == "FAIL – no successful call recorded: has the bot run yet?"


@SQLITE_ONLY
def test_a_schema_behind_the_shipped_migrations_fails(tmp_path: Path) -> None:
    path = fresh_database(tmp_path)
    with sqlite3.connect(path) as db:
        db.execute(f"PRAGMA user_version = {SHIPPED - 1}")
    db.close()
    result = health(tmp_path)
    assert result.returncode == 1
    assert checks(result)["database"] == (
        f"FAIL – {path}, schema {SHIPPED - 1:04d}, this version ships {SHIPPED:04d}: start the "
        "bot (or run `python -m bot migrate`)")


@SQLITE_ONLY
def test_a_corrupt_database_fails_in_one_line_without_a_traceback(tmp_path: Path) -> None:
    path = tmp_path / "bot.db"
    path.write_bytes(random.Random(19).randbytes(8192))
    result = health(tmp_path)
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "database: FAIL – DATABASE_PATH: not an SQLite database (file is not a database)"]
    assert result.stderr == ""


@SQLITE_ONLY
def test_a_missing_database_fails_and_is_not_created(tmp_path: Path) -> None:
    path = tmp_path / "data" / "bot.db"
    result = health(tmp_path, DATABASE_PATH=str(path))
    assert result.returncode == 1
    assert result.stdout.splitlines() == [f"database: FAIL – DATABASE_PATH: no database file "
                                          f"at {path}"]
    assert not path.parent.exists()


async def test_the_heartbeat_asks_getme_every_two_minutes_and_records_each_answer(
        bot: Harness, caplog: pytest.LogCaptureFixture) -> None:
    store = HeartbeatStore(bot.ctx.db)
    assert await store.last_ok() == bot.clock.now(), "start-up counts as the first answer"
    heartbeat = ApiHeartbeat(bot.application.bot, store, bot.clock)
    await heartbeat.started()
    asked = len(bot.api.sent(method="getMe"))

    bot.clock.advance(seconds=110)
    await heartbeat.beat()
    assert len(bot.api.sent(method="getMe")) == asked, "not yet"
    bot.clock.advance(seconds=10)
    await heartbeat.beat()
    assert len(bot.api.sent(method="getMe")) == asked + 1
    assert await store.last_ok() == bot.clock.now()

    answered = bot.clock.now()
    bot.api.fail(Fault("getMe", network=True))
    bot.clock.advance(minutes=2)
    with caplog.at_level(logging.WARNING, logger="bot.health.heartbeat"):
        await heartbeat.beat()
    assert await store.last_ok() == answered, "a failed call is not a sign of life"
    assert [r.getMessage() for r in caplog.records] == [
        "Bot API heartbeat: no answer (NetworkError)"]


@SQLITE_ONLY
async def test_healthz_answers_503_with_the_failing_check_and_never_the_path(
        tmp_path: Path, settings: Settings, clock: FakeClock) -> None:
    """The webhook server's /healthz, in process (its ASGI app): the same checks, as JSON,
    503 when one fails."""
    path = fresh_database(tmp_path)
    with sqlite3.connect(path) as db:
        db.execute(f"PRAGMA user_version = {SHIPPED - 1}")
    db.close()
    app = web_app(None, replace(settings, database_path=path), clock, "/hook", "secret")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://bot.test") as client:
        answer = await client.get("/healthz")
        head = await client.head("/healthz")
        unknown = await client.get("/not-here")
    assert answer.status_code == 503 and head.status_code == 503
    assert answer.headers["content-type"].startswith("application/json")
    body = answer.json()
    assert body["ok"] is False
    database = body["checks"][0]
    assert database == {"name": "database", "ok": False, "detail": (
        f"schema {SHIPPED - 1:04d}, this version ships {SHIPPED:04d}: start the bot (or run "
        "`python -m bot migrate`)")}
    assert str(tmp_path) not in answer.text
    assert unknown.status_code == 404
