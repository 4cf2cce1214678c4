"""A webinar being created with /webinar in the staff chat: the step it is at and what was
answered so far. One per staff member and topic, kept in `staff_dialogs` (bot/staff_dialogs),
so a restart loses nothing; its buttons carry only its id and step."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from bot.features.webinars.model import NewWebinar, Repeat
from bot.local_time import parse_day, parse_local_time, typed
from bot.staff_dialogs.storage import GENERAL_TOPIC, Saved


class Step(StrEnum):
    TITLE_DA = "title_da"
    TITLE_EN = "title_en"
    AT = "at"
    MINUTES = "minutes"
    LINK = "link"
    CAPACITY = "capacity"
    REPEAT = "repeat"
    UNTIL = "until"
    SUMMARY = "summary"


TYPED = frozenset({Step.TITLE_DA, Step.TITLE_EN, Step.AT, Step.MINUTES, Step.LINK,
                   Step.CAPACITY, Step.UNTIL})
"""Steps whose answer is the staff member's next message in the topic (a few have buttons
too)."""


@dataclass(frozen=True, slots=True)
class WebinarDraft:
    """The answers so far, as `webinar create` takes them."""

    title_da: str = ""
    title_en: str = ""
    at: datetime | None = None
    """The (first) session's start: local wall-clock time, naive."""
    minutes: int | None = None
    link: str = ""
    capacity: int | None = None
    """Seats per session; None: no limit."""
    repeat: Repeat | None = None
    until: date | None = None

    def new_webinar(self) -> NewWebinar:
        assert self.minutes is not None
        return NewWebinar(self.title_da, self.title_en, self.link, None, self.minutes,
                          self.capacity)

    def to_json(self) -> dict[str, Any]:
        return {"title_da": self.title_da, "title_en": self.title_en,
                "at": typed(self.at) if self.at else None,
                "minutes": self.minutes, "link": self.link, "capacity": self.capacity,
                "repeat": self.repeat.value if self.repeat else None,
                "until": self.until.isoformat() if self.until else None}

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> WebinarDraft:
        return cls(str(raw.get("title_da", "")), str(raw.get("title_en", "")),
                   parse_local_time(raw["at"]) if raw.get("at") else None,
                   raw.get("minutes"), str(raw.get("link", "")), raw.get("capacity"),
                   Repeat(raw["repeat"]) if raw.get("repeat") else None,
                   parse_day(raw["until"]) if raw.get("until") else None)


@dataclass(frozen=True, slots=True)
class Composing:
    id: int
    staff_user_id: int
    thread_id: int
    """The forum topic it was started in, or GENERAL_TOPIC."""
    step: Step
    draft: WebinarDraft = field(default_factory=WebinarDraft)

    @property
    def thread(self) -> int | None:
        """Where to answer: the topic, or None for the general one."""
        return None if self.thread_id == GENERAL_TOPIC else self.thread_id

    def saved(self) -> Saved:
        return Saved(self.id, self.staff_user_id, self.thread_id, self.step.value,
                     self.draft.to_json())

    @classmethod
    def from_saved(cls, saved: Saved) -> Composing:
        return cls(saved.id, saved.staff_user_id, saved.thread_id, Step(saved.step),
                   WebinarDraft.from_json(saved.state))
