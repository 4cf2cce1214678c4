"""`python -m benchmarks.broadcast [--quick] [--transport local|http]`: a broadcast to many
citizens at SEND_RATE=1000 while 50 citizens chat, with a `kill -9` half-way and a restart.

The recipients (with webinar-news consent) and the chatting citizens (without) are written
straight into a fresh SQLite file, and the broadcast is stored by the real CLI (`python -m bot
broadcast send --important --yes`) before the bot starts; its first sweep queues it. Then:

* `--transport local` (default): the real application and outbox sender in a child process
  (benchmarks/broadcast_bot.py) with the in-process Bot API, which appends every message it
  gets to a record file (kept through the `kill -9`); the chatting citizens live in that
  process too and put their messages on the update queue.
* `--transport http`: the real `python -m bot` process, long polling the HTTP fake Bot API
  (tests/http_bot_api.py) that runs in this process, counts the messages and times the replies.
  The bot process is CPU-bound in its HTTP client (httpx under PTB) below 1000 messages/s;
  benchmarks/README.md has the measurements.

At about half of the recipients the bot gets SIGKILL and is started again; the outbox statuses
at the end say what was in doubt. Quiet hours and weekends are off (`QUIET_HOURS=`,
`QUIET_WEEKENDS=false`) and the broadcast is important (no weekly cap), so only the send budget
paces it. Exit code 0 whether the goals are met or not (a measurement); 2 if the bot failed.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any

from benchmarks.broadcast_bot import CHATTER_BASE, REPLY_TIMEOUT, THINK_SECONDS
from bot.clock import to_db
from bot.db import Database
from bot.features.citizens import Purpose
from bot.outbox.sender import concurrent_sends
from tests.http_bot_api import HttpBotApi, _handler_for
from tests.processes import TOKEN, bot_command, child_env

SEND_RATE = 1000
CONCURRENT_SENDS = concurrent_sends(SEND_RATE)  # what the bot's sender keeps in flight
RECIPIENT_BASE = 10_000_000  # recipient i: telegram user id = chat id = base + i
RATE_GOAL = 0.95
P99_GOAL = 1.0
ENV = {
    "SEND_RATE": str(SEND_RATE),
    "QUIET_HOURS": "",
    "QUIET_WEEKENDS": "false",
    "RISK_MODEL": "false",
    "LOG_LEVEL": "WARNING",
    "ALLOW_NO_STAFF_CHAT": "1",
}
TEXTS = {"da": "Nyt webinar om jobsøgning på torsdag.\n",
         "en": "New webinar about job hunting on Thursday.\n"}
LOCAL, HTTP = "local", "http"
MODES = {
    LOCAL: "the real application and outbox sender in a child process with the in-process "
           "Bot API (bot/transport/local_api.py), recorded to a file",
    HTTP: "the real `python -m bot` process long polling the HTTP fake Bot API "
          "(tests/http_bot_api.py) in the benchmark's process",
}
Emit = Callable[[str], None]


# ---------------------------------------------------------------------------------------------
# What the fake Bot API saw.


@dataclass
class Phase:
    name: str
    sends: list[float] = field(default_factory=list)  # monotonic times of broadcast messages
    others: list[float] = field(default_factory=list)  # other messages (replies), same budget
    latencies: list[float] = field(default_factory=list)
    unanswered: int = 0


class Tally:
    """Broadcast messages per recipient and the phases' times; thread-safe."""

    def __init__(self, recipients: int) -> None:
        self.received = [0] * recipients
        self.phases: list[Phase] = []
        self.lock = threading.Lock()

    @property
    def phase(self) -> Phase:
        return self.phases[-1]

    def message(self, chat: int, at: float) -> bool:
        """Count one message; True when it was one of the broadcast's."""
        index = chat - RECIPIENT_BASE
        with self.lock:
            if 0 <= index < len(self.received):
                self.received[index] += 1
                self.phase.sends.append(at)
                return True
            self.phase.others.append(at)
            return False

    def sent(self) -> int:
        with self.lock:
            return sum(len(p.sends) for p in self.phases)


