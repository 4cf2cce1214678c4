"""The staff chat's open dialogs (/broadcast, /webinar, /club) in one table, `staff_dialogs`
(bot/migrations/0019): one row per kind, staff member, chat and topic. Each dialog keeps its
draft as it likes (`load`/`dump`): the step, and the rest as JSON."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from aiosqlite import Row

from bot.clock import to_db
from bot.db import Database

GENERAL_TOPIC = 0
"""`thread_id` of a dialog started outside any forum topic."""
UNKNOWN_CHAT = 0
"""`chat_id` of a dialog moved over from before 0019, which did not record it: the staff chat
(adopt_chat sets it at the next start)."""

D = TypeVar("D")


@dataclass(frozen=True, slots=True)
class Saved:
    """A dialog as stored: its step, and the rest of its draft as JSON."""

    id: int
    staff_user_id: int
    thread_id: int
    step: str
    state: Mapping[str, Any]


_COLUMNS = "SELECT id, staff_user_id, thread_id, step, draft FROM staff_dialogs "


class StaffDialogStore(Generic[D]):
    """One kind's dialogs in the staff chat, as the kind's draft type `D`."""

    def __init__(self, db: Database, kind: str, chat_id: int | None,
                 load: Callable[[Saved], D], dump: Callable[[D], Saved]) -> None:
        self._db = db
        self._kind = kind
        self._chat = chat_id if chat_id is not None else UNKNOWN_CHAT
        self._load = load
        self._dump = dump

    async def find(self, staff_user_id: int, thread_id: int | None) -> D | None:
        """The one open in this topic (None or GENERAL_TOPIC: the general one)."""
        row = await self._db.fetch_one(
            _COLUMNS + "WHERE kind = ? AND staff_user_id = ? AND chat_id = ? AND thread_id = ?",
            (self._kind, staff_user_id, self._chat, thread_id or GENERAL_TOPIC))
        return self._row(row) if row else None

    async def get(self, dialog_id: int) -> D | None:
        row = await self._db.fetch_one(_COLUMNS + "WHERE id = ? AND kind = ?",
                                       (dialog_id, self._kind))
        return self._row(row) if row else None

    async def open(self, dialog: D, now: datetime) -> int:
        saved = self._dump(dialog)
        return await self._db.execute(
            "INSERT INTO staff_dialogs (kind, staff_user_id, chat_id, thread_id, step, draft, "
            "touched_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (self._kind, saved.staff_user_id, self._chat, saved.thread_id, saved.step,
             json.dumps(dict(saved.state), ensure_ascii=False), to_db(now)))

    async def save(self, dialog: D, now: datetime) -> None:
        saved = self._dump(dialog)
        await self._db.execute(
            "UPDATE staff_dialogs SET step = ?, draft = ?, touched_at = ? WHERE id = ?",
            (saved.step, json.dumps(dict(saved.state), ensure_ascii=False), to_db(now),
             saved.id))

    async def close(self, dialog_id: int) -> bool:
        """False when it was closed already (e.g. a second press of Create)."""
        return await self._db.execute_rowcount(
            "DELETE FROM staff_dialogs WHERE id = ?", (dialog_id,)) > 0

    async def drop_untouched(self, since: datetime) -> int:
        return await self._db.execute_rowcount(
            "DELETE FROM staff_dialogs WHERE kind = ? AND touched_at < ?",
            (self._kind, to_db(since)))

    def _row(self, row: Row) -> D:
        return self._load(Saved(row["id"], row["staff_user_id"], row["thread_id"], row["step"],
                                json.loads(row["draft"])))


async def adopt_chat(db: Database, chat_id: int) -> None:
    """Dialogs moved over from before 0019 belong to the staff chat."""
    await db.execute("UPDATE staff_dialogs SET chat_id = ? WHERE chat_id = ?",
                     (chat_id, UNKNOWN_CHAT))
