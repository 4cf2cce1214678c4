"""Deep-link invites (point 7)."""

from __future__ import annotations

import logging
import re

import pytest

from bot.features.invites import Redemption, deep_link
from tests.conftest import CITIZEN, Harness

PAYLOAD = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


async def test_invite_codes_are_random_valid_payloads_without_personal_data(
        bot: Harness) -> None:
    invites = await bot.ctx.invites.create(50, "nyledige-2026-11")
    codes = [i.code for i in invites]
    assert len(set(codes)) == 50
    assert all(PAYLOAD.match(c) and len(c) >= 20 for c in codes)
    assert deep_link("jc_bot", codes[0]) == f"https://t.me/jc_bot?start={codes[0]}"


async def test_used_code_stores_the_label_on_the_citizen(bot: Harness) -> None:
    [invite] = await bot.ctx.invites.create(1, "nyledige-2026-11")
    [greeting] = await bot.say(f"/start {invite.code}", language_code="da")
    assert greeting.startswith("Hej, det er")
    citizen = await bot.ctx.citizens.by_user(CITIZEN)
    assert citizen is not None and citizen.invite_label == "nyledige-2026-11"


@pytest.mark.parametrize("payload", ["does-not-exist-0000000000", "<script>", "x" * 80])
async def test_unknown_or_malformed_code_works_as_plain_start_and_is_logged(
        bot: Harness, payload: str, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="bot.features.invites.service"):
        [greeting] = await bot.say(f"/start {payload}", language_code="da")
    assert greeting.startswith("Hej, det er")
    assert any("payload" in r.getMessage() for r in caplog.records)
    assert payload not in caplog.text, "the full code is never logged"
    citizen = await bot.ctx.citizens.by_user(CITIZEN)
    assert citizen is not None and citizen.invite_label is None


async def test_reused_code_does_not_move_the_label_to_someone_else(bot: Harness) -> None:
    [invite] = await bot.ctx.invites.create(1, "brev-uge-48")
    await bot.say(f"/start {invite.code}")
    other = CITIZEN + 7
    await bot.say(f"/start {invite.code}", user=other)
    first = await bot.ctx.citizens.by_user(CITIZEN)
    second = await bot.ctx.citizens.by_user(other)
    assert first is not None and first.invite_label == "brev-uge-48"
    assert second is not None and second.invite_label is None
    assert await bot.ctx.invites.redeem(invite.code, second.id) == Redemption.REUSED
