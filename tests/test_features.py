"""The feature seam: a new feature is one package plus one line in FEATURES.

The "postcards" feature below stands in for such a package: its service, its handler, its
command, its part of /mydata and its step before erasure come from its one `Feature`, and the
rest of the bot picks them up without any other change.
"""

from __future__ import annotations

from typing import Any

import pytest
from telegram import Update
from telegram.ext import CommandHandler, filters

from bot.config import Settings
from bot.context import AppContext, BotContext
from bot.feature import Command, Feature, StoredData
from bot.features.citizens import CitizenStore
from bot.features.enabled import FEATURES
from tests.conftest import CITIZEN, Harness, start_harness, stop_harness
from tests.fakes import FakeClock


class Postcards:
    """A service: remembers who asked for a postcard (in memory, enough for the test)."""

    def __init__(self, citizens: CitizenStore) -> None:
        self._citizens = citizens
        self.wanted: set[int] = set()
        self.erased: list[int] = []

    async def want(self, user_id: int) -> None:
        citizen = await self._citizens.by_user(user_id)
        assert citizen is not None
        self.wanted.add(citizen.id)

    async def stored(self, citizen_id: int) -> StoredData:
        return StoredData(["Postcard: wanted"] if citizen_id in self.wanted else [])

    async def forget(self, citizen_id: int) -> str | None:
        self.erased.append(citizen_id)
        self.wanted.discard(citizen_id)
        return "postcard wish dropped"


async def postcard(update: Update, context: BotContext) -> None:
    assert update.effective_user is not None and update.effective_chat is not None
    await context.app.get(Postcards).want(update.effective_user.id)
    await context.bot.send_message(update.effective_chat.id, "A postcard is on its way.")


def _handlers(application: Any, settings: Settings) -> None:
    application.add_handler(CommandHandler("postcard", postcard,
                                           filters=filters.ChatType.PRIVATE))


def _postcards(app: AppContext) -> Postcards:
    return Postcards(app.get(CitizenStore))


POSTCARDS = Feature(
    name="postcards",
    services={Postcards: _postcards},
    handlers=_handlers,
    commands=(Command("postcard", "Ask for a postcard", "ask for a postcard", position=45),),
    my_data=lambda app: app.get(Postcards).stored,
    erasure=lambda app: app.get(Postcards).forget,
)
WITH_POSTCARDS = (*FEATURES[:-1], POSTCARDS, FEATURES[-1])  # the front door stays last


@pytest.fixture
async def harness(settings: Settings, clock: FakeClock) -> Any:
    harness = await start_harness(settings, clock, features=WITH_POSTCARDS)
    yield harness
    await stop_harness(harness)


async def test_a_new_feature_is_one_declaration_away(harness: Harness) -> None:
    await harness.say("/start", language_code="en")

    # its command is in Telegram's menu and in /help, between /human and /language
    menu = [c["command"] for c in harness.api.sent(method="setMyCommands")[-1].params["commands"]]
    assert menu[menu.index("human") + 1] == "postcard"
    [help_text] = await harness.say("/help", language_code="en")
    assert "/postcard – ask for a postcard" in help_text

    # its handler runs, with its service from the application's context
    assert await harness.say("/postcard", language_code="en") == ["A postcard is on its way."]

    # its part of /mydata, and its step before erasure
    [mydata] = await harness.say("/mydata", language_code="en")
    assert "Postcard: wanted" in mydata
    citizen = await harness.ctx.get(CitizenStore).by_user(CITIZEN)
    assert citizen is not None
    await harness.say("/delete", language_code="en")
    await harness.tap("Yes, delete everything")
    assert harness.ctx.get(Postcards).erased == [citizen.id]
    assert await harness.ctx.get(CitizenStore).by_user(CITIZEN) is None


async def test_a_service_nobody_provides_is_a_clear_error(harness: Harness) -> None:
    class Unknown:
        pass

    with pytest.raises(LookupError, match="no feature provides Unknown"):
        harness.ctx.get(Unknown)
