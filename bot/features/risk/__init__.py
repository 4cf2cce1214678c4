"""Risk in free text (suicide, self-harm, hopelessness, violence, acute crisis), Danish and English.

Pure and synchronous: no Telegram, no I/O after the lexicons are first read. Escalation,
replies and help numbers belong to the caller; this only says how grave a message looks.
"""

from .assessment import NO_RISK, Assessment, Reason, RiskCategory, RiskLevel
from .classifier import DEFAULT_LEXICON_DIR, Classifier, classify, default_classifier
from .lexicon import Lexicon, load_lexicon, load_lexicons

__all__ = [
    "DEFAULT_LEXICON_DIR",
    "NO_RISK",
    "Assessment",
    "Classifier",
    "Lexicon",
    "Reason",
    "RiskCategory",
    "RiskLevel",
    "classify",
    "default_classifier",
    "load_lexicon",
    "load_lexicons",
]
