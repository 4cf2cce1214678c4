"""A broadcast being composed with /broadcast in the staff chat: the step it is at and the
draft so far. One per staff member and topic, kept in `staff_dialogs` (bot/staff_dialogs), so a
restart loses nothing; buttons carry only its id and step."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import Any

from bot.features.broadcasts.model import Attachment, Draft, Segment
from bot.staff_dialogs.storage import GENERAL_TOPIC, Saved


class Step(StrEnum):
    NAME = "name"
    TEXT = "text"
    """One language's text; which one is `Composing.locale`."""
    ATTACHMENT = "attachment"
    BUTTONS = "buttons"
    SEGMENT = "segment"
    LABEL = "label"
    """Picking or typing an invite label (back to SEGMENT after)."""
    JOINED = "joined"
    """Typing the two days of the join window (back to SEGMENT after)."""
    CITIZENS = "citizens"
    """Typing hand-picked citizen numbers (back to SEGMENT after)."""
    MEMBERS = "members"
    """Picking filters other features answer (answered a webinar, …), each taken or its
    opposite (back to SEGMENT after)."""
    PREVIEW = "preview"
    SCHEDULE = "schedule"
    """Typing the local time to send at."""
    EDIT = "edit"
    """Choosing the step to change, from the preview."""


TYPED = frozenset({Step.NAME, Step.TEXT, Step.LABEL, Step.JOINED, Step.CITIZENS,
                   Step.SCHEDULE})
"""Steps whose answer is the coordinator's next message in the topic."""


@dataclass(frozen=True, slots=True)
class Composing:
    id: int
    staff_user_id: int
    thread_id: int
    """The forum topic it was started in, or GENERAL_TOPIC."""
    step: Step
    locale: str | None = None
    name: str = ""
    texts: Mapping[str, str] = field(default_factory=dict)
    attachment: Attachment | None = None
    buttons: tuple[str, ...] = ()
    segment: Segment = field(default_factory=Segment)
    fallback_to_default: bool = False
    important: bool = False
    """May pass the weekly cap on unsolicited messages (never quiet hours), as --important."""
    editing: bool = False
    """Reached from the preview's Edit: the step returns to the preview when done."""
    offers: tuple[str, ...] = ()
    """What the current step's buttons pick from by index (button specs, invite labels,
    `kind:argument` of segment filters, step tokens), as they were shown: a button names its
    choice by position, so it fits in callback data."""

    @property
    def token(self) -> str:
        """The step as its buttons name it: "segment", or "text:da"."""
        return f"{self.step}:{self.locale}" if self.step is Step.TEXT else str(self.step)

    @property
    def thread(self) -> int | None:
        """Where to answer: the topic, or None for the general one."""
        return None if self.thread_id == GENERAL_TOPIC else self.thread_id

    def at(self, token: str) -> Composing:
        step, _sep, locale = token.partition(":")
        return replace(self, step=Step(step), locale=locale or None, offers=())

    def draft(self, send_at: datetime) -> Draft:
        return Draft(self.name, dict(self.texts), self.segment, send_at, self.buttons,
                     important=self.important, fallback_to_default=self.fallback_to_default,
                     attachment=self.attachment)

    def saved(self) -> Saved:
        """As stored: the step token, and the draft so far as JSON."""
        return Saved(self.id, self.staff_user_id, self.thread_id, self.token, self.to_json())

    @classmethod
    def from_saved(cls, saved: Saved) -> Composing:
        return cls.from_row(saved.id, saved.staff_user_id, saved.thread_id, saved.step,
                            saved.state)

    def to_json(self) -> dict[str, Any]:
        """The draft so far (the step is a column of its own)."""
        return {"name": self.name, "texts": dict(self.texts),
                "attachment": self.attachment.to_json() if self.attachment else None,
                "buttons": list(self.buttons), "segment": self.segment.to_json(),
                "fallback_to_default": self.fallback_to_default, "important": self.important,
                "editing": self.editing,
                "offers": list(self.offers)}

    @classmethod
    def from_row(cls, compose_id: int, staff_user_id: int, thread_id: int, token: str,
                 raw: Mapping[str, Any]) -> Composing:
        attachment = raw.get("attachment")
        return cls(
            compose_id, staff_user_id, thread_id, Step.NAME, name=str(raw.get("name", "")),
            texts={str(k): str(v) for k, v in raw.get("texts", {}).items()},
            attachment=Attachment.from_json(attachment) if attachment else None,
            buttons=tuple(raw.get("buttons", ())),
            segment=Segment.from_json(raw.get("segment", {})),
            fallback_to_default=bool(raw.get("fallback_to_default")),
            important=bool(raw.get("important")),
            editing=bool(raw.get("editing")),
        ).at(token).with_offers(tuple(raw.get("offers", ())))

    def with_offers(self, offers: tuple[str, ...]) -> Composing:
        return replace(self, offers=offers)
