"""An audit entry."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class AuditEntry:
    at: datetime
    actor: str
    action: str
    citizen_no: int | None
    detail: str | None = None

    @property
    def by_staff(self) -> bool:
        return self.actor.startswith("staff:")
