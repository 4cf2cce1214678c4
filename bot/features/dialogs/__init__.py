"""The front door of the dialogs: input goes to the dialog the citizen is in, and /help."""

from __future__ import annotations

from typing import Any

from bot.config import Settings
from bot.feature import Command, Feature
from bot.features.citizens import CitizenStore
from bot.features.dialogs.service import FrontDoor, Reply
from bot.i18n import N_

__all__ = ["FEATURE", "FrontDoor", "Reply"]


def _handlers(application: Any, settings: Settings) -> None:
    from bot.features.dialogs.handlers import register

    register(application, settings)


FEATURE = Feature(
    name="dialogs",
    services={FrontDoor: lambda app: FrontDoor(app.router, app.get(CitizenStore), app.texts,
                                                app.clock)},
    handlers=_handlers,
    commands=(Command("help", N_("What I can do"), N_("this text"), position=30),),
)