class Recorder(HttpBotApi):
    """The HTTP fake (keeping no calls) with the tally and the chatting citizens."""

    def __init__(self, tally: Tally, chatters: int) -> None:
        super().__init__(token=TOKEN)
        self.api.calls = _NoCalls()
        self.tally = tally
        self.polls = 0
        self._asked: dict[int, tuple[float, Phase]] = {}  # chat -> (asked at, phase)
        self._next_at = dict.fromkeys(range(CHATTER_BASE, CHATTER_BASE + chatters), 0.0)
        self._message_ids = itertools.count(1)

    def start(self) -> Recorder:
        """As HttpBotApi.start, with TCP_NODELAY: http.server writes the headers and the body
        separately, and Nagle's algorithm with delayed ACKs would hold each answer ~40 ms."""
        class Handler(_handler_for(self)):  # type: ignore[misc]
            disable_nagle_algorithm = True

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever,
                                        kwargs={"poll_interval": 0.1}, name="http-bot-api",
                                        daemon=True)
        self._thread.start()
        return self

    def handle(self, token: str, method: str, params: dict[str, Any],
               files: dict[str, bytes] | None = None) -> tuple[int, bytes] | None:
        with self._cond:
            status, body = self.api.handle(method, params, files)
        if method == "getUpdates":
            self.polls += 1
            if status == 200:
                body = json.dumps({"ok": True, "result": self._take_updates(params)}).encode()
        elif method.startswith(("send", "copy")) and status == 200:
            self._count(int(params["chat_id"]))
        return status, body

    def _count(self, chat: int) -> None:
        now = time.monotonic()
        if self.tally.message(chat, now):
            return
        with self.tally.lock:
            asked = self._asked.pop(chat, None)
            if asked is not None:
                if asked[1] is self.tally.phase:
                    asked[1].latencies.append(now - asked[0])
                self._next_at[chat] = now + random.uniform(*THINK_SECONDS)

    def restart_chat(self) -> None:
        """After a restart: a message asked before it no longer counts; all ask again."""
        with self.tally.lock:
            self._asked.clear()
            self._next_at = dict.fromkeys(self._next_at, 0.0)

    def chat(self) -> None:
        """Each chatting citizen's next message when due; too late a reply is unanswered."""
        now = time.monotonic()
        due = []
        with self.tally.lock:
            for chat, (asked, phase) in list(self._asked.items()):
                if now - asked > REPLY_TIMEOUT:
                    del self._asked[chat]
                    phase.unanswered += 1
                    self._next_at[chat] = now
            for chat, at in self._next_at.items():
                if at <= now and chat not in self._asked:
                    due.append(chat)
                    self._next_at[chat] = float("inf")
                    self._asked[chat] = (now, self.tally.phase)
        for chat in due:
            self.push_update({"message": {
                "message_id": next(self._message_ids), "date": int(time.time()),
                "chat": {"id": chat, "type": "private", "first_name": "Citizen"},
                "from": {"id": chat, "is_bot": False, "first_name": "Citizen",
                         "language_code": "da"},
                "text": "/help", "entities": [{"type": "bot_command", "offset": 0,
                                                "length": 5}]}})


class _NoCalls(list[Any]):
    """Stands in for LocalBotApi.calls: keeps nothing, so 100,000 sends cost no memory."""

    def append(self, call: Any) -> None:
        pass


class RecordReader:
    """Follows the record file the local-transport bot appends to (benchmarks/broadcast_bot)."""

    def __init__(self, path: Path, tally: Tally) -> None:
        self.path = path
        self.tally = tally
        self.ready = 0
        self._offset = 0
        self._rest = b""

    def read(self) -> None:
        with open(self.path, "rb") as record:
            record.seek(self._offset)
            data = record.read()
        self._offset += len(data)
        *lines, self._rest = (self._rest + data).split(b"\n")
        for line in lines:
            kind, _, value = line.decode().partition(" ")
            if kind == "m":
                chat, at = value.split()
                self.tally.message(int(chat), float(at))
            elif kind == "l":
                with self.tally.lock:
                    self.tally.phase.latencies.append(float(value))
            elif kind == "u":
                with self.tally.lock:
                    self.tally.phase.unanswered += 1
            elif kind == "ready":
                self.ready += 1


