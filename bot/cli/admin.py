"""`python -m bot staff ...` and `python -m bot audit --citizen N`: the same as in the staff
chat, for whoever runs the server."""

from __future__ import annotations

from bot.clock import SystemClock
from bot.config import ConfigError, Settings
from bot.db_open import open_database
from bot.features.audit import AuditLog
from bot.features.audit.storage import AuditStore
from bot.features.staff import Role, StaffService
from bot.features.staff.storage import StaffStore


async def manage_staff(settings: Settings, action: str, user_id: int | None,
                       role: str | None) -> list[str]:
    db = await open_database(settings)
    try:
        clock = SystemClock()
        staff = StaffService(StaffStore(db), AuditLog(AuditStore(db), clock), clock)
        if action == "list":
            return [f"{uid}\t{r}" for uid, r in await staff.list()] or ["no staff yet"]
        if user_id is None:
            raise ConfigError(f"staff {action}: a Telegram user id is needed")
        if action == "add":
            if role is None:
                raise ConfigError("staff add: a role is needed (admin, coordinator, consultant)")
            await staff.add(user_id, Role(role), None)
            return [f"{user_id}\t{role}"]
        removed = await staff.remove(user_id, None)
        return [f"{user_id}\t{'removed' if removed else 'was not staff'}"]
    finally:
        await db.close()


async def audit_lines(settings: Settings, citizen_no: int) -> list[str]:
    db = await open_database(settings)
    try:
        entries = await AuditLog(AuditStore(db), SystemClock()).for_citizen(citizen_no)
        return ([f"{e.at.isoformat()}\t{e.actor}\t{e.action}\t{e.detail or ''}" for e in entries]
                or [f"no audit rows for citizen {citizen_no}"])
    finally:
        await db.close()
