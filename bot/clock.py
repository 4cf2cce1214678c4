"""Time comes from a clock object so tests can move it without sleeping."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """Aware UTC time; everything stored is UTC."""
        ...

    async def sleep(self, seconds: float) -> None:
        """Wait that long by this clock (a fake clock just moves on)."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


def to_db(moment: datetime) -> str:
    """ISO-8601 UTC text sorts correctly in SQL, in SQLite and PostgreSQL alike."""
    if moment.tzinfo is not UTC:
        moment = moment.astimezone(UTC)
    return moment.isoformat(timespec="seconds")


def from_db(text: str) -> datetime:
    return datetime.fromisoformat(text)
