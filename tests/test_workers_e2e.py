"""Two webhook workers (`python -m bot`, webhook mode) on one PostgreSQL database, against the
Bot API emulator: a citizen's updates go to either worker and are handled once each, in their
order, with what the other worker wrote; the leader alone sends a broadcast; after `kill -9`
of the leader the other worker takes over and finishes it, sending no message twice.
"""

from __future__ import annotations

import asyncio
import itertools
import signal
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from benchmarks import workers as workers_benchmark
from bot.cache import ChangeNotes
from bot.clock import SystemClock
from bot.db import Database
from bot.features.citizens import CitizenStore, Purpose
from tests.conftest import TOKEN, WebhookBot, bot_process, run_cli
from tests.http_bot_api import ApiCall, HttpBotApi
from tests.pg import ON_POSTGRES, TEST_URL, connect
from tests.processes import free_port
from tests.test_process_e2e import command, press, to
from tests.test_webhook_e2e import post_update

pytestmark = pytest.mark.skipif(not ON_POSTGRES, reason="several workers need PostgreSQL")

SECRET = "workers-secret"
HOOK_PATH = "/hook"
STAFF_CHAT = -1001234567890
READERS = 60  # citizens who take webinar news, for the broadcast
FIRST_READER = 8000
ALWAYS_OPEN = {"QUIET_HOURS": "", "QUIET_WEEKENDS": "false"}  # the test runs at any hour
LEADS = "workers: this worker leads"
TAKES = "workers: this worker takes updates"


@contextmanager
def worker(api: HttpBotApi, tmp_path: Path, name: str, database: Path) -> Iterator[WebhookBot]:
    folder = tmp_path / name
    folder.mkdir()
    port = free_port()
    with bot_process(api, folder, BOT_TOKEN=TOKEN, PORT=str(port), WEBHOOK_SECRET=SECRET,
                     WEBHOOK_URL=f"https://bot.example.org{HOOK_PATH}",
                     DATABASE_PATH=str(database), STAFF_CHAT_ID=str(STAFF_CHAT),
                     STAFF_LOCALE="en", RISK_MODEL="false", SEND_RATE="20",
                     **ALWAYS_OPEN) as bot:
        yield WebhookBot(bot.proc, bot.stderr_path, bot.exited, port, HOOK_PATH)


def wait_for_log(bot: WebhookBot, line: str, timeout: float = 30.0) -> None:
    """Until `line` is in the worker's log: the log is another process's file, so it is
    looked at again every 50 ms (no clock of this test's to fake)."""
    start = time.monotonic()
    while line not in bot.stderr:
        assert bot.proc.poll() is None, bot.stderr
        assert time.monotonic() - start < timeout, f"no {line!r} in:\n{bot.stderr}"
        time.sleep(0.05)


async def _readers(path: Path) -> None:
    db = await Database.open(path)
    try:
        store = CitizenStore(db, ChangeNotes.of(db, SystemClock()))  # as the CLI would
        for user in range(FIRST_READER, FIRST_READER + READERS):
            citizen = await store.create(user, user, "en", datetime(2026, 11, 2, tzinfo=UTC))
            await store.record_consents(citizen.id, {Purpose.WEBINARS: True}, "t",
                                        citizen.joined_at)
    finally:
        await db.close()


def _is_broadcast(call: ApiCall) -> bool:
    return call.chat_id is not None and FIRST_READER <= call.chat_id < FIRST_READER + READERS


def _broadcasts(api: HttpBotApi) -> list[ApiCall]:
    return [c for c in api.calls if c.method == "sendMessage" and _is_broadcast(c)]


def _outbox_states(database: Path) -> Counter[str]:
    with connect(database) as db:
        rows = db.execute("SELECT status FROM outbox WHERE kind = 'broadcast'").fetchall()
    return Counter(str(r[0]) for r in rows)


