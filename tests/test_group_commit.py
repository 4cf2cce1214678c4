"""Group commit (bot/db.py): queued writes of many tasks go in one transaction, a failing unit
of work is rolled back alone, and nothing is shown to a citizen before it is on disk."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from bot.config import Settings
from bot.db import Database, WriteFailed
from bot.outbox.budget import SendBudget
from bot.outbox.limiter import SETTLED, SendLimiter, Source
from bot.transport.local_api import ApiCall
from tests import pg
from tests.conftest import CITIZEN, start_harness, stop_harness
from tests.fakes import FakeClock
from tests.pg import connect


@pytest.fixture
async def db(tmp_path: Path) -> Any:
    database = await Database.open(tmp_path / "bot.db")
    database.write("CREATE TABLE notes (id INTEGER PRIMARY KEY, who TEXT NOT NULL UNIQUE)")
    await database.flush()
    yield database
    await database.close()


async def test_the_writes_of_many_updates_commit_together(db: Database) -> None:
    commits = db.stats.commits

    async def update(n: int) -> None:
        db.write("INSERT INTO notes (who) VALUES (?)", (f"citizen {n}",))
        await db.flush()

    await asyncio.gather(*(update(n) for n in range(50)))
    assert db.stats.commits - commits == 1
    assert len(await db.fetch_all("SELECT id FROM notes")) == 50


@pytest.mark.skipif(pg.ON_POSTGRES, reason="on PostgreSQL the read takes a pool connection "
                    "first, and the writer may commit meanwhile: the row seen or not proves "
                    "nothing (a CI pass saw it)")
async def test_a_read_waits_for_the_queued_writes_unless_told_committed_is_enough(
        db: Database) -> None:
    """The outbox sender's claim loop reads with after_queued=False: it queues nothing itself,
    and waiting for everybody's commit cycle before each claim held a broadcast to 0.87 of
    SEND_RATE."""
    db.write("INSERT INTO notes (who) VALUES (?)", ("queued",))
    assert await db.fetch_all("SELECT who FROM notes", after_queued=False) == []
    assert [r["who"] for r in await db.fetch_all("SELECT who FROM notes")] == ["queued"]


async def test_the_same_statement_of_many_updates_is_one_trip_and_one_bad_row_fails_alone(
        db: Database) -> None:
    """aiosqlite runs one statement per trip: the writer sends the same SQL of many units as
    one executemany; when one row of it fails, the group is done again unit by unit."""
    trips = db.stats.trips

    async def update(n: int) -> None:
        db.write("INSERT INTO notes (who) VALUES (?)", (f"citizen {n % 49}",))
        await db.flush()

    results = await asyncio.gather(*(update(n) for n in range(50)), return_exceptions=True)
    assert [type(r) for r in results].count(WriteFailed) == 1
    assert isinstance(results[49], WriteFailed), "the second 'citizen 0' is the one that fails"
    assert len(await db.fetch_all("SELECT id FROM notes")) == 49
    db.write("DELETE FROM notes")
    await db.flush()
    trips = db.stats.trips

    await asyncio.gather(*(update(n) for n in range(40)))
    assert db.stats.trips - trips == 3, "BEGIN, one executemany, COMMIT"


async def test_the_same_write_of_many_citizens_is_batched_past_others_but_not_past_its_own(
        db: Database) -> None:
    """Each update writes its name, then its step: the writer runs every name in one trip and
    every step in one, yet one citizen's writes (its scope) keep their order."""
    db.write("CREATE TABLE steps (who TEXT PRIMARY KEY, step TEXT)")
    await db.flush()
    trips = db.stats.trips

    async def update(n: int) -> None:
        db.write("INSERT INTO notes (who) VALUES (?)", (f"citizen {n}",), scope=n)
        db.write("INSERT INTO steps (who, step) VALUES (?, 'one') ON CONFLICT (who) DO UPDATE "
                 "SET step = excluded.step", (f"citizen {n}",), scope=n)
        db.write("UPDATE steps SET step = 'two' WHERE who = ?", (f"citizen {n}",), scope=n)
        await db.flush()

    await asyncio.gather(*(update(n) for n in range(30)))
    assert db.stats.trips - trips == 5, "BEGIN, three executemany, COMMIT"
    steps = {r["step"] for r in await db.fetch_all("SELECT step FROM steps")}
    assert steps == {"two"}, "a citizen's update ran before its insert"


