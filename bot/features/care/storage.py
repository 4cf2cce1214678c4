"""SQL for the record of risk decisions, and for the consultants' review of them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.clock import from_db, to_db
from bot.db import Database
from bot.features.risk import Assessment


@dataclass(frozen=True, slots=True)
class ReviewItem:
    """A case a consultant marked, with the decision that opened it (if the bot made one)."""

    case_id: int
    mark: str
    marked_at: datetime | None
    case_level: str
    level: str | None
    category: str | None
    decider: str | None
    rule: str | None
    score: float | None
    message: str | None


class DecisionStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def record(self, case_id: int, citizen_id: int, assessment: Assessment, text: str,
                     now: datetime) -> int:
        return await self._db.execute(
            "INSERT INTO risk_decisions (case_id, citizen_id, decided_at, level, category, "
            "decider, rule, score, reasons, message) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (case_id, citizen_id, to_db(now), assessment.level.value,
             assessment.category.value if assessment.category else None,
             assessment.decider.value, assessment.rule,
             round(assessment.score, 4) if assessment.score is not None else None,
             ",".join(assessment.reasons), text))

    async def answer(self, case_id: int, answer: str) -> bool:
        """The citizen's yes or no to the direct question, on the case's possible-risk decision;
        False when that question was answered already (a second tap)."""
        return await self._db.execute_rowcount(
            "UPDATE risk_decisions SET answer = ? WHERE id = (SELECT MAX(id) FROM risk_decisions "
            "WHERE case_id = ? AND level = 'possible') AND answer IS NULL",
            (answer, case_id)) > 0

    async def forget_closed_before(self, cutoff: datetime) -> int:
        """Retention: the words go once the case has been closed long enough."""
        return await self._db.execute_rowcount(
            "UPDATE risk_decisions SET message = NULL WHERE message IS NOT NULL AND case_id IN "
            "(SELECT id FROM cases WHERE closed_at IS NOT NULL AND closed_at < ?)",
            (to_db(cutoff),))

    async def for_review(self) -> list[ReviewItem]:
        """Every marked case, newest mark first, with its gravest decision."""
        rows = await self._db.fetch_all(
            "SELECT c.id AS case_id, c.risk_mark, c.risk_marked_at, c.level AS case_level, "
            "d.level, d.category, d.decider, d.rule, d.score, d.message "
            "FROM cases c LEFT JOIN risk_decisions d ON d.id = "
            "(SELECT id FROM risk_decisions WHERE case_id = c.id ORDER BY id DESC LIMIT 1) "
            "WHERE c.risk_mark IS NOT NULL ORDER BY c.risk_marked_at DESC, c.id DESC")
        return [ReviewItem(
            r["case_id"], r["risk_mark"],
            from_db(r["risk_marked_at"]) if r["risk_marked_at"] else None, r["case_level"],
            r["level"], r["category"], r["decider"], r["rule"], r["score"], r["message"])
            for r in rows]
