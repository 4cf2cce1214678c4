"""SQL for staff roles."""

from __future__ import annotations

from datetime import datetime

from bot.clock import to_db
from bot.db import Database


class StaffStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def role(self, user_id: int) -> str | None:
        row = await self._db.fetch_one("SELECT role FROM staff WHERE telegram_user_id = ?",
                                       (user_id,))
        return str(row["role"]) if row else None

    async def put(self, user_id: int, role: str, added_by: int | None, now: datetime) -> None:
        await self._db.execute(
            "INSERT INTO staff (telegram_user_id, role, added_at, added_by) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (telegram_user_id) DO UPDATE SET role = excluded.role",
            (user_id, role, to_db(now), added_by))

    async def set_name(self, user_id: int, first_name: str) -> None:
        await self._db.execute("UPDATE staff SET first_name = ? WHERE telegram_user_id = ?",
                               (first_name, user_id))

    async def name(self, user_id: int) -> str | None:
        row = await self._db.fetch_one("SELECT first_name FROM staff WHERE telegram_user_id = ?",
                                       (user_id,))
        return str(row["first_name"]) if row and row["first_name"] else None

    async def remove(self, user_id: int) -> bool:
        return await self._db.execute_rowcount("DELETE FROM staff WHERE telegram_user_id = ?",
                                               (user_id,)) > 0

    async def all(self) -> list[tuple[int, str]]:
        rows = await self._db.fetch_all(
            "SELECT telegram_user_id, role FROM staff ORDER BY role, telegram_user_id")
        return [(int(r["telegram_user_id"]), str(r["role"])) for r in rows]
