"""The classifier's verdict: what a worrying free-text answer means for the case, as plain data."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class RiskLevel(StrEnum):
    """How fast a human must act: urgent now, concern within the working hour, none.

    Possible risk is the bot's doubt between the two: it acts as for urgent (the 24/7
    numbers, an alert in the urgent lane) and asks the citizen directly.
    """

    URGENT = "urgent"
    POSSIBLE = "possible"
    CONCERN = "concern"
    NONE = "none"

    @property
    def rank(self) -> int:
        """Levels compare by severity, not by their spelling."""
        return _RANKS[self]


_RANKS = {RiskLevel.NONE: 0, RiskLevel.CONCERN: 1, RiskLevel.POSSIBLE: 2, RiskLevel.URGENT: 3}


class RiskCategory(StrEnum):
    """What kind of help fits; acute crisis means no food, no roof tonight, eviction, panic."""

    SUICIDE_SELF_HARM = "suicide_self_harm"
    HOPELESSNESS = "hopelessness"
    VIOLENCE_ABUSE = "violence_abuse"
    ACUTE_CRISIS = "acute_crisis"
    SUBSTANCE = "substance"


class Reason(StrEnum):
    """Why a match was lowered or dropped, so a consultant can see what the bot saw."""

    NEGATED = "negated"
    THIRD_PERSON = "third_person"
    PAST = "past"
    IDIOM = "idiom"


class Decider(StrEnum):
    """What set the level: a lexicon rule, the embedding model, or nothing at all."""

    RULE = "rule"
    MODEL = "model"
    NONE = "none"


@dataclass(frozen=True, slots=True)
class Assessment:
    """One verdict per message; language is that of the lexicon whose pattern decided it.

    `rule` is the pattern that fired (its lexicon source), `score` the model's probability
    of urgent risk when the model was asked, and `decider` says which of them set the level.
    """

    level: RiskLevel
    category: RiskCategory | None = None
    language: str | None = None
    reasons: tuple[str, ...] = ()
    rule: str | None = None
    score: float | None = None
    decider: Decider = Decider.NONE

    @property
    def is_urgent(self) -> bool:
        """Callers branch on this more than on anything else."""
        return self.level is RiskLevel.URGENT

    @property
    def needs_safety_reply(self) -> bool:
        """Urgent and possible risk both get the 24/7 numbers at once."""
        return self.level in (RiskLevel.URGENT, RiskLevel.POSSIBLE)


NO_RISK = Assessment(RiskLevel.NONE)
