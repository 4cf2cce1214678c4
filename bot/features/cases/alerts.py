"""Opening a case and telling the staff chat, through the outbox. Never imports telegram."""

from __future__ import annotations

import logging

from bot.clock import Clock
from bot.config import Settings
from bot.features.cases.model import Case, CaseLevel, CaseSource
from bot.features.cases.service import CaseService, Opening
from bot.features.citizens import Citizen, CitizenStore
from bot.i18n import N_, Texts, Translator
from bot.outbox import Outbox, OutboxItem, Priority
from bot.outbox.model import Message

log = logging.getLogger(__name__)
ALERT_KIND = "case_alert"
ALERT_TEXT_LIMIT = 1000
LEVEL_LABELS = {
    CaseLevel.URGENT: N_("🔴 URGENT"),
    CaseLevel.HIGH: N_("🔴 High – very low wellbeing"),
    CaseLevel.CONCERN: N_("🟠 Concern"),
    CaseLevel.REQUEST: N_("🔵 Asked for a person"),
}
ALERT = N_("{level} – case #{case}\nCitizen: {citizen}\nCategory: {category}\n"
           "Message: «{text}»")
CALL_WINDOW = N_("Wants a phone call: {window}")
OUTSIDE_HOURS = N_("Outside consultant hours: the citizen was told a person will be in touch "
                   "on {when}.")
REALERT = N_("⏰ Case #{case} ({level}) is still unclaimed. {mention}")
CITIZEN_SHORT = N_("citizen #{id}")
CITIZEN_DELETED = N_("(erased at the citizen's request)")
NO_CATEGORY = N_("none given")
CLAIM_BUTTON = N_("✋ Claim")
CLOSE_BUTTON = N_("✅ Close")
Buttons = tuple[tuple[tuple[str, str], ...], ...]


def citizen_label(citizen: Citizen | None, _: Translator) -> str:
    """First name if the citizen gave one, else a short id; never anything from Telegram."""
    if citizen is None:
        return _(CITIZEN_DELETED)
    return citizen.first_name or _(CITIZEN_SHORT, id=citizen.id)


def case_buttons(case: Case, _: Translator) -> Buttons:
    row = [] if case.claimed_by else [(_(CLAIM_BUTTON), f"case|claim|{case.id}")]
    row.append((_(CLOSE_BUTTON), f"case|close|{case.id}"))
    return (tuple(row),)


class CaseAlerts:
    """Cases plus the staff chat: every case opened here is announced there."""

    def __init__(self, cases: CaseService, citizens: CitizenStore, outbox: Outbox,
                 texts: Texts, settings: Settings, clock: Clock) -> None:
        self.cases = cases
        self._citizens = citizens
        self._outbox = outbox
        self._texts = texts
        self._settings = settings
        self._clock = clock

    @property
    def staff_translator(self) -> Translator:
        """Staff read the job centre's default language."""
        return self._texts.get(self._settings.default_locale)

    async def raise_case(self, citizen_id: int, level: CaseLevel, source: CaseSource, *,
                         text: str, category: str | None = None, message_id: int | None = None,
                         call_window: str | None = None) -> Opening:
        opening = await self.cases.open(citizen_id, level, category, source, message_id,
                                        call_window)
        if opening.alert_staff:
            citizen = await self._citizens.by_id(citizen_id)
            await self._alert(opening, citizen, text)
        return opening

    async def _alert(self, opening: Opening, citizen: Citizen | None, text: str) -> None:
        case = opening.case
        staff_chat = self._settings.staff_chat_id
        if staff_chat is None:
            log.error("case %d opened but STAFF_CHAT_ID is not set: nobody was alerted", case.id)
            return
        _ = self.staff_translator
        body = _(ALERT, level=_(LEVEL_LABELS[case.level]), case=case.id,
                 citizen=citizen_label(citizen, _), category=case.category or _(NO_CATEGORY),
                 text=text[:ALERT_TEXT_LIMIT])
        if case.call_window:
            body += "\n" + _(CALL_WINDOW, window=case.call_window)
        if not opening.staff_at_work:
            body += "\n\n" + _(OUTSIDE_HOURS, when=_.datetime(opening.contact_from))
        # citizen_id ties the queued alert to the citizen, so erasing them erases it too.
        await self._outbox.enqueue(staff_chat, Message(body, case_buttons(case, _)),
                                   priority=_priority(case), kind=ALERT_KIND, ref=case.id,
                                   citizen_id=case.citizen_id)
        await self.cases.alerted(case)

    async def realert_due(self) -> int:
        """Urgent cases nobody claimed: alert again and call the on-duty role."""
        staff_chat = self._settings.staff_chat_id
        if staff_chat is None:
            return 0
        _ = self.staff_translator
        due = await self.cases.due_realerts()
        for case in due:
            text = _(REALERT, case=case.id, level=_(LEVEL_LABELS[case.level]),
                     mention=self._settings.onduty_mention).strip()
            await self._outbox.enqueue(staff_chat, Message(text, case_buttons(case, _)),
                                       priority=_priority(case), kind=ALERT_KIND, ref=case.id)
            await self.cases.alerted(case)
        return len(due)

    async def delivered(self, item: OutboxItem, message_id: int) -> None:
        """Outbox hook: remember the alert's message so Claim/Close can update it."""
        if item.ref is not None:
            await self.cases.alert_delivered(item.ref, message_id)


def _priority(case: Case) -> Priority:
    return Priority.URGENT_ALERT if case.level is CaseLevel.URGENT else Priority.STAFF
