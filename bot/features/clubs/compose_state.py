"""A club being created with /club in the staff chat: the step it is at and what was answered
so far, kept as one row of `staff_dialogs` (bot/staff_dialogs) so a restart continues where it
was."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from bot.features.clubs.model import DEFAULT_CAPACITY, DEFAULT_MINUTES, DEFAULT_WEEKS
from bot.staff_dialogs.storage import Saved


class Step(StrEnum):
    TITLE_DA = "title_da"
    TITLE_EN = "title_en"
    CONSULTANT = "consultant"
    START = "start"
    WEEKS = "weeks"
    MINUTES = "minutes"
    CAPACITY = "capacity"
    LANGUAGE = "language"
    LINK = "link"
    SUMMARY = "summary"


ORDER = tuple(Step)
TYPED = frozenset(Step) - {Step.LANGUAGE, Step.SUMMARY}
"""Steps that take a typed line (the others only buttons)."""


@dataclass(frozen=True, slots=True)
class ClubDraft:
    title_da: str | None = None
    title_en: str | None = None
    consultant_id: int | None = None
    start: datetime | None = None
    """The first meeting, local wall-clock time (naive), as typed."""
    weeks: int = DEFAULT_WEEKS
    minutes: int = DEFAULT_MINUTES
    capacity: int = DEFAULT_CAPACITY
    locale: str = "da"
    link: str | None = None

    def to_json(self) -> dict[str, Any]:
        raw = asdict(self)
        raw["start"] = self.start.isoformat() if self.start else None
        return raw

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> ClubDraft:
        start = raw.get("start")
        return cls(**{**raw, "start": datetime.fromisoformat(start) if start else None})


@dataclass(frozen=True, slots=True)
class Composing:
    id: int
    staff_user_id: int
    thread: int
    """The forum topic it was started in, or 0 (the general one)."""
    step: Step
    draft: ClubDraft = field(default_factory=ClubDraft)

    def saved(self) -> Saved:
        return Saved(self.id, self.staff_user_id, self.thread, self.step.value,
                     self.draft.to_json())

    @classmethod
    def from_saved(cls, saved: Saved) -> Composing:
        return cls(saved.id, saved.staff_user_id, saved.thread_id, Step(saved.step),
                   ClubDraft.from_json(saved.state))
