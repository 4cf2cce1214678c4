"""SQL for the audit log (INSERT and SELECT only; triggers refuse UPDATE and DELETE)."""

from __future__ import annotations

from datetime import datetime

from bot.clock import from_db, to_db
from bot.db import Database
from bot.features.audit.model import AuditEntry


class AuditStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def add(self, at: datetime, actor: str, action: str, citizen_no: int | None,
                  detail: str | None) -> None:
        await self._db.execute(
            "INSERT INTO audit_log (at, actor, action, citizen_no, detail) VALUES (?, ?, ?, ?, ?)",
            (to_db(at), actor, action, citizen_no, detail))

    async def for_citizen(self, citizen_no: int) -> list[AuditEntry]:
        rows = await self._db.fetch_all(
            "SELECT at, actor, action, citizen_no, detail FROM audit_log WHERE citizen_no = ? "
            "ORDER BY id", (citizen_no,))
        return [AuditEntry(from_db(r["at"]), r["actor"], r["action"], r["citizen_no"],
                           r["detail"]) for r in rows]
