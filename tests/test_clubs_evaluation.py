"""Job clubs (issue 12), the evaluation at the end: after the last meeting (outside quiet hours)
each member still in the club is asked once for a score and a few words (skippable); the
thanks offers feedback on an application (a consultant case) or another club; stale and forged
presses are answered; a restart neither loses nor repeats it; the words are read for risk, shown
in /mydata, erased with /delete and deleted after the retention; `report clubs` counts scores."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.cli.club_report import COLUMNS, club_rows
from bot.config import Settings
from bot.features.cases import CaseService
from bot.features.citizens import Citizen, CitizenStore, Purpose
from bot.features.clubs.evaluation import COMMENT_RETENTION, ClubEvaluations
from bot.features.clubs.storage import ClubEvaluationStore, Evaluation
from tests.club_helpers import citizen, create, join, last_buttons, press, store, sweep
from tests.conftest import Harness, crash_harness, start_harness, stop_harness
from tests.fakes import FakeClock

ANNA, BO, CARL = 5601, 5602, 5603
LAST_END = datetime(2026, 12, 8, 15, 0, tzinfo=UTC)
"""The second (last) meeting of a two-week club from 1 December ends Tuesday 8 December at
16:00 Copenhagen."""
QUESTION = ("«Job club» has had its last meeting – thank you for taking part! How was the club "
            "for you, from 1 (not good) to 5 (very good)?")
THANKS = ("Thank you for helping us make the job clubs better. Would you like a consultant's "
          "feedback on an application, or to join another job club?")
STALE = "This button is no longer active – here is where we are now."


async def at(bot: Harness, moment: datetime) -> None:
    """Move the fake clock to `moment` and fire what is due, as the running bot would."""
    bot.clock.advance(seconds=(moment - bot.clock.now()).total_seconds())
    await bot.ctx.scheduler.fire_due()
    await bot.drain()


async def two_week_club(bot: Harness, *members: int) -> list[Citizen]:
    await create(bot, weeks=2)
    joined = []
    for user in members:
        joined.append(await citizen(bot, user))
        await join(bot, user)
    await bot.drain()
    return joined


def questions(bot: Harness, user: int) -> list[str]:
    return [t for t in bot.api.texts(user) if t == QUESTION]


async def evaluation(bot: Harness, member: Citizen) -> Evaluation | None:
    found = await ClubEvaluationStore(bot.ctx.db).of_citizen(member.id)
    return found[0] if found else None


def callback_answers(bot: Harness) -> list[str]:
    return [str(c.params.get("text") or "") for c in bot.api.sent(method="answerCallbackQuery")]


async def test_after_the_last_meeting_each_member_is_asked_once(bot: Harness) -> None:
    anna, _bo = await two_week_club(bot, ANNA, BO)
    await citizen(bot, CARL)  # not a member
    await press(bot, BO, "club|leave|1")  # left before the end
    await at(bot, LAST_END - timedelta(minutes=1))
    assert questions(bot, ANNA) == [], "not before the last meeting has ended"
    await at(bot, LAST_END)
    assert questions(bot, ANNA) == [QUESTION]
    assert last_buttons(bot, ANNA) == [
        (str(n), f"club_evaluation|ask_score|s{n}") for n in range(1, 6)] + [
        ("Skip", "club_evaluation|ask_score|skip")]
    assert questions(bot, BO) == [] and questions(bot, CARL) == []
    # a change to the club re-arms its timers: still nobody is asked twice
    await store(bot).set_link(1, "https://meet.example/other", bot.clock.now())
    await sweep(bot)
    await at(bot, LAST_END + timedelta(days=1))
    assert questions(bot, ANNA) == [QUESTION]
    asked = await evaluation(bot, anna)
    assert asked is not None and asked.score is None


async def test_score_then_words_are_stored_and_the_thanks_offers_more(bot: Harness) -> None:
    [anna] = await two_week_club(bot, ANNA)
    await at(bot, LAST_END)
    [ask_words] = await bot.tap("4", user=ANNA)
    assert ask_words.startswith("Thank you! Would you like to add a few words")
    assert [label for label, _data in last_buttons(bot, ANNA)] == ["Skip"]
    [thanks] = await bot.say("Good meetings, but too early in the day", user=ANNA)
    assert thanks == THANKS
    assert [label for label, _data in last_buttons(bot, ANNA)] == [
        "Feedback on an application", "Another job club"]
    stored = await evaluation(bot, anna)
    assert stored is not None
    assert (stored.score, stored.comment) == (4, "Good meetings, but too early in the day")


async def test_skip_the_score_or_the_words(bot: Harness) -> None:
    anna, bo = await two_week_club(bot, ANNA, BO)
    await at(bot, LAST_END)
    assert await bot.tap("Skip", user=ANNA) == [THANKS]
    await bot.tap("2", user=BO)
    assert await bot.tap("Skip", user=BO) == [THANKS]
    skipped, scored = await evaluation(bot, anna), await evaluation(bot, bo)
    assert skipped is not None and (skipped.score, skipped.comment) == (None, None)
    assert scored is not None and (scored.score, scored.comment) == (2, None)


async def test_stale_and_forged_presses_get_a_clear_answer(bot: Harness) -> None:
    [anna] = await two_week_club(bot, ANNA)
    await citizen(bot, CARL)
    await at(bot, LAST_END)
    await bot.tap("5", user=ANNA)
    again = await press(bot, ANNA, "club_evaluation|ask_score|s1")  # the old message's button
    assert callback_answers(bot)[-1] == STALE
    assert again == [STALE + "\n\nThank you! Would you like to add a few words – what was "
                     "good, and what could be better? Just write them here – or skip."]
    await press(bot, ANNA, "club_evaluation|ask_comment|s9")  # no such button
    assert callback_answers(bot)[-1] == STALE
    await press(bot, CARL, "club_evaluation|ask_score|s3")  # never asked
    assert callback_answers(bot)[-1] == STALE
    await press(bot, CARL, "club_evaluation|thanks|feedback")
    assert callback_answers(bot)[-1] == STALE
    assert await bot.ctx.get(CaseService).list_open() == [], "no case from a forged press"
    stored = await evaluation(bot, anna)
    assert stored is not None and stored.score == 5


async def test_feedback_on_an_application_starts_the_draft_dialog_once_and_another_club_lists(
        bot: Harness) -> None:
    await two_week_club(bot, ANNA)
    await create(bot, "2026-12-15 10:00")  # a club still to come
    await at(bot, LAST_END)
    await bot.tap("Skip", user=ANNA)
    shown = await press(bot, ANNA, "club_evaluation|thanks|clubs")  # the thanks stay
    assert shown[0].startswith("Job clubs meet online once a week")
    assert "First meeting: Tuesday 15 December at 10:00" in shown[1]
    assert last_buttons(bot, ANNA) == [("Join", "club|join|2")]
    *_, reply = await press(bot, ANNA, "club_evaluation|thanks|feedback")
    assert reply.startswith("A consultant at the job centre reads your application")
    assert await bot.ctx.get(CaseService).list_open() == []  # a draft to come, not a case
    edited = bot.api.sent(ANNA, method="editMessageText")[-1]  # the thanks, in place
    assert edited.params["text"] == THANKS
    assert [b["text"] for row in edited.params["reply_markup"]["inline_keyboard"]
            for b in row] == ["Another job club"], "the offer is taken"
    await press(bot, ANNA, "club_evaluation|thanks|feedback")  # the button is gone: stale
    assert callback_answers(bot)[-1] == STALE


async def test_a_worrying_comment_gets_the_caring_reply_and_a_case(bot: Harness) -> None:
    [anna] = await two_week_club(bot, ANNA)
    await at(bot, LAST_END)
    await bot.tap("3", user=ANNA)
    replies = await bot.say("I want to kill myself", user=ANNA)
    assert replies[0].startswith("Thank you for telling me. It sounds really hard right now")
    [case] = await bot.ctx.get(CaseService).list_open()
    assert case.citizen_id == anna.id
    stored = await evaluation(bot, anna)
    assert stored is not None and stored.comment is None, "not kept as a comment"


async def test_quiet_hours_hold_it_until_the_morning(bot: Harness) -> None:
    await create(bot, "2026-12-01 19:00", weeks=1)  # ends 21:00 Copenhagen
    await citizen(bot, ANNA)
    await join(bot, ANNA)
    await at(bot, datetime(2026, 12, 1, 20, 0, tzinfo=UTC))
    assert questions(bot, ANNA) == []
    await at(bot, datetime(2026, 12, 2, 6, 59, tzinfo=UTC))
    assert questions(bot, ANNA) == []
    await at(bot, datetime(2026, 12, 2, 7, 0, tzinfo=UTC))  # Wednesday 08:00
    assert questions(bot, ANNA) == [QUESTION]


async def test_a_member_who_withdrew_the_consent_or_blocked_is_not_asked(bot: Harness) -> None:
    *_seated, carl = await two_week_club(bot, ANNA, BO, CARL)
    citizens = bot.ctx.get(CitizenStore)
    await citizens.set_blocked(BO, bot.clock.now())
    await citizens.record_consents(carl.id, {Purpose.JOB_CLUB: False}, "test", bot.clock.now())
    await at(bot, LAST_END)  # before any sweep took their seats
    assert questions(bot, ANNA) == [QUESTION]
    assert questions(bot, BO) == [] and questions(bot, CARL) == []


async def test_a_restart_before_the_end_still_asks_once(settings: Settings,
                                                       clock: FakeClock) -> None:
    first = await start_harness(settings, clock)
    await two_week_club(first, ANNA)
    await crash_harness(first)
    clock.advance(seconds=(LAST_END - clock.now()).total_seconds())
    second = await start_harness(settings, clock, api=first.api)
    try:
        await second.ctx.scheduler.fire_due()
        await second.drain()
        assert questions(second, ANNA) == [QUESTION]
        await second.ctx.scheduler.fire_due()
        await second.drain()
    finally:
        await stop_harness(second)
    third = await start_harness(settings, clock, api=first.api)
    try:
        clock.advance(hours=3)
        await third.ctx.scheduler.fire_due()
        await third.drain()
        assert questions(third, ANNA) == [QUESTION], "once"
    finally:
        await stop_harness(third)


async def test_the_report_counts_the_scores_but_shows_no_words(bot: Harness) -> None:
    await two_week_club(bot, ANNA, BO, CARL)
    await at(bot, LAST_END)
    await bot.tap("4", user=ANNA)
    await bot.say("Secret words", user=ANNA)
    await bot.tap("2", user=BO)
    rows = [dict(zip(COLUMNS, row, strict=True)) for row in await club_rows(bot.ctx.settings)]
    assert len(rows) == 2, "one row per meeting"
    for row in rows:
        assert (row["evaluations_asked"], row["evaluations"], row["mean_score"]) == (3, 2, "3.0")
        assert [row[f"score_{n}"] for n in range(1, 6)] == [0, 1, 0, 1, 0]
        assert "Secret words" not in map(str, row.values())


async def test_mydata_shows_it_delete_erases_it_and_the_words_expire(bot: Harness) -> None:
    anna, bo = await two_week_club(bot, ANNA, BO)
    await at(bot, LAST_END)
    await bot.tap("4", user=ANNA)
    await bot.say("Nice people", user=ANNA)
    [mydata] = await bot.say("/mydata", user=ANNA)
    assert ("Job club «Job club»: your evaluation, 4 of 5, and your words: «Nice people» (the "
            "words are deleted on 8 March 2027).") in mydata
    [bo_data] = await bot.say("/mydata", user=BO)
    assert "Job club «Job club»: asked on 8 December 2026 how the club was for you" in bo_data
    await bot.say("/delete", user=BO)
    await bot.tap("Yes, delete everything", user=BO)
    assert await evaluation(bot, bo) is None
    bot.clock.advance(seconds=(COMMENT_RETENTION + timedelta(minutes=1)).total_seconds())
    assert await bot.ctx.get(ClubEvaluations).forget_old_comments() == 1
    kept = await evaluation(bot, anna)
    assert kept is not None and (kept.score, kept.comment) == (4, None), "the score stays"


async def test_a_member_in_the_middle_of_another_dialog_is_asked_a_little_later(
        bot: Harness) -> None:
    await two_week_club(bot, ANNA)
    bot.clock.advance(seconds=(LAST_END - timedelta(minutes=10) - bot.clock.now())
                      .total_seconds())
    await bot.say("/menu", user=ANNA)
    await bot.tap("My name", user=ANNA)  # a question of the menu's, not answered yet
    await at(bot, LAST_END)
    assert questions(bot, ANNA) == [], "it would replace the question they are at"
    await at(bot, LAST_END + timedelta(hours=2))
    assert questions(bot, ANNA) == [QUESTION]


async def test_the_menu_shows_the_job_clubs(bot: Harness) -> None:
    await create(bot)
    await citizen(bot, ANNA)
    await bot.say("/menu", user=ANNA)
    shown = await bot.tap("Job clubs", user=ANNA)
    assert shown[0].startswith("Job clubs meet online once a week")
    assert last_buttons(bot, ANNA) == [("Join", "club|join|1")]