def test_two_workers_keep_each_chat_in_order_and_survive_the_leader_s_kill(
        tmp_path: Path) -> None:
    database = tmp_path / "bot.db"
    asyncio.run(_readers(database))
    update_ids = itertools.count(1)
    with HttpBotApi(token=TOKEN) as api, worker(api, tmp_path, "a", database) as first:
        wait_for_log(first, LEADS)  # nothing the Bot API sees tells who leads
        mark = api.mark()
        with worker(api, tmp_path, "b", database) as second:
            api.wait_for_call("setWebhook", since=mark, timeout=30)  # after its start-up
            assert TAKES in second.stderr and LEADS not in second.stderr, "two leaders"
            workers = itertools.cycle([first, second])

            def post(update: dict[str, Any], to_worker: WebhookBot | None = None) -> None:
                bot = to_worker or next(workers)
                assert post_update(bot, {"update_id": next(update_ids), **update},
                                   SECRET) == 200

            onboard_across_workers(api, post)
            texts_in_a_burst_keep_their_order(api, post, database)

            # A broadcast, stored by the CLI, goes out from the leader; the leader is killed
            # while sending it.
            (tmp_path / "en.txt").write_text("Webinar tomorrow\n", encoding="utf-8")
            (tmp_path / "da.txt").write_text("Webinar i morgen\n", encoding="utf-8")
            stored = run_cli(tmp_path, "broadcast", "send", "--name", "CV", "--text-da",
                             "da.txt", "--text-en", "en.txt", "--yes",
                             DATABASE_PATH=str(database), LOG_LEVEL="WARNING",
                             RISK_MODEL="false", **ALWAYS_OPEN)
            assert stored.returncode == 0, stored.stderr
            api.wait_for_calls("sendMessage", _is_broadcast, READERS // 4, timeout=30)
            first.proc.send_signal(signal.SIGKILL)
            assert first.exited.wait(10)
            api.resume()  # the emulator's waiters were woken by the kill
            mark = api.mark()
            sent_by_first = len(_broadcasts(api))
            assert sent_by_first < READERS, "killed too late to see a take-over"
            # The survivor leads and sends the rest: its first send within 5 s of the kill.
            api.wait_for_call("sendMessage", _is_broadcast, since=mark, timeout=5)
            assert LEADS in second.stderr
            # The progress message in the staff chat ends as the summary, from the survivor.
            api.wait_for_call("editMessageText", lambda c: c.chat_id == STAFF_CHAT
                              and "– done" in c.params.get("text", ""), since=mark, timeout=60)
            states = _outbox_states(database)
            # The survivor serves citizens on its own.
            post(command(7999, "/start", "en", 1), to_worker=second)
            api.wait_for_call("sendMessage", to(7999, "Hello, this is"))
            assert second.stop() == 0
    receivers = Counter(c.chat_id for c in _broadcasts(api))
    assert max(receivers.values()) == 1, "a broadcast message was sent twice"
    assert set(states) <= {"sent", "uncertain"}, states
    assert states["sent"] + states["uncertain"] == READERS, states
    # A row in doubt was sent by the killed leader, or not: it is never sent again.
    assert states["sent"] <= len(receivers) <= READERS, (states, len(receivers))
    assert states["uncertain"] <= 4, "only the sends in flight at the kill are in doubt"
    assert "Traceback" not in second.stderr, second.stderr


def onboard_across_workers(api: HttpBotApi, post: Any) -> None:
    """Each step of the onboarding dialog goes to the other worker than the one before: each
    must see what the other wrote (the dialog state, the consents, the citizen's language)."""
    for user in (7001, 7002, 7003):
        mark = api.mark()
        post(command(user, "/start", "en", 1))
        welcome = api.wait_for_call("sendMessage", to(user, "Hello, this is"), since=mark)
        mark = api.mark()
        post(press(user, "en", _data(welcome, "Yes, let me choose"), api.result_of(welcome),
                   f"q{user}a"))
        consent = api.wait_for_call("sendMessage", to(user, "What may we contact you about?"),
                                    since=mark)
        message = api.result_of(consent)
        mark = api.mark()
        post(press(user, "en", _data(consent, "⬜ Short check-ins"),
                   message, f"q{user}b"))
        toggled = api.wait_for_call("editMessageText",
                                    lambda c, u=user: c.chat_id == u, since=mark)
        assert _data(toggled, "✅ Short check-ins"), "the other worker saw the toggle"
        mark = api.mark()
        post(press(user, "en", _data(toggled, "Save my choices"), message, f"q{user}c"))
        api.wait_for_call("sendMessage", to(user, "What would you like us to call you?"),
                          since=mark)


def texts_in_a_burst_keep_their_order(api: HttpBotApi, post: Any, database: Path) -> None:
    """Names sent one after another, without waiting, alternately to both workers: the first
    is the answer to the name question, the rest get the month question's hint, in order."""
    user = 7001
    mark = api.mark()
    for n in range(1, 7):
        post({"message": {"message_id": 100 + n, "date": 1_764_000_000,
                          "chat": {"id": user, "type": "private", "first_name": "C"},
                          "from": {"id": user, "is_bot": False, "first_name": "C",
                                   "language_code": "en"},
                          "text": f"Name{n}"}})
    replies = api.wait_for_calls("sendMessage", lambda c: c.chat_id == user, 6, timeout=20,
                                 since=mark)
    texts = [str(c.params["text"]) for c in replies]
    assert texts[0].startswith("Roughly when did you become unemployed?"), texts
    assert all(t.startswith("Please choose one of the buttons") for t in texts[1:]), texts
    with connect(database) as db:
        [(name,)] = db.execute("SELECT first_name FROM citizens WHERE telegram_user_id = ?",
                               (user,)).fetchall()
    assert name == "Name1", "the first text was handled first"


def _data(call: ApiCall, label: str) -> str:
    markup = call.params.get("reply_markup") or {}
    for row in markup.get("inline_keyboard", []):
        for button in row:
            if button["text"].startswith(label):
                return str(button["callback_data"])
    raise AssertionError(f"no button {label!r} in {markup}")


def test_the_workers_benchmark_runs_and_prints_a_row_per_worker_count(
        capsys: pytest.CaptureFixture[str]) -> None:
    """`python -m benchmarks.workers`, small (speed belongs to the benchmark)."""
    assert TEST_URL is not None
    assert workers_benchmark.main(["--workers", "1,2", "--chats", "4", "--per-chat", "2",
                                   "--database-url", TEST_URL]) == 0
    rows = [line for line in capsys.readouterr().out.splitlines() if line.startswith("| ")]
    assert [row.split("|")[1].strip() for row in rows[1:]] == ["1", "2"], rows
