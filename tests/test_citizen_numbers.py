"""Citizen numbers are never handed out twice (hardening point 8): an erased citizen's audit
trail, /mydata and /export never attach to the next person."""

from __future__ import annotations

from pathlib import Path

from bot.db import Database
from bot.features.audit import AuditLog
from bot.features.citizens import CitizenStore
from tests.conftest import Harness
from tests.pg import ON_POSTGRES, database_at

NOW = "2026-12-06T10:00:00+00:00"


async def test_an_erased_citizens_number_and_audit_trail_stay_theirs(bot: Harness) -> None:
    await bot.say("/start", user=501, language_code="en")
    first = await bot.ctx.get(CitizenStore).by_user(501)
    assert first is not None
    await bot.say("/delete", user=501, language_code="en")
    await bot.tap("Yes, delete everything", user=501)
    erased_trail = [e.action for e in await bot.ctx.get(AuditLog).for_citizen(first.id)]
    assert erased_trail == ["erased"]

    await bot.say("/start", user=502, language_code="en")
    second = await bot.ctx.get(CitizenStore).by_user(502)
    assert second is not None and second.id > first.id, "the erased number is not reused"
    assert await bot.ctx.get(AuditLog).for_citizen(second.id) == []
    assert [e.action for e in await bot.ctx.get(AuditLog).for_citizen(first.id)] == erased_trail
    [data] = await bot.say("/mydata", user=502, language_code="en")
    assert "Job centre staff who looked at your data here" not in data


def _database_at(path: Path, version: int) -> None:
    """A database as a release with migrations up to `version` left it, with data in it."""
    conn = database_at(path, version)
    for number, user in ((1, 9001), (2, 9002), (3, 9003)):
        conn.execute("INSERT INTO citizens (id, telegram_user_id, chat_id, locale, joined_at) "
                     "VALUES (?, ?, ?, 'da', ?)", (number, user, user, NOW))
        conn.execute("INSERT INTO consent_events (citizen_id, purpose, granted, text_version, "
                     "recorded_at) VALUES (?, 'checkins', 1, 'v1', ?)", (number, NOW))
        conn.execute("INSERT INTO audit_log (at, actor, action, citizen_no) "
                     "VALUES (?, 'staff:1', 'case_viewed', ?)", (NOW, number))
    conn.execute("INSERT INTO cases (citizen_id, level, source, opened_at) "
                 "VALUES (2, 'concern', 'risk_message', ?)", (NOW,))
    conn.execute("DELETE FROM citizens WHERE id = 3")  # erased: the highest number so far
    conn.close()


async def test_the_rebuild_keeps_every_row_and_never_reuses_an_erased_number(
        tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    _database_at(path, 7)
    db = await Database.open(path)
    try:
        citizens = await db.fetch_all("SELECT id FROM citizens ORDER BY id")
        assert [r["id"] for r in citizens] == [1, 2]
        consents = await db.fetch_all("SELECT citizen_id FROM consent_events ORDER BY id")
        assert [r["citizen_id"] for r in consents] == [1, 2], "nothing cascaded away"
        [case] = await db.fetch_all("SELECT citizen_id FROM cases")
        assert case["citizen_id"] == 2
        new_id = await db.execute("INSERT INTO citizens (telegram_user_id, chat_id, locale, "
                                  "joined_at) VALUES (9004, 9004, 'da', ?)", (NOW,))
        assert new_id == 4, "number 3 was erased before the migration and stays unused"
        if not ON_POSTGRES:  # PostgreSQL keeps the table: nothing was rebuilt
            assert await db.fetch_all("PRAGMA foreign_key_check") == []
            [fk] = await db.fetch_all("PRAGMA foreign_keys")
            assert fk[0] == 1, "foreign keys are on again after the rebuild"
    finally:
        await db.close()
