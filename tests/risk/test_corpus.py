"""The labelled corpus: every urgent phrase must be caught, and everyday talk must stay calm."""

from __future__ import annotations

import time

import pytest

from bot.features.risk import Assessment, RiskCategory, RiskLevel, classify

from .corpus import LANGUAGES, Case, load_corpus

MAX_FALSE_URGENT = 0.10
MIN_DA, MIN_EN = 150, 100
LOWERED = (RiskCategory.SUICIDE_SELF_HARM, RiskCategory.VIOLENCE_ABUSE)


def _judged(language: str) -> list[tuple[Case, Assessment]]:
    return [(case, classify(case.text)) for case in load_corpus(language)]


def _listing(rows: list[tuple[Case, Assessment]]) -> str:
    return "\n".join(f"  {case} -> {got.level} {got.category} {got.reasons}" for case, got in rows)


def test_corpus_is_large_enough_and_mixed() -> None:
    da, en = load_corpus("da"), load_corpus("en")
    assert len(da) >= MIN_DA and len(en) >= MIN_EN
    for cases in (da, en):
        assert {case.level for case in cases} == set(RiskLevel)
        assert {case.category for case in cases} >= set(RiskCategory)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_urgent_phrase_is_urgent(language: str, risk_report: list[str]) -> None:
    judged = [(c, a) for c, a in _judged(language) if c.level is RiskLevel.URGENT]
    missed = [(c, a) for c, a in judged if a.level is not RiskLevel.URGENT]
    recall = 1 - len(missed) / len(judged)
    risk_report.append(f"{language}: urgent recall {recall:.1%} ({len(judged)} phrases)")
    assert not missed, f"urgent phrases not classified urgent:\n{_listing(missed)}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_everyday_phrases_are_rarely_urgent(language: str, risk_report: list[str]) -> None:
    judged = [(c, a) for c, a in _judged(language) if c.level is RiskLevel.NONE]
    alarmed = [(c, a) for c, a in judged if a.level is RiskLevel.URGENT]
    rate = len(alarmed) / len(judged)
    risk_report.append(
        f"{language}: false-urgent rate {rate:.1%} ({len(alarmed)}/{len(judged)} none phrases)"
    )
    print(f"\n{language} false-urgent rate: {rate:.1%}\n{_listing(alarmed)}")
    assert rate <= MAX_FALSE_URGENT, (
        f"false-urgent rate {rate:.1%} above {MAX_FALSE_URGENT:.0%}:\n{_listing(alarmed)}"
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_lowered_urgent_phrases_are_never_none(language: str) -> None:
    lowered = [
        (c, a) for c, a in _judged(language)
        if c.level is RiskLevel.CONCERN and c.category in LOWERED
    ]
    assert lowered
    dropped = [(c, a) for c, a in lowered if a.level is RiskLevel.NONE]
    assert not dropped, f"negated/third-person/past phrases dropped to none:\n{_listing(dropped)}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_concern_phrase_is_ignored(language: str) -> None:
    judged = [(c, a) for c, a in _judged(language) if c.level is RiskLevel.CONCERN]
    ignored = [(c, a) for c, a in judged if a.level is RiskLevel.NONE]
    assert not ignored, f"concern phrases classified none:\n{_listing(ignored)}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_accuracy_is_reported(language: str, risk_report: list[str]) -> None:
    judged = _judged(language)
    level_ok = sum(a.level is c.level for c, a in judged)
    both_ok = sum(a.level is c.level and a.category == c.category for c, a in judged)
    wrong = [(c, a) for c, a in judged if a.level is not c.level]
    risk_report.append(
        f"{language}: accuracy {level_ok / len(judged):.1%} by level, "
        f"{both_ok / len(judged):.1%} by level and category ({len(judged)} phrases)"
    )
    print(f"\n{language} level mismatches:\n{_listing(wrong)}")
    assert level_ok / len(judged) > 0.8


def test_classify_is_fast_on_short_messages(risk_report: list[str]) -> None:
    texts = [case.text for language in LANGUAGES for case in load_corpus(language)]
    classify(texts[0])
    rounds = 20
    start = time.perf_counter()
    for _ in range(rounds):
        for text in texts:
            classify(text)
    per_message = (time.perf_counter() - start) / (rounds * len(texts))
    risk_report.append(f"classify(): {per_message * 1e3:.3f} ms per corpus message")
    assert per_message < 0.002, f"{per_message * 1e3:.3f} ms per message"
