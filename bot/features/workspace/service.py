"""The consultant workspace's decisions: who holds a citizen, what is relayed, what is kept.

Never imports telegram: the handlers turn these decisions into copies, edits and topics.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from bot.clock import Clock
from bot.engine.runner import ActionContext, DialogBinding, DialogRunner
from bot.engine.spec import DialogSpec
from bot.engine.storage import SessionStore
from bot.features.audit import AuditLog
from bot.features.cases import Case, CaseService
from bot.features.citizens import Citizen, CitizenStore
from bot.features.staff import Role, StaffService
from bot.features.staff.service import CASEWORK
from bot.features.workspace.storage import Topic, WorkspaceStore
from bot.i18n import N_, Texts
from bot.outbox import Outbox, Priority
from bot.outbox.model import Message

log = logging.getLogger(__name__)
RELAY_IN = "relay_in"
RELAY_OUT = "relay_out"
NOTE_PREFIX = "//"
CALL_DONE = "reached"
ERASED_NOTICE = N_("🗑 The citizen has erased their data with /delete. Nothing more is relayed; "
                   "the case record and its notes stay.")


class StaffWrite(StrEnum):
    """What became of something a staff member wrote in a citizen's topic."""

    RELAYED = "relayed"
    NOTE = "note"
    NOT_HOLDER = "not_holder"
    NO_CASE = "no_case"
    NOT_STAFF = "not_staff"


@dataclass(frozen=True, slots=True)
class CallOutcome:
    case: Case
    outcome: str


