"""Periodic sweeps over due rows in the database; the rows, not this loop, hold the timers.

Because deadlines live in the database, a restart re-arms nothing: the first sweep after start
simply finds everything that fell due meanwhile.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)

Sweep = Callable[[], Awaitable[int]]


async def run_sweeps(sweeps: dict[str, Sweep], interval: float) -> None:
    """Run each sweep, log failures without dying, wait, repeat until cancelled."""
    while True:
        for name, sweep in sweeps.items():
            try:
                done = await sweep()
            except Exception:
                log.exception("sweep %s failed; will retry", name)
            else:
                if done:
                    log.info("sweep %s handled %d item(s)", name, done)
        await asyncio.sleep(interval)
