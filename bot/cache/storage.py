"""SQL for the notes other processes leave the bot about the citizens they changed."""

from __future__ import annotations

from datetime import datetime

from bot.clock import to_db
from bot.db import Database

CHANNEL = "'jobbot_' || substr(md5(current_schema()), 1, 16)"
"""The NOTIFY channel of one database schema (several bots may share a server)."""
_NOTIFY = f"SELECT pg_notify({CHANNEL}, ?)"


def citizen_notice(origin: str, citizen_id: int | None) -> str:
    """The payload that tells the workers a citizen changed ('': everyone may have)."""
    return f"c:{origin}:{'' if citizen_id is None else citizen_id}"


class ChangeStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    def note(self, citizen_id: int | None, now: datetime) -> None:
        """Queued with the change it is about, so both commit or neither. On PostgreSQL it is
        announced too, for the webhook workers (bot/workers), at that same commit."""
        self._db.write("INSERT INTO citizen_changes (citizen_id, changed_at) VALUES (?, ?)",
                       (citizen_id, to_db(now)), scope=citizen_id)
        if self._db.postgres:
            self.announce("", citizen_id)

    def announce(self, origin: str, citizen_id: int | None) -> None:
        """PostgreSQL only: queued with the change it is about; the workers listening hear it
        when that commits (none if it is rolled back), and forget the citizen unless `origin`
        is their own."""
        self._db.write(_NOTIFY, (citizen_notice(origin, citizen_id),), scope=citizen_id)

    async def since_last(self) -> list[tuple[int, int | None]]:
        """(note id, citizen id or None) of every note not yet purged, oldest first."""
        rows = await self._db.fetch_all(
            "SELECT id, citizen_id FROM citizen_changes ORDER BY id")
        return [(int(r["id"]), r["citizen_id"]) for r in rows]

    async def purge_until(self, last_id: int) -> None:
        await self._db.execute("DELETE FROM citizen_changes WHERE id <= ?", (last_id,))

    async def purge_all(self) -> None:
        await self._db.execute("DELETE FROM citizen_changes")
