"""Decides what a worrying message needs: which case, at which level. Never imports telegram."""

from __future__ import annotations

import re
from collections.abc import Callable

from bot.features.care.wording import CALL_WINDOWS
from bot.features.cases import CaseLevel
from bot.features.cases.alerts import CaseAlerts
from bot.features.cases.model import CaseSource
from bot.features.cases.service import Opening
from bot.features.risk import Assessment, RiskLevel, classify
from bot.i18n import Texts

_LEVELS = {RiskLevel.URGENT: CaseLevel.URGENT, RiskLevel.CONCERN: CaseLevel.CONCERN}
HUMAN_REQUEST_TEXT = "/human"
# Typing it works as well as /human; short and plain, so a longer message is never mistaken.
PERSON_PHRASES = frozenset({
    "talk to a person", "talk to a human", "speak to a person", "speak to someone",
    "talk to someone", "i want to talk to a person", "call me",
    "tale med en person", "tale med et menneske", "snakke med en person", "ring til mig",
    "jeg vil tale med en person", "jeg vil gerne tale med en person", "menneske",
})
_NOT_LETTERS = re.compile(r"[^\w\s]+")


class CareService:
    def __init__(self, alerts: CaseAlerts, texts: Texts,
                 classifier: Callable[[str], Assessment] = classify) -> None:
        self._alerts = alerts
        self._texts = texts
        self._classify = classifier

    @staticmethod
    def asks_for_person(text: str) -> bool:
        cleaned = " ".join(_NOT_LETTERS.sub(" ", text.lower()).split())
        return cleaned in PERSON_PHRASES

    def assess(self, text: str) -> Assessment:
        return self._classify(text)

    async def escalate(self, citizen_id: int, assessment: Assessment, text: str,
                       message_id: int | None) -> Opening | None:
        """A case (and a staff alert) for any worrying message; None when there is no worry."""
        level = _LEVELS.get(assessment.level)
        if level is None:
            return None
        category = assessment.category.value if assessment.category else None
        return await self._alerts.raise_case(citizen_id, level, CaseSource.FREE_TEXT, text=text,
                                             category=category, message_id=message_id)

    async def request_call(self, citizen_id: int, window: str) -> Opening:
        """A phone call instead of chat, in the time window the citizen picked."""
        _ = self._texts.staff
        label = _(CALL_WINDOWS.get(window, CALL_WINDOWS["any"]))
        return await self._alerts.raise_case(citizen_id, CaseLevel.REQUEST,
                                             CaseSource.CALL_REQUEST, text="📞",
                                             call_window=label)

    async def request_human(self, citizen_id: int, message_id: int | None) -> Opening:
        return await self._alerts.raise_case(citizen_id, CaseLevel.REQUEST,
                                             CaseSource.HUMAN_REQUEST, text=HUMAN_REQUEST_TEXT,
                                             message_id=message_id)
