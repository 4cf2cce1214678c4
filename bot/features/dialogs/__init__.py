"""The front door of the dialogs: input goes to the dialog the citizen is in, and /help."""

from __future__ import annotations

from bot.feature import Command, Feature, handlers_in
from bot.features.citizens import CitizenStore
from bot.features.dialogs.service import FrontDoor, Reply
from bot.i18n import N_

__all__ = ["FEATURE", "FrontDoor", "Reply"]


FEATURE = Feature(
    name="dialogs",
    services={FrontDoor: lambda app: FrontDoor(app.router, app.get(CitizenStore), app.texts,
                                                app.clock)},
    handlers=handlers_in("bot.features.dialogs.handlers"),
    commands=(Command("help", N_("What I can do"), N_("this text"), position=30),),
)
