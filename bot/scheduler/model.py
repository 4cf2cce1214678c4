"""A timer as handlers see it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class Timer:
    key: str
    kind: str
    citizen_id: int | None
    due_at: datetime
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Next:
    """What a handler wants after firing: run again at `due_at` with `data`, or (None) stop."""

    due_at: datetime
    data: dict[str, Any] = field(default_factory=dict)
