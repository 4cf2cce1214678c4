"""The classifier's verdict: what a worrying free-text answer means for the case, as plain data."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class RiskLevel(StrEnum):
    """How fast a human must act: urgent now, concern within the working hour, none."""

    URGENT = "urgent"
    CONCERN = "concern"
    NONE = "none"

    @property
    def rank(self) -> int:
        """Levels compare by severity, not by their spelling."""
        return _RANKS[self]


_RANKS = {RiskLevel.NONE: 0, RiskLevel.CONCERN: 1, RiskLevel.URGENT: 2}


class RiskCategory(StrEnum):
    """What kind of help fits; acute crisis means no money for food or rent, eviction, homeless."""

    SUICIDE_SELF_HARM = "suicide_self_harm"
    HOPELESSNESS = "hopelessness"
    VIOLENCE_ABUSE = "violence_abuse"
    ACUTE_CRISIS = "acute_crisis"


class Reason(StrEnum):
    """Why a match was lowered or dropped, so a consultant can see what the bot saw."""

    NEGATED = "negated"
    THIRD_PERSON = "third_person"
    PAST = "past"
    IDIOM = "idiom"


@dataclass(frozen=True, slots=True)
class Assessment:
    """One verdict per message; language is that of the lexicon whose pattern decided it."""

    level: RiskLevel
    category: RiskCategory | None = None
    language: str | None = None
    reasons: tuple[str, ...] = ()

    @property
    def is_urgent(self) -> bool:
        """Callers branch on this more than on anything else."""
        return self.level is RiskLevel.URGENT


NO_RISK = Assessment(RiskLevel.NONE)
