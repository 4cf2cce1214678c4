"""/webinar in the staff chat, the RSVP segment filter, and the webinar and broadcast faults of
issue 10's tester: per-session invitations, forged and late RSVPs, the chosen answer on the
invitation, the calendar file that cancels, "My webinars" in /menu, and the CLI's conventions."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from bot.cache import ChangeNotes
from bot.cli.report import COLUMNS, webinar_rows
from bot.clock import SystemClock
from bot.config import Settings
from bot.db import Database
from bot.features.broadcasts import BroadcastService, Draft, Segment
from bot.features.broadcasts.model import Membership
from bot.features.broadcasts.wording import render_preview
from bot.features.citizens import Citizen, CitizenStore, Purpose
from bot.features.staff import Role, StaffService
from bot.features.webinars import WebinarService
from bot.features.webinars.model import Answer, Repeat
from bot.features.webinars.planning import WebinarPlanner
from bot.features.webinars.storage import NewWebinar, WebinarStore
from tests.conftest import Harness, crash_harness, run_cli, start_harness, stop_harness
from tests.fakes import FakeClock

ZONE = ZoneInfo("Europe/Copenhagen")
STAFF_CHAT = -100900
ADMIN, COORDINATOR, CONSULTANT, OUTSIDER = 71, 72, 73, 74
TOPIC = 555
LINK = "https://meet.example/cv"
ANNA, BO = 7001, 7002


@pytest.fixture
def staff_settings(settings: Settings) -> Settings:
    return replace(settings, staff_chat_id=STAFF_CHAT, admin_ids=frozenset({ADMIN}),
                   staff_locale="en")


@pytest.fixture
async def bot(staff_settings: Settings, clock: FakeClock) -> AsyncIterator[Harness]:
    harness = await start_harness(staff_settings, clock)
    await harness.ctx.get(StaffService).add(COORDINATOR, Role.COORDINATOR, ADMIN)
    await harness.ctx.get(StaffService).add(CONSULTANT, Role.CONSULTANT, ADMIN)
    yield harness
    await stop_harness(harness)


async def staff_says(bot: Harness, text: str, user: int = COORDINATOR,
                     thread: int | None = TOPIC) -> list[str]:
    before = len(bot.api.texts(STAFF_CHAT))
    await bot.application.process_update(
        bot.updates.staff_message(STAFF_CHAT, user, text, thread=thread))
    return bot.api.texts(STAFF_CHAT)[before:]


def staff_buttons(bot: Harness) -> dict[str, str]:
    return {b["text"]: b["callback_data"] for row in bot.api.last_keyboard(STAFF_CHAT)
            for b in row}


async def staff_taps(bot: Harness, label: str, user: int = COORDINATOR) -> tuple[list[str], str]:
    """Tap a button of the staff chat's last keyboard: the texts sent, the query's answer."""
    data = staff_buttons(bot)[label]
    before = len(bot.api.texts(STAFF_CHAT))
    await bot.application.process_update(
        bot.updates.staff_press(STAFF_CHAT, user, data, message_id=1, thread=TOPIC))
    answer = bot.api.sent(method="answerCallbackQuery")[-1].params.get("text")
    return bot.api.texts(STAFF_CHAT)[before:], str(answer or "")


async def citizen(bot: Harness, user: int, locale: str = "en") -> Citizen:
    await bot.say("/start", user=user, language_code=locale)
    store = bot.ctx.get(CitizenStore)
    found = await store.by_user(user)
    assert found is not None
    await store.record_consents(found.id, {Purpose.WEBINARS: True}, "test", bot.clock.now())
    return found


async def create(bot: Harness, at: str = "2026-11-25 14:00", *,
                 repeat: Repeat | None = None, until: date | None = None,
                 capacity: int | None = None) -> int:
    planner = WebinarPlanner(WebinarStore(bot.ctx.db), bot.clock, ZONE)
    webinar_id = await planner.create(
        NewWebinar("CV-værksted", "CV workshop", LINK, None, 45, capacity),
        datetime.strptime(at, "%Y-%m-%d %H:%M"), repeat, until)
    await bot.ctx.get(WebinarService).handle_changes()
    return webinar_id


def calendar_files(bot: Harness, user: int) -> list[Calendar]:
    return [Calendar.from_ical(next(iter(call.files.values())))
            for call in bot.api.sent(user, method="sendDocument")]


# /webinar in the staff chat ---------------------------------------------------------------
async def test_a_coordinator_creates_a_webinar_step_by_step_like_the_cli(bot: Harness) -> None:
    [first] = await staff_says(bot, "/webinar")
    assert first == "New webinar, step 1 of 8: what is its Danish title?"
    assert await staff_says(bot, "CV-værksted") == ["Step 2 of 8: what is its English title?"]
    [ask_at] = await staff_says(bot, "CV workshop")
    assert "YYYY-MM-DD HH:MM, e.g. 2026-11-25 14:00" in ask_at
    [again] = await staff_says(bot, "tomorrow at two")
    assert again.startswith("Please write the date and time as YYYY-MM-DD HH:MM")
    [again] = await staff_says(bot, "2026-11-24 09:59")
    assert again.startswith("That time has passed.")
    [ask_minutes] = await staff_says(bot, "2026-11-25 14:00")
    assert ask_minutes.startswith("Step 4 of 8")
    assert list(staff_buttons(bot)) == ["30 min", "45 min", "60 min", "90 min", "✖️ Cancel"]
    [ask_link], _answer = await staff_taps(bot, "45 min")
    assert ask_link.startswith("Step 5 of 8: the link to join")
    [again] = await staff_says(bot, "meet.example/cv")
    assert again.startswith("That is not a link.")
    await staff_says(bot, LINK)
    [again] = await staff_says(bot, "twenty")
    assert again.startswith("Please write the seats as a whole number")
    [ask_repeat] = await staff_says(bot, "20")
    assert ask_repeat == "Step 7 of 8: once, or a series?"
    [summary], _answer = await staff_taps(bot, "Once")
    assert summary == ("New webinar – please check it:\nDanish title: CV-værksted\n"
                       "English title: CV workshop\n"
                       "First session: Wednesday 25 November at 14:00\nLength: 45 minutes\n"
                       f"Link: {LINK}\nSeats per session: 20\nSessions: 1 (once)")
    assert list(staff_buttons(bot)) == ["✅ Create", "✖️ Cancel"]
    [created], _answer = await staff_taps(bot, "✅ Create")
    assert created == ("Webinar #1 is created: session 1, Wednesday 25 November at 14:00. "
                       "Citizens hear of it when you invite them.")
    [session] = await WebinarStore(bot.ctx.db).sessions(1)
    assert session.starts_at == datetime(2026, 11, 25, 13, 0, tzinfo=UTC)
    assert (session.webinar.minutes, session.webinar.capacity) == (45, 20)
    assert await bot.ctx.scheduler.get("webinar-reminder:1") is not None, "armed at once"
    assert bot.api.sent(STAFF_CHAT)[-1].params["message_thread_id"] == TOPIC
    assert await staff_says(bot, "a note in the topic") == [], "the dialog is over"

    # Invite citizens: /broadcast's draft in the same topic, with the answer buttons chosen
    [opened], _answer = await staff_taps(bot, "📣 Invite citizens")
    assert opened.startswith("📣 New broadcast, step 1 of 6")
    assert bot.api.sent(STAFF_CHAT)[-1].params["message_thread_id"] == TOPIC
    drafts = await bot.ctx.db.fetch_all(
        "SELECT thread_id, draft FROM staff_dialogs WHERE kind = 'broadcast'")
    assert [(r["thread_id"], json.loads(r["draft"])["buttons"]) for r in drafts] == [
        (TOPIC, ["rsvp:1"])]


async def test_a_series_and_its_checks(bot: Harness) -> None:
    for line in ("/webinar", "Jobnet", "Jobnet", "2026-11-27 14:00", "60", LINK):
        await staff_says(bot, line)
    await staff_taps(bot, "No limit")
    [ask_until], _answer = await staff_taps(bot, "Every weekday")
    assert ask_until.startswith("Step 8 of 8") and "e.g. 2026-12-04" in ask_until
    [again] = await staff_says(bot, "2026-11-26")
    assert again.startswith("The last day must be on or after the day of the first session.")
    [again] = await staff_says(bot, "4 December")
    assert again.startswith("Please write the day as YYYY-MM-DD")
    [summary] = await staff_says(bot, "2026-12-04")
    assert "Seats per session: no limit" in summary
    assert summary.endswith("Sessions: 6, every weekday until 4 December 2026")
    bot.clock.advance(days=4)  # the first session has passed while the summary waited
    [refused], _answer = await staff_taps(bot, "✅ Create")
    assert refused.startswith("That time has passed.") and "Step 3 of 8" in refused
    for line in ("2026-12-01 14:00", "60", LINK):
        await staff_says(bot, line)
    await staff_taps(bot, "No limit")
    await staff_taps(bot, "Every weekday")
    await staff_says(bot, "2026-12-04")
    [created], _answer = await staff_taps(bot, "✅ Create")
    assert created.startswith("Webinar #1 is created: sessions 1–4, the first Tuesday 1 "
                              "December at 14:00.")


async def test_consultants_are_refused_and_others_ignored(bot: Harness) -> None:
    assert await staff_says(bot, "/webinar", user=CONSULTANT) == [
        "Only coordinators and admins can do that."]
    assert await staff_says(bot, "/webinar", user=OUTSIDER) == []
    assert await staff_says(bot, "/webinar list", user=CONSULTANT) == [
        "Only coordinators and admins can do that."]
    await staff_says(bot, "/webinar", user=ADMIN)
    _texts, answer = await staff_taps(bot, "✖️ Cancel", user=CONSULTANT)
    assert answer == "Only coordinators and admins can do that."
    _texts, answer = await staff_taps(bot, "✖️ Cancel", user=COORDINATOR)
    assert answer == "This is another staff member's webinar draft."
    cancel = staff_buttons(bot)["✖️ Cancel"]
    [cancelled], _answer = await staff_taps(bot, "✖️ Cancel", user=ADMIN)
    assert cancelled == "The webinar draft is cancelled; nothing was created."
    assert bot.api.last_keyboard(STAFF_CHAT) == [], "that step's buttons are gone"
    await bot.application.process_update(
        bot.updates.staff_press(STAFF_CHAT, ADMIN, cancel, message_id=1))
    answer = bot.api.sent(method="answerCallbackQuery")[-1].params.get("text")
    assert answer == "This button is no longer active."


async def test_the_draft_survives_a_restart_and_cancel_ends_it(
        staff_settings: Settings, clock: FakeClock) -> None:
    first = await start_harness(staff_settings, clock)
    await first.ctx.get(StaffService).add(COORDINATOR, Role.COORDINATOR, ADMIN)
    await staff_says(first, "/webinar", thread=None)
    await staff_says(first, "Dit CV", thread=None)
    await crash_harness(first)  # as kill -9: nothing flushed, the connection just dropped

    second = await start_harness(staff_settings, clock)
    try:
        [resumed] = await staff_says(second, "/webinar", thread=None)
        assert resumed == ("You have a webinar draft open here – this is where you were:\n\n"
                           "Step 2 of 8: what is its English title?")
        assert await staff_says(second, "Your CV", thread=None) != []
        row = await second.ctx.db.fetch_one(
            "SELECT step, draft FROM staff_dialogs WHERE kind = 'webinar'")
        assert row is not None and row["step"] == "at"
        assert json.loads(row["draft"])["title_en"] == "Your CV"
        assert await staff_says(second, "/cancel", thread=None) == [
            "The webinar draft is cancelled; nothing was created."]
        assert await second.ctx.db.fetch_one(
            "SELECT id FROM staff_dialogs WHERE kind = 'webinar'") is None
    finally:
        await stop_harness(second)


async def test_webinar_list_shows_the_answers_per_session(bot: Harness) -> None:
    assert await staff_says(bot, "/webinar list") == [
        "No webinar sessions coming up. Create one with /webinar."]
    await create(bot, capacity=1)
    await create(bot, "2026-11-26 10:00")
    for user in (ANNA, BO):
        await citizen(bot, user)
    service = bot.ctx.get(WebinarService)
    for user, session, answer in ((ANNA, 1, "yes"), (BO, 1, "yes"), (BO, 2, "maybe")):
        found = await bot.ctx.get(CitizenStore).by_user(user)
        assert found is not None
        await service.answer(found, session, Answer(answer))
    [listing] = await staff_says(bot, "/webinar list")
    assert listing == (
        "Webinar sessions coming up (webinar/session):\n"
        "#1/1 «CV workshop», Wednesday 25 November at 14:00: yes 1 of 1 · maybe 0 · no 0 · "
        "waitlist 1\n"
        "#2/2 «CV workshop», Thursday 26 November at 10:00: yes 0 · maybe 1 · no 0 · "
        "waitlist 0")


# the segment filter -----------------------------------------------------------------------
async def test_segment_rsvp_or_not_and_its_stored_form(bot: Harness) -> None:
    webinar = await create(bot)
    other = await create(bot, "2026-11-26 10:00")
    anna, bo = await citizen(bot, ANNA), await citizen(bot, BO)
    carl = await citizen(bot, 7003)
    service = bot.ctx.get(WebinarService)
    await service.answer(anna, 1, Answer("no"))
    await service.answer(bo, 1, Answer("yes"))
    await service.answer(carl, 2, Answer("yes"))
    broadcasts = bot.ctx.get(BroadcastService)

    async def who(*memberships: Membership) -> int:
        draft = Draft("x", {"en": "Hi"}, Segment(memberships=memberships), bot.clock.now())
        return (await broadcasts.preview(draft)).recipients

    answered, not_answered = Membership("rsvp", str(webinar)), Membership("rsvp", str(webinar),
                                                                          member=False)
    assert await who(answered) == 2, "Yes and No alike: they answered"
    assert await who(not_answered) == 1
    assert await who(not_answered, Membership("rsvp", str(other))) == 1
    segment = Segment(languages=("en",), memberships=(answered, not_answered))
    assert Segment.from_json(json.loads(json.dumps(segment.to_json()))) == segment
    old_row = {"languages": [], "label": None, "joined_from": None, "joined_to": None,
               "citizens": [3]}
    assert Segment.from_json(old_row) == Segment(citizens=(3,)), "rows from before the filter"


async def test_preview_adds_up_and_tells_unknown_numbers_from_erased_ones(bot: Harness) -> None:
    anna = await citizen(bot, ANNA)
    bo = await citizen(bot, BO)
    await bot.ctx.get(CitizenStore).record_consents(bo.id, {Purpose.WEBINARS: False}, "t",
                                                    bot.clock.now())
    erased = await citizen(bot, 7003)
    await bot.say("/delete", user=7003, language_code="en")
    await bot.tap("Yes, delete everything", user=7003)
    draft = Draft("x", {"en": "Hi"}, Segment(citizens=(anna.id, bo.id, erased.id, 99)),
                  bot.clock.now())
    preview = await bot.ctx.get(BroadcastService).preview(draft)
    assert (preview.segment, sum(preview.excluded.values()), preview.recipients) == (4, 3, 1)
    text = render_preview("x", preview, bot.ctx.texts.get("en"))
    assert "Segment: 4 · excluded 3 · will get it 1" in text
    assert "  unknown numbers (never a citizen's): 1" in text
    assert "  erased (the number no longer exists): 1" in text
    da = render_preview("x", preview, bot.ctx.texts.get("da"))
    assert "Målgruppe: 4 · udeladt 3 · får den 1" in da
    assert "ukendte numre (aldrig en borgers): 1" in da


# the citizens' side -----------------------------------------------------------------------
async def test_a_forged_rsvp_from_someone_who_never_started_records_nothing(
        bot: Harness) -> None:
    await create(bot)
    await bot.application.process_update(bot.updates.press(ANNA, "webinar|rsvp|1|yes",
                                                           language_code="en"))
    assert await WebinarStore(bot.ctx.db).rsvps(1) == []
    [reply] = bot.api.texts(ANNA)
    assert reply.startswith("This button is no longer active – here is where we are now.")
    assert "Would you like to choose what we may contact you about?" in reply


async def test_the_invitation_shows_the_answer_and_a_begun_session_takes_none(
        bot: Harness) -> None:
    await create(bot)
    await citizen(bot, ANNA)
    keyboard = [[{"text": label, "callback_data": f"webinar|rsvp|1|{answer}"}
                 for answer, label in (("yes", "Yes"), ("maybe", "Maybe"), ("no", "No"))],
                [{"text": "No more webinar news", "callback_data": "broadcast|unsubscribe"}]]

    async def tap(answer: str, keyboard: list[list[dict[str, Any]]]) -> list[list[str]]:
        await bot.application.process_update(bot.updates.press(
            ANNA, f"webinar|rsvp|1|{answer}", message_id=42, language_code="en",
            keyboard=keyboard))
        [edit] = bot.api.sent(ANNA, method="editMessageReplyMarkup")[-1:]
        assert edit.params["message_id"] == 42
        rows = (edit.params.get("reply_markup") or {}).get("inline_keyboard", [])
        return [[b["text"] for b in row] for row in rows]

    assert await tap("yes", keyboard) == [["✓ Yes", "Maybe", "No"], ["No more webinar news"]]
    assert bot.api.texts(ANNA)[-1].startswith("Thank you – you have a seat")
    bot.clock.advance(seconds=(datetime(2026, 11, 25, 13, 1, tzinfo=UTC)
                               - bot.clock.now()).total_seconds())
    assert await tap("no", keyboard) == [["No more webinar news"]]
    assert bot.api.texts(ANNA)[-1] == ("This webinar session has already started or is over, "
                                       "so it cannot be answered any more.")
    rsvp = await WebinarStore(bot.ctx.db).rsvp(1, 1)
    assert rsvp is not None and rsvp.answer == "yes", "unchanged"


async def test_yes_then_no_sends_a_file_that_cancels_and_yes_again_one_that_adds(
        bot: Harness) -> None:
    await create(bot)
    await citizen(bot, ANNA)
    for answer in ("yes", "maybe", "no", "no", "yes"):
        await bot.application.process_update(bot.updates.press(
            ANNA, f"webinar|rsvp|1|{answer}", language_code="en"))
    await bot.drain()
    files = calendar_files(bot, ANNA)
    assert len(files) == 3, "Yes to Maybe keeps the file; a second No has nothing to cancel"
    methods = [str(f["METHOD"]) for f in files]
    events = [f.walk("VEVENT")[0] for f in files]
    assert methods == ["PUBLISH", "CANCEL", "PUBLISH"]
    assert [str(e["STATUS"]) for e in events] == ["CONFIRMED", "CANCELLED", "CONFIRMED"]
    assert len({str(e["UID"]) for e in events}) == 1
    assert [int(e["SEQUENCE"]) for e in events] == [0, 1, 2]
    caption = bot.api.sent(ANNA, method="sendDocument")[1].params["caption"]
    assert caption == ("«CV workshop», Wednesday 25 November at 14:00: this file removes it "
                       "from your calendar again.")
    # a change afterwards goes on from the citizen's own number
    planner = WebinarPlanner(WebinarStore(bot.ctx.db), bot.clock, ZONE)
    await planner.change(1, datetime(2026, 11, 25, 15, 0), None)
    await bot.ctx.get(WebinarService).handle_changes()
    await bot.drain()
    assert int(calendar_files(bot, ANNA)[-1].walk("VEVENT")[0]["SEQUENCE"]) == 3


async def test_my_webinars_is_in_the_menu(bot: Harness) -> None:
    await create(bot)
    await citizen(bot, ANNA)
    await bot.application.process_update(bot.updates.press(ANNA, "webinar|rsvp|1|maybe",
                                                           language_code="en"))
    await bot.say("/menu", user=ANNA, language_code="en")
    assert "My webinars" in bot.buttons(ANNA)
    shown = await bot.tap("My webinars", user=ANNA, language_code="en")
    assert shown[-2:] == ["Your webinars coming up – tap to change your answer:",
                          "«CV workshop», Wednesday 25 November at 14:00 – your answer: maybe"]
    assert bot.buttons(ANNA) == ["Yes", "✓ Maybe", "No"]


async def test_report_counts_an_invitation_for_its_own_session_only(bot: Harness) -> None:
    series = await create(bot, repeat=Repeat.WEEKDAYS, until=date(2026, 11, 27))
    for n in range(3):
        await citizen(bot, 7100 + n)
    broadcasts = bot.ctx.get(BroadcastService)
    await broadcasts.create(Draft("cv", {"en": "Come!"}, Segment(), bot.clock.now(),
                                  (f"rsvp:{series}",)), "cli")
    await broadcasts.sweep()
    await bot.drain()
    rows = [dict(zip(COLUMNS, row, strict=True)) for row in await webinar_rows(bot.ctx.settings)]
    assert [(r["session"], r["invited"], r["delivered"]) for r in rows] == [
        (1, 3, 3), (2, 0, 0), (3, 0, 0)]


# the CLI ------------------------------------------------------------------------------------
async def test_cli_speaks_english_and_an_unknown_id_is_a_usage_error(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "t.db")
    try:
        store = CitizenStore(db, ChangeNotes.of(db, SystemClock()))  # as the CLI would
        for n in (1, 2):
            found = await store.create(8000 + n, 8000 + n, "da", datetime(2026, 11, 2, tzinfo=UTC))
            await store.record_consents(found.id, {Purpose.WEBINARS: True}, "t",
                                        found.joined_at)
    finally:
        await db.close()
    env = {"STAFF_LOCALE": "da", "LOG_LEVEL": "WARNING", "RISK_MODEL": "false"}
    assert run_cli(tmp_path, "webinar", "create", "--title-da", "Dit CV", "--title-en", "Your CV",
                   "--at", "2099-01-05 14:00", "--minutes", "45", "--link", LINK,
                   **env).returncode == 0
    shown = run_cli(tmp_path, "webinar", "invite", "1", "--no-rsvp", "1", **env)
    assert shown.returncode == 0, shown.stderr
    assert "Segment: 2 · excluded 0 · will get it 2" in shown.stdout
    assert "Recipients: 2" in shown.stdout and "Modtagere" not in shown.stdout
    assert shown.stdout.rstrip().endswith("Nothing is stored yet: add --yes to send it.")
    stored = run_cli(tmp_path, "webinar", "invite", "1", "--yes", **env)
    assert stored.returncode == 0
    status = run_cli(tmp_path, "broadcast", "status", "1", **env)
    assert status.stdout.startswith("📣 Broadcast #1 “webinar #1” – scheduled for")
    assert run_cli(tmp_path, "broadcast", "list", **env).stdout.startswith("#1 “webinar #1”")
    for args, error in ((("broadcast", "status", "999"), "broadcast: no broadcast #999"),
                        (("broadcast", "cancel", "999"), "broadcast: no broadcast #999"),
                        (("webinar", "cancel", "999"), "webinar: no webinar #999"),
                        (("webinar", "change", "999", "--link", LINK), "webinar: no webinar #999"),
                        (("webinar", "invite", "999"),
                         "webinar: no webinar #999 with a session still to come"),
                        (("webinar", "invite", "1", "--rsvp", "999"),
                         "webinar: rsvp 999: no webinar #999"),
                        (("broadcast", "send"),
                         "broadcast: the following arguments are required: --name")):
        result = run_cli(tmp_path, *args, **env)
        assert (result.returncode, result.stderr.splitlines()) == (2, [error]), args


def test_one_parser_for_local_times_and_days() -> None:
    from bot.local_time import LocalTimeError, parse_day, parse_local_time, typed

    assert parse_local_time(" 2026-12-01 14:00 ") == datetime(2026, 12, 1, 14, 0)
    assert typed(datetime(2026, 12, 1, 14, 0)) == "2026-12-01 14:00"
    assert parse_day("2026-12-18") == date(2026, 12, 18)
    with pytest.raises(LocalTimeError, match='expected local time as "YYYY-MM-DD HH:MM"'):
        parse_local_time("2026-12-01")
    with pytest.raises(LocalTimeError, match="expected a date as YYYY-MM-DD"):
        parse_day("20261218")
