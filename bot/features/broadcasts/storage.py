"""SQL for broadcasts, the reads of citizens and consents a segment needs, and the drafts
being composed with /broadcast."""

from __future__ import annotations

import json
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime

from aiosqlite import Row

from bot.clock import from_db, to_db
from bot.db import Database, Transaction
from bot.features.broadcasts.model import (
    Attachment,
    Broadcast,
    BroadcastStatus,
    Counts,
    Draft,
    Segment,
)
from bot.features.citizens import Purpose

_COLUMNS = ("SELECT id, name, texts, buttons, segment, status, send_at, important, "
            "fallback_to_default, created_by, created_at, started_at, queued_at, recipients, "
            "finished_at, counts, progress_message_id, attachment FROM broadcasts ")


@dataclass(frozen=True, slots=True)
class Candidate:
    """A citizen the segment's filters match, before consent and reachability are checked."""

    id: int
    chat_id: int
    locale: str
    blocked: bool
    consented: bool


class BroadcastStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    def transaction(self) -> AbstractAsyncContextManager[Transaction]:
        return self._db.transaction()

    async def add(self, draft: Draft, status: BroadcastStatus, created_by: str,
                  now: datetime, tx: Transaction | None = None) -> int:
        return await (tx or self._db).execute(
            "INSERT INTO broadcasts (name, texts, buttons, segment, status, send_at, important, "
            "fallback_to_default, created_by, created_at, attachment) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (draft.name, json.dumps(dict(draft.texts), ensure_ascii=False),
             json.dumps(list(draft.buttons)), json.dumps(draft.segment.to_json()), status,
             to_db(draft.send_at), int(draft.important), int(draft.fallback_to_default),
             created_by, to_db(now),
             json.dumps(draft.attachment.to_json(), ensure_ascii=False)
             if draft.attachment else None))

    async def get(self, broadcast_id: int) -> Broadcast | None:
        row = await self._db.fetch_one(_COLUMNS + "WHERE id = ?", (broadcast_id,))
        return _broadcast(row) if row else None

    async def all(self) -> list[Broadcast]:
        return [_broadcast(r) for r in await self._db.fetch_all(_COLUMNS + "ORDER BY id")]

    async def due(self, now: datetime) -> list[Broadcast]:
        """Scheduled ones whose time has come, and those whose queueing a crash cut short."""
        rows = await self._db.fetch_all(
            _COLUMNS + "WHERE (status = 'scheduled' AND send_at <= ?) "
            "OR (status IN ('sending', 'paused', 'cancelled') AND started_at IS NOT NULL "
            "AND queued_at IS NULL) ORDER BY send_at, id", (to_db(now),))
        return [_broadcast(r) for r in rows]

    async def unfinished(self) -> list[Broadcast]:
        """Started and not finished: their rows are being sent, held or wound down."""
        rows = await self._db.fetch_all(
            _COLUMNS + "WHERE started_at IS NOT NULL AND finished_at IS NULL ORDER BY id")
        return [_broadcast(r) for r in rows]

    async def set_status(self, broadcast_id: int, status: BroadcastStatus,
                         expected: frozenset[BroadcastStatus]) -> bool:
        """Change the status only from one of `expected` (another process may have moved it)."""
        current = await self.get(broadcast_id)
        if current is None or current.status not in expected:
            return False
        changed = await self._db.execute_rowcount(
            "UPDATE broadcasts SET status = ? WHERE id = ? AND status = ?",
            (status, broadcast_id, current.status))
        return changed > 0

    async def start(self, broadcast_id: int, now: datetime) -> bool:
        """scheduled -> sending, once: False when another sweep (or a cancel) came first."""
        changed = await self._db.execute_rowcount(
            "UPDATE broadcasts SET status = 'sending', started_at = ? "
            "WHERE id = ? AND status = 'scheduled'", (to_db(now), broadcast_id))
        return changed > 0

    async def queued(self, broadcast_id: int, recipients: int, now: datetime) -> None:
        await self._db.execute(
            "UPDATE broadcasts SET queued_at = ?, recipients = ? WHERE id = ?",
            (to_db(now), recipients, broadcast_id))

    async def finish(self, broadcast_id: int, counts: Counts, now: datetime) -> None:
        """Final counts kept; a broadcast still sending is done (a cancelled one stays so)."""
        await self._db.execute(
            "UPDATE broadcasts SET finished_at = ?, counts = ?, "
            "status = CASE status WHEN 'sending' THEN 'done' ELSE status END WHERE id = ?",
            (to_db(now), json.dumps(counts.to_json()), broadcast_id))

    async def set_progress_message(self, broadcast_id: int, message_id: int) -> None:
        await self._db.execute("UPDATE broadcasts SET progress_message_id = ? WHERE id = ?",
                               (message_id, broadcast_id))

    async def candidates(self, segment: Segment, joined_from: datetime | None,
                         joined_to: datetime | None) -> list[Candidate]:
        """Citizens matching the label and the join window (UTC, to exclusive), with whether
        webinar news is consented to now (the newest consent event wins). Languages and
        hand-picked numbers are few: the service filters on them."""
        rows = await self._db.fetch_all(
            "SELECT c.id, c.chat_id, c.locale, c.blocked_at IS NOT NULL AS blocked, "
            "(SELECT e.granted FROM consent_events e WHERE e.citizen_id = c.id "
            " AND e.purpose = ? ORDER BY e.id DESC LIMIT 1) AS consented "
            "FROM citizens c WHERE (? IS NULL OR c.invite_label = ?) "
            "AND (? IS NULL OR c.joined_at >= ?) AND (? IS NULL OR c.joined_at < ?) "
            "ORDER BY c.id",
            (Purpose.WEBINARS.value, segment.label, segment.label,
             _maybe(joined_from), _maybe(joined_from), _maybe(joined_to), _maybe(joined_to)))
        return [Candidate(r["id"], r["chat_id"], r["locale"], bool(r["blocked"]),
                          bool(r["consented"])) for r in rows]


    async def invite_labels(self) -> list[tuple[str, int]]:
        """The invite labels citizens have, with how many have each, for /broadcast to offer."""
        rows = await self._db.fetch_all(
            "SELECT invite_label, COUNT(*) AS n FROM citizens WHERE invite_label IS NOT NULL "
            "GROUP BY invite_label ORDER BY invite_label")
        return [(str(r["invite_label"]), int(r["n"])) for r in rows]


def _maybe(moment: datetime | None) -> str | None:
    return to_db(moment) if moment else None


def _broadcast(row: Row) -> Broadcast:
    def moment(value: str | None) -> datetime | None:
        return from_db(value) if value else None

    draft = Draft(
        name=row["name"], texts=json.loads(row["texts"]),
        segment=Segment.from_json(json.loads(row["segment"])), send_at=from_db(row["send_at"]),
        buttons=tuple(json.loads(row["buttons"])), important=bool(row["important"]),
        fallback_to_default=bool(row["fallback_to_default"]),
        attachment=(Attachment.from_json(json.loads(row["attachment"])) if row["attachment"]
                    else None))
    return Broadcast(
        id=row["id"], draft=draft, status=BroadcastStatus(row["status"]),
        created_by=row["created_by"], created_at=from_db(row["created_at"]),
        started_at=moment(row["started_at"]), queued_at=moment(row["queued_at"]),
        recipients=row["recipients"], finished_at=moment(row["finished_at"]),
        counts=Counts.from_json(json.loads(row["counts"])) if row["counts"] else None,
        progress_message_id=row["progress_message_id"])
