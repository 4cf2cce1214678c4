"""Staff and their roles: admin, coordinator, consultant; checked server-side on every action."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.feature import Feature
from bot.features.audit import AuditLog
from bot.features.staff.service import Role, StaffService
from bot.features.staff.storage import StaffStore

if TYPE_CHECKING:
    from telegram.ext import ExtBot

    from bot.context import AppContext
    from bot.outbox.sender import OutboxSender

__all__ = ["FEATURE", "Role", "StaffService"]


async def _start(app: AppContext, bot: ExtBot[None], sender: OutboxSender) -> None:
    await app.get(StaffService).bootstrap_admins(app.settings.admin_ids)


FEATURE = Feature(
    name="staff",
    services={StaffService: lambda app: StaffService(StaffStore(app.db), app.get(AuditLog),
                                                      app.clock)},
    on_start=_start,
)
