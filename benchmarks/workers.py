"""Updates per second with 1, 2 and 4 webhook workers on one PostgreSQL database (issue 14).

    python -m benchmarks.workers                       # 1, 2, 4 workers; 200 chats × 10 updates
    python -m benchmarks.workers --workers 1,2 --chats 50 --per-chat 4    # a quick look

Each run starts N real `python -m bot` processes in webhook mode (bot/workers) on one PORT
(SO_REUSEPORT: the kernel shares the connections), on a fresh database of a PostgreSQL server
(`--database-url` or BENCH_DATABASE_URL; else a throwaway one from `.ci/postgres`), against
the HTTP Bot API emulator. The load is open: 32 connections POST every update as Telegram
would, each chat's in order (`/start`, then texts, which the welcome answers with a hint),
chats interleaved. Measured from the first POST to the last reply the emulator receives:
updates/s, the time from the start of each update's POST to its reply (p50, p99), and the
workers' CPU time per update (from /proc). The machine's 2 cores serve the workers,
PostgreSQL, the emulator and this load generator together, so more workers share the same CPU.
SEND_RATE is lifted: the emulator has no flood limit, and the workers are what is measured.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx

from bot.transport.local_api import ApiCall, LocalBotApi
from tests.http_bot_api import HttpBotApi
from tests.processes import ROOT, TOKEN, bot_command, child_env, free_port

SECRET = "bench-secret"
CONNECTIONS = 32
FIRST_CHAT = 30_000_000
WARMUP_CHATS = 20
START_TIMEOUT = 60.0
RUN_TIMEOUT = 600.0
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass
class Result:
    workers: int
    updates: int
    seconds: float
    latencies: list[float]
    cpu_seconds: float

    @property
    def per_second(self) -> float:
        return self.updates / self.seconds

    def row(self) -> str:
        ordered = sorted(self.latencies)
        p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
        return (f"| {self.workers} | {self.per_second:,.0f} | "
                f"{statistics.median(ordered) * 1000:.1f} | {p99 * 1000:.1f} | "
                f"{self.cpu_seconds / self.updates * 1e6:,.0f} |")


class Replies:
    """The emulator's hook: the moment each chat's n-th message arrived."""

    def __init__(self) -> None:
        self.at: dict[int, list[float]] = {}
        self.count = 0

    def on_call(self, call: ApiCall, result: dict[str, Any] | bool) -> None:
        if call.method == "sendMessage" and call.chat_id is not None:
            self.at.setdefault(call.chat_id, []).append(time.monotonic())
            self.count += 1


def update(update_id: int, chat: int, n: int) -> dict[str, Any]:
    text = "/start" if n == 0 else f"hello {n}"
    message: dict[str, Any] = {
        "message_id": n + 1, "date": 1_764_000_000,
        "chat": {"id": chat, "type": "private", "first_name": "C"},
        "from": {"id": chat, "is_bot": False, "first_name": "C", "language_code": "en"},
        "text": text}
    if n == 0:
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": 6}]
    return {"update_id": update_id, "message": message}


def stream(first_chat: int, chats: int, per_chat: int, first_id: int) -> list[dict[str, Any]]:
    """Round-robin over the chats, each chat's updates in order."""
    return [update(first_id + n * chats + c, first_chat + c, n)
            for n in range(per_chat) for c in range(chats)]


async def post_all(port: int, updates: list[dict[str, Any]]) -> dict[int, float]:
    """POSTs them over CONNECTIONS connections, each chat's after the one before was
    answered; update id -> when its POST began (its reply may come before the POST's 200)."""
    posted: dict[int, float] = {}
    queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    for u in updates:
        queue.put_nowait(u)
    last_of_chat: dict[int, asyncio.Event] = {}
    limits = httpx.Limits(max_connections=CONNECTIONS, max_keepalive_connections=CONNECTIONS)
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", limits=limits,
                                 timeout=30) as client:

        async def one_connection() -> None:
            while not queue.empty():
                u = queue.get_nowait()
                chat = u["message"]["chat"]["id"]
                before = last_of_chat.get(chat)
                done = last_of_chat[chat] = asyncio.Event()
                if before is not None:
                    await before.wait()  # as Telegram: a chat's next update after the last
                posted[u["update_id"]] = time.monotonic()
                response = await client.post("/hook", json=u, headers={
                    "X-Telegram-Bot-Api-Secret-Token": SECRET})
                response.raise_for_status()
                done.set()

        await asyncio.gather(*(one_connection() for _ in range(CONNECTIONS)))
    return posted


def cpu_seconds(pids: Sequence[int]) -> float:
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / CLOCK_TICKS


def wait_for(path: Path, line: str, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while line not in path.read_text(errors="replace"):
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"a worker did not start:\n{path.read_text(errors='replace')}")
        time.sleep(0.05)


