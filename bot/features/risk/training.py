"""`python -m bot risk train`: fit the head on the corpus's training split, tune its thresholds
by cross-validation on that split alone, and write head.json.

Deterministic: the corpus is read in a fixed order, the folds have a fixed seed and the
solver has no randomness, so the same corpus and model give the same bytes. scikit-learn is
imported only here (the `train` extra); the running bot needs numpy alone.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from .assessment import Assessment, Reason, RiskLevel
from .classifier import Classifier
from .corpus import Case
from .embedding import Embedder, Vectors
from .evaluation import rates
from .head import CLASSES, Head
from .second_opinion import candidates, model_level

FOLDS = 5
SEED = 20261206
C = 8.0
"""Inverse regularisation; chosen by cross-validation on the training split (model alone, at
P(urgent) >= 0.5: urgent recall 0.61/0.77 at C=2, 0.71/0.83 at C=8 (da/en), benign false
0.04-0.08 at both)."""
MAX_MODEL_FALSE = 0.05
"""The model alone makes at most this share of benign phrases possible risk, in each language.
Measured on the model alone: the rules were written from the training phrases, so counting
them here would leave the model a budget that new phrases do not give it."""
MAX_CONFIRM_FALSE = 0.20
"""The lower threshold that confirms a rules' concern as possible risk: at most this share of
benign phrases reach it (model alone, per language), so at most this share of the rules' own
false concerns become possible risk."""
MAX_FALSE_ANY = 0.15
"""Benign phrases that get any caring reply at all (concern or higher)."""
_GRID = tuple(round(0.02 + 0.01 * i, 2) for i in range(97))


@dataclass(frozen=True, slots=True)
class Scored:
    """One training phrase with its out-of-fold model scores and its rules verdict."""

    case: Case
    urgent: float
    risk: float
    rules: RiskLevel
    idiom: bool
    """The rules read risk words as an everyday phrase: the model may raise to concern only."""


def train(cases: Sequence[Case], embedder: Embedder, rules: Classifier,
          progress: Callable[[str], None] = lambda _line: None) -> Head:
    """The head for these phrases (held-out ones are refused, never silently used)."""
    if any(case.held_out for case in cases):
        raise ValueError("held-out phrases must not be used for training")
    texts = sorted({t for case in cases for t in candidates(case.text)})
    progress(f"embedding {len(texts)} texts from {len(cases)} phrases")
    vectors = _embed(embedder, texts)
    index = {text: i for i, text in enumerate(texts)}
    rows = [[index[t] for t in candidates(case.text)] for case in cases]
    x = vectors[[r[0] for r in rows]]
    y = np.array([CLASSES.index(case.level) for case in cases])
    progress(f"cross-validating ({FOLDS} folds)")
    scored = _out_of_fold(cases, vectors, rows, x, y, rules)
    possible = _lowest(lambda t: _false_rate(scored, lambda s: s.urgent >= t), MAX_MODEL_FALSE)
    confirm = _lowest(lambda t: _false_rate(scored, lambda s: s.urgent >= t), MAX_CONFIRM_FALSE)
    concern = _lowest(lambda t: _false_rate(scored, lambda s: s.rules is not RiskLevel.NONE
                                            or s.urgent >= possible or s.risk >= t),
                      MAX_FALSE_ANY)
    model = _fit(x, y)
    report = cross_validated_report(scored, possible, confirm, concern)
    return Head(embedder.name, model.coef_.astype(np.float64),
                model.intercept_.astype(np.float64), possible, confirm, concern, report)


def _embed(embedder: Embedder, texts: Sequence[str], batch: int = 64) -> Vectors:
    parts = [embedder.embed(texts[i:i + batch]) for i in range(0, len(texts), batch)]
    return np.vstack(parts) if parts else np.zeros((0, 384), dtype=np.float32)


def _fit(x: Vectors, y: npt.NDArray[np.int64]):  # type: ignore[no-untyped-def]
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=C, class_weight="balanced", max_iter=5000)
    model.fit(x.astype(np.float64), y)
    if list(model.classes_) != list(range(len(CLASSES))):
        raise ValueError("the training split lacks one of the labels none/concern/urgent")
    return model


def _out_of_fold(cases: Sequence[Case], vectors: Vectors, rows: list[list[int]], x: Vectors,
                 y: npt.NDArray[np.int64], rules: Classifier) -> list[Scored]:
    from sklearn.model_selection import StratifiedKFold

    urgent = np.zeros(len(cases))
    risk = np.zeros(len(cases))
    folds = StratifiedKFold(n_splits=FOLDS, shuffle=True, random_state=SEED)
    urgent_col, none_col = CLASSES.index(RiskLevel.URGENT), CLASSES.index(RiskLevel.NONE)
    for fit_rows, test_rows in folds.split(x, y):
        model = _fit(x[fit_rows], y[fit_rows])
        for i in test_rows:
            p = model.predict_proba(vectors[rows[i]].astype(np.float64))
            urgent[i] = p[:, urgent_col].max()
            risk[i] = (1.0 - p[:, none_col]).max()
    verdicts = [rules.classify(case.text) for case in cases]
    return [Scored(case, float(urgent[i]), float(risk[i]), v.level, Reason.IDIOM in v.reasons)
            for i, (case, v) in enumerate(zip(cases, verdicts, strict=True))]


def _false_rate(scored: Iterable[Scored], flagged: Callable[[Scored], bool]) -> float:
    """The worst language's share of benign phrases flagged."""
    by_language: dict[str, list[bool]] = defaultdict(list)
    for s in scored:
        if s.case.level is RiskLevel.NONE:
            by_language[s.case.language].append(flagged(s))
    return max((sum(v) / len(v) for v in by_language.values()), default=0.0)


def _lowest(rate: Callable[[float], float], budget: float) -> float:
    """The lowest threshold on the grid whose false rate stays within the budget."""
    return next((t for t in _GRID if rate(t) <= budget), _GRID[-1])


def combined_level(rules: RiskLevel, urgent: float, risk: float, possible: float,
                   confirm: float, concern: float, idiom: bool = False) -> RiskLevel:
    """What the assessor would say for these scores (mirrors RiskAssessor.assess)."""
    if rules is RiskLevel.URGENT:
        return rules
    model = model_level(urgent, risk, rules, idiom, possible, confirm, concern)
    return model if model.rank > rules.rank else rules


def cross_validated_report(scored: Sequence[Scored], possible: float, confirm: float,
                           concern: float) -> dict[str, str]:
    """Out-of-fold rates of rules plus model, per language, category and kind."""
    judged = [(s.case, Assessment(combined_level(s.rules, s.urgent, s.risk, possible, confirm,
                                                 concern, s.idiom)))
              for s in scored]
    out: dict[str, str] = {}
    for key in (lambda c: c.language, lambda c: f"{c.language} {c.category or '-'}",
                lambda c: f"{c.language} kind:{c.kind}"):
        out.update({f"{name} {label}": str(r) for (name, label), r in rates(judged, key).items()})
    return out
