"""Who may do what. Every staff command and button asks here; Telegram data is never trusted."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from bot.clock import Clock
from bot.features.audit import AuditLog
from bot.features.staff.storage import StaffStore


class Role(StrEnum):
    ADMIN = "admin"
    COORDINATOR = "coordinator"
    CONSULTANT = "consultant"


# The role matrix (also in the README). Each action names the set of roles that may do it.
CASEWORK = frozenset({Role.ADMIN, Role.CONSULTANT})
"""Cases and citizens: claim, write, close, /cases, /case, /mydata N, canned replies, marks."""
OUTREACH = frozenset({Role.ADMIN, Role.COORDINATOR})
"""Many citizens at once, never one citizen's case: broadcasts, webinars, job clubs, reports."""
ADMINS = frozenset({Role.ADMIN})
"""Staff roles (/staff) and a citizen's full export (/export N)."""


class StaffService:
    def __init__(self, store: StaffStore, audit: AuditLog, clock: Clock) -> None:
        self._store = store
        self._audit = audit
        self._clock = clock

    async def bootstrap_admins(self, admin_ids: Iterable[int]) -> None:
        """ADMIN_IDS are admins from the first start on; removing one there does not demote."""
        for user_id in admin_ids:
            if await self._store.role(user_id) != Role.ADMIN:
                await self._store.put(user_id, Role.ADMIN, None, self._clock.now())

    async def role_of(self, user_id: int) -> Role | None:
        raw = await self._store.role(user_id)
        return Role(raw) if raw in set(Role) else None

    async def allowed(self, user_id: int, roles: frozenset[Role]) -> bool:
        role = await self.role_of(user_id)
        return role is not None and role in roles

    async def seen(self, user_id: int, first_name: str) -> None:
        """Remember how a colleague is called, so others see a name rather than a number."""
        await self._store.set_name(user_id, first_name)

    async def name_of(self, user_id: int) -> str:
        return await self._store.name(user_id) or str(user_id)

    async def add(self, user_id: int, role: Role, by: int | None) -> None:
        await self._store.put(user_id, role, by, self._clock.now())
        await self._audit.record(_actor(by), "staff_added", detail=f"{user_id}:{role}")

    async def remove(self, user_id: int, by: int | None) -> bool:
        removed = await self._store.remove(user_id)
        if removed:
            await self._audit.record(_actor(by), "staff_removed", detail=str(user_id))
        return removed

    async def list(self) -> list[tuple[int, Role]]:
        return [(user_id, Role(role)) for user_id, role in await self._store.all()]


def _actor(user_id: int | None) -> str:
    return f"staff:{user_id}" if user_id is not None else "cli"
