"""SQL for drafts and the consultant's replies to them."""

from __future__ import annotations

import json
from datetime import date, datetime

from aiosqlite import Row

from bot.clock import from_db, to_db
from bot.db import Database
from bot.features.drafts.model import Draft, FileRef, Form, Kind, NewDraft, Status

_COLUMNS = ("SELECT id, citizen_id, series_id, version, kind, locale, form, files, body, job_ad, "
            "deadline, wishes, received_at, due_at, status, taken_by, taken_at, answered_at, "
            "rating, purged_at FROM drafts ")


class DraftStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def add(self, new: NewDraft, version: int, series_id: int | None, now: datetime,
                  due: datetime) -> Draft:
        draft_id = await self._db.execute(
            "INSERT INTO drafts (citizen_id, series_id, version, kind, locale, job_ad, "
            "deadline, wishes, form, files, body, received_at, due_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (new.citizen_id, series_id, version, new.kind.value, new.locale, new.job_ad,
             new.deadline.isoformat() if new.deadline else None, new.wishes, new.form.value,
             json.dumps([f.to_json() for f in new.files]), new.body, to_db(now), to_db(due)))
        found = await self.get(draft_id)
        assert found is not None
        return found

    async def get(self, draft_id: int) -> Draft | None:
        row = await self._db.fetch_one(_COLUMNS + "WHERE id = ?", (draft_id,))
        return _draft(row) if row else None

    async def of_citizen(self, citizen_id: int) -> list[Draft]:
        rows = await self._db.fetch_all(_COLUMNS + "WHERE citizen_id = ? ORDER BY id",
                                        (citizen_id,))
        return [_draft(r) for r in rows]

    async def series(self, series: int) -> list[Draft]:
        """Every version of one application, the first first."""
        rows = await self._db.fetch_all(
            _COLUMNS + "WHERE id = ? OR series_id = ? ORDER BY version", (series, series))
        return [_draft(r) for r in rows]

    async def waiting(self, limit: int = 50) -> list[Draft]:
        """Not taken yet: the nearest deadline first (none last), then the oldest."""
        rows = await self._db.fetch_all(
            _COLUMNS + "WHERE status = 'waiting' "
            "ORDER BY deadline IS NULL, deadline, received_at, id LIMIT ?", (limit,))
        return [_draft(r) for r in rows]

    async def take(self, draft_id: int, staff_id: int, now: datetime) -> bool:
        """True for the one consultant who got it (a second Take finds it taken)."""
        return await self._db.execute_rowcount(
            "UPDATE drafts SET status = 'taken', taken_by = ?, taken_at = ? "
            "WHERE id = ? AND status = 'waiting'", (staff_id, to_db(now), draft_id)) == 1

    async def taken_by(self, citizen_id: int, staff_id: int) -> Draft | None:
        """The draft of this citizen that this consultant is answering now, if any."""
        row = await self._db.fetch_one(
            _COLUMNS + "WHERE citizen_id = ? AND taken_by = ? AND status = 'taken' "
            "ORDER BY id DESC LIMIT 1", (citizen_id, staff_id))
        return _draft(row) if row else None

    async def add_reply(self, draft_id: int, staff_id: int, chat_id: int, message_id: int,
                        now: datetime) -> None:
        await self._db.execute(
            "INSERT INTO draft_replies (draft_id, staff_user_id, chat_id, message_id, "
            "written_at) VALUES (?, ?, ?, ?, ?)",
            (draft_id, staff_id, chat_id, message_id, to_db(now)))

    async def unsent_replies(self, draft_id: int) -> list[tuple[int, int, int]]:
        """(reply id, chat id, message id) written since Take (or the last Send), in order."""
        rows = await self._db.fetch_all(
            "SELECT id, chat_id, message_id FROM draft_replies "
            "WHERE draft_id = ? AND sent_at IS NULL ORDER BY id", (draft_id,))
        return [(r["id"], r["chat_id"], r["message_id"]) for r in rows]

    async def sent_replies(self, draft_id: int) -> list[tuple[int, int]]:
        """(chat id, message id) of the feedback given on this draft."""
        rows = await self._db.fetch_all(
            "SELECT chat_id, message_id FROM draft_replies "
            "WHERE draft_id = ? AND sent_at IS NOT NULL ORDER BY id", (draft_id,))
        return [(r["chat_id"], r["message_id"]) for r in rows]

    async def mark_answered(self, draft_id: int, reply_ids: list[int], now: datetime) -> bool:
        """Those replies sent, the draft answered; True when this is its first answer (the
        turnaround ends at the first)."""
        async with self._db.transaction() as tx:
            for reply_id in reply_ids:
                await tx.execute("UPDATE draft_replies SET sent_at = ? WHERE id = ?",
                                 (to_db(now), reply_id))
            row = await tx.fetch_one("SELECT answered_at FROM drafts WHERE id = ?",
                                     (draft_id,))
            await tx.execute(
                "UPDATE drafts SET status = 'answered', answered_at = COALESCE(answered_at, ?) "
                "WHERE id = ?", (to_db(now), draft_id))
        return row is not None and row["answered_at"] is None

    async def reopen(self, draft_id: int) -> bool:
        """A citizen's question about the feedback: back with the same consultant."""
        return await self._db.execute_rowcount(
            "UPDATE drafts SET status = 'taken' WHERE id = ? AND status = 'answered' "
            "AND taken_by IS NOT NULL", (draft_id,)) == 1

    async def rate(self, draft_id: int, citizen_id: int, rating: int) -> None:
        await self._db.execute(
            "UPDATE drafts SET rating = ? WHERE id = ? AND citizen_id = ?",
            (rating, draft_id, citizen_id))

    async def overdue_unannounced(self, now: datetime) -> list[Draft]:
        rows = await self._db.fetch_all(
            _COLUMNS + "WHERE status = 'waiting' AND due_at <= ? AND reannounced_at IS NULL "
            "ORDER BY due_at LIMIT 100", (to_db(now),))
        return [_draft(r) for r in rows]

    async def mark_reannounced(self, draft_id: int, now: datetime) -> bool:
        return await self._db.execute_rowcount(
            "UPDATE drafts SET reannounced_at = ? WHERE id = ? AND reannounced_at IS NULL",
            (to_db(now), draft_id)) == 1

    async def files_answered_before(self, cutoff: datetime) -> list[FileRef]:
        """The files of the drafts purge_answered_before will purge."""
        rows = await self._db.fetch_all(
            "SELECT files FROM drafts WHERE answered_at IS NOT NULL AND answered_at <= ? "
            "AND purged_at IS NULL AND status = 'answered'", (to_db(cutoff),))
        return [FileRef.from_json(f) for r in rows for f in json.loads(r["files"])]

    async def purge_answered_before(self, cutoff: datetime, now: datetime) -> int:
        """Retention: files, texts and the feedback's message references of drafts answered
        before the cutoff are deleted; the figures for the report stay."""
        async with self._db.transaction() as tx:
            rows = await tx.fetch_all(
                "SELECT id FROM drafts WHERE answered_at IS NOT NULL AND answered_at <= ? "
                "AND purged_at IS NULL AND status = 'answered'", (to_db(cutoff),))
            for row in rows:
                await tx.execute("DELETE FROM draft_replies WHERE draft_id = ?", (row["id"],))
                await tx.execute(
                    "UPDATE drafts SET files = '[]', body = NULL, job_ad = NULL, wishes = NULL, "
                    "purged_at = ? WHERE id = ?", (to_db(now), row["id"]))
        return len(rows)

    async def has_file(self, citizen_id: int, unique_id: str) -> Draft | None:
        """A draft of theirs with this very file (Telegram's file_unique_id)."""
        for draft in await self.of_citizen(citizen_id):
            if any(f.unique_id == unique_id for f in draft.files):
                return draft
        return None

    async def report_rows(self) -> list[Row]:
        return await self._db.fetch_all(
            "SELECT id, received_at, due_at, taken_by, answered_at, rating FROM drafts "
            "ORDER BY id")


def _draft(row: Row) -> Draft:
    deadline = row["deadline"]
    return Draft(
        id=row["id"], citizen_id=row["citizen_id"], series_id=row["series_id"],
        version=row["version"], kind=Kind(row["kind"]), locale=row["locale"],
        form=Form(row["form"]),
        files=tuple(FileRef.from_json(f) for f in json.loads(row["files"])),
        body=row["body"], job_ad=row["job_ad"],
        deadline=date.fromisoformat(deadline) if deadline else None, wishes=row["wishes"],
        received_at=from_db(row["received_at"]), due_at=from_db(row["due_at"]),
        status=Status(row["status"]), taken_by=row["taken_by"],
        taken_at=from_db(row["taken_at"]) if row["taken_at"] else None,
        answered_at=from_db(row["answered_at"]) if row["answered_at"] else None,
        rating=row["rating"], purged=row["purged_at"] is not None)
