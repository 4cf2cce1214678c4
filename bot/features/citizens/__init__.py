"""Citizens and their consents: the records every other feature hangs off."""

from __future__ import annotations

from bot.feature import Feature, handlers_in
from bot.features.citizens.model import Citizen, Purpose
from bot.features.citizens.storage import CitizenStore

__all__ = ["FEATURE", "Citizen", "CitizenStore", "Purpose"]


FEATURE = Feature(
    name="citizens",
    services={CitizenStore: lambda app: CitizenStore(app.db, app.cache)},
    handlers=handlers_in("bot.features.citizens.handlers"),
)