# ---------------------------------------------------------------------------------------------
# Setup: citizens straight into SQLite, the broadcast through the real CLI.


async def _citizens(path: Path, recipients: int, chatters: int) -> None:
    db = await Database.open(path)  # migrations as the bot would run them
    joined = to_db(datetime(2026, 11, 2, 9, 0, tzinfo=UTC))
    people = [(RECIPIENT_BASE + i, ("da", "en")[i % 2]) for i in range(recipients)]
    people += [(CHATTER_BASE + i, "da") for i in range(chatters)]
    try:
        async with db.transaction() as tx:
            await tx.execute_many(
                "INSERT INTO citizens (telegram_user_id, chat_id, first_name, locale, joined_at) "
                "VALUES (?, ?, 'Citizen', ?, ?)",
                [(user, user, locale, joined) for user, locale in people])
            await tx.execute_many(
                "INSERT INTO consent_events (citizen_id, purpose, granted, text_version, "
                "recorded_at) SELECT id, ?, 1, 'bench', ? FROM citizens "
                "WHERE telegram_user_id = ?",
                [(Purpose.WEBINARS.value, joined, RECIPIENT_BASE + i) for i in range(recipients)])
    finally:
        await db.close()


def _store_broadcast(workdir: Path, database: Path) -> None:
    for locale, text in TEXTS.items():
        (workdir / f"{locale}.txt").write_text(text, encoding="utf-8")
    done = subprocess.run(
        bot_command("broadcast", "send", "--name", "Benchmark", "--text-da", "da.txt",
                    "--text-en", "en.txt", "--important", "--yes"),
        cwd=workdir, env=child_env(database, **ENV), capture_output=True, text=True,
        timeout=600, check=False)
    if done.returncode != 0:
        raise BotFailed(f"broadcast send exited {done.returncode}: {done.stderr}")


def _outbox(database: Path) -> tuple[Counter[str], list[int]]:
    """The broadcast's outbox rows by status, and the chats of the uncertain ones."""
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=5) as conn:
        rows = conn.execute("SELECT status, COUNT(*) FROM outbox WHERE kind = 'broadcast' "
                            "GROUP BY status").fetchall()
        doubt = conn.execute("SELECT chat_id FROM outbox WHERE kind = 'broadcast' "
                             "AND status = 'uncertain'").fetchall()
    return Counter({status: n for status, n in rows}), [int(r[0]) for r in doubt]


# ---------------------------------------------------------------------------------------------
# The bot process and the run.


class BotFailed(RuntimeError):
    """The bot process ended on its own, never came up, or the CLI failed."""


