"""Risk in free text (suicide, self-harm, hopelessness, violence, acute crisis), Danish and English.

Pure and synchronous: no Telegram, no I/O after the lexicons are first read. Escalation,
replies and help numbers belong to the caller (features/care); this only says how grave a
message looks. Its FEATURE offers the assessor as a service, built (lexicons and model loaded)
at start, not on the first message.
"""

from bot.feature import Feature

from .assessment import NO_RISK, Assessment, Reason, RiskCategory, RiskLevel
from .classifier import DEFAULT_LEXICON_DIR, Classifier, classify, default_classifier
from .lexicon import Lexicon, load_lexicon, load_lexicons
from .second_opinion import RiskAssessor, default_assessor

FEATURE = Feature(
    name="risk",
    services={RiskAssessor: lambda app: default_assessor(app.settings.risk_model)},
)

__all__ = [
    "DEFAULT_LEXICON_DIR",
    "FEATURE",
    "NO_RISK",
    "Assessment",
    "Classifier",
    "Lexicon",
    "Reason",
    "RiskAssessor",
    "RiskCategory",
    "RiskLevel",
    "classify",
    "default_classifier",
    "load_lexicon",
    "load_lexicons",
]
