"""Webinars (issue 10): sessions and series, RSVP with a waitlist, the calendar file, the
reminder with the link, change notices, the follow-up, the report and the CLI."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from bot.cli.report import COLUMNS, csv_bytes, webinar_rows
from bot.clock import to_db
from bot.config import Settings
from bot.features.cases import CaseService
from bot.features.citizens import Citizen, CitizenStore, Purpose
from bot.features.staff import Role, StaffService
from bot.features.webinars import WebinarService
from bot.features.webinars.model import Answer
from bot.features.webinars.planning import Repeat, WebinarPlanner
from bot.features.webinars.storage import NewWebinar, WebinarStore
from bot.outbox.model import Message
from bot.transport.local_api import ApiCall
from tests.conftest import Harness, run_cli, start_harness, stop_harness
from tests.fakes import FakeClock

ZONE = ZoneInfo("Europe/Copenhagen")
LINK = "https://meet.example/cv-42"
NEW_LINK = "https://meet.example/cv-43"
RECORDING = "https://video.example/cv-42"
ANNA, BO, CARL = 5001, 5002, 5003
STAFF_CHAT = -100555
ADMIN, CONSULTANT = 61, 62
START = datetime(2026, 11, 25, 13, 0, tzinfo=UTC)  # Wednesday 14:00 in Copenhagen
"""The default test webinar's start; the fake clock begins on Tuesday 24 November, 09:00 UTC."""


def service(bot: Harness) -> WebinarService:
    return bot.ctx.get(WebinarService)


async def citizen(bot: Harness, user: int, locale: str = "en", webinars: bool = True) -> Citizen:
    await bot.say("/start", user=user, language_code=locale)
    store = bot.ctx.get(CitizenStore)
    found = await store.by_user(user)
    assert found is not None
    if webinars:
        await store.record_consents(found.id, {Purpose.WEBINARS: True}, "test", bot.clock.now())
    return found


async def create(bot: Harness, at: str = "2026-11-25 14:00", *, capacity: int | None = None,
                 recording: str | None = None, repeat: Repeat | None = None,
                 until: date | None = None) -> int:
    planner = WebinarPlanner(WebinarStore(bot.ctx.db), bot.clock, ZONE)
    webinar_id = await planner.create(
        NewWebinar("CV-værksted", "CV workshop", LINK, recording, 45, capacity),
        datetime.strptime(at, "%Y-%m-%d %H:%M"), repeat, until)
    await service(bot).handle_changes()  # what the running bot's sweep does every 10 s
    return webinar_id


def planner(bot: Harness) -> WebinarPlanner:
    return WebinarPlanner(WebinarStore(bot.ctx.db), bot.clock, ZONE)


async def press(bot: Harness, user: int, data: str) -> list[str]:
    before = len(bot.api.texts(user))
    await bot.application.process_update(bot.updates.press(user, data))
    return bot.api.texts(user)[before:]


def documents(bot: Harness, user: int) -> list[ApiCall]:
    return bot.api.sent(user, method="sendDocument")


def calendar_of(call: ApiCall) -> Calendar:
    [content] = call.files.values()
    return Calendar.from_ical(content)


def event_of(call: ApiCall) -> Any:
    [event] = calendar_of(call).walk("VEVENT")
    return event


async def rsvp(bot: Harness, user: int, session_id: int, answer: str) -> str:
    [reply] = await press(bot, user, f"webinar|rsvp|{session_id}|{answer}")
    return reply


async def report(bot: Harness) -> list[dict[str, Any]]:
    rows = await webinar_rows(bot.ctx.settings)
    return [dict(zip(COLUMNS, row, strict=True)) for row in rows]


