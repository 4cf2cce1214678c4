"""Every row stored about one citizen, read from the schema itself.

The export follows the foreign keys instead of a hand-kept list of tables, so a table that a
later feature adds (with a ``citizen_id`` or a ``case_id`` column) is in the export at once.
The audit log keys on the citizen *number* (it outlives the row) and is read by ``AuditLog``.
"""

from __future__ import annotations

from typing import Any

from bot.db import Database


class PrivacyStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def rows_about(self, citizen_id: int) -> dict[str, list[dict[str, Any]]]:
        """Table name → that citizen's rows (and the rows of their cases), as plain values."""
        found: dict[str, list[dict[str, Any]]] = {}
        citizen = await self._db.fetch_all("SELECT * FROM citizens WHERE id = ?", (citizen_id,))
        found["citizens"] = [dict(r) for r in citizen]
        for table in await self._db.table_names():
            if table == "citizens":
                continue
            # The one dynamic SQL in the storage modules, by design: the table names come from
            # the schema itself (so a new table is exported at once), quoted as identifiers.
            name = _quoted(table)
            columns = set(await self._db.column_names(table))
            order = await self._db.row_order(table)
            if "citizen_id" in columns:
                rows = await self._db.fetch_all(
                    f"SELECT * FROM {name} WHERE citizen_id = ? ORDER BY {order}", (citizen_id,))
            elif "case_id" in columns:
                rows = await self._db.fetch_all(
                    f"SELECT * FROM {name} WHERE case_id IN "
                    f"(SELECT id FROM cases WHERE citizen_id = ?) ORDER BY {order}", (citizen_id,))
            else:
                continue
            if rows:
                found[table] = [dict(r) for r in rows]
        return found


def _quoted(identifier: str) -> str:
    """An SQL identifier in double quotes, any double quote in it doubled."""
    return '"' + identifier.replace('"', '""') + '"'
