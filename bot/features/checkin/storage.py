"""SQL for the check-in cadence, short answers and WHO-5 scores."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.clock import from_db, to_db
from bot.db import Database


@dataclass(slots=True)
class CheckinStatus:
    citizen_id: int
    next_slot: int = 0
    unanswered: int = 0
    pause_asked: bool = False
    paused_until: datetime | None = None
    ended: str | None = None


class CheckinStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def status(self, citizen_id: int) -> CheckinStatus:
        row = await self._db.fetch_one(
            "SELECT next_slot, unanswered, pause_asked, paused_until, ended "
            "FROM checkin_status WHERE citizen_id = ?", (citizen_id,))
        if row is None:
            return CheckinStatus(citizen_id)
        return CheckinStatus(citizen_id, row["next_slot"], row["unanswered"],
                             bool(row["pause_asked"]),
                             from_db(row["paused_until"]) if row["paused_until"] else None,
                             row["ended"])

    async def save(self, status: CheckinStatus) -> None:
        self._db.write(
            "INSERT INTO checkin_status (citizen_id, next_slot, unanswered, pause_asked, "
            "paused_until, ended) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (citizen_id) DO UPDATE "
            "SET next_slot = excluded.next_slot, unanswered = excluded.unanswered, "
            "pause_asked = excluded.pause_asked, paused_until = excluded.paused_until, "
            "ended = excluded.ended",
            (status.citizen_id, status.next_slot, status.unanswered, int(status.pause_asked),
             to_db(status.paused_until) if status.paused_until else None, status.ended),
            scope=status.citizen_id,
        )

    async def record_answer(self, citizen_id: int, question: str, answer: str,
                            now: datetime) -> None:
        await self._db.execute(
            "INSERT INTO checkin_answers (citizen_id, question, answer, answered_at) "
            "VALUES (?, ?, ?, ?)", (citizen_id, question, answer, to_db(now)))

    async def answer_summary(self, citizen_id: int) -> tuple[int, datetime | None]:
        """How many short answers are kept, and when the newest was given."""
        row = await self._db.fetch_one(
            "SELECT COUNT(*) AS n, MAX(answered_at) AS newest FROM checkin_answers "
            "WHERE citizen_id = ?", (citizen_id,))
        if row is None or not row["n"]:
            return 0, None
        return int(row["n"]), from_db(row["newest"])

    async def latest_answers(self, citizen_id: int) -> list[tuple[str, str, datetime]]:
        """The answers of the newest check-in (those given within an hour of the newest)."""
        rows = await self._db.fetch_all(
            "SELECT question, answer, answered_at FROM checkin_answers WHERE citizen_id = ? "
            "ORDER BY id DESC LIMIT 5", (citizen_id,))
        answers = [(r["question"], r["answer"], from_db(r["answered_at"])) for r in rows]
        if not answers:
            return []
        newest = answers[0][2]
        return [a for a in answers if newest - a[2] <= timedelta(hours=1)][::-1]

    async def record_wellbeing(self, citizen_id: int, raw: int, lowest: int,
                               now: datetime) -> None:
        await self._db.execute(
            "INSERT INTO wellbeing_scores (citizen_id, raw_score, lowest_item, recorded_at) "
            "VALUES (?, ?, ?, ?)", (citizen_id, raw, lowest, to_db(now)))

    async def last_wellbeing(self, citizen_id: int) -> tuple[int, datetime] | None:
        row = await self._db.fetch_one(
            "SELECT raw_score, recorded_at FROM wellbeing_scores WHERE citizen_id = ? "
            "ORDER BY id DESC LIMIT 1", (citizen_id,))
        return (row["raw_score"], from_db(row["recorded_at"])) if row else None