# creating --------------------------------------------------------------------------------
async def test_a_single_webinar_and_series_are_lists_of_sessions_at_local_time(
        bot: Harness) -> None:
    store = WebinarStore(bot.ctx.db)
    single = await create(bot)
    [session] = await store.sessions(single)
    assert session.starts_at == START, "14:00 Copenhagen time is stored as 13:00 UTC"
    weekdays = await create(bot, "2026-11-27 14:00", repeat=Repeat.WEEKDAYS,
                            until=date(2026, 12, 4))
    days = [s.starts_at.astimezone(ZONE) for s in await store.sessions(weekdays)]
    assert [d.strftime("%a %d") for d in days] == [
        "Fri 27", "Mon 30", "Tue 01", "Wed 02", "Thu 03", "Fri 04"]
    assert {d.strftime("%H:%M") for d in days} == {"14:00"}
    weekly = await create(bot, "2027-03-22 14:00", repeat=Repeat.WEEKLY, until=date(2027, 4, 5))
    starts = [s.starts_at for s in await store.sessions(weekly)]
    assert [s.hour for s in starts] == [13, 12, 12], "the same local time across summer time"
    timer = await bot.ctx.scheduler.get(f"webinar-reminder:{session.id}")
    assert timer is not None and timer.due_at == START - timedelta(minutes=30)
    follow_up = await bot.ctx.scheduler.get(f"webinar-follow-up:{session.id}")
    assert follow_up is not None and follow_up.due_at == START + timedelta(minutes=45)


# answering ------------------------------------------------------------------------------
async def test_rsvp_buttons_answers_changes_and_the_calendar_file(bot: Harness) -> None:
    da, en = bot.ctx.texts.get("da"), bot.ctx.texts.get("en")
    webinar_id = await create(bot)
    [row] = await service(bot).broadcast_buttons(str(webinar_id), da)
    assert [label for label, _data in row] == ["Ja", "Måske", "Nej"]
    [row] = await service(bot).broadcast_buttons(str(webinar_id), en)
    assert [label for label, _data in row] == ["Yes", "Maybe", "No"]
    assert [data for _label, data in row] == [
        "webinar|rsvp|1|yes", "webinar|rsvp|1|maybe", "webinar|rsvp|1|no"]
    with pytest.raises(ValueError, match="rsvp:99"):
        await service(bot).broadcast_buttons("99", en)
    anna = await citizen(bot, ANNA)
    reply = await rsvp(bot, ANNA, 1, "yes")
    assert "you have a seat at «CV workshop», Wednesday 25 November at 14:00" in reply
    assert LINK not in reply, "the link only comes with the reminder"
    await bot.drain()
    [document] = documents(bot, ANNA)
    assert document.params["caption"].startswith("«CV workshop», Wednesday 25 November")
    assert LINK not in next(iter(document.files.values())).decode()
    assert "Noted as a maybe" in await rsvp(bot, ANNA, 1, "maybe")
    await bot.drain()
    assert len(documents(bot, ANNA)) == 1, "Yes to Maybe: still coming, the same file holds"
    stored = await WebinarStore(bot.ctx.db).rsvp(1, anna.id)
    assert stored is not None and stored.answer is Answer.MAYBE
    header, line = await bot.say("/webinars", user=ANNA)
    assert header == "Your webinars coming up – tap to change your answer:"
    assert line == "«CV workshop», Wednesday 25 November at 14:00 – your answer: maybe"
    assert bot.buttons(ANNA) == ["Yes", "✓ Maybe", "No"], "the answer given is marked"
    [mydata] = await bot.say("/mydata", user=ANNA)
    assert "Webinar «CV workshop», Wednesday 25 November at 14:00: you answered maybe." in mydata


async def test_danish_citizen_sees_danish_titles_and_dates(bot: Harness) -> None:
    await create(bot)
    await citizen(bot, BO, "da")
    reply = await rsvp(bot, BO, 1, "yes")
    assert reply == ("Tak – du har en plads til «CV-værksted», onsdag den 25. november kl. 14.00. "
                     "Du får linket 30 minutter før start.")


