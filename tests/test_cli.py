"""`python -m bot` as an operator runs it: one thing per subcommand, clear failures."""

from __future__ import annotations

import csv
import os
import random
import re
import select
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from io import StringIO
from pathlib import Path
from typing import IO

import pytest

from bot.config import Settings
from bot.db import load_migrations
from bot.transport.console import run_console
from tests.conftest import TOKEN, child_env, run_cli, start_bot
from tests.fakes import FakeClock
from tests.http_bot_api import HttpBotApi
from tests.pg import ON_POSTGRES, SQLITE_ONLY


def test_wrong_setting_exits_2_with_one_line_naming_it(tmp_path: Path) -> None:
    result = run_cli(tmp_path, "migrate", STAFF_CHAT_ID="the-staff-group")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "configuration error: STAFF_CHAT_ID: expected a whole number, got 'the-staff-group'"]


def test_migrate_creates_the_database(tmp_path: Path) -> None:
    result = run_cli(tmp_path, "migrate")
    assert result.returncode == 0, result.stderr
    latest = max(number for number, _sql in load_migrations())
    assert f"schema at migration {latest:04d}" in result.stdout
    assert ON_POSTGRES or (tmp_path / "t.db").exists()


def test_invite_prints_deep_links_and_writes_csv(tmp_path: Path) -> None:
    out = tmp_path / "invites.csv"
    result = run_cli(tmp_path, "invite", "--count", "5", "--label", "nyledige-2026-11",
                     "--csv", str(out), BOT_USERNAME="jc_test_bot")
    assert result.returncode == 0, result.stderr
    links = result.stdout.split()
    assert len(links) == 5
    assert all(re.fullmatch(r"https://t\.me/jc_test_bot\?start=[A-Za-z0-9_-]{20,64}", link)
               for link in links)
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [r["link"] for r in rows] == links
    assert {r["label"] for r in rows} == {"nyledige-2026-11"}


def test_invite_without_a_way_to_know_the_username_fails_clearly(tmp_path: Path) -> None:
    result = run_cli(tmp_path, "invite", "--label", "x")
    assert result.returncode == 2
    assert result.stderr.startswith("configuration error: BOT_USERNAME:")


async def lines(*items: str) -> AsyncIterator[str]:
    for item in items:
        yield item


async def test_console_shows_buttons_as_numbers_and_a_number_presses_it(
        tmp_path: Path) -> None:
    out = StringIO()
    settings = Settings(database_path=tmp_path / "console.db", jobcentre_name="Jobcenter X")
    await run_console(settings, lines=lines("/start", "1", "2", "/quit", "never read"),
                      out=out, clock=FakeClock(), language_code="en")
    text = out.getvalue()
    assert "bot: Hello, this is Jobcenter X." in text
    assert "  [1] Yes, let me choose\n  [2] No thanks" in text
    assert "bot (edited): What may we contact you about?" in text
    assert "  [2] ✅ Job club with others in your situation" in text
    assert ON_POSTGRES or (tmp_path / "console.db").exists()


def test_no_arguments_and_no_token_runs_console_mode_on_data_bot_db(tmp_path: Path) -> None:
    result = run_cli(tmp_path, stdin="/start\n2\n/quit\n", database=False, DEFAULT_LOCALE="en")
    assert result.returncode == 0, result.stderr
    assert "Console mode" in result.stdout
    assert "bot: Hello, this is Jobcentret." in result.stdout
    assert "bot: That is completely fine" in result.stdout
    assert (tmp_path / "data" / "bot.db").exists()


# A DATABASE_PATH SQLite cannot use: one line naming it, exit 2, and no hang (aiosqlite's
# connection thread is not a daemon; left running, it keeps the process alive for ever).
NOT_A_DATABASE = "DATABASE_PATH: not an SQLite database (file is not a database)"
DB_COMMANDS = [["run"], ["migrate"], ["console"], ["staff", "list"]]


