"""What we store, in plain words; withdrawal in one tap; erasure that leaves nothing behind."""

from __future__ import annotations

import json
import logging

from bot.clock import Clock, to_db
from bot.engine.screen import Day, Lines, Phrase, Plural, Value
from bot.engine.storage import SessionStore
from bot.features.audit import AuditLog
from bot.features.cases.storage import CaseStore
from bot.features.checkin.storage import CheckinStore
from bot.features.citizens import CitizenStore, Purpose
from bot.features.citizens.labels import (
    LANGUAGE_NAMES,
    PURPOSE_LABELS,
    TIME_LABELS,
    unemployed_since_value,
)
from bot.features.citizens.model import Citizen, ConsentRecord
from bot.features.privacy.storage import PrivacyStore
from bot.features.workspace.storage import WorkspaceStore
from bot.i18n import N_
from bot.outbox import Outbox, Priority
from bot.outbox.model import Message

log = logging.getLogger(__name__)
LOOKED_AT = Phrase(N_("a consultant looked at your data"))
AUDIT_WORDS = {
    "case_viewed": Phrase(N_("a consultant opened your case")),
    "case_claimed": Phrase(N_("a consultant took on your case")),
    "case_taken_over": Phrase(N_("another consultant took over your case")),
    "case_closed": Phrase(N_("a consultant closed your case")),
    "call": Phrase(N_("a consultant noted a phone call with you")),
    "data_looked_up": Phrase(N_("a consultant looked at what we store about you")),
    "data_exported": Phrase(N_("the job centre made a copy of everything we store about you")),
}