async def test_full_session_waitlist_moves_up_automatically_and_tells_them(
        bot: Harness) -> None:
    await create(bot, capacity=1)
    for user in (ANNA, BO, CARL):
        await citizen(bot, user)
    assert "you have a seat" in await rsvp(bot, ANNA, 1, "yes")
    assert "You are number 1 on the waitlist" in await rsvp(bot, BO, 1, "yes")
    assert "You are number 2 on the waitlist" in await rsvp(bot, CARL, 1, "yes")
    assert "You are number 1 on the waitlist" in await rsvp(bot, BO, 1, "yes"), "kept place"
    await bot.drain()
    assert documents(bot, BO) == [], "no calendar file without a seat"
    await rsvp(bot, ANNA, 1, "no")
    await bot.drain()
    [moved_up] = documents(bot, BO)
    assert moved_up.params["caption"].startswith("Good news: a seat became free at")
    _header, line = await bot.say("/webinars", user=CARL)
    assert line.endswith("your answer: yes, number 1 on the waitlist")
    [row] = await report(bot)
    assert (row["yes"], row["waitlisted"], row["no"]) == (1, 1, 1)


async def test_two_yes_at_once_for_the_last_seats_never_both_get_one(bot: Harness) -> None:
    await create(bot, capacity=3)
    people = [await citizen(bot, 6000 + n) for n in range(10)]
    await asyncio.gather(*(service(bot).answer(p, 1, Answer.YES) for p in people))
    rsvps = await WebinarStore(bot.ctx.db).rsvps(1)
    assert sum(r.seated for r in rsvps) == 3
    tickets = sorted(r.waitlist_ticket for r in rsvps if r.waitlist_ticket is not None)
    assert tickets == list(range(1, 8)), "each waiting Yes has its own place"


async def test_a_finished_or_cancelled_session_cannot_be_answered(bot: Harness) -> None:
    webinar_id = await create(bot)
    await citizen(bot, ANNA)
    await planner(bot).cancel(webinar_id)
    assert "cannot be answered any more" in await rsvp(bot, ANNA, 1, "yes")


# reminder ------------------------------------------------------------------------------
async def test_the_reminder_brings_the_link_and_nothing_shows_it_before(bot: Harness) -> None:
    await create(bot)
    await citizen(bot, ANNA)
    await citizen(bot, BO)
    await citizen(bot, CARL, webinars=False)
    await rsvp(bot, ANNA, 1, "yes")
    await rsvp(bot, BO, 1, "no")
    await rsvp(bot, CARL, 1, "yes")
    _header, line = await bot.say("/webinars", user=ANNA)
    assert LINK not in line
    bot.clock.advance(seconds=(START - timedelta(minutes=31) - bot.clock.now()).total_seconds())
    await bot.ctx.scheduler.fire_due()
    await bot.drain(follow_time=False)
    assert not any(LINK in t for t in bot.api.texts(ANNA)), "not yet"
    bot.clock.advance(minutes=1)
    assert await bot.ctx.scheduler.fire_due() >= 1
    await bot.drain()
    assert bot.api.texts(ANNA)[-1] == (
        f"Reminder: «CV workshop» starts Wednesday 25 November at 14:00. Join here: {LINK}")
    assert not any(LINK in t for t in bot.api.texts(BO)), "said no"
    # Carl said Yes without (or after withdrawing) webinar news: the reminder of the session
    # he asked for still comes, as his Yes was promised the link
    assert bot.api.texts(CARL)[-1] == bot.api.texts(ANNA)[-1]
    assert await bot.ctx.scheduler.fire_due() == 0, "once"
    [row] = await report(bot)
    assert row["reminded"] == 2
    reply = await rsvp(bot, BO, 1, "yes")
    assert reply.endswith(f"Join here: {LINK}"), "a late Yes gets the link at once"


