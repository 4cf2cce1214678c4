"""SQL for topics, case notes, call outcomes, ratings and canned replies."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.clock import to_db
from bot.db import Database


@dataclass(frozen=True, slots=True)
class Topic:
    citizen_id: int
    thread_id: int | None
    anchor_message_id: int | None
    is_closed: bool


class WorkspaceStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def topic(self, citizen_id: int) -> Topic | None:
        row = await self._db.fetch_one(
            "SELECT citizen_id, thread_id, anchor_message_id, is_closed FROM staff_topics "
            "WHERE citizen_id = ?", (citizen_id,))
        return _topic(row) if row else None

    async def topic_by_thread(self, thread_id: int) -> Topic | None:
        row = await self._db.fetch_one(
            "SELECT citizen_id, thread_id, anchor_message_id, is_closed FROM staff_topics "
            "WHERE thread_id = ?", (thread_id,))
        return _topic(row) if row else None

    async def topic_by_anchor(self, message_id: int) -> Topic | None:
        row = await self._db.fetch_one(
            "SELECT citizen_id, thread_id, anchor_message_id, is_closed FROM staff_topics "
            "WHERE anchor_message_id = ?", (message_id,))
        return _topic(row) if row else None

    async def save_topic(self, topic: Topic) -> None:
        await self._db.execute(
            "INSERT INTO staff_topics (citizen_id, thread_id, anchor_message_id, is_closed) "
            "VALUES (?, ?, ?, ?) ON CONFLICT (citizen_id) DO UPDATE SET "
            "thread_id = excluded.thread_id, anchor_message_id = excluded.anchor_message_id, "
            "is_closed = excluded.is_closed",
            (topic.citizen_id, topic.thread_id, topic.anchor_message_id, int(topic.is_closed)))

    async def add_note(self, case_id: int, staff_user_id: int, text: str, now: datetime) -> None:
        await self._db.execute(
            "INSERT INTO case_notes (case_id, staff_user_id, text, written_at) "
            "VALUES (?, ?, ?, ?)", (case_id, staff_user_id, text, to_db(now)))

    async def notes(self, case_id: int) -> list[str]:
        rows = await self._db.fetch_all(
            "SELECT text FROM case_notes WHERE case_id = ? ORDER BY id", (case_id,))
        return [str(r["text"]) for r in rows]

    async def add_call(self, case_id: int, staff_user_id: int, outcome: str,
                       now: datetime) -> None:
        await self._db.execute(
            "INSERT INTO case_calls (case_id, staff_user_id, outcome, called_at) "
            "VALUES (?, ?, ?, ?)", (case_id, staff_user_id, outcome, to_db(now)))

    async def calls(self, case_id: int) -> list[str]:
        rows = await self._db.fetch_all(
            "SELECT outcome FROM case_calls WHERE case_id = ? ORDER BY id", (case_id,))
        return [str(r["outcome"]) for r in rows]

    async def set_rating(self, case_id: int, rating: int, now: datetime) -> None:
        await self._db.execute(
            "INSERT INTO case_feedback (case_id, rating, given_at) VALUES (?, ?, ?) "
            "ON CONFLICT (case_id) DO UPDATE SET rating = excluded.rating",
            (case_id, rating, to_db(now)))

    async def set_comment(self, case_id: int, comment: str, now: datetime) -> None:
        await self._db.execute(
            "INSERT INTO case_feedback (case_id, comment, given_at) VALUES (?, ?, ?) "
            "ON CONFLICT (case_id) DO UPDATE SET comment = excluded.comment",
            (case_id, comment, to_db(now)))

    async def feedback(self, case_id: int) -> tuple[int | None, str | None] | None:
        row = await self._db.fetch_one(
            "SELECT rating, comment FROM case_feedback WHERE case_id = ?", (case_id,))
        return (row["rating"], row["comment"]) if row else None

    async def put_canned(self, key: str, text_da: str, text_en: str, by: int,
                         now: datetime) -> None:
        await self._db.execute(
            "INSERT INTO canned_replies (key, text_da, text_en, added_by, added_at) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (key) DO UPDATE SET text_da = excluded.text_da, "
            "text_en = excluded.text_en", (key, text_da, text_en, by, to_db(now)))

    async def canned(self, key: str) -> dict[str, str] | None:
        row = await self._db.fetch_one(
            "SELECT text_da, text_en FROM canned_replies WHERE key = ?", (key,))
        return {"da": row["text_da"], "en": row["text_en"]} if row else None

    async def canned_keys(self) -> list[str]:
        rows = await self._db.fetch_all("SELECT key FROM canned_replies ORDER BY key")
        return [str(r["key"]) for r in rows]


def _topic(row: object) -> Topic:
    r = row  # aiosqlite.Row
    return Topic(r["citizen_id"], r["thread_id"], r["anchor_message_id"],  # type: ignore[index]
                 bool(r["is_closed"]))  # type: ignore[index]