class PrivacyService:
    def __init__(self, store: PrivacyStore, citizens: CitizenStore, sessions: SessionStore,
                 cases: CaseStore, checkins: CheckinStore, topics: WorkspaceStore,
                 outbox: Outbox, audit: AuditLog, clock: Clock,
                 staff_chat_id: int | None) -> None:
        self._store = store
        self._citizens = citizens
        self._sessions = sessions
        self._cases = cases
        self._checkins = checkins
        self._topics = topics
        self._outbox = outbox
        self._audit = audit
        self._clock = clock
        self._staff_chat_id = staff_chat_id

    async def withdraw_all(self, citizen_id: int, text_version: str) -> None:
        """Withdrawing is as easy as giving: every purpose off, recorded like a consent."""
        await self._citizens.record_consents(
            citizen_id, dict.fromkeys(Purpose, False), text_version, self._clock.now()
        )

    async def erase(self, citizen_id: int, staff_notice: str) -> None:
        """Erase; with an open case the consultant is told first and the relay stops (the
        topic and every queued relay go with the citizen row)."""
        open_cases = await self._cases.open_for_citizen(citizen_id)
        topic = await self._topics.topic(citizen_id)
        if open_cases and self._staff_chat_id is not None:
            await self._outbox.enqueue(
                self._staff_chat_id,
                Message(staff_notice, thread_id=topic.thread_id if topic else None),
                priority=Priority.STAFF, kind="erased_notice")
        await self._audit.record("citizen", "erased", citizen_id,
                                 f"{len(open_cases)} open case(s) kept without the citizen")
        await self._citizens.delete(citizen_id)
        log.info("citizen erased on request")

    async def has_open_case(self, citizen_id: int) -> bool:
        return bool(await self._cases.open_for_citizen(citizen_id))

    async def describe(self, citizen_id: int) -> Value:
        """Everything stored about the citizen, as they would want to read it."""
        citizen = await self._citizens.by_id(citizen_id)
        if citizen is None:
            return Phrase(N_("We store nothing about you."))
        return await self._describe(citizen)

    async def _describe(self, citizen: Citizen) -> Value:
        citizen_id = citizen.id
        consents = await self._citizens.consents(citizen_id)
        session = await self._sessions.load(citizen_id)
        lines: list[Value] = [Phrase(N_("This is everything we store about you:")), ""]
        lines += profile_lines(citizen, consents)
        lines.append(Phrase(N_("Started talking with us: {date}"),
                           {"date": Day(citizen.joined_at)}))
        if citizen.invite_label:
            lines.append(Phrase(N_("Invitation you came through: {label}"),
                                {"label": citizen.invite_label}))
        lines.append("")
        lines.append(Phrase(N_("Consent history (newest choice per topic):")))
        for purpose in Purpose:
            record = consents.get(purpose)
            if record:
                lines.append(_consent_history_line(record))
        lines += await self._checkin_lines(citizen_id)
        open_cases = await self._cases.open_for_citizen(citizen_id)
        if open_cases:
            lines.append(Plural(
                "You have {n} open request for contact with a person from the job centre.",
                "You have {n} open requests for contact with a person from the job centre.",
                len(open_cases)))
        phones = await self._cases.phones_of(citizen_id)
        lines += [Phrase(N_("Phone number for the call you asked for: {phone} (given {date}; we "
                            "delete it when the call is done)"),
                         {"phone": p.shown, "date": Day(p.given_at or p.asked_at)})
                  for p in phones]
        lookups = [e for e in await self._audit.for_citizen(citizen_id) if e.by_staff]
        if lookups:
            lines.append(Phrase(N_("Job centre staff who looked at your data here:")))
            lines += [Phrase(N_("• {date}: {what}"), {
                "date": Day(e.at), "what": AUDIT_WORDS.get(e.action.partition("_")[0]
                                                           if e.action.startswith("call_")
                                                           else e.action, LOOKED_AT)})
                for e in lookups]
        if session:
            lines.append(Phrase(N_("We also remember which question you are at, so we can "
                                   "continue where you left off.")))
        lines += [
            "",
            Phrase(N_("We do not store your CPR number or your Telegram profile name. We only "
                      "keep what you have told us here.") if phones else
                   N_("We do not store your CPR number, your phone number or your Telegram "
                      "profile name. We only keep what you have told us here.")),
            Phrase(N_("To withdraw all consents use /stop; to erase everything use /delete.")),
        ]
        return Lines(tuple(lines))

    async def staff_lookup(self, staff_user_id: int, citizen_id: int) -> Value | None:
        """What the citizen sees in /mydata, for a consultant; logged first, so the citizen
        finds this very look-up in their own /mydata."""
        citizen = await self._citizens.by_id(citizen_id)
        if citizen is None:
            return None
        await self._audit.staff_read(staff_user_id, "data_looked_up", citizen_id)
        return await self._describe(citizen)

    async def export(self, staff_user_id: int, citizen_id: int) -> bytes | None:
        """Every stored row about the citizen and the audit trail, as JSON (a data-access
        request answered in full); the export itself is logged."""
        rows = await self._store.rows_about(citizen_id)
        if not rows["citizens"]:
            return None
        await self._audit.staff_read(staff_user_id, "data_exported", citizen_id)
        trail = [{"at": to_db(e.at), "actor": e.actor, "action": e.action, "detail": e.detail}
                 for e in await self._audit.for_citizen(citizen_id)]
        document = {"citizen_no": citizen_id, "exported_at": to_db(self._clock.now()),
                    "tables": rows, "audit_log": trail}
        return json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")

    async def _checkin_lines(self, citizen_id: int) -> list[Value]:
        lines: list[Value] = []
        count, newest = await self._checkins.answer_summary(citizen_id)
        if count and newest:
            lines.append(Plural(
                "Short check-in answers: {n} (the newest from {date}).",
                "Short check-in answers: {n} (the newest from {date}).",
                count, {"date": Day(newest)}))
        wellbeing = await self._checkins.last_wellbeing(citizen_id)
        if wellbeing:
            lines.append(Phrase(N_("Your latest wellbeing check ({date}): {score} of 25 points."),
                                {"date": Day(wellbeing[1]), "score": wellbeing[0]}))
        return lines


def profile_lines(citizen: Citizen, consents: dict[Purpose, ConsentRecord]) -> list[Value]:
    """The short profile summary shown after onboarding, in the menu and in /mydata."""
    not_given = Phrase(N_("not given"))
    granted = [PURPOSE_LABELS[p] for p in Purpose if consents.get(p) and consents[p].granted]
    consent_value: Value = (Lines(tuple(Phrase("• {x}", {"x": g}) for g in granted))
                            if granted else Phrase(N_("nothing – we only answer when you write")))
    return [
        Phrase(N_("Name: {value}"), {"value": citizen.first_name or not_given}),
        Phrase(N_("Unemployed since: {value}"),
               {"value": unemployed_since_value(citizen.unemployed_since) or not_given}),
        Phrase(N_("Preferred time of day: {value}"),
               {"value": TIME_LABELS[citizen.preferred_time] if citizen.preferred_time
                else Phrase(N_("no preference"))}),
        Phrase(N_("Language: {value}"), {"value": LANGUAGE_NAMES[citizen.locale]}),
        Phrase(N_("We may contact you about:")),
        consent_value,
    ]


def _consent_history_line(record: ConsentRecord) -> Value:
    msgid = (N_("• {topic}: yes (since {date}, text version {version})") if record.granted
             else N_("• {topic}: no (since {date}, text version {version})"))
    return Phrase(msgid, {
        "topic": PURPOSE_LABELS[record.purpose],
        "date": Day(record.recorded_at),
        "version": record.text_version,
    })
