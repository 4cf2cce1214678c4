"""Decides what a worrying message needs: which case, at which level. Never imports telegram."""

from __future__ import annotations

from collections.abc import Callable

from bot.features.cases import CaseLevel, CaseService
from bot.features.cases.model import CaseSource
from bot.features.cases.service import Opening
from bot.features.risk import Assessment, RiskLevel, classify

_LEVELS = {RiskLevel.URGENT: CaseLevel.URGENT, RiskLevel.CONCERN: CaseLevel.CONCERN}


class CareService:
    def __init__(self, cases: CaseService,
                 classifier: Callable[[str], Assessment] = classify) -> None:
        self._cases = cases
        self._classify = classifier

    def assess(self, text: str) -> Assessment:
        return self._classify(text)

    async def escalate(self, citizen_id: int, assessment: Assessment,
                       message_id: int | None) -> Opening | None:
        """A case for any worrying message; None when the text gave no reason to worry."""
        level = _LEVELS.get(assessment.level)
        if level is None:
            return None
        category = assessment.category.value if assessment.category else None
        return await self._cases.open(citizen_id, level, category, CaseSource.FREE_TEXT,
                                      message_id)

    async def request_human(self, citizen_id: int, message_id: int | None) -> Opening:
        return await self._cases.open(citizen_id, CaseLevel.REQUEST, None,
                                      CaseSource.HUMAN_REQUEST, message_id)
