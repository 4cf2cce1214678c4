"""Possible risk: the model's doubt gets the 24/7 numbers, a direct question and an alert in the
urgent lane; the answer decides the case. Every decision is written to the case and can be
marked by a consultant for review.

The model here is a stand-in (a keyword embedder under a real head), so these tests pin the
flow, not the trained weights; tests/risk pins those.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import replace

import numpy as np
import pytest

import bot.features.risk
from bot.cli.risk import review_lines
from bot.config import Settings
from bot.features.care.service import CareService
from bot.features.cases import CaseLevel, CaseService
from bot.features.cases.alerts import CaseAlerts
from bot.features.privacy import PrivacyService
from bot.features.risk import default_classifier
from bot.features.risk.head import Head
from bot.features.risk.second_opinion import RiskAssessor, SecondOpinion
from bot.outbox import Priority
from tests.conftest import CITIZEN, Harness, start_harness, stop_harness
from tests.fakes import FakeClock

STAFF_CHAT = -100777
CONSULTANT = 31
DOUBT = "everything feels grey and I keep thinking it would be easier to just stop"
"""Calm to the rules; the stand-in model below reads it as possible risk."""


class KeywordEmbedder:
    """A vector on axis 0 for texts with "stop", on axis 1 otherwise; counts its calls."""

    name = "keyword stand-in"

    def __init__(self) -> None:
        self.calls: list[str] = []

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        self.calls.extend(texts)
        out = np.zeros((len(texts), 384), dtype=np.float32)
        for i, text in enumerate(texts):
            out[i, 0 if "stop" in text else 1] = 1.0
        return out


def stand_in_head() -> Head:
    weights = np.zeros((3, 384))
    weights[0, 1] = 6.0  # axis 1: none
    weights[2, 0] = 6.0  # axis 0: urgent
    return Head(KeywordEmbedder.name, weights, np.zeros(3), possible=0.5, confirm=0.5,
                concern=0.5)


@pytest.fixture
def embedder(monkeypatch: pytest.MonkeyPatch) -> KeywordEmbedder:
    stand_in = KeywordEmbedder()
    assessor = RiskAssessor(default_classifier(), SecondOpinion(stand_in, stand_in_head()))
    monkeypatch.setattr(bot.features.risk, "default_assessor", lambda model=True: assessor)
    return stand_in


@pytest.fixture
async def staffed(settings: Settings, clock: FakeClock,
                  embedder: KeywordEmbedder) -> AsyncIterator[Harness]:
    harness = await start_harness(replace(settings, staff_chat_id=STAFF_CHAT,
                                          admin_ids=frozenset({CONSULTANT})), clock)
    yield harness
    await stop_harness(harness)


async def staff_texts(bot: Harness) -> list[str]:
    await bot.drain()
    return bot.api.texts(STAFF_CHAT)


async def staff_says(bot: Harness, text: str) -> str:
    await bot.application.process_update(bot.updates.staff_message(STAFF_CHAT, CONSULTANT, text))
    return bot.api.texts(STAFF_CHAT)[-1]


async def test_possible_risk_gets_the_numbers_a_direct_question_and_an_urgent_lane_alert(
        staffed: Harness) -> None:
    safety, question = await staffed.say(DOUBT, language_code="en")
    assert "112" in safety and "1813" in safety and "70 201 201" in safety
    assert "I may be reading you wrong" in safety
    assert question == "May I ask you directly: are you thinking about ending your life?"
    assert staffed.buttons() == ["Yes", "No"], "two buttons, the first means yes"
    [case] = await staffed.ctx.get(CaseService).list_open()
    assert case.level is CaseLevel.POSSIBLE
    [queued] = await staffed.ctx.outbox.store.ready(staffed.clock.now())
    assert queued.chat_id == STAFF_CHAT and queued.priority == Priority.URGENT_ALERT
    [alert] = await staff_texts(staffed)
    assert "MULIG RISIKO" in alert and DOUBT in alert
    staffed.clock.advance(minutes=11)
    realerted = await staffed.ctx.get(CaseAlerts).realert_due()
    assert realerted == 1, "re-alerted like urgent while unclaimed"


async def test_yes_raises_the_case_to_urgent_and_alerts_again(staffed: Harness) -> None:
    await staffed.say(DOUBT, language_code="en")
    await staffed.drain()
    [answer] = await staffed.tap("Yes", language_code="en")
    assert "I have asked a person from the job centre" in answer and "112" in answer
    [case] = await staffed.ctx.get(CaseService).list_open()
    assert case.level is CaseLevel.URGENT
    alerts = await staff_texts(staffed)
    assert len(alerts) == 2 and "AKUT" in alerts[-1] and "JA" in alerts[-1]


async def test_no_keeps_a_concern_case_for_today_and_a_second_tap_is_thanked(
        staffed: Harness) -> None:
    await staffed.say(DOUBT, language_code="en")
    await staffed.drain()
    data = staffed.button_data("No")
    [answer] = await staffed.tap("No", language_code="en")
    assert answer.startswith("Thank you for answering")
    [case] = await staffed.ctx.get(CaseService).list_open()
    assert case.level is CaseLevel.CONCERN
    staffed.clock.advance(minutes=30)
    assert await staffed.ctx.get(CaseAlerts).realert_due() == 0, "no more urgent re-alerts"
    assert "nej" in (await staff_texts(staffed))[-1]
    await staffed.application.process_update(staffed.updates.press(CITIZEN, data,
                                                                   language_code="en"))
    assert staffed.api.texts(CITIZEN)[-1].startswith("Thank you – I have your answer already")
    [still] = await staffed.ctx.get(CaseService).list_open()
    assert still.level is CaseLevel.CONCERN


async def test_the_model_never_lowers_what_the_rules_call_urgent(staffed: Harness) -> None:
    [reply] = await staffed.say("I took all my pills an hour ago", language_code="en")
    assert "112" in reply
    [case] = await staffed.ctx.get(CaseService).list_open()
    assert case.level is CaseLevel.URGENT


async def test_the_model_reads_free_text_only_never_button_presses(
        staffed: Harness, embedder: KeywordEmbedder) -> None:
    await staffed.say("/start", language_code="en")
    await staffed.tap("Yes, let me choose", language_code="en")
    await staffed.tap("Save my choices", language_code="en")
    assert embedder.calls == [], "commands and buttons never reach the model"
    await staffed.say("Anna", language_code="en")
    assert embedder.calls == [], "one word is left to the rules"
    await staffed.say("November 2026", language_code="en")
    assert embedder.calls == ["November 2026"]


async def test_possible_risk_is_answered_even_while_a_consultant_holds_the_chat(
        staffed: Harness) -> None:
    await staffed.say("/human", language_code="en")
    await staffed.drain()
    [case] = await staffed.ctx.get(CaseService).list_open()
    await staffed.application.process_update(staffed.updates.staff_press(
        STAFF_CHAT, CONSULTANT, f"case|claim|{case.id}", message_id=1))
    assert "everything" not in " ".join(await staffed.say("everything is fine", language_code="en"))
    safety, _question = await staffed.say(DOUBT, language_code="en")
    assert "112" in safety


async def test_each_decision_is_written_to_the_case_and_marks_reach_the_review(
        staffed: Harness, settings: Settings) -> None:
    await staffed.say(DOUBT, language_code="en")
    await staffed.say("I want to kill myself", language_code="en", user=CITIZEN + 1)
    rows = await staffed.ctx.db.fetch_all(
        "SELECT level, decider, rule, score, message FROM risk_decisions ORDER BY id")
    possible, urgent = (dict(r) for r in rows)
    assert possible["level"] == "possible" and possible["decider"] == "model"
    assert possible["score"] > 0.9 and possible["message"] == DOUBT
    assert urgent["level"] == "urgent" and urgent["decider"] == "rule"
    assert urgent["rule"].startswith("en:") and urgent["score"] is None, "rules decide urgent"
    first, second = sorted(c.id for c in await staffed.ctx.get(CaseService).list_open())
    assert "fejlagtigt markeret" in await staff_says(staffed, f"/wrongflag {first}")
    assert "overset" in await staff_says(staffed, f"/missed {second}")
    assert (await staff_says(staffed, "/missed")).startswith("Brug: /wrongflag")
    lines = await review_lines(settings, tsv=False)
    assert any(f"#{first}\twrongly_flagged" in line for line in lines)
    assert f"none\t-\t{DOUBT}" in await review_lines(settings, tsv=True)


async def test_the_words_go_with_the_citizen_and_after_retention(
        staffed: Harness, settings: Settings) -> None:
    await staffed.say(DOUBT, language_code="en")
    await staffed.say("I want to kill myself", language_code="en", user=CITIZEN + 1)
    first, second = sorted(await staffed.ctx.get(CaseService).list_open(), key=lambda c: c.id)
    await staffed.ctx.get(PrivacyService).erase(first.citizen_id)  # type: ignore[arg-type]
    await staffed.ctx.get(CaseService).close(second.id)
    staffed.clock.advance(days=89)
    assert await staffed.ctx.get(CareService).forget_old_words() == 0
    staffed.clock.advance(days=2)
    assert await staffed.ctx.get(CareService).forget_old_words() == 1
    rows = await staffed.ctx.db.fetch_all("SELECT message, level FROM risk_decisions")
    assert [r["message"] for r in rows] == [None, None]
    assert {r["level"] for r in rows} == {"possible", "urgent"}, "the decision itself stays"
