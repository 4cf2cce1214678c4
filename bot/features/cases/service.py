"""Opening, claiming and closing cases; when staff must be alerted and alerted again."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from bot.clock import Clock
from bot.engine.screen import Day, Phrase, Plural, Value
from bot.feature import StoredData
from bot.features.cases.hours import OfficeHours
from bot.features.cases.model import CallPhone, Case, CaseLevel, CaseSource
from bot.features.cases.storage import CaseStore
from bot.i18n import N_


@dataclass(frozen=True, slots=True)
class Opening:
    """The case a citizen's message landed in, and what to promise and whom to tell."""

    case: Case
    alert_staff: bool
    staff_at_work: bool
    contact_from: datetime
    existing: bool = False
    """The citizen already had this case open before the message."""
    staffed: bool = True
    """A staff chat is configured, so a person will read the case (not a staff-less trial)."""


class ClaimResult(StrEnum):
    CLAIMED = "claimed"
    ALREADY_CLAIMED = "already_claimed"
    CLOSED = "closed"
    UNKNOWN = "unknown"


class CaseService:
    def __init__(self, store: CaseStore, hours: OfficeHours, realert_after: timedelta,
                 clock: Clock, *, staffed: bool = True) -> None:
        self._store = store
        self.staffed = staffed
        self.hours = hours
        self._realert_after = realert_after
        self._clock = clock

    async def open(self, citizen_id: int, level: CaseLevel, category: str | None,
                   source: CaseSource, message_id: int | None,
                   call_window: str | None = None) -> Opening:
        """One open case per citizen: a graver message raises it, an urgent one always alerts."""
        now = self._clock.now()
        realert = self._next_alert(now) if level.urgent_lane else None
        existing = await self._store.open_for_citizen(citizen_id)
        was_open = bool(existing)
        if not existing:
            case = await self._store.open(citizen_id, level, category, source, message_id, now,
                                          realert, call_window)
            alert = True
        else:
            case = existing[0]
            if call_window and case.call_window != call_window:
                await self._store.set_call_window(case.id, call_window)
                case = await self._store.get(case.id) or case
            graver = level.priority < case.level.priority
            if graver:
                await self._store.raise_level(case.id, level, category,
                                              realert if case.claimed_by is None else None)
                case = await self._store.get(case.id) or case
            alert = graver or level.urgent_lane or call_window is not None
        if call_window and self.staffed:  # someone will call: which number?
            await self._store.ask_phone(case.id, citizen_id, now)
        return Opening(case, alert, self.hours.is_open(now), self.hours.next_opening(now),
                       was_open, self.staffed)

    async def alerted(self, case: Case) -> None:
        """Remember the alert; an unclaimed urgent case is alerted again after the interval."""
        again = (self._next_alert(self._clock.now())
                 if case.level.urgent_lane and case.claimed_by is None else None)
        await self._store.record_alert(case.id, again)

    async def lower_to_concern(self, case: Case) -> Case:
        """The citizen said no to the direct question: a consultant reads it that working day."""
        if case.level is CaseLevel.POSSIBLE:
            await self._store.lower_to(case.id, CaseLevel.CONCERN)
        return await self._store.get(case.id) or case

    async def mark_risk(self, case_id: int, mark: str, staff_id: int) -> bool:
        return await self._store.mark_risk(case_id, mark, staff_id, self._clock.now())

    async def alert_delivered(self, case_id: int, message_id: int) -> None:
        """The alert's message id, so Claim and Close can update it in place."""
        await self._store.set_alert_message(case_id, message_id)

    async def due_realerts(self) -> list[Case]:
        return await self._store.due_realerts(self._clock.now())

    async def claim(self, case_id: int, staff_id: int) -> tuple[ClaimResult, Case | None]:
        if await self._store.claim(case_id, staff_id, self._clock.now()):
            return ClaimResult.CLAIMED, await self._store.get(case_id)
        case = await self._store.get(case_id)
        if case is None:
            return ClaimResult.UNKNOWN, None
        if case.closed_at is not None:
            return ClaimResult.CLOSED, case
        return ClaimResult.ALREADY_CLAIMED, case

    async def take_over(self, case_id: int, staff_id: int) -> Case | None:
        """An explicit take-over of a case another consultant holds."""
        if await self._store.take_over(case_id, staff_id, self._clock.now()):
            return await self._store.get(case_id)
        return None

    async def return_to_bot(self, case_id: int) -> Case | None:
        if await self._store.unclaim(case_id):
            return await self._store.get(case_id)
        return None

    async def held(self, citizen_id: int) -> Case | None:
        """The open case a consultant holds for this citizen; the bot is silent meanwhile."""
        return next((c for c in await self._store.open_for_citizen(citizen_id)
                     if c.claimed_by is not None), None)

    async def open_case(self, citizen_id: int) -> Case | None:
        cases = await self._store.open_for_citizen(citizen_id)
        return cases[0] if cases else None

    async def close(self, case_id: int) -> Case | None:
        """The closed case, or None when it was unknown or closed already."""
        if await self._store.close(case_id, self._clock.now()):
            return await self._store.get(case_id)
        return None

    async def phone_question(self, citizen_id: int) -> CallPhone | None:
        return await self._store.phone_question(citizen_id)

    async def give_phone(self, case_id: int, phone: str, text_version: str) -> None:
        await self._store.give_phone(case_id, phone, text_version, self._clock.now())

    async def call_phone(self, case_id: int) -> CallPhone | None:
        return await self._store.call_phone(case_id)

    async def forget_phone(self, case_id: int) -> bool:
        """True when a number was deleted."""
        return await self._store.forget_phone(case_id)

    async def list_open(self) -> list[Case]:
        return await self._store.list_open()

    async def get(self, case_id: int) -> Case | None:
        return await self._store.get(case_id)

    async def named(self, args: list[str] | None) -> Case | None:
        """The case a staff command names as its first argument (`/case 12`), if it exists."""
        raw = args[0] if args else ""
        return await self._store.get(int(raw)) if raw.isdigit() else None

    # contributions to other features ------------------------------------------------
    async def stored_data(self, citizen_id: int) -> StoredData:
        """For /mydata: open requests for contact, and a phone number kept for a call."""
        lines: list[Value] = []
        open_cases = await self._store.open_for_citizen(citizen_id)
        if open_cases:
            lines.append(Plural(
                "You have {n} open request for contact with a person from the job centre.",
                "You have {n} open requests for contact with a person from the job centre.",
                len(open_cases)))
        phones = await self._store.phones_of(citizen_id)
        lines += [Phrase(N_("Phone number for the call you asked for: {phone} (given {date}; we "
                            "delete it when the call is done)"),
                         {"phone": p.shown, "date": Day(p.given_at or p.asked_at)})
                  for p in phones]
        return StoredData(lines, phone_number=bool(phones))

    async def before_erasure(self, citizen_id: int) -> str:
        """The case records stay (without the citizen), as the law requires: say how many."""
        open_cases = await self._store.open_for_citizen(citizen_id)
        return f"{len(open_cases)} open case(s) kept without the citizen"

    def _next_alert(self, now: datetime) -> datetime:
        """After the interval, but never at night: then first thing when staff are back."""
        return self.hours.next_opening(now + self._realert_after)
