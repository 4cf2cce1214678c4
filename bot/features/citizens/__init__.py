"""Citizens and their consents: the records every other feature hangs off."""

from bot.features.citizens.model import Citizen, Purpose
from bot.features.citizens.storage import CitizenStore

__all__ = ["Citizen", "CitizenStore", "Purpose"]
