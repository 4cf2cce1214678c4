"""The citizen's data rights: see what is stored, withdraw every consent, erase everything."""

from bot.features.privacy.service import PrivacyService

__all__ = ["PrivacyService"]
