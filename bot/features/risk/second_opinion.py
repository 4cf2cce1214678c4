"""The model's second opinion: rules first, then the embedding head, which may only raise.

The head scores the whole message and each of its sentences and keeps the gravest, so a
risk stated in the middle of a long message about the job search is not averaged away.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, replace
from functools import cache

from .assessment import Assessment, Decider, Reason, RiskCategory, RiskLevel
from .classifier import Classifier, default_classifier
from .embedding import Embedder, load_embedder
from .head import DEFAULT_HEAD_PATH, NEVER, Head

log = logging.getLogger(__name__)
MAX_SENTENCES = 24
"""Beyond this many sentences, the rest are scored together as one (bounded time)."""
MIN_WORDS = 2
"""A single word (a name, "ja", "ok") is left to the rules, which know every grave word."""
ACT_RULE = "model: reads like an act already done"
"""The rule written to the case when the model makes a message urgent."""
_SENTENCE_END = re.compile(r"(?<!\.)[.!?;]+(?!\.)|\n+")


def candidates(text: str) -> list[str]:
    """The whole message, then each sentence with at least two words, without repeats."""
    whole = " ".join(text.split())
    parts = [" ".join(p.split()) for p in _SENTENCE_END.split(text)]
    sentences = [p for p in parts if len(p.split()) >= 2]
    if len(sentences) > MAX_SENTENCES:
        sentences = [*sentences[:MAX_SENTENCES - 1], " ".join(sentences[MAX_SENTENCES - 1:])]
    out = [whole] if whole else []
    out += [s for s in sentences if s != whole]
    return list(dict.fromkeys(out))


@dataclass(frozen=True, slots=True)
class ModelScore:
    """The gravest candidate's score of urgency and share of acts already done among its
    nearest training phrases, and the highest probability of any risk."""

    urgent: float
    risk: float
    act: float = 0.0


class SecondOpinion:
    """Embeds and scores; only ever asked about free text, never about button presses."""

    def __init__(self, embedder: Embedder, head: Head) -> None:
        if head.embedder != embedder.name:
            raise ValueError(f"the risk head was trained on {head.embedder!r}, "
                             f"not on {embedder.name!r}")
        self._embedder = embedder
        self.head = head

    def score(self, text: str) -> ModelScore:
        texts = candidates(text)
        if not texts:
            return ModelScore(0.0, 0.0)
        urgent, risk, act = self.head.scores(self._embedder.embed(texts))
        gravest = int(urgent.argmax())
        return ModelScore(float(urgent[gravest]), float(risk.max()), float(act[gravest]))

    def level(self, score: ModelScore, rules: RiskLevel = RiskLevel.NONE,
              idiom: bool = False) -> RiskLevel:
        head = self.head
        return model_level(score.urgent, score.risk, rules, idiom, head.possible, head.confirm,
                           head.concern, score.act, head.act)


def model_level(urgent: float, risk: float, rules: RiskLevel, idiom: bool, possible: float,
                confirm: float, concern: float, act: float = 0.0,
                act_threshold: float = NEVER) -> RiskLevel:
    """The model's verdict (the assessor and training both ask here): a rules' concern needs
    less to become possible risk, a possible risk that reads like an act already done is
    urgent, and what the rules read as an everyday phrase is at most concern."""
    if urgent >= possible or (rules is RiskLevel.CONCERN and urgent >= confirm):
        if idiom:
            return RiskLevel.CONCERN
        return RiskLevel.URGENT if act >= act_threshold else RiskLevel.POSSIBLE
    if risk >= concern:
        return RiskLevel.CONCERN
    return RiskLevel.NONE


class RiskAssessor:
    """Rules and model together. The model can raise a calm or a concern verdict to possible
    risk (to urgent when it reads like an act already done), or a calm one to concern — never
    lower anything."""

    def __init__(self, rules: Classifier, model: SecondOpinion | None) -> None:
        self.rules = rules
        self.model = model

    def assess(self, text: str) -> Assessment:
        """Pure but not instant (the model takes ~10–40 ms a sentence): run it off the loop."""
        verdict = self.rules.classify(text)
        if verdict.level is not RiskLevel.NONE:
            verdict = replace(verdict, decider=Decider.RULE)
        if (self.model is None or verdict.level is RiskLevel.URGENT
                or len(text.split()) < MIN_WORDS):
            return verdict
        score = self.model.score(text)
        raised = self.model.level(score, verdict.level, Reason.IDIOM in verdict.reasons)
        if raised is RiskLevel.URGENT:
            return replace(verdict, level=raised, decider=Decider.MODEL, score=score.urgent,
                           category=verdict.category or RiskCategory.SUICIDE_SELF_HARM,
                           rule=ACT_RULE)
        if raised.rank > verdict.level.rank:
            return replace(verdict, level=raised, decider=Decider.MODEL, score=score.urgent)
        return replace(verdict, score=score.urgent)


@cache
def default_assessor(model: bool = True) -> RiskAssessor:
    """The shipped rules, and (unless switched off) the bundled model with the shipped head,
    loaded once per process. A model that cannot run leaves the rules, with a warning."""
    rules = default_classifier()
    if not model:
        return RiskAssessor(rules, None)
    embedder = load_embedder()
    if embedder is None:
        return RiskAssessor(rules, None)
    try:
        opinion = SecondOpinion(embedder, Head.load(DEFAULT_HEAD_PATH))
    except (OSError, ValueError, KeyError) as exc:
        log.warning("risk model off: %s; the rules alone read messages", exc)
        return RiskAssessor(rules, None)
    log.info("risk model on: %s, possible risk from p=%.2f (%.2f after a rules' concern)",
             embedder.name, opinion.head.possible, opinion.head.confirm)
    return RiskAssessor(rules, opinion)
