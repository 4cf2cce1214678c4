"""Opening a case and telling the staff chat, through the outbox. Never imports telegram."""

from __future__ import annotations

import logging

from bot.clock import Clock
from bot.config import Settings
from bot.engine.screen import render
from bot.feature import StaffHeader
from bot.features.audit import AuditLog
from bot.features.cases.model import Case, CaseLevel, CaseSource
from bot.features.cases.service import CaseService, Opening
from bot.features.citizens import Citizen, CitizenStore, Purpose
from bot.features.citizens.labels import LANGUAGE_NAMES, PURPOSE_LABELS
from bot.i18n import N_, Texts, Translator
from bot.outbox import Outbox, OutboxItem, Priority
from bot.outbox.model import Buttons, Message

log = logging.getLogger(__name__)
ALERT_KIND = "case_alert"
ALERT_TEXT_LIMIT = 1000
LEVEL_LABELS = {
    CaseLevel.URGENT: N_("🔴 URGENT"),
    CaseLevel.POSSIBLE: N_("🟣 POSSIBLE RISK – the citizen was asked directly"),
    CaseLevel.HIGH: N_("🔴 High – very low wellbeing"),
    CaseLevel.CONCERN: N_("🟠 Concern"),
    CaseLevel.REQUEST: N_("🔵 Asked for a person"),
}
ALERT = N_("{level} – case #{case}\nCitizen: {citizen}\nCategory: {category}\n"
           "Message: «{text}»")
CALL_WINDOW = N_("Wants a phone call: {window}")
PHONE_NUMBER = N_("Number to call: {phone}")
PHONE_ASKED = N_("Phone number: asked for – it is posted here when the citizen gives it.")
PHONE_NONE = N_("No phone number given – write to the citizen in the chat to agree how to "
                "reach them.")
PHONE_UPDATE = N_("📞 Case #{case} – {citizen}: {line}")
OUTSIDE_HOURS = N_("Outside consultant hours: the citizen was told a person will be in touch "
                   "on {when}.")
UPDATE = N_("💬 Case #{case} – {citizen}: «{text}»")
REALERT = N_("⏰ Case #{case} ({level}) is still unclaimed. {mention}")
CITIZEN_SHORT = N_("citizen #{id}")
CITIZEN_DELETED = N_("(erased at the citizen's request)")
NO_CATEGORY = N_("none given")
CLAIM_BUTTON = N_("✋ Claim")
CLOSE_BUTTON = N_("✅ Close")
RETURN_BUTTON = N_("↩ Return to bot")
CALLED_BUTTON = N_("📞 Called")
PROFILE = N_("Language: {language} · joined {joined}")
INVITED_VIA = N_("Came through the invitation: {label}")
CONSENTS = N_("Consents: {list}")
NO_CONSENTS = N_("none")


def citizen_label(citizen: Citizen | None, _: Translator) -> str:
    """First name if the citizen gave one, else a short id; never anything from Telegram."""
    if citizen is None:
        return _(CITIZEN_DELETED)
    return citizen.first_name or _(CITIZEN_SHORT, id=citizen.id)


def case_buttons(case: Case, _: Translator) -> Buttons:
    row = [] if case.claimed_by else [(_(CLAIM_BUTTON), f"case|claim|{case.id}")]
    row.append((_(RETURN_BUTTON), f"case|return|{case.id}"))
    row.append((_(CLOSE_BUTTON), f"case|close|{case.id}"))
    rows: list[tuple[tuple[str, str], ...]] = [tuple(row)]
    if case.call_window:
        rows.append(((_(CALLED_BUTTON), f"case|called|{case.id}"),))
    return tuple(rows)


