"""What a consultant's button on a case does: Claim, Take over, Return, Close, Called.

Each step checks the presser's role first, changes the case, writes the audit log, tells the
citizen through the outbox and tells the other features (events). It returns what the staff
chat should show; the handler only renders that. Never imports telegram.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot import events
from bot.events import Emit
from bot.features.audit import AuditLog
from bot.features.cases.model import Case
from bot.features.cases.service import CaseService, ClaimResult
from bot.features.citizens import CitizenStore
from bot.features.staff.service import CASEWORK, StaffService
from bot.i18n import N_, Texts
from bot.outbox import Outbox, Priority
from bot.outbox.model import Message

CLAIMED = N_("✋ Claimed by {staff}.")
TAKEN_OVER = N_("🔁 Taken over by {staff}.")
RETURNED = N_("↩ Returned to the bot by {staff}.")
CLOSED_BY = N_("✅ Closed by {staff}.")
HELD_BY = N_("Case #{case} is held by {staff}. Take it over?")
CASE_CLOSED = N_("✅ Case #{case} is closed.")
NOT_HELD = N_("Nobody holds case #{case}.")
UNKNOWN_CASE = N_("That case does not exist.")
NOT_ALLOWED = N_("Only consultants and admins can do that.")
NOTIFY_CLAIMED = N_("{staff} from the job centre has seen your message and will get back to "
                    "you here.")
NOTIFY_RETURNED = N_("You are back with the job centre's automated assistant. Write /human any "
                     "time you want a person again.")
NOTICE_KIND = "case_notice"



@dataclass(frozen=True, slots=True)
class Presser:
    """The consultant who pressed: their Telegram id and the first name shown to colleagues."""

    id: int
    first_name: str


@dataclass(frozen=True, slots=True)
class Step:
    """What the staff chat shows after a button: an answer to the press, and the header."""

    answer: str | None = None
    alert: bool = False
    """Show the answer as a pop-up the consultant must dismiss (a refusal)."""
    line: str | None = None
    """A line added under the case's header message."""
    case: Case | None = None
    """The case after the step: the header's buttons follow it."""
    closed: bool = False
    """The header keeps its text and loses its buttons."""
    held_by: str | None = None
    """Another consultant holds the case: offer a take-over with this text."""
    call_outcomes: bool = False
    """Called: replace the buttons with the call's possible outcomes."""
    events: tuple[tuple[str, Case], ...] = ()
    """For the other features, once the staff chat shows the step (`CaseWorkflow.finish`)."""


class CaseWorkflow:
    def __init__(self, cases: CaseService, staff: StaffService, audit: AuditLog,
                 citizens: CitizenStore, outbox: Outbox, texts: Texts, emit: Emit) -> None:
        self._cases = cases
        self._staff = staff
        self._audit = audit
        self._citizens = citizens
        self._outbox = outbox
        self._texts = texts
        self._emit = emit

    async def press(self, presser: Presser, action: str, case_id: int) -> Step:
        _ = self._texts.staff
        if not await self._staff.allowed(presser.id, CASEWORK):
            return Step(_(NOT_ALLOWED), alert=True)
        await self._staff.seen(presser.id, presser.first_name)
        case = await self._cases.get(case_id)
        if case is None:
            return Step(_(UNKNOWN_CASE), alert=True)
        if case.closed_at is not None:
            return Step(_(CASE_CLOSED, case=case_id), alert=True)
        if action == "claim":
            return await self._claim(presser, case_id)
        if action == "takeover":
            return await self._take_over(presser, case)
        if action == "return":
            return await self._return(presser, case_id)
        if action == "close":
            return await self._close(presser, case)
        return Step(call_outcomes=True)

    async def finish(self, step: Step) -> None:
        """After the header shows the step: the other features react (check-ins resume after a
        return; the topic closes and the citizen is asked for feedback after a close)."""
        for event, case in step.events:
            await self._emit(event, case)

    async def _claim(self, presser: Presser, case_id: int) -> Step:
        _ = self._texts.staff
        result, case = await self._cases.claim(case_id, presser.id)
        if result is ClaimResult.CLAIMED and case is not None:
            await self._audit.record(f"staff:{presser.id}", "case_claimed", case.citizen_id,
                                     f"case {case_id}")
            await self._tell_citizen(case, NOTIFY_CLAIMED, staff=presser.first_name)
            return Step(line=_(CLAIMED, staff=presser.first_name), case=case)
        if result is ClaimResult.ALREADY_CLAIMED and case is not None:
            if case.claimed_by == presser.id:
                return Step()
            holder = await self._staff.name_of(case.claimed_by or 0)
            return Step(held_by=_(HELD_BY, case=case_id, staff=holder))
        return Step(_(UNKNOWN_CASE), alert=True)

    async def _take_over(self, presser: Presser, case: Case) -> Step:
        taken = await self._cases.take_over(case.id, presser.id)
        if taken is None:
            return Step()
        await self._audit.record(f"staff:{presser.id}", "case_taken_over", taken.citizen_id,
                                 f"case {case.id} from staff {case.claimed_by}")
        await self._tell_citizen(taken, NOTIFY_CLAIMED, staff=presser.first_name)
        return Step(line=self._texts.staff(TAKEN_OVER, staff=presser.first_name), case=taken)

    async def _return(self, presser: Presser, case_id: int) -> Step:
        _ = self._texts.staff
        returned = await self._cases.return_to_bot(case_id)
        if returned is None:
            return Step(_(NOT_HELD, case=case_id))
        await self._tell_citizen(returned, NOTIFY_RETURNED)
        return Step(line=_(RETURNED, staff=presser.first_name), case=returned,
                    events=((events.CASE_RETURNED, returned),))

    async def _close(self, presser: Presser, case: Case) -> Step:
        _ = self._texts.staff
        answer = _(CASE_CLOSED, case=case.id)
        closed = await self._cases.close(case.id)
        if closed is None:
            return Step(answer)
        await self._audit.record(f"staff:{presser.id}", "case_closed", closed.citizen_id,
                                 f"case {case.id}")
        return Step(answer, line=_(CLOSED_BY, staff=presser.first_name), closed=True,
                    events=((events.CASE_CLOSED, closed),))

    async def _tell_citizen(self, case: Case, msgid: str, **params: Any) -> None:
        """Unprompted, so through the outbox like every proactive message."""
        citizen = await self._citizens.by_id(case.citizen_id) if case.citizen_id else None
        if citizen is None or not citizen.reachable:
            return
        _ = self._texts.get(citizen.locale)
        await self._outbox.enqueue(citizen.chat_id, Message(_(msgid, **params)),
                                   priority=Priority.RELAY, kind=NOTICE_KIND,
                                   citizen_id=citizen.id)