# changes ---------------------------------------------------------------------------------
async def test_changes_tell_yes_and_maybe_once_with_an_updated_calendar_file(
        bot: Harness) -> None:
    webinar_id = await create(bot, capacity=1)
    for user in (ANNA, BO, CARL, 5004):
        await citizen(bot, user)
    await rsvp(bot, ANNA, 1, "yes")
    await rsvp(bot, BO, 1, "maybe")
    await rsvp(bot, CARL, 1, "no")
    await rsvp(bot, 5004, 1, "yes")  # on the waitlist
    await bot.drain()
    [first] = documents(bot, ANNA)
    change = await planner(bot).change(webinar_id, datetime(2026, 11, 25, 15, 0), NEW_LINK)
    assert (change.moved, change.link_changed) == (1, True)
    assert await service(bot).handle_changes() == 1
    assert await service(bot).handle_changes() == 0, "a change is told once"
    await bot.drain()
    for user in (ANNA, BO):
        notice = documents(bot, user)[-1]
        caption = notice.params["caption"]
        assert caption.startswith("«CV workshop» has a new time: Wednesday 25 November at 15:00.")
        assert "has a new link. You will get it 30 minutes before the start." in caption
        assert NEW_LINK not in caption
    assert documents(bot, CARL) == [], "said no"
    assert "has a new time" in bot.api.texts(5004)[-1], "the waitlist hears of the new time"
    moved = event_of(documents(bot, ANNA)[-1])
    original = event_of(first)
    assert moved["UID"] == original["UID"] == "webinar-1@webinars.jobcentre-outreach-bot"
    assert int(moved["SEQUENCE"]) > int(original["SEQUENCE"])
    assert moved.decoded("DTSTART") == datetime(2026, 11, 25, 15, 0, tzinfo=ZONE)
    assert calendar_of(first).walk("VTIMEZONE")[0]["TZID"] == "Europe/Copenhagen"
    timer = await bot.ctx.scheduler.get("webinar-reminder:1")
    assert timer is not None and timer.due_at == datetime(2026, 11, 25, 13, 30, tzinfo=UTC)
    await planner(bot).cancel(webinar_id)
    await service(bot).handle_changes()
    await bot.drain()
    cancelled = event_of(documents(bot, ANNA)[-1])
    assert str(cancelled["STATUS"]) == "CANCELLED"
    assert int(cancelled["SEQUENCE"]) > int(moved["SEQUENCE"])
    assert "has been cancelled" in documents(bot, BO)[-1].params["caption"]
    assert await bot.ctx.scheduler.get("webinar-reminder:1") is None


async def test_a_new_link_after_the_reminder_is_shown_at_once(bot: Harness) -> None:
    webinar_id = await create(bot)
    await citizen(bot, ANNA)
    await rsvp(bot, ANNA, 1, "yes")
    bot.clock.advance(seconds=(START - timedelta(minutes=10) - bot.clock.now()).total_seconds())
    await planner(bot).change(webinar_id, None, NEW_LINK)
    await service(bot).handle_changes()
    await bot.drain()
    assert documents(bot, ANNA)[-1].params["caption"].startswith(
        f"«CV workshop», Wednesday 25 November at 14:00, has a new link: {NEW_LINK}")


# follow-up ------------------------------------------------------------------------------
async def test_follow_up_brings_the_recording_and_feedback_starts_the_draft_dialog(
        bot: Harness) -> None:
    await create(bot, recording=RECORDING)
    await citizen(bot, ANNA)
    await rsvp(bot, ANNA, 1, "yes")
    bot.clock.advance(seconds=(START + timedelta(minutes=45) - bot.clock.now()).total_seconds())
    await bot.ctx.scheduler.fire_due()
    await bot.drain()
    follow_up = bot.api.texts(ANNA)[-1]
    assert follow_up.startswith("Thank you for joining «CV workshop».")
    assert f"The recording or slides: {RECORDING}" in follow_up
    assert bot.buttons(ANNA) == ["Yes, feedback on an application"]
    [reply] = await bot.tap("Yes, feedback on an application", user=ANNA)
    assert reply.startswith("A consultant at the job centre reads your application")
    assert await bot.ctx.get(CaseService).list_open() == []  # drafts, not a case
    [again] = await press(bot, ANNA, "webinar|feedback|1")
    assert again.startswith("A consultant at the job centre reads your application")
    [row] = await report(bot)
    assert row["feedback_requests"] == 1


async def test_follow_up_waits_for_the_end_of_quiet_hours(bot: Harness) -> None:
    await create(bot, "2026-11-25 19:30")  # ends 20:15, in quiet hours
    await citizen(bot, ANNA)
    await rsvp(bot, ANNA, 1, "yes")
    bot.clock.advance(seconds=(datetime(2026, 11, 25, 19, 15, tzinfo=UTC)
                               - bot.clock.now()).total_seconds())
    await bot.ctx.scheduler.fire_due()
    await bot.drain(follow_time=False)
    assert not any(t.startswith("Thank you for joining") for t in bot.api.texts(ANNA))
    timer = await bot.ctx.scheduler.get("webinar-follow-up:1")
    assert timer is not None and timer.due_at.astimezone(ZONE).hour == 8


