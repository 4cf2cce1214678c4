"""SQL for the notes other processes leave the bot about the citizens they changed."""

from __future__ import annotations

from datetime import datetime

from bot.clock import to_db
from bot.db import Database


class ChangeStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    def note(self, citizen_id: int | None, now: datetime) -> None:
        """Queued with the change it is about, so both commit or neither."""
        self._db.write("INSERT INTO citizen_changes (citizen_id, changed_at) VALUES (?, ?)",
                       (citizen_id, to_db(now)), scope=citizen_id)

    async def since_last(self) -> list[tuple[int, int | None]]:
        """(note id, citizen id or None) of every note not yet purged, oldest first."""
        rows = await self._db.fetch_all(
            "SELECT id, citizen_id FROM citizen_changes ORDER BY id")
        return [(int(r["id"]), r["citizen_id"]) for r in rows]

    async def purge_until(self, last_id: int) -> None:
        await self._db.execute("DELETE FROM citizen_changes WHERE id <= ?", (last_id,))

    async def purge_all(self) -> None:
        await self._db.execute("DELETE FROM citizen_changes")
