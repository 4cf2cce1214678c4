"""How a process other than the bot (the CLI) tells the running bot what it changed.

`ChangeNotes` is the `StateCache` of such a process: it caches nothing, and every write a store
makes through it about a citizen also queues a `citizen_changes` row in the same unit of work
(so the note commits exactly when the change does). The bot's `ChangeFeed` is its first sweep:
it reads the rows written since it last looked, forgets those citizens in its `CitizenCache`
(a row without a citizen: everything), and deletes them.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from bot.cache.memory import MISSING, CitizenCache, Missing, Part
from bot.cache.storage import ChangeStore
from bot.clock import Clock
from bot.db import Database

T = TypeVar("T")


class ChangeNotes:
    def __init__(self, store: ChangeStore, clock: Clock) -> None:
        self._store = store
        self._clock = clock

    @classmethod
    def of(cls, db: Database, clock: Clock) -> ChangeNotes:
        return cls(ChangeStore(db), clock)

    @property
    def epoch(self) -> int:
        return 0

    def get(self, part: Part[T], citizen_id: int) -> T | Missing:
        return MISSING

    def fill(self, part: Part[T], citizen_id: int, value: T, epoch: int) -> None:
        """Nothing is kept here."""

    def put(self, part: Part[T], citizen_id: int, value: T) -> None:
        self._store.note(citizen_id, self._clock.now())

    def update(self, part: Part[T], citizen_id: int, change: Callable[[T], T]) -> None:
        self._store.note(citizen_id, self._clock.now())

    def forget(self, part: Part[Any], citizen_id: int) -> None:
        self._store.note(citizen_id, self._clock.now())

    def born(self, citizen_id: int, epoch: int) -> None:
        """Nothing is kept here (and a new row needs no note: no cache can hold it yet)."""

    def erase(self, citizen_id: int) -> None:
        self._store.note(citizen_id, self._clock.now())

    def alias(self, key: Hashable, citizen_id: int) -> None:
        """Nothing is kept here."""

    def aliased(self, key: Hashable) -> int | None:
        return None

    def forget_aliased(self, part: Part[Any], key: Hashable) -> None:
        self._store.note(None, self._clock.now())  # whose it is is not known here


class ChangeFeed:
    """The bot's side: at start the notes are moot (the cache starts empty); each sweep
    forgets what the notes since then name."""

    def __init__(self, store: ChangeStore, cache: CitizenCache) -> None:
        self._store = store
        self._cache = cache

    async def start(self) -> None:
        await self._store.purge_all()

    async def apply(self) -> int:
        """Sweep: forget the citizens other processes changed; returns how many notes."""
        notes = await self._store.since_last()
        if not notes:
            return 0
        for citizen_id in {n for _id, n in notes}:
            if citizen_id is None:
                self._cache.clear()
                break
            self._cache.forget_citizen(citizen_id)
        await self._store.purge_until(notes[-1][0])
        return len(notes)
