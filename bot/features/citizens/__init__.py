"""Citizens and their consents: the records every other feature hangs off."""

from __future__ import annotations

from typing import Any

from bot.config import Settings
from bot.feature import Feature
from bot.features.citizens.model import Citizen, Purpose
from bot.features.citizens.storage import CitizenStore

__all__ = ["FEATURE", "Citizen", "CitizenStore", "Purpose"]


def _handlers(application: Any, settings: Settings) -> None:
    from bot.features.citizens.handlers import register

    register(application, settings)


FEATURE = Feature(
    name="citizens",
    services={CitizenStore: lambda app: CitizenStore(app.db)},
    handlers=_handlers,
)
