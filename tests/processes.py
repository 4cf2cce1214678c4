"""`python -m bot` as a child process, configured only by the environment it is given.

One way to build that environment (`child_env`: nothing from this shell but PATH) and one way
to start the process (`start_bot`); on top of them a command run to its end (`run_cli`) and the
bot serving a Bot API emulator, long polling (`bot_process`) or in webhook mode (`webhook_bot`).
Re-exported by tests/conftest.py, which is where tests import them from.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit

from tests.http_bot_api import HttpBotApi
from tests.pg import child_database_env

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "123456:TESTTOKENxxxxxxxxxxxxxxxxxxxx"


def child_env(database_path: Path | None, **env: str) -> dict[str, str]:
    """The child's whole environment: PATH, the checkout on PYTHONPATH, unbuffered output, the
    database (None: the bot's own default, data/bot.db in its folder), then `env`; on
    PostgreSQL (tests/pg.py) DATABASE_URL for its DATABASE_PATH."""
    base = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PYTHONPATH": str(ROOT),
        "PYTHONUNBUFFERED": "1",
    }
    if database_path is not None:
        base["DATABASE_PATH"] = str(database_path)
    return child_database_env({**base, **env})


def bot_command(*args: str) -> list[str]:
    """`python -m bot *args` with this interpreter."""
    return [sys.executable, "-m", "bot", *args]


def start_bot(cwd: Path, env: dict[str, str], *args: str, stdin: int | IO[Any],
              stdout: int | IO[Any], stderr: int | IO[Any]) -> subprocess.Popen[bytes]:
    """`python -m bot *args` in cwd with exactly `env`, left running."""
    return subprocess.Popen(bot_command(*args), cwd=cwd, env=env, stdin=stdin, stdout=stdout,
                            stderr=stderr)


def run_cli(tmp_path: Path, *args: str, stdin: str = "", database: bool = True, **env: str
            ) -> subprocess.CompletedProcess[str]:
    """`python -m bot *args` in tmp_path to its end, configured only by `env`, on tmp_path/t.db
    unless DATABASE_PATH says otherwise (or database=False: the bot's default, data/bot.db)."""
    return subprocess.run(
        bot_command(*args), cwd=tmp_path, capture_output=True, text=True,
        env=child_env(tmp_path / "t.db" if database else None, **env),
        input=stdin, timeout=60, check=False,
    )


@dataclass
class BotProcess:
    proc: subprocess.Popen[bytes]
    stderr_path: Path
    exited: threading.Event

    @property
    def stderr(self) -> str:
        return self.stderr_path.read_text(encoding="utf-8", errors="replace")

    def stop(self, timeout: float = 20.0) -> int:
        """SIGTERM, as a process manager would send, and the exit code."""
        self.proc.send_signal(signal.SIGTERM)
        if not self.exited.wait(timeout):
            self.proc.send_signal(signal.SIGUSR1)  # bot/health/stack_dump.py: what it waits on
            self.exited.wait(2)
            raise AssertionError(f"no exit {timeout} s after SIGTERM:\n{self.stderr}")
        assert self.proc.returncode is not None
        return self.proc.returncode


@contextmanager
def bot_process(api: HttpBotApi, tmp_path: Path, **extra_env: str) -> Iterator[BotProcess]:
    """`python -m bot` in an empty directory, configured only by its environment: TOKEN,
    `api` as its Bot API, tmp_path/bot.db, then `extra_env`. Output goes to tmp_path/stdout.log
    and stderr.log; when the process ends, whoever waits on `api` is woken (BotApiAborted)."""
    workdir = tmp_path / "run"
    workdir.mkdir()
    env = child_env(tmp_path / "bot.db", **{
        "BOT_TOKEN": TOKEN,
        "BOT_API_BASE_URL": api.base_url,
        "BOT_API_FILE_URL": api.file_url,
        "LOG_LEVEL": "INFO",
        "ALLOW_NO_STAFF_CHAT": "1",  # tests that need staff set STAFF_CHAT_ID
        **extra_env,
    })
    stderr_path = tmp_path / "stderr.log"
    with (open(tmp_path / "stdout.log", "wb") as out, open(stderr_path, "wb") as err):
        proc = start_bot(workdir, env, stdin=subprocess.DEVNULL, stdout=out, stderr=err)
    exited = threading.Event()

    def watch() -> None:
        code = proc.wait()
        exited.set()
        api.abort(f"bot process exited with code {code}")

    threading.Thread(target=watch, name="bot-process-watch", daemon=True).start()
    try:
        yield BotProcess(proc, stderr_path, exited)
    except Exception as exc:
        exc.add_note(f"bot stderr:\n{stderr_path.read_text(errors='replace')}")
        raise
    finally:
        if proc.poll() is None:
            proc.kill()
        exited.wait(10)


@dataclass
class WebhookBot(BotProcess):
    port: int
    path: str

    @property
    def webhook_url(self) -> str:
        """Where Telegram's POSTs reach this bot directly (TLS ends in front of it)."""
        return f"http://127.0.0.1:{self.port}{self.path}"


def free_port() -> int:
    """A TCP port nobody listens on right now (the bot binds it on 0.0.0.0)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("0.0.0.0", 0))
        return int(sock.getsockname()[1])


@contextmanager
def webhook_bot(api: HttpBotApi, tmp_path: Path, *, token: str, webhook_url: str,
                secret: str) -> Iterator[WebhookBot]:
    """bot_process in webhook mode: registered at the public `webhook_url`, listening on a
    free PORT at that URL's path."""
    port = free_port()
    with bot_process(api, tmp_path, BOT_TOKEN=token, WEBHOOK_URL=webhook_url, PORT=str(port),
                     WEBHOOK_SECRET=secret) as bot:
        yield WebhookBot(bot.proc, bot.stderr_path, bot.exited, port, urlsplit(webhook_url).path)