async def test_a_failing_unit_is_rolled_back_alone_and_its_task_is_told(db: Database) -> None:
    db.write("INSERT INTO notes (who) VALUES ('taken')")
    await db.flush()
    undone: list[str] = []

    async def failing() -> None:
        db.write("INSERT INTO notes (who) VALUES ('first half')")
        db.write("INSERT INTO notes (who) VALUES ('taken')", undo=lambda: undone.append("x"))
        await db.flush()

    async def fine() -> None:
        db.write("INSERT INTO notes (who) VALUES ('other citizen')")
        await db.flush()

    results = await asyncio.gather(failing(), fine(), return_exceptions=True)
    assert isinstance(results[0], WriteFailed) and results[1] is None
    assert undone == ["x"]
    names = {r["who"] for r in await db.fetch_all("SELECT who FROM notes")}
    assert names == {"taken", "other citizen"}, "the failing unit's first write went too"


async def test_a_task_reads_what_it_queued_and_writes_keep_their_order(db: Database) -> None:
    db.write("INSERT INTO notes (who) VALUES ('a')")
    db.write("UPDATE notes SET who = 'b' WHERE who = 'a'")
    row_id = await db.execute("INSERT INTO notes (who) VALUES ('c')")
    assert [r["who"] for r in await db.fetch_all("SELECT who FROM notes ORDER BY id")] == [
        "b", "c"]
    assert row_id == 2


async def test_closing_commits_what_is_queued(tmp_path: Path, db: Database) -> None:
    db.write("INSERT INTO notes (who) VALUES ('last words')")
    await db.close()
    with connect(tmp_path / "bot.db") as conn:
        assert conn.execute("SELECT who FROM notes").fetchall() == [("last words",)]


@pytest.mark.parametrize(("endpoint", "data", "source", "on_disk"), [
    ("answerCallbackQuery", {"callback_query_id": "q1"}, None, False),
    ("answerCallbackQuery", {"callback_query_id": "q1", "text": "Gemt"}, None, True),
    ("editMessageReplyMarkup", {"chat_id": 7, "message_id": 3}, None, True),
    ("sendMessage", {"chat_id": 7, "text": "Hej"}, None, True),
    ("sendMessage", {"chat_id": 7, "text": "Hej"}, SETTLED, False),
], ids=["bare answer goes at once", "answer with a notice waits", "edit waits", "send waits",
        "a settled send does not wait again"])
async def test_only_a_bare_answer_or_a_settled_reply_goes_before_the_commit(
        db: Database, tmp_path: Path, endpoint: str, data: dict[str, Any],
        source: Source | None, on_disk: bool) -> None:
    """A button's answer without a text shows nothing (the spinner ends), and a settled reply
    waited in an earlier call; every other call that shows something finds what was written
    before it already on disk."""
    limiter = SendLimiter(SendBudget(1000, now=lambda: 0.0, sleep=asyncio.sleep))
    limiter.committed = db.flush
    found: list[int] = []

    async def telegram(**_: Any) -> bool:
        with connect(tmp_path / "bot.db") as conn:
            found.append(conn.execute("SELECT COUNT(*) FROM notes").fetchone()[0])
        return True

    db.write("INSERT INTO notes (who) VALUES ('the toggle')")
    assert await limiter.process_request(telegram, (), {}, endpoint, data, source) is True
    assert found == [1 if on_disk else 0]
    await db.flush()


async def test_every_reply_finds_its_state_on_disk_already(settings: Settings,
                                                           clock: FakeClock) -> None:
    """At the moment of each message, another connection reads the step the citizen is now
    at and the consents just saved, as the message shows them (no risk model, whose thread
    would give the writer its turn anyway)."""
    seen: dict[str, tuple[Any, ...]] = {}

    def look(call: ApiCall, result: Any) -> None:
        if call.method not in ("sendMessage", "editMessageText"):
            return
        with connect(settings.database_path) as conn:
            state = conn.execute("SELECT state FROM dialog_sessions").fetchone()
            consents = conn.execute("SELECT COUNT(*) FROM consent_events").fetchone()
        seen[str(call.params["text"]).split("\n")[0][:30]] = (*state, *consents)

    harness = await start_harness(replace(settings, risk_model=False), clock)
    harness.api.on_call = look
    try:
        await harness.say("/start", language_code="en")
        await harness.tap("Yes, let me choose")
        await harness.tap("Short check-ins")
        await harness.tap("Save my choices")
    finally:
        await stop_harness(harness)
    assert seen == {
        "Hello, this is Jobcenter Testb": ("welcome", 0),
        "What may we contact you about?": ("consent", 0),
        "What would you like us to call": ("ask_name", 5),
    }, seen
    assert harness.api.texts(CITIZEN)[-1].startswith("What would you like us to call you?")
