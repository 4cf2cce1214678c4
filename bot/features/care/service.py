"""Decides what a worrying message needs: which case, at which level. Never imports telegram."""

from __future__ import annotations

import asyncio
import hashlib
import re
from datetime import timedelta

from bot.clock import Clock
from bot.features.care.storage import DecisionStore
from bot.features.care.wording import CALL_WINDOWS, PHONE_ASK, PHONE_SHARE
from bot.features.cases import CaseLevel
from bot.features.cases.alerts import CaseAlerts
from bot.features.cases.model import CallPhone, Case, CaseSource
from bot.features.cases.service import Opening
from bot.features.risk import Assessment, RiskLevel
from bot.features.risk.second_opinion import RiskAssessor
from bot.i18n import N_, Texts

_LEVELS = {RiskLevel.URGENT: CaseLevel.URGENT, RiskLevel.POSSIBLE: CaseLevel.POSSIBLE,
           RiskLevel.CONCERN: CaseLevel.CONCERN}
HUMAN_REQUEST_TEXT = "/human"
DIRECT_YES_TEXT = N_("Answered YES to \"Are you thinking about ending your life?\"")
DIRECT_NO_TEXT = N_("Answered no to \"Are you thinking about ending your life?\" – the case is "
                    "now a concern for today.")
RETENTION = timedelta(days=90)
"""How long a decision keeps the citizen's words after its case was closed."""
# Typing it works as well as /human; short and plain, so a longer message is never mistaken.
PERSON_PHRASES = frozenset({
    "talk to a person", "talk to a human", "speak to a person", "speak to someone",
    "talk to someone", "i want to talk to a person", "call me",
    "tale med en person", "tale med et menneske", "snakke med en person", "ring til mig",
    "jeg vil tale med en person", "jeg vil gerne tale med en person", "menneske",
})
_NOT_LETTERS = re.compile(r"[^\w\s]+")
PHONE_QUESTION_OPEN = timedelta(days=1)
"""How long what a citizen writes is read as the answer to "which number should we call?"."""


class CareService:
    def __init__(self, alerts: CaseAlerts, texts: Texts, assessor: RiskAssessor,
                 decisions: DecisionStore, clock: Clock) -> None:
        self._alerts = alerts
        self._texts = texts
        self._assessor = assessor
        self._decisions = decisions
        self._clock = clock

    @staticmethod
    def asks_for_person(text: str) -> bool:
        cleaned = " ".join(_NOT_LETTERS.sub(" ", text.lower()).split())
        return cleaned in PERSON_PHRASES

    async def assess(self, text: str) -> Assessment:
        """Rules, then the model; the model's few milliseconds run off the event loop."""
        if self._assessor.model is None:
            return self._assessor.assess(text)
        return await asyncio.to_thread(self._assessor.assess, text)

    async def escalate(self, citizen_id: int, assessment: Assessment, text: str,
                       message_id: int | None) -> Opening | None:
        """A case (and a staff alert) for any worrying message, with the decision written to
        it; None when there is no worry."""
        level = _LEVELS.get(assessment.level)
        if level is None:
            return None
        category = assessment.category.value if assessment.category else None
        # A message into a case that is already open (and not raised by it) is in the case's
        # topic already: the relay copied it there (bot/features/workspace).
        opening = await self._alerts.raise_case(citizen_id, level, CaseSource.FREE_TEXT,
                                                text=text, category=category,
                                                message_id=message_id)
        await self._decisions.record(opening.case.id, citizen_id, assessment, text,
                                     self._clock.now())
        return opening

    async def answer_direct_question(self, citizen_id: int, case: Case,
                                     yes: bool) -> Opening | None:
        """Yes raises the case to urgent (a new alert); no keeps it as a concern for today.
        None when the question was answered already or the case is not the citizen's."""
        if case.citizen_id != citizen_id or not case.is_open:
            return None
        if not await self._decisions.answer(case.id, "yes" if yes else "no"):
            return None
        _ = self._texts.staff
        if yes:
            return await self._alerts.raise_case(citizen_id, CaseLevel.URGENT,
                                                 CaseSource.FREE_TEXT, text=_(DIRECT_YES_TEXT),
                                                 category=case.category, tell_anyway=True)
        lowered = await self._alerts.cases.lower_to_concern(case)
        return await self._alerts.tell_topic(lowered, _(DIRECT_NO_TEXT))

    async def forget_old_words(self) -> int:
        """Sweep: a closed case keeps its decisions, but not the words, beyond retention."""
        return await self._decisions.forget_closed_before(self._clock.now() - RETENTION)

    async def request_call(self, citizen_id: int, window: str) -> Opening:
        """A phone call instead of chat, in the time window the citizen picked; with a staff
        chat, the question for the number is opened with it (see phone_question)."""
        _ = self._texts.staff
        label = _(CALL_WINDOWS.get(window, CALL_WINDOWS["any"]))
        return await self._alerts.raise_case(citizen_id, CaseLevel.REQUEST,
                                             CaseSource.CALL_REQUEST, text="📞",
                                             call_window=label)

    async def phone_question(self, citizen_id: int) -> CallPhone | None:
        """The question for the call's number, while it is open: the case is open, no answer
        came, and it was asked lately (an old question does not swallow everyday writing)."""
        question = await self._alerts.cases.phone_question(citizen_id)
        if question is None or self._clock.now() - question.asked_at > PHONE_QUESTION_OPEN:
            return None
        return question

    async def give_phone(self, question: CallPhone, phone: str, locale: str) -> None:
        """The citizen's number, given for this call only (with the version of the question
        they answered), and shown to staff in the case's topic."""
        await self._alerts.cases.give_phone(question.case_id, phone,
                                            self.phone_text_version(locale))
        await self._tell_phone(question)

    async def skip_phone(self, question: CallPhone) -> None:
        """No number: the call request stands, and staff see that no number was given."""
        await self._alerts.cases.forget_phone(question.case_id)
        await self._tell_phone(question)

    async def _tell_phone(self, question: CallPhone) -> None:
        case = await self._alerts.cases.get(question.case_id)
        if case is not None:
            await self._alerts.tell_phone(case)

    def phone_text_version(self, locale: str) -> str:
        _ = self._texts.get(locale)
        shown = _(PHONE_ASK, share=_(PHONE_SHARE))
        return f"call-phone-{locale}-{hashlib.sha256(shown.encode()).hexdigest()[:10]}"

    async def request_human(self, citizen_id: int, message_id: int | None) -> Opening:
        return await self._alerts.raise_case(citizen_id, CaseLevel.REQUEST,
                                             CaseSource.HUMAN_REQUEST, text=HUMAN_REQUEST_TEXT,
                                             message_id=message_id)