def _bad_database(tmp_path: Path, kind: str) -> tuple[Path, str]:
    """(DATABASE_PATH, the one stderr line expected for it)."""
    path = tmp_path / "bot.db"
    if kind == "random bytes":
        path.write_bytes(random.Random(9).randbytes(8192))
        return path, NOT_A_DATABASE
    if kind == "text file":
        path.write_text("citizens:\nnone yet\n", encoding="utf-8")
        return path, NOT_A_DATABASE
    if kind == "read-only database":
        sqlite3.connect(path).close()
        path.chmod(0o444)
        return path, f"DATABASE_PATH: cannot use {path} (attempt to write a readonly database)"
    blocker = tmp_path / "blocker"
    if kind == "folder under a file":
        blocker.write_text("x", encoding="utf-8")
        reason = "Not a directory"
    else:
        blocker.mkdir(mode=0o555)
        reason = "Permission denied"
    folder = blocker / "data"
    return folder / "bot.db", f"DATABASE_PATH: cannot create the folder {folder} ({reason})"


AS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
PERMISSIONS = pytest.mark.skipif(AS_ROOT, reason="root may write anywhere")


@pytest.mark.parametrize("command", DB_COMMANDS, ids=" ".join)
@pytest.mark.parametrize("kind", [
    "random bytes", "text file", "folder under a file",
    pytest.param("folder under a read-only folder", marks=PERMISSIONS),
    pytest.param("read-only database", marks=PERMISSIONS),
])
@SQLITE_ONLY
def test_an_unusable_database_path_exits_2_with_one_line_naming_it(
        tmp_path: Path, command: list[str], kind: str) -> None:
    path, line = _bad_database(tmp_path, kind)
    result = run_cli(tmp_path, *command, DATABASE_PATH=str(path))
    assert result.returncode == 2, result.stderr
    assert result.stderr.splitlines() == [line]


@SQLITE_ONLY
def test_an_unusable_database_in_telegram_mode_exits_2_with_one_line(tmp_path: Path) -> None:
    path, line = _bad_database(tmp_path, "random bytes")
    with HttpBotApi() as api:
        result = run_cli(tmp_path, "run", BOT_TOKEN=TOKEN, BOT_API_BASE_URL=api.base_url,
                         BOT_API_FILE_URL=api.file_url, ALLOW_NO_STAFF_CHAT="1",
                         LOG_LEVEL="WARNING", DATABASE_PATH=str(path))
    assert result.returncode == 2, result.stderr
    assert result.stderr.splitlines() == [line]


def test_console_with_a_token_does_not_claim_there_is_none(tmp_path: Path) -> None:
    result = run_cli(tmp_path, "console", stdin="/quit\n", BOT_TOKEN=TOKEN, ALLOW_NO_STAFF_CHAT="1")
    assert result.returncode == 0, result.stderr
    assert "Console mode (local only, BOT_TOKEN is not used)" in result.stdout
    assert "no BOT_TOKEN" not in result.stdout


def _read_until(stream: IO[bytes], marker: bytes, timeout: float = 30.0) -> bytes:
    seen = b""
    deadline = time.monotonic() + timeout
    while marker not in seen:
        left = deadline - time.monotonic()
        assert left > 0, f"no {marker!r} within {timeout} s; output so far:\n{seen!r}"
        if select.select([stream], [], [], left)[0]:
            chunk = os.read(stream.fileno(), 65536)
            assert chunk, f"output ended before {marker!r}:\n{seen!r}"
            seen += chunk
    return seen


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_ctrl_c_in_the_console_exits_at_once_without_a_traceback(tmp_path: Path) -> None:
    env = child_env(tmp_path / "t.db", DEFAULT_LOCALE="en")
    with open(tmp_path / "stderr.log", "wb") as err:
        proc = start_bot(tmp_path, env, "console", stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=err)
    assert proc.stdin is not None and proc.stdout is not None
    try:
        proc.stdin.write(b"/start\n")
        proc.stdin.flush()
        _read_until(proc.stdout, b"[2] No thanks\n> ")  # waiting for the next line
        proc.send_signal(signal.SIGINT)
        code = proc.wait(timeout=15)  # stdin stays open: no Enter, no end of input
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdin.close()
        proc.stdout.close()
    stderr = (tmp_path / "stderr.log").read_text(encoding="utf-8", errors="replace")
    assert code in (0, 130), stderr
    assert "Traceback" not in stderr


def test_staff_list_with_no_staff_says_so(tmp_path: Path) -> None:
    result = run_cli(tmp_path, "staff", "list")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "no staff yet\n"


def test_audit_with_no_rows_says_so(tmp_path: Path) -> None:
    result = run_cli(tmp_path, "audit", "--citizen", "999")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "no audit rows for citizen 999\n"