@contextlib.contextmanager
def fresh_database(server_url: str, name: str) -> Iterator[str]:
    import psycopg

    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    parts = urlsplit(server_url)
    try:
        yield urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, ""))
    finally:
        with psycopg.connect(server_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextlib.contextmanager
def workers(count: int, api: HttpBotApi, database_url: str, port: int, folder: Path
            ) -> Iterator[list[subprocess.Popen[bytes]]]:
    env = child_env(None, **{
        "BOT_TOKEN": TOKEN, "BOT_API_BASE_URL": api.base_url,
        "BOT_API_FILE_URL": api.file_url, "WEBHOOK_URL": "https://bench.example.org/hook",
        "WEBHOOK_SECRET": SECRET, "PORT": str(port), "DATABASE_URL": database_url,
        "ALLOW_NO_STAFF_CHAT": "1", "RISK_MODEL": "false", "LOG_LEVEL": "INFO",
        "SEND_RATE": "100000",  # the emulator has no flood limit: measure the workers
        "QUIET_HOURS": "", "QUIET_WEEKENDS": "false"})
    procs: list[subprocess.Popen[bytes]] = []
    logs = []
    try:
        for n in range(count):
            log = folder / f"worker{n}.log"
            logs.append(log)
            with open(log, "wb") as err:
                procs.append(subprocess.Popen(bot_command(), cwd=folder, env=env,
                                              stdin=subprocess.DEVNULL,
                                              stdout=subprocess.DEVNULL, stderr=err))
            wait_for(log, "Webhook registered", procs[-1])  # one at a time: one migrates
        wait_for(logs[0], "this worker leads", procs[0])
        yield procs
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()


async def run(count: int, server_url: str, chats: int, per_chat: int, folder: Path) -> Result:
    replies = Replies()
    with (HttpBotApi(LocalBotApi(on_call=replies.on_call),
                     token=TOKEN) as api,
          fresh_database(server_url, f"bench_workers_{count}_{os.getpid()}") as url,
          workers(count, api, url, port := free_port(), folder) as procs):
        warm = stream(FIRST_CHAT - WARMUP_CHATS, WARMUP_CHATS, 3, 1)
        await post_all(port, warm)
        await _until(replies, len(warm))
        timed = stream(FIRST_CHAT, chats, per_chat, 1 + len(warm))
        base, cpu_before = replies.count, cpu_seconds([p.pid for p in procs])
        start = time.monotonic()
        posted = await post_all(port, timed)
        await _until(replies, base + len(timed))
        seconds = time.monotonic() - start
        cpu = cpu_seconds([p.pid for p in procs]) - cpu_before
    latencies = []
    for u in timed:
        chat, n = u["message"]["chat"]["id"], u["message"]["message_id"] - 1
        latencies.append(replies.at[chat][n] - posted[u["update_id"]])
    return Result(count, len(timed), seconds, latencies, cpu)


async def _until(replies: Replies, count: int) -> None:
    deadline = time.monotonic() + RUN_TIMEOUT
    while replies.count < count:
        if time.monotonic() > deadline:
            raise RuntimeError(f"only {replies.count} of {count} replies")
        await asyncio.sleep(0.005)


@contextlib.contextmanager
def server(url: str | None) -> Iterator[str]:
    """The given server, or a throwaway one from .ci/postgres (stopped at the end)."""
    if url:
        yield url
        return
    folder = tempfile.mkdtemp(prefix="bench-pg-")
    started = subprocess.run(["bash", str(ROOT / ".ci" / "postgres"), folder],
                             capture_output=True, text=True, check=False)
    if started.returncode != 0:
        raise SystemExit(f"no PostgreSQL server: {started.stderr.strip()}")
    try:
        yield started.stdout.strip()
    finally:
        subprocess.run(["bash", str(ROOT / ".ci" / "postgres"), "--stop", folder],
                       check=False)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.workers",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", default="1,2,4", help="worker counts (default 1,2,4)")
    parser.add_argument("--chats", type=int, default=200, help="chats (default 200)")
    parser.add_argument("--per-chat", type=int, default=10, help="updates per chat (10)")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"),
                        help="a PostgreSQL server to create the databases on")
    args = parser.parse_args(argv)
    counts = [int(n) for n in args.workers.split(",")]
    with server(args.database_url) as url, tempfile.TemporaryDirectory() as tmp:
        print(f"{args.chats} chats × {args.per_chat} updates, {CONNECTIONS} connections, "
              f"{os.cpu_count()} cores")
        print("| workers | updates/s | reply p50 ms | reply p99 ms | worker CPU µs/update |")
        print("|---|---|---|---|---|")
        for count in counts:
            folder = Path(tmp) / f"w{count}"
            folder.mkdir()
            result = asyncio.run(run(count, url, args.chats, args.per_chat, folder))
            print(result.row(), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
