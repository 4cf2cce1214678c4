"""How often CPython's cyclic garbage collector runs while the bot serves Telegram.

CPython collects its youngest generation after every 700 net allocations. Each update
allocates thousands of short-lived objects (JSON, Telegram objects, coroutines, rows). At 700
many of them are still alive at a collection, so they are promoted, and the full collections
that follow scan the whole heap, including everything the bot keeps (its handlers, the
per-citizen cache, the translations). `python -m benchmarks.updates` measured 318 ms of 3.1 s
(10 %) in the collector for 5,000 updates of the full path, on 2026-12-07.

Collected every 10,000 allocations instead, nearly all of them die first and are freed by
reference counting alone: 45 ms (1.6 %) in the same run. The collector is only needed for
reference cycles, and those now live a little longer: a few megabytes at most.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

SERVING_THRESHOLDS = (10_000, 20, 20)
"""gc.set_threshold's (youngest, middle, oldest); Python's defaults are (700, 10, 10)."""


def tune_for_serving() -> None:
    """For the rest of the process (`python -m bot` with a token)."""
    gc.set_threshold(*SERVING_THRESHOLDS)


@contextmanager
def serving_thresholds() -> Iterator[None]:
    """The serving thresholds for a while, then the ones before: the benchmarks run the bot
    as it serves and its peers with Python's defaults, in one process."""
    before = gc.get_threshold()
    gc.set_threshold(*SERVING_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*before)
