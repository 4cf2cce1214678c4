"""The bot process's cache of per-citizen state, and the interface the stores use."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from enum import Enum
from typing import Any, Generic, Protocol, TypeVar

T = TypeVar("T")
MAX_CITIZENS = 20_000
"""Citizens kept (least recently used go first): about 2 KB each."""


class Missing(Enum):
    MISSING = "missing"


MISSING = Missing.MISSING
"""Not cached: read the database (None is a cached answer, e.g. "in no dialog")."""
_KNOWN_AT_BIRTH: list[Part[Any]] = []
"""Every part declared with an `at_birth` value (the stores declare theirs on import)."""


class Part(Generic[T]):
    """One kind of state kept per citizen, declared by the store that owns its table.

    `at_birth`: what every citizen has the moment their row is created (no consents, no dialog
    session, no open case), so the first updates of a new citizen need not read it
    (`StateCache.born`). It is shared: the store must never change it in place."""

    __slots__ = ("at_birth", "name")

    def __init__(self, name: str, *, at_birth: T | Missing = MISSING) -> None:
        self.name = name
        self.at_birth = at_birth
        if at_birth is not MISSING:
            _KNOWN_AT_BIRTH.append(self)

    def __repr__(self) -> str:
        return f"Part({self.name!r})"


class StateCache(Protocol):
    """What a store does with the cache: the bot's `CitizenCache`, or the CLI's ChangeNotes."""

    @property
    def epoch(self) -> int:
        """Changes with every forget: take it before a read, give it to `fill` after."""
        ...

    def get(self, part: Part[T], citizen_id: int) -> T | Missing: ...

    def fill(self, part: Part[T], citizen_id: int, value: T, epoch: int) -> None:
        """Keep what a read found, unless something was written or forgotten meanwhile."""
        ...

    def put(self, part: Part[T], citizen_id: int, value: T) -> None:
        """The whole new value, written by the store."""
        ...

    def update(self, part: Part[T], citizen_id: int, change: Callable[[T], T]) -> None:
        """A change to what is cached; forgets the part when it is not cached."""
        ...

    def forget(self, part: Part[Any], citizen_id: int) -> None: ...

    def born(self, citizen_id: int, epoch: int) -> None:
        """The citizen's row was created just now: keep each part's `at_birth` value (not
        those put meanwhile), unless something was forgotten since `epoch`, taken before the
        insert (another process may already have written about the new citizen)."""
        ...

    def erase(self, citizen_id: int) -> None:
        """Everything about the citizen, their aliases too (/delete)."""
        ...

    def alias(self, key: Hashable, citizen_id: int) -> None:
        """Another way to find the citizen (their Telegram user id, an open case's id)."""
        ...

    def aliased(self, key: Hashable) -> int | None: ...

    def forget_aliased(self, part: Part[Any], key: Hashable) -> None:
        """Forget a part of whoever the key leads to (e.g. the open cases of a case's
        citizen); a key that leads nowhere means nobody cached has it."""
        ...


class _Entry:
    __slots__ = ("aliases", "parts")

    def __init__(self) -> None:
        self.parts: dict[Part[Any], Any] = {}
        self.aliases: set[Hashable] = set()


class CitizenCache:
    """Owned by the one bot process. Least recently used citizens are dropped beyond
    `max_citizens`; everything is in memory only, so a restart starts empty."""

    def __init__(self, max_citizens: int = MAX_CITIZENS) -> None:
        self._entries: OrderedDict[int, _Entry] = OrderedDict()
        self._aliases: dict[Hashable, int] = {}
        self._max = max_citizens
        self._epoch = 0

    @property
    def epoch(self) -> int:
        return self._epoch

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, part: Part[T], citizen_id: int) -> T | Missing:
        entry = self._entries.get(citizen_id)
        if entry is None:
            return MISSING
        self._entries.move_to_end(citizen_id)
        value: T | Missing = entry.parts.get(part, MISSING)
        return value

    def fill(self, part: Part[T], citizen_id: int, value: T, epoch: int) -> None:
        if epoch != self._epoch:
            return  # something was forgotten during the read: the row may be older than that
        entry = self._entry(citizen_id)
        entry.parts.setdefault(part, value)  # a value put during the read is newer

    def put(self, part: Part[T], citizen_id: int, value: T) -> None:
        self._entry(citizen_id).parts[part] = value

    def update(self, part: Part[T], citizen_id: int, change: Callable[[T], T]) -> None:
        current = self.get(part, citizen_id)
        if current is MISSING:
            self.forget(part, citizen_id)
        else:
            self.put(part, citizen_id, change(current))

    def forget(self, part: Part[Any], citizen_id: int) -> None:
        self._epoch += 1
        entry = self._entries.get(citizen_id)
        if entry is not None:
            entry.parts.pop(part, None)

    def born(self, citizen_id: int, epoch: int) -> None:
        if epoch != self._epoch:
            return
        parts = self._entry(citizen_id).parts
        for part in _KNOWN_AT_BIRTH:
            parts.setdefault(part, part.at_birth)

    def forget_citizen(self, citizen_id: int) -> None:
        """Every part (their aliases stay true): another process changed them."""
        self._epoch += 1
        entry = self._entries.get(citizen_id)
        if entry is not None:
            entry.parts.clear()

    def erase(self, citizen_id: int) -> None:
        self._epoch += 1
        entry = self._entries.pop(citizen_id, None)
        if entry is not None:
            for key in entry.aliases:
                self._aliases.pop(key, None)

    def clear(self) -> None:
        self._epoch += 1
        self._entries.clear()
        self._aliases.clear()

    def alias(self, key: Hashable, citizen_id: int) -> None:
        self._aliases[key] = citizen_id
        self._entry(citizen_id).aliases.add(key)

    def aliased(self, key: Hashable) -> int | None:
        return self._aliases.get(key)

    def forget_aliased(self, part: Part[Any], key: Hashable) -> None:
        citizen_id = self._aliases.get(key)
        if citizen_id is None:
            self._epoch += 1  # a read in flight may be about to cache it
        else:
            self.forget(part, citizen_id)

    def _entry(self, citizen_id: int) -> _Entry:
        entry = self._entries.get(citizen_id)
        if entry is None:
            entry = self._entries[citizen_id] = _Entry()
            if len(self._entries) > self._max:
                _evicted, old = self._entries.popitem(last=False)
                for key in old.aliases:
                    self._aliases.pop(key, None)
        else:
            self._entries.move_to_end(citizen_id)
        return entry