async def test_erasure_takes_the_answers_along(bot: Harness) -> None:
    await create(bot)
    await citizen(bot, ANNA)
    await rsvp(bot, ANNA, 1, "yes")
    await bot.say("/delete", user=ANNA)
    await bot.tap("Yes, delete everything", user=ANNA)
    assert await WebinarStore(bot.ctx.db).rsvps(1) == []


# report ---------------------------------------------------------------------------------
async def test_report_counts_and_csv_for_danish_excel(bot: Harness) -> None:
    webinar_id = await create(bot)
    for user in (ANNA, BO, CARL):
        await citizen(bot, user)
    await rsvp(bot, ANNA, 1, "yes")
    await rsvp(bot, BO, 1, "maybe")
    await rsvp(bot, CARL, 1, "no")
    db = bot.ctx.db
    broadcast = await db.execute(
        "INSERT INTO broadcasts (name, texts, buttons, segment, status, send_at, created_by, "
        "created_at) VALUES ('cv', '{}', ?, '{}', 'done', ?, 'cli', ?)",
        (json.dumps([f"rsvp:{webinar_id}"]), to_db(bot.clock.now()), to_db(bot.clock.now())))
    payload = json.dumps(Message("Come!", service(bot).rsvp_buttons(1, bot.ctx.texts.get("en"))
                                 ).to_json())
    for chat, status in ((ANNA, "sent"), (BO, "sent"), (CARL, "failed")):
        await db.execute(
            "INSERT INTO outbox (chat_id, priority, kind, ref, payload, not_before, status, "
            "created_at) VALUES (?, 90, 'broadcast', ?, ?, ?, ?, ?)",
            (chat, broadcast, payload, to_db(bot.clock.now()), status, to_db(bot.clock.now())))
    [row] = await report(bot)
    assert row == {"webinar": 1, "session": 1, "title": "CV-værksted",
                   "starts": "2026-11-25 14:00", "status": "planned", "invited": 3,
                   "delivered": 2, "yes": 1, "maybe": 1, "no": 1, "waitlisted": 0,
                   "reminded": 0, "attended": 0, "feedback_requests": 0}
    content = csv_bytes([list(row.values())])
    assert content.startswith(b"\xef\xbb\xbf")
    lines = content.decode("utf-8-sig").splitlines()
    assert lines[0] == ";".join(COLUMNS)
    assert lines[1].startswith("1;1;CV-værksted;2026-11-25 14:00;planned;3;2;1;1;1;")
    assert next(csv.reader(io.StringIO(lines[1]), delimiter=";"))[2] == "CV-værksted"


@pytest.fixture
async def staffed(settings: Settings, clock: FakeClock) -> AsyncIterator[Harness]:
    harness = await start_harness(replace(settings, staff_chat_id=STAFF_CHAT,
                                          admin_ids=frozenset({ADMIN})), clock)
    await harness.ctx.get(StaffService).add(CONSULTANT, Role.CONSULTANT, ADMIN)
    yield harness
    await stop_harness(harness)


async def test_attended_is_marked_by_outreach_staff_only(staffed: Harness) -> None:
    await create(staffed)
    anna = await citizen(staffed, ANNA)
    await rsvp(staffed, ANNA, 1, "yes")

    async def staff_says(user: int, text: str) -> list[str]:
        before = len(staffed.api.texts(STAFF_CHAT))
        await staffed.application.process_update(
            staffed.updates.staff_message(STAFF_CHAT, user, text))
        return staffed.api.texts(STAFF_CHAT)[before:]

    assert await staff_says(CONSULTANT, f"/attended 1 {anna.id}") == [], "consultants may not"
    assert await staff_says(ADMIN, "/attended 1") == [
        "Brug: /attended <session> <borgernummer> … (numrene på dem, der deltog)"]
    assert await staff_says(ADMIN, f"/attended 9 {anna.id}") == [
        "Der findes ingen webinarsession 9."]
    assert await staff_says(ADMIN, f"/attended 1 {anna.id} {anna.id} 999") == [
        "Session 1: markeret som deltaget: 1."], "only those who answered, each once"
    [row] = await report(staffed)
    assert row["attended"] == 1


