"""Recording and reading the audit log."""

from __future__ import annotations

from bot.clock import Clock
from bot.features.audit.model import AuditEntry
from bot.features.audit.storage import AuditStore

ERASED = "erased"
"""The action of a citizen's erasure: their number stays known by it, nothing else of them."""


class AuditLog:
    def __init__(self, store: AuditStore, clock: Clock) -> None:
        self._store = store
        self._clock = clock

    async def record(self, actor: str, action: str, citizen_no: int | None = None,
                     detail: str | None = None) -> None:
        await self._store.add(self._clock.now(), actor, action, citizen_no, detail)

    async def staff_read(self, staff_user_id: int, what: str, citizen_no: int) -> None:
        await self.record(f"staff:{staff_user_id}", what, citizen_no)

    async def for_citizen(self, citizen_no: int) -> list[AuditEntry]:
        return await self._store.for_citizen(citizen_no)

    async def erased(self, citizen_no: int) -> bool:
        """Whether this number was a citizen's who erased themselves (not a number never used)."""
        return any(e.action == ERASED for e in await self.for_citizen(citizen_no))