class WorkspaceService:
    def __init__(self, store: WorkspaceStore, cases: CaseService, staff: StaffService,
                 citizens: CitizenStore, outbox: Outbox, audit: AuditLog, texts: Texts,
                 sessions: SessionStore, feedback: DialogSpec, clock: Clock,
                 staff_chat_id: int | None) -> None:
        self.store = store
        self._cases = cases
        self._staff = staff
        self._citizens = citizens
        self._outbox = outbox
        self._audit = audit
        self._texts = texts
        self._clock = clock
        self.staff_chat_id = staff_chat_id
        self.feedback = DialogRunner(feedback, self._feedback_binding(), sessions, clock,
                                     texts.translated_everywhere)

    # the citizen's side -------------------------------------------------------------
    async def relay_in(self, citizen_id: int, chat_id: int, message_id: int) -> bool:
        """Copy what a citizen sends into their topic while they have an open case."""
        if self.staff_chat_id is None or await self._cases.open_case(citizen_id) is None:
            return False
        await self._outbox.enqueue(
            self.staff_chat_id, Message(topic_of=citizen_id, copy_from=(chat_id, message_id)),
            priority=Priority.RELAY, kind=RELAY_IN, citizen_id=citizen_id)
        return True

    async def held(self, citizen_id: int) -> Case | None:
        return await self._cases.held(citizen_id)

    # the consultant's side ----------------------------------------------------------
    async def citizen_of_topic(self, thread_id: int | None,
                               reply_to: int | None) -> int | None:
        topic: Topic | None = None
        if thread_id is not None:
            topic = await self.store.topic_by_thread(thread_id)
        if topic is None and reply_to is not None:
            topic = await self.store.topic_by_anchor(reply_to)
        return topic.citizen_id if topic else None

    async def staff_wrote(self, staff_id: int, citizen_id: int, text: str,
                          message_id: int) -> StaffWrite:
        """Relay to the citizen, or keep as an internal note when it starts with //."""
        if not await self._staff.allowed(staff_id, CASEWORK):
            return StaffWrite.NOT_STAFF
        case = await self._cases.open_case(citizen_id)
        if case is None:
            return StaffWrite.NO_CASE
        if text.startswith(NOTE_PREFIX):
            await self.store.add_note(case.id, staff_id, text[len(NOTE_PREFIX):].strip(),
                                      self._clock.now())
            return StaffWrite.NOTE
        if case.claimed_by != staff_id:
            return StaffWrite.NOT_HOLDER
        citizen = await self._citizens.by_id(citizen_id)
        if citizen is None or self.staff_chat_id is None:
            return StaffWrite.NO_CASE
        await self._outbox.enqueue(
            citizen.chat_id, Message(copy_from=(self.staff_chat_id, message_id)),
            priority=Priority.RELAY, kind=RELAY_OUT, citizen_id=citizen_id, at_most_once=True)
        return StaffWrite.RELAYED

    async def send_text_to(self, citizen: Citizen, text: str) -> None:
        """A consultant's words (e.g. a canned reply) to the citizen, through the outbox."""
        await self._outbox.enqueue(citizen.chat_id, Message(text), priority=Priority.RELAY,
                                   kind=RELAY_OUT, citizen_id=citizen.id, at_most_once=True)

    async def record_call(self, case_id: int, staff_id: int, outcome: str) -> bool:
        """The call's outcome; once the citizen was reached, the number given for the call is
        deleted (True when it was)."""
        await self.store.add_call(case_id, staff_id, outcome, self._clock.now())
        case = await self._cases.get(case_id)
        await self._audit.record(f"staff:{staff_id}", f"call_{outcome}",
                                 case.citizen_id if case else None, f"case {case_id}")
        return outcome == CALL_DONE and await self._cases.forget_phone(case_id)

    async def canned(self, key: str, locale: str) -> str | None:
        texts = await self.store.canned(key)
        return texts.get(locale) or texts["da"] if texts else None

    async def add_canned(self, key: str, text_da: str, text_en: str, by: int) -> None:
        await self.store.put_canned(key, text_da, text_en, by, self._clock.now())

    async def may(self, staff_id: int, roles: frozenset[Role]) -> bool:
        return await self._staff.allowed(staff_id, roles)

    # closing and feedback -----------------------------------------------------------
    async def case_closed(self, case: Case) -> bool:
        """After Close: the citizen is asked how it went. True when no other case is open, so
        their topic may close."""
        citizen = await self._citizens.by_id(case.citizen_id) if case.citizen_id else None
        if citizen is None:
            return False
        if citizen.reachable:
            await self.ask_feedback(citizen, case.id)
        return await self._cases.open_case(citizen.id) is None

    async def before_erasure(self, citizen_id: int) -> None:
        """With an open case the consultant is told first; the topic and every queued relay go
        with the citizen row."""
        if self.staff_chat_id is None or await self._cases.open_case(citizen_id) is None:
            return
        topic = await self.store.topic(citizen_id)
        await self._outbox.enqueue(
            self.staff_chat_id,
            Message(self._texts.staff(ERASED_NOTICE),
                    thread_id=topic.thread_id if topic else None),
            priority=Priority.STAFF, kind="erased_notice")

    async def notes_of(self, case: Case) -> list[str]:
        """For /case: the consultants' internal notes."""
        return [f"{NOTE_PREFIX} {note}" for note in await self.store.notes(case.id)]

    async def ask_feedback(self, citizen: Citizen, case_id: int) -> None:
        """After Close: thanks and an optional rating, as the first step of a small dialog."""
        outcome = await self.feedback.enter(citizen.id, "start", seed={"case_id": case_id})
        assert outcome.screen is not None
        await self._outbox.enqueue(
            citizen.chat_id, Message.from_screen(outcome.screen, self._texts.get(citizen.locale)),
            priority=Priority.RELAY, kind="feedback", citizen_id=citizen.id,
            key=f"feedback:{case_id}", at_most_once=True)

    def _feedback_binding(self) -> DialogBinding:
        return DialogBinding(actions={"save_rating": self._save_rating,
                                      "save_comment": self._save_comment})

    async def _save_rating(self, ctx: ActionContext) -> None:
        case_id = _case_of(ctx.data)
        if case_id is not None and ctx.value and ctx.value.isdigit():
            await self.store.set_rating(case_id, int(ctx.value), ctx.now)

    async def _save_comment(self, ctx: ActionContext) -> None:
        case_id = _case_of(ctx.data)
        if case_id is not None and ctx.value:
            await self.store.set_comment(case_id, ctx.value, ctx.now)


def _case_of(data: dict[str, Any]) -> int | None:
    value = data.get("case_id")
    return int(value) if isinstance(value, int) else None
