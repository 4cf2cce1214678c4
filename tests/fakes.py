"""Test doubles: a clock that only moves when told to."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta


class FakeClock:
    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime(2026, 11, 24, 9, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self._now

    def advance(self, **delta: float) -> None:
        self._now += timedelta(**delta)

    async def sleep(self, seconds: float) -> None:
        """Whoever waits on the fake clock moves it; other tasks still get their turn."""
        self.advance(seconds=seconds)
        await asyncio.sleep(0)
