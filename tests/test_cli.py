"""`python -m bot` as an operator runs it: one thing per subcommand, clear failures."""

from __future__ import annotations

import csv
import os
import re
import subprocess
import sys
from collections.abc import AsyncIterator
from io import StringIO
from pathlib import Path

from bot.config import Settings
from bot.db import load_migrations
from bot.transport.console import run_console
from tests.fakes import FakeClock

ROOT = Path(__file__).resolve().parent.parent


def run_cli(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "DATABASE"))}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], cwd=tmp_path, capture_output=True, text=True,
        env={**clean, "PYTHONPATH": str(ROOT), "DATABASE_PATH": str(tmp_path / "t.db"), **env},
        timeout=60, check=False,
    )


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
    assert (tmp_path / "t.db").exists()


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
    assert (tmp_path / "console.db").exists()


def test_no_arguments_and_no_token_runs_console_mode_on_data_bot_db(tmp_path: Path) -> None:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "DATABASE"))}
    result = subprocess.run(
        [sys.executable, "-m", "bot"], cwd=tmp_path, input="/start\n2\n/quit\n",
        capture_output=True, text=True, timeout=60, check=False,
        env={**clean, "PYTHONPATH": str(ROOT), "DEFAULT_LOCALE": "en"},
    )
    assert result.returncode == 0, result.stderr
    assert "Console mode" in result.stdout
    assert "bot: Hello, this is Jobcentret." in result.stdout
    assert "bot: That is completely fine" in result.stdout
    assert (tmp_path / "data" / "bot.db").exists()
