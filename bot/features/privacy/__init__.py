"""The citizen's data rights: see what is stored, withdraw every consent, erase everything."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.feature import Feature, handlers_in
from bot.features.audit import AuditLog
from bot.features.citizens import CitizenStore
from bot.features.privacy.service import PrivacyService
from bot.features.privacy.storage import PrivacyStore

if TYPE_CHECKING:
    from bot.context import AppContext

__all__ = ["FEATURE", "PrivacyService"]


def _privacy(app: AppContext) -> PrivacyService:
    return PrivacyService(PrivacyStore(app.db), app.get(CitizenStore), app.sessions,
                          app.get(AuditLog), app.clock, app.stored_data, app.erase_parts)


FEATURE = Feature(
    name="privacy",
    services={PrivacyService: _privacy},
    handlers=handlers_in("bot.features.privacy.handlers"),
)