class CaseAlerts:
    """Cases plus the staff chat: every case opened here is announced there."""

    def __init__(self, cases: CaseService, citizens: CitizenStore, header: StaffHeader,
                 outbox: Outbox, audit: AuditLog, texts: Texts, settings: Settings,
                 clock: Clock) -> None:
        self.cases = cases
        self._citizens = citizens
        self._header = header
        self._audit = audit
        self._outbox = outbox
        self._texts = texts
        self._settings = settings
        self._clock = clock

    async def raise_case(self, citizen_id: int, level: CaseLevel, source: CaseSource, *,
                         text: str, category: str | None = None, message_id: int | None = None,
                         call_window: str | None = None, tell_anyway: bool = False) -> Opening:
        """Open (or raise) the citizen's case and alert staff. With `tell_anyway`, a wish the
        citizen gave by button (buttons are not relayed) reaches the topic of an open case."""
        opening = await self.cases.open(citizen_id, level, category, source, message_id,
                                        call_window)
        if opening.alert_staff:
            await self._alert(opening, await self._citizens.by_id(citizen_id), text)
        elif tell_anyway:
            await self._post_update(opening.case, text)
        return opening

    async def tell_topic(self, case: Case, text: str) -> Opening:
        """A line about an open case in its topic, without raising it."""
        await self._post_update(case, text)
        now = self._clock.now()
        hours = self.cases.hours
        return Opening(case, False, hours.is_open(now), hours.next_opening(now), True)

    async def tell_phone(self, case: Case) -> None:
        """The number for the call (or that there is none) in the case's topic."""
        line = await self.phone_line(case, self._texts.staff)
        if line is not None:
            await self._post(case, PHONE_UPDATE, line=line)

    async def phone_line(self, case: Case, _: Translator) -> str | None:
        """For a requested call: the number to dial, or that it is asked for or not given."""
        if not case.call_window:
            return None
        phone = await self.cases.call_phone(case.id)
        if phone is None:
            return _(PHONE_NONE)
        return _(PHONE_NUMBER, phone=phone.shown) if phone.phone else _(PHONE_ASKED)

    async def _post_update(self, case: Case, text: str) -> None:
        await self._post(case, UPDATE, text=text[:ALERT_TEXT_LIMIT])

    async def _post(self, case: Case, msgid: str, **params: str) -> None:
        """A line about the case in its topic, naming the case and the citizen."""
        if self._settings.staff_chat_id is None or case.citizen_id is None:
            return
        citizen = await self._citizens.by_id(case.citizen_id)
        _ = self._texts.staff
        update = _(msgid, case=case.id, citizen=citizen_label(citizen, _), **params)
        await self._outbox.enqueue(
            self._settings.staff_chat_id, Message(update, topic_of=case.citizen_id),
            priority=_priority(case), kind="case_update", citizen_id=case.citizen_id)

    async def _alert(self, opening: Opening, citizen: Citizen | None, text: str) -> None:
        case = opening.case
        staff_chat = self._settings.staff_chat_id
        if staff_chat is None:
            log.error("case %d opened but STAFF_CHAT_ID is not set: nobody was alerted", case.id)
            return
        _ = self._texts.staff
        body = _(ALERT, level=_(LEVEL_LABELS[case.level]), case=case.id,
                 citizen=citizen_label(citizen, _), category=case.category or _(NO_CATEGORY),
                 text=text[:ALERT_TEXT_LIMIT])
        if case.call_window:
            body += "\n" + _(CALL_WINDOW, window=case.call_window)
            body += "\n" + (await self.phone_line(case, _) or "")
        if citizen is not None:
            body += "\n\n" + "\n".join(await self.profile(citizen, _))
            await self._audit.record("system", "header_posted", citizen.id, f"case {case.id}")
        if not opening.staff_at_work:
            body += "\n\n" + _(OUTSIDE_HOURS, when=_.datetime(opening.contact_from))
        # citizen_id ties the queued alert to the citizen, so erasing them erases it too.
        await self._outbox.enqueue(
            staff_chat, Message(body, case_buttons(case, _), topic_of=case.citizen_id),
            priority=_priority(case), kind=ALERT_KIND, ref=case.id, citizen_id=case.citizen_id)
        await self.cases.alerted(case)

    async def profile(self, citizen: Citizen, _: Translator) -> list[str]:
        """The header's picture of the citizen: what helps, and only what they agreed to share."""
        consents = await self._citizens.consents(citizen.id)
        granted = [p for p in Purpose if p in consents and consents[p].granted]
        lines = [_(PROFILE, language=LANGUAGE_NAMES.get(citizen.locale, citizen.locale),
                   joined=_.date(citizen.joined_at))]
        if citizen.invite_label:
            lines.append(_(INVITED_VIA, label=citizen.invite_label))
        lines.append(_(CONSENTS, list=", ".join(render(PURPOSE_LABELS[p], _) for p in granted)
                       or _(NO_CONSENTS)))
        return lines + await self._header(citizen, frozenset(granted), _)

    async def realert_due(self) -> int:
        """Urgent cases nobody claimed: alert again and call the on-duty role."""
        staff_chat = self._settings.staff_chat_id
        if staff_chat is None:
            return 0
        _ = self._texts.staff
        due = await self.cases.due_realerts()
        for case in due:
            text = _(REALERT, case=case.id, level=_(LEVEL_LABELS[case.level]),
                     mention=self._settings.onduty_mention).strip()
            await self._outbox.enqueue(
                staff_chat, Message(text, case_buttons(case, _), topic_of=case.citizen_id),
                priority=_priority(case), kind=ALERT_KIND, ref=case.id,
                citizen_id=case.citizen_id)
            await self.cases.alerted(case)
        return len(due)

    async def delivered(self, item: OutboxItem, message_id: int) -> None:
        """Outbox hook: remember the alert's message so Claim/Close can update it."""
        if item.ref is not None:
            await self.cases.alert_delivered(item.ref, message_id)


def _priority(case: Case) -> Priority:
    return Priority.URGENT_ALERT if case.level.urgent_lane else Priority.STAFF
