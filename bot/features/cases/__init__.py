"""Cases: a citizen who needs a human, from alert to claim to close."""

from bot.features.cases.model import Case, CaseLevel
from bot.features.cases.service import CaseService
from bot.features.cases.storage import CaseStore

__all__ = ["Case", "CaseLevel", "CaseService", "CaseStore"]
