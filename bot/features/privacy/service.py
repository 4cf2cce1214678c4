"""What we store, in plain words; withdrawal in one tap; erasure that leaves nothing behind."""

from __future__ import annotations

import logging

from bot.clock import Clock
from bot.engine.screen import Day, Lines, Phrase, Plural, Value
from bot.engine.storage import SessionStore
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
from bot.i18n import N_

log = logging.getLogger(__name__)


class PrivacyService:
    def __init__(self, citizens: CitizenStore, sessions: SessionStore, cases: CaseStore,
                 checkins: CheckinStore, clock: Clock) -> None:
        self._citizens = citizens
        self._sessions = sessions
        self._cases = cases
        self._checkins = checkins
        self._clock = clock

    async def withdraw_all(self, citizen_id: int, text_version: str) -> None:
        """Withdrawing is as easy as giving: every purpose off, recorded like a consent."""
        await self._citizens.record_consents(
            citizen_id, dict.fromkeys(Purpose, False), text_version, self._clock.now()
        )

    async def erase(self, citizen_id: int) -> None:
        await self._citizens.delete(citizen_id)
        log.info("citizen erased on request")

    async def describe(self, citizen_id: int) -> Value:
        """Everything stored about the citizen, as they would want to read it."""
        citizen = await self._citizens.by_id(citizen_id)
        if citizen is None:
            return Phrase(N_("We store nothing about you."))
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
        if session:
            lines.append(Phrase(N_("We also remember which question you are at, so we can "
                                   "continue where you left off.")))
        lines += [
            "",
            Phrase(N_("We do not store your CPR number, your phone number or your Telegram "
                      "profile name. We only keep what you have told us here.")),
            Phrase(N_("To withdraw all consents use /stop; to erase everything use /delete.")),
        ]
        return Lines(tuple(lines))

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
