"""The labelled corpus, measured the way the product is used: rules plus the shipped model.

The floors are asserted on the held-out split, which neither training nor threshold tuning
ever sees; the training split is held to the rules' own promises (acts already done are
urgent by rule). Every figure is printed under "risk classifier corpus" at the end of the run.
"""

from __future__ import annotations

import pytest

from bot.features.risk import RiskCategory, RiskLevel, classify
from bot.features.risk.corpus import Case, load_corpus
from bot.features.risk.evaluation import judge, rates, report
from bot.features.risk.second_opinion import RiskAssessor, default_assessor

LANGUAGES = ("da", "en")
LEGACY_SIZE = 697
"""The corpus before safety net v2; the new one is at least four times as large."""
# Floors that guard what is reached. Measured on the held-out split when the head was last
# trained (logistic regression blended with a nearest-neighbour vote, see head.py): urgent-or-
# possible 0.955 da / 0.945 en (the safety-net issue's target is 0.95), benign given the safety
# reply 0.092 / 0.080 (target <= 0.10, enforced here), concern 0.961 / 0.969. Raise the floors
# as the corpus and lexicons grow; never lower them.
URGENT_RECALL = 0.93
FALSE_SAFETY = 0.10
CONCERN_RECALL = 0.90
ACTS_URGENT = 1.0
FIRST_CLASS_KINDS = {"acts_done", "plans_means", "farewell", "acute_crisis", "substance",
                     "self_harm", "ideation_indirect", "spelling", "long_messages", "benign"}


@pytest.fixture(scope="module")
def assessor() -> RiskAssessor:
    found = default_assessor(True)
    if found.model is None:
        pytest.skip("the embedding model cannot run on this machine (see the log)")
    return found


@pytest.fixture(scope="module")
def held_out(assessor: RiskAssessor) -> list[tuple[Case, object]]:
    return judge([c for c in load_corpus() if c.held_out], assessor.assess)


def test_corpus_is_four_times_larger_and_covers_every_kind() -> None:
    cases = load_corpus()
    assert len(cases) >= 4 * LEGACY_SIZE
    for language in LANGUAGES:
        mine = [c for c in cases if c.language == language]
        assert {c.level for c in mine} == {RiskLevel.URGENT, RiskLevel.CONCERN, RiskLevel.NONE}
        assert {c.category for c in mine} >= set(RiskCategory)
        assert {c.kind for c in mine} >= FIRST_CLASS_KINDS
    texts = [" ".join(c.text.lower().split()) for c in cases]
    assert len(set(texts)) > 0.99 * len(texts), "phrases are written, not copied"


@pytest.mark.parametrize("language", LANGUAGES)
def test_held_out_targets(language: str, held_out: list, risk_report: list[str]) -> None:
    mine = [(c, a) for c, a in held_out if c.language == language]
    by_label = rates(mine, lambda c: c.language)
    urgent = by_label[(language, RiskLevel.URGENT)]
    concern = by_label[(language, RiskLevel.CONCERN)]
    benign = by_label[(language, RiskLevel.NONE)]
    risk_report.append(f"{language} held-out: urgent {urgent}; concern {concern}; "
                       f"benign {benign}")
    assert urgent.hit_rate >= URGENT_RECALL, _misses(mine, RiskLevel.URGENT)
    assert benign.hit_rate <= FALSE_SAFETY, _misses(mine, RiskLevel.NONE)
    assert concern.hit_rate >= CONCERN_RECALL, _misses(mine, RiskLevel.CONCERN)


def test_held_out_report_per_category_and_kind(held_out: list, risk_report: list[str]) -> None:
    lines = report(held_out)
    risk_report.extend(lines)
    assert any("acts_done" in line for line in lines)


def test_acts_already_done_are_urgent_by_rule_on_the_training_split() -> None:
    """The rules know nearly every act the corpus tells of; the model covers the rest."""
    acts = [c for c in load_corpus() if c.kind == "acts_done" and c.level is RiskLevel.URGENT
            and not c.held_out]
    assert acts
    missed = [c for c in acts if classify(c.text).level is not RiskLevel.URGENT]
    assert len(missed) <= 0.02 * len(acts), "\n".join(map(str, missed))


def test_acts_already_done_are_urgent_on_the_held_out_split(held_out: list,
                                                             risk_report: list[str]) -> None:
    """An overdose taken or a cut made gets the urgent reply, not only the direct question:
    rules, or the model reading the message like the acts it was trained on."""
    for language in LANGUAGES:
        acts = [a for c, a in held_out if c.language == language and c.kind == "acts_done"
                and c.level is RiskLevel.URGENT]
        urgent = sum(a.level is RiskLevel.URGENT for a in acts)
        safety = sum(a.needs_safety_reply for a in acts)
        risk_report.append(f"{language} held-out acts already done: urgent {urgent}/{len(acts)}"
                           f", urgent or possible {safety}/{len(acts)}")
        assert urgent >= ACTS_URGENT * len(acts)


@pytest.mark.parametrize("language", LANGUAGES)
def test_rules_alone_keep_false_urgent_low(language: str, risk_report: list[str]) -> None:
    benign = [c for c in load_corpus(languages=[language]) if c.level is RiskLevel.NONE]
    alarmed = [c for c in benign if classify(c.text).level is RiskLevel.URGENT]
    rate = len(alarmed) / len(benign)
    risk_report.append(f"{language} rules alone: false urgent {rate:.3f} "
                       f"({len(alarmed)}/{len(benign)})")
    assert rate <= 0.05, "\n".join(map(str, alarmed))


def _misses(judged: list, label: RiskLevel) -> str:
    wrong = [(c, a) for c, a in judged if c.level is label and (
        (label is RiskLevel.URGENT and a.level.rank < RiskLevel.POSSIBLE.rank)
        or (label is RiskLevel.CONCERN and a.level is RiskLevel.NONE)
        or (label is RiskLevel.NONE and a.level.rank >= RiskLevel.POSSIBLE.rank))]
    return "\n".join(f"  {c} -> {a.level} {a.rule or ''} {a.score}" for c, a in wrong)
