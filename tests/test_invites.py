"""Deep-link invites (point 7)."""

from __future__ import annotations

import asyncio
import csv
import logging
import os
import re
from pathlib import Path

import pytest

from bot.cli.invite import InviteUsageError, create_invites
from bot.config import Settings
from bot.features.citizens import CitizenStore
from bot.features.invites import InviteService, Redemption, deep_link
from tests.conftest import CITIZEN, Harness, run_cli
from tests.pg import connect
from tests.test_cli import AS_ROOT

PAYLOAD = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


async def test_invite_codes_are_random_valid_payloads_without_personal_data(
        bot: Harness) -> None:
    invites = await bot.ctx.get(InviteService).create(50, "nyledige-2026-11")
    codes = [i.code for i in invites]
    assert len(set(codes)) == 50
    assert all(PAYLOAD.match(c) and len(c) >= 20 for c in codes)
    assert deep_link("jc_bot", codes[0]) == f"https://t.me/jc_bot?start={codes[0]}"


async def test_used_code_stores_the_label_on_the_citizen(bot: Harness) -> None:
    [invite] = await bot.ctx.get(InviteService).create(1, "nyledige-2026-11")
    [greeting] = await bot.say(f"/start {invite.code}", language_code="da")
    assert greeting.startswith("Hej, det er")
    citizen = await bot.ctx.get(CitizenStore).by_user(CITIZEN)
    assert citizen is not None and citizen.invite_label == "nyledige-2026-11"


@pytest.mark.parametrize("payload", ["does-not-exist-0000000000", "<script>", "x" * 80])
async def test_unknown_or_malformed_code_works_as_plain_start_and_is_logged(
        bot: Harness, payload: str, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="bot.features.invites.service"):
        [greeting] = await bot.say(f"/start {payload}", language_code="da")
    assert greeting.startswith("Hej, det er")
    assert any("payload" in r.getMessage() for r in caplog.records)
    assert payload not in caplog.text, "the full code is never logged"
    citizen = await bot.ctx.get(CitizenStore).by_user(CITIZEN)
    assert citizen is not None and citizen.invite_label is None


async def test_reused_code_does_not_move_the_label_to_someone_else(bot: Harness) -> None:
    [invite] = await bot.ctx.get(InviteService).create(1, "brev-uge-48")
    await bot.say(f"/start {invite.code}")
    other = CITIZEN + 7
    await bot.say(f"/start {invite.code}", user=other)
    first = await bot.ctx.get(CitizenStore).by_user(CITIZEN)
    second = await bot.ctx.get(CitizenStore).by_user(other)
    assert first is not None and first.invite_label == "brev-uge-48"
    assert second is not None and second.invite_label is None
    assert await bot.ctx.get(InviteService).redeem(invite.code, second.id) == Redemption.REUSED


# `python -m bot invite` (issue 9, point 6): a bad argument is one "invite: ..." line, exit 2,
# and nothing stored; a good one stores every code and writes every one of them to the CSV.

def _stored_codes(db: Path) -> set[str]:
    with connect(db) as conn:
        return {row[0] for row in conn.execute("SELECT code FROM invites")}


def _bad_csv_path(tmp_path: Path, kind: str) -> Path:
    if kind == "missing folder":
        return tmp_path / "no" / "such" / "x.csv"
    if kind == "a folder":
        (tmp_path / "invites.csv").mkdir()
        return tmp_path / "invites.csv"
    if kind == "folder is a file":
        (tmp_path / "notes.txt").write_text("x", encoding="utf-8")
        return tmp_path / "notes.txt" / "x.csv"
    folder = tmp_path / "locked"
    folder.mkdir(mode=0o555)
    return folder / "x.csv"


@pytest.mark.parametrize("kind", [
    "missing folder", "a folder", "folder is a file",
    pytest.param("read-only folder", marks=pytest.mark.skipif(AS_ROOT, reason="root writes")),
])
def test_invite_with_an_unwritable_csv_path_stores_nothing(tmp_path: Path, kind: str) -> None:
    assert run_cli(tmp_path, "migrate").returncode == 0
    path = _bad_csv_path(tmp_path, kind)
    result = run_cli(tmp_path, "invite", "--label", "x", "--count", "3", "--csv", str(path),
                     BOT_USERNAME="jc_test_bot")
    assert result.returncode == 2, result.stderr
    [line] = result.stderr.splitlines()
    assert line.startswith(f"invite: --csv {path}: "), line
    assert result.stdout == ""
    assert _stored_codes(tmp_path / "t.db") == set()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")) == []


@pytest.mark.parametrize(("args", "reason"), [
    (["--count", "0"], "count must be between 1 and 100000"),
    (["--count", "-3"], "count must be between 1 and 100000"),
    (["--label", "  "], "label must be 1-100 characters"),
])
def test_invite_with_a_bad_argument_is_a_usage_error(
        tmp_path: Path, args: list[str], reason: str) -> None:
    assert run_cli(tmp_path, "migrate").returncode == 0
    result = run_cli(tmp_path, "invite", "--label", "x", *args, BOT_USERNAME="jc_test_bot")
    assert result.returncode == 2, result.stderr
    assert result.stderr.splitlines() == [f"invite: {reason}"]
    assert _stored_codes(tmp_path / "t.db") == set()


def test_invite_stores_exactly_the_codes_written_to_the_csv(tmp_path: Path) -> None:
    out = tmp_path / "invites.csv"
    result = run_cli(tmp_path, "invite", "--label", "x", "--count", "3", "--csv", str(out),
                     BOT_USERNAME="jc_test_bot")
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert len(rows) == 3
    assert {r["code"] for r in rows} == _stored_codes(tmp_path / "t.db")
    assert [r["link"] for r in rows] == result.stdout.split()
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_invite_takes_the_codes_back_if_the_csv_cannot_be_put_in_place(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def replace(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", replace)
    out = tmp_path / "invites.csv"
    settings = Settings(database_path=tmp_path / "t.db", bot_username="jc_test_bot")
    with pytest.raises(InviteUsageError, match="No space left on device"):
        asyncio.run(create_invites(settings, 3, "x", None, out))
    assert _stored_codes(tmp_path / "t.db") == set()
    assert [p.name for p in tmp_path.iterdir() if p.suffix in {".csv", ".tmp"}] == []