class Bot:
    def __init__(self, command: list[str], env: dict[str, str], workdir: Path,
                 up: Callable[[], int]) -> None:
        self._command = command
        self._env = env
        self._workdir = workdir
        self._up = up  # a counter that grows once the bot is up (polls, or "ready" records)
        self.log = workdir / "bot-stderr.log"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 60.0) -> None:
        before = self._up()
        with open(self.log, "ab") as err:
            self.proc = subprocess.Popen(self._command, cwd=self._workdir, env=self._env,
                                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                         stderr=err)
        deadline = time.monotonic() + timeout
        while self._up() == before:
            self.check()
            if time.monotonic() > deadline:
                raise BotFailed(f"the bot did not come up within {timeout:.0f} s")
            time.sleep(0.005)

    def check(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            raise BotFailed(f"the bot process ended:\n{self.log.read_text(errors='replace')}")

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


@dataclass
class Result:
    mode: str
    recipients: int
    chatters: int
    setup_seconds: float
    phases: list[Phase]
    received: list[int]
    statuses: Counter[str]
    in_doubt: int
    in_doubt_received: int
    killed_at: int | None
    restart_seconds: float


def run(recipients: int, chatters: int, kill_at: float | None, mode: str = LOCAL,
        emit: Emit = print) -> Result:
    with tempfile.TemporaryDirectory(prefix="bench-broadcast-") as tmp:
        workdir = Path(tmp)
        database = workdir / "bench.db"
        started = time.monotonic()
        asyncio.run(_citizens(database, recipients, chatters))
        _store_broadcast(workdir, database)
        setup = time.monotonic() - started
        emit(f"  setup: {recipients} recipients and {chatters} chatting citizens written, "
             f"the broadcast stored by the CLI ({setup:.1f} s)")
        tally = Tally(recipients)
        if mode == HTTP:
            with Recorder(tally, chatters) as api:
                env = child_env(database, BOT_TOKEN=TOKEN, BOT_API_BASE_URL=api.base_url,
                                BOT_API_FILE_URL=api.file_url, **ENV)
                bot = Bot(bot_command(), env, workdir, lambda: api.polls)
                return _drive(bot, tally, database, kill_at, setup, emit, mode, chatters,
                              look=api.chat, restarted=api.restart_chat)
        record = workdir / "record.txt"
        record.touch()
        reader = RecordReader(record, tally)

        def up() -> int:
            reader.read()
            return reader.ready

        env = child_env(database, BOT_TOKEN=TOKEN, **ENV)
        command = [sys.executable, "-m", "benchmarks.broadcast_bot", str(record), str(chatters)]
        return _drive(Bot(command, env, workdir, up), tally, database, kill_at, setup, emit,
                      mode, chatters, look=reader.read, restarted=lambda: None)


def _drive(bot: Bot, tally: Tally, database: Path, kill_at: float | None, setup: float,
           emit: Emit, mode: str, chatters: int, *, look: Callable[[], None],
           restarted: Callable[[], None]) -> Result:
    recipients = len(tally.received)
    killed_at: int | None = None
    restart = 0.0
    tally.phases.append(Phase("during the broadcast"))
    try:
        bot.start()
        last_look = 0.0
        while True:
            bot.check()
            look()
            if kill_at is not None and killed_at is None and tally.sent() >= recipients * kill_at:
                bot.kill()
                down = time.monotonic()
                look()  # everything recorded up to the kill
                killed_at = tally.sent()
                emit(f"  kill -9 after {killed_at} broadcast messages")
                with tally.lock:
                    tally.phases.append(Phase("after kill -9 and restart"))
                restarted()
                bot.start()
                restart = time.monotonic() - down
                continue
            now = time.monotonic()
            if now - last_look > 0.5:
                last_look = now
                statuses, _ = _outbox(database)
                if statuses and not (statuses["pending"] + statuses["sending"]
                                     + statuses["held"]):
                    break
            time.sleep(0.002)
        time.sleep(0.2)  # the last replies in flight
        look()
    finally:
        bot.stop()
    statuses, doubt = _outbox(database)
    received = list(tally.received)
    return Result(mode, recipients, chatters, setup, tally.phases, received, statuses,
                  len(doubt), sum(1 for chat in doubt if received[chat - RECIPIENT_BASE]),
                  killed_at, restart)


# ---------------------------------------------------------------------------------------------
# Reporting.


def _rate(times: Sequence[float]) -> float:
    if len(times) < 2 or times[-1] <= times[0]:
        return 0.0
    return (len(times) - 1) / (times[-1] - times[0])


def _all_rate(phase: Phase) -> float:
    """Every message of the shared budget (broadcast and replies) in the broadcast's window."""
    if len(phase.sends) < 2 or phase.sends[-1] <= phase.sends[0]:
        return 0.0
    first, last = phase.sends[0], phase.sends[-1]
    inside = len(phase.sends) + sum(1 for t in phase.others if first <= t <= last)
    return (inside - 1) / (last - first)


def _pct(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def report(result: Result) -> list[str]:
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    lines = [
        "",
        f"machine: {os.cpu_count()} cores ({usable} usable), Python {sys.version.split()[0]}",
        f"mode ({result.mode}): {MODES[result.mode]}",
        f"{result.recipients} recipients, SEND_RATE={SEND_RATE}, sender with "
        f"{CONCURRENT_SENDS} concurrent sends; {result.chatters} chatting citizens ('/help', "
        f"{THINK_SECONDS[0]}–{THINK_SECONDS[1]} s between a reply and their next message)",
    ]
    for phase in result.phases:
        ms = [x * 1000 for x in phase.latencies]
        share = _all_rate(phase) / SEND_RATE
        p99 = _pct(ms, 0.99)
        lines += [
            "",
            f"{phase.name}: {len(phase.sends)} broadcast messages",
            f"  broadcast messages/s    {_rate(phase.sends):6.0f}",
            f"  all messages/s          {_all_rate(phase):6.0f} = {share:.3f} of SEND_RATE "
            f"(goal >= {RATE_GOAL})  {_verdict(share >= RATE_GOAL)}",
            f"  replies                 {len(ms)} answered, {phase.unanswered} unanswered "
            f"within {REPLY_TIMEOUT:.0f} s",
            f"  reply latency           p50 {_pct(ms, 0.5):.0f} ms, p99 {p99:.0f} ms "
            f"(goal p99 < {P99_GOAL * 1000:.0f} ms)  "
            f"{_verdict(bool(ms) and p99 < P99_GOAL * 1000 and not phase.unanswered)}",
        ]
    duplicates = sum(1 for n in result.received if n > 1)
    missing = sum(1 for n in result.received if n == 0)
    lost = missing - (result.in_doubt - result.in_doubt_received)
    statuses = ", ".join(f"{s} {n}" for s, n in sorted(result.statuses.items()))
    lines += [
        "",
        f"outbox rows of the broadcast: {statuses}",
        f"duplicates (recipients with more than one message): {duplicates} (goal 0)  "
        f"{_verdict(duplicates == 0)}",
        f"losses (recipients without a message and not in doubt): {lost} (goal 0)  "
        f"{_verdict(lost == 0)}",
    ]
    if result.killed_at is not None:
        lines += [
            f"in doubt after the kill -9 (outbox 'uncertain', never resent): {result.in_doubt}"
            f", {result.in_doubt_received} of them had reached the Bot API (goal <= "
            f"{CONCURRENT_SENDS}, the concurrent sends)  "
            f"{_verdict(result.in_doubt <= CONCURRENT_SENDS)}",
            f"restart: {result.restart_seconds:.1f} s from the kill -9 until the bot was up",
        ]
    return lines


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.broadcast",
                                     description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true",
                        help="2,000 recipients instead of 100,000 (for the smoke test)")
    parser.add_argument("--recipients", type=int, help="recipients (default 100,000)")
    parser.add_argument("--chatters", type=int, default=50, help="chatting citizens")
    parser.add_argument("--transport", choices=sorted(MODES), default=LOCAL,
                        help="local: in-process Bot API in the bot's process (default); "
                        "http: the real `python -m bot` against the HTTP fake")
    parser.add_argument("--no-kill", action="store_true", help="no kill -9 half-way")
    args = parser.parse_args(argv)
    if args.recipients is None:
        args.recipients = 2_000 if args.quick else 100_000
    if args.recipients < 10 or args.chatters < 1:
        parser.error("at least 10 recipients and 1 chatting citizen")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    print(f"broadcast benchmark: {args.recipients} recipients, {args.chatters} chatting "
          f"citizens, SEND_RATE={SEND_RATE}, transport {args.transport}", flush=True)
    try:
        result = run(args.recipients, args.chatters, None if args.no_kill else 0.5,
                     args.transport, lambda line: print(line, flush=True))
    except BotFailed as exc:
        print(f"the benchmark could not run: {exc}", file=sys.stderr)
        return 2
    print("\n".join(report(result)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
