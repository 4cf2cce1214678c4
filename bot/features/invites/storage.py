"""SQL for invite codes."""

from __future__ import annotations

from datetime import datetime

from bot.clock import to_db
from bot.db import Database


class InviteStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def add(self, codes: list[str], label: str, now: datetime) -> None:
        async with self._db.transaction() as tx:
            await tx.execute_many(
                "INSERT INTO invites (code, label, created_at) VALUES (?, ?, ?)",
                [(code, label, to_db(now)) for code in codes],
            )

    async def remove_unused(self, codes: list[str]) -> None:
        async with self._db.transaction() as tx:
            await tx.execute_many("DELETE FROM invites WHERE code = ? AND used_at IS NULL",
                                  [(code,) for code in codes])

    async def claim(self, code: str, citizen_id: int, now: datetime) -> str | None:
        """The label, if this code was unused and is now this citizen's."""
        async with self._db.transaction() as tx:
            row = await tx.fetch_one(
                "SELECT label FROM invites WHERE code = ? AND used_at IS NULL", (code,)
            )
            if row is None:
                return None
            await tx.execute("UPDATE invites SET used_at = ?, citizen_id = ? WHERE code = ?",
                             (to_db(now), citizen_id, code))
            return str(row["label"])

    async def exists(self, code: str) -> bool:
        return await self._db.fetch_one("SELECT 1 FROM invites WHERE code = ?", (code,)) is not None