# CLI -------------------------------------------------------------------------------------
def test_cli_creates_lists_changes_and_cancels(tmp_path: Path) -> None:
    created = run_cli(tmp_path, "webinar", "create", "--title-da", "Jobnet", "--title-en",
                      "Jobnet", "--at", "2030-01-07 14:00", "--minutes", "45", "--link", LINK,
                      "--capacity", "20", "--repeat", "weekdays", "--until", "2030-01-11")
    assert created.returncode == 0, created.stderr
    assert created.stdout.strip() == "1"
    listing = run_cli(tmp_path, "webinar", "list").stdout.splitlines()
    assert listing[0] == "#1 Jobnet / Jobnet · 45 min · capacity 20"
    assert listing[1:] == [f"  session {n}: 2030-01-{6 + n:02d} 14:00" for n in range(1, 6)]
    changed = run_cli(tmp_path, "webinar", "change", "1", "--at", "2030-01-07 15:00")
    assert changed.stdout.strip() == "Webinar #1: 5 session(s) moved."
    assert run_cli(tmp_path, "webinar", "cancel", "1").stdout.strip() == (
        "Webinar #1: 5 session(s) cancelled.")
    out = tmp_path / "report.csv"
    reported = run_cli(tmp_path, "report", "webinars", "--csv", str(out))
    assert reported.returncode == 0, reported.stderr
    assert out.read_bytes().startswith(b"\xef\xbb\xbfwebinar;session;")
    assert len(out.read_bytes().decode("utf-8-sig").splitlines()) == 6


@pytest.mark.parametrize(("args", "reason"), [
    (["create", "--title-da", "a", "--title-en", "b", "--at", "2030-01-07", "--minutes", "45",
      "--link", LINK],
     "argument --at: expected local time as \"YYYY-MM-DD HH:MM\", got '2030-01-07'"),
    (["create", "--title-da", "a", "--title-en", "b", "--at", "2030-01-07 14:00",
      "--minutes", "45", "--link", LINK, "--repeat", "weekly"],
     "--repeat and --until go together"),
    (["create", "--title-da", "a", "--title-en", "b", "--at", "2020-01-07 14:00",
      "--minutes", "45", "--link", LINK], "--at 2020-01-07 14:00: that is in the past"),
    (["create", "--title-da", "a", "--title-en", "b", "--at", "2030-01-07 14:00",
      "--minutes", "0", "--link", LINK],
     "argument --minutes: expected minutes from 1 to 600, got '0'"),
    (["create", "--title-da", "a", "--title-en", "b", "--at", "2030-01-07 14:00",
      "--minutes", "45", "--link", "meet.example"],
     "argument --link: expected an http(s):// link, got 'meet.example'"),
    (["change", "7", "--link", LINK], "no webinar #7"),
    (["cancel", "7"], "no webinar #7"),
    (["create", "--title-da", " ", "--title-en", "b", "--at", "2030-01-07 14:00",
      "--minutes", "45", "--link", LINK],
     "argument --title-da: expected a title of 1-100 characters, got 0"),
    (["create", "--title-da", "a", "--title-en", "b", "--at", "2030-01-07 14:00",
      "--minutes", "45", "--link", LINK, "--repeat", "weekly", "--until", "2030-01-32"],
     "argument --until: expected a date as YYYY-MM-DD, got '2030-01-32'"),
    (["change", "7"], "change needs --at or --link"),
    ([], "choose create, list, change ID, cancel ID or invite ID"),
])
def test_cli_usage_errors_are_one_line(tmp_path: Path, args: list[str], reason: str) -> None:
    assert run_cli(tmp_path, "migrate").returncode == 0
    result = run_cli(tmp_path, "webinar", *args)
    assert result.returncode == 2, result.stderr
    assert result.stderr.splitlines() == [f"webinar: {reason}"]
