"""What we store, in plain words; withdrawal in one tap; erasure that leaves nothing behind."""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable

from bot.clock import Clock, to_db
from bot.engine.screen import Day, Lines, Phrase, Value
from bot.engine.storage import SessionStore
from bot.feature import StoredData
from bot.features.audit import ERASED, AuditLog
from bot.features.citizens import CitizenStore, Purpose
from bot.features.citizens.labels import (
    LANGUAGE_NAMES,
    PURPOSE_LABELS,
    TIME_LABELS,
    unemployed_since_value,
)
from bot.features.citizens.model import Citizen, ConsentRecord
from bot.features.privacy.storage import PrivacyStore
from bot.i18n import N_

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
    """Each feature tells what it stores (`Feature.my_data`) and what it does before an erasure
    (`Feature.erasure`); this service asks them all, through the two callables."""

    def __init__(self, store: PrivacyStore, citizens: CitizenStore, sessions: SessionStore,
                 audit: AuditLog, clock: Clock,
                 stored_data: Callable[[int], Awaitable[list[StoredData]]],
                 before_erasure: Callable[[int], Awaitable[list[str]]]) -> None:
        self._store = store
        self._citizens = citizens
        self._sessions = sessions
        self._audit = audit
        self._clock = clock
        self._stored_data = stored_data
        self._before_erasure = before_erasure

    async def withdraw_all(self, citizen_id: int, text_version: str) -> None:
        """Withdrawing is as easy as giving: every purpose off, recorded like a consent."""
        await self._citizens.record_consents(
            citizen_id, dict.fromkeys(Purpose, False), text_version, self._clock.now()
        )

    async def erase(self, citizen_id: int) -> None:
        """Erase: every feature's step first (e.g. the consultant is told), then the citizen row
        and everything that cascades from it."""
        notes = await self._before_erasure(citizen_id)
        await self._audit.record("citizen", ERASED, citizen_id, "; ".join(notes) or None)
        await self._citizens.delete(citizen_id)
        log.info("citizen erased on request")

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
        parts = await self._stored_data(citizen_id)
        lines += [line for part in parts for line in part.lines]
        phones = any(part.phone_number for part in parts)
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
