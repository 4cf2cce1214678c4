"""A worker's citizen cache: the bot's own (bot/cache/memory.py), and every change it makes
about a citizen is announced to the other workers in the same commit as the change."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from bot.cache.memory import CitizenCache, Part

T = TypeVar("T")
Announce = Callable[[int | None], None]
"""Queue the notice that a citizen (None: anyone) changed, with the write it is about."""


class AnnouncingCache(CitizenCache):
    def __init__(self) -> None:
        super().__init__()
        self._announce: Announce | None = None  # set once the database is open

    def announce_with(self, announce: Announce) -> None:
        self._announce = announce

    def put(self, part: Part[T], citizen_id: int, value: T) -> None:
        super().put(part, citizen_id, value)
        self._tell(citizen_id)

    def update(self, part: Part[T], citizen_id: int, change: Callable[[T], T]) -> None:
        super().update(part, citizen_id, change)
        self._tell(citizen_id)

    def forget(self, part: Part[Any], citizen_id: int) -> None:
        super().forget(part, citizen_id)
        self._tell(citizen_id)

    def erase(self, citizen_id: int) -> None:
        super().erase(citizen_id)
        self._tell(citizen_id)

    def forget_aliased(self, part: Part[Any], key: Hashable) -> None:
        super().forget_aliased(part, key)
        self._tell(self.aliased(key))  # not cached here: whose it is is not known, so anyone's

    def _tell(self, citizen_id: int | None) -> None:
        if self._announce is not None:
            self._announce(citizen_id)
