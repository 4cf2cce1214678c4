"""Broadcasts (issue 10): segment and preview, the translation check, schedule and quiet hours,
pause/resume/cancel mid-send, 403s, exactly once across a crash, the way out, and the CLI."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.cache import ChangeNotes
from bot.clock import SystemClock
from bot.config import Settings
from bot.db import Database
from bot.features.broadcasts import KIND, BroadcastService, Draft, DraftError, Segment
from bot.features.broadcasts import service as broadcast_service_module
from bot.features.broadcasts.model import UNSUBSCRIBE, BroadcastStatus, Exclusion
from bot.features.broadcasts.progress import BroadcastProgress
from bot.features.cases import CaseService
from bot.features.citizens import Citizen, CitizenStore, Purpose
from bot.features.privacy import PrivacyService
from bot.features.staff import Role, StaffService
from bot.outbox import Priority
from bot.outbox.model import Message
from bot.transport.local_api import Fault, LocalBotApi
from tests.conftest import Harness, crash_harness, run_cli, start_harness, stop_harness
from tests.fakes import FakeClock

STAFF_CHAT = -100777
ADMIN, COORDINATOR, CONSULTANT = 11, 31, 21
FIRST_USER = 50_000
TEXTS = {"da": "Webinar om CV i morgen kl. 14", "en": "Webinar on CVs tomorrow at 14:00"}


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


async def add_citizen(bot: Harness, n: int, locale: str = "da", *, consent: bool | None = True,
                      label: str | None = None, joined: datetime | None = None) -> int:
    """Citizen number n's user (and private chat) is FIRST_USER + n."""
    store = bot.ctx.get(CitizenStore)
    citizen = await store.create(FIRST_USER + n, FIRST_USER + n, locale,
                                 joined or bot.clock.now())
    if label:
        await store.set_invite_label(citizen.id, label)
    if consent is not None:
        await store.record_consents(citizen.id, {Purpose.WEBINARS: consent}, "test-1",
                                    bot.clock.now())
    return citizen.id


def service(bot: Harness) -> BroadcastService:
    return bot.ctx.get(BroadcastService)


def draft(bot: Harness, texts: dict[str, str] | None = None, **changes: Any) -> Draft:
    return replace(Draft("CV webinar", TEXTS if texts is None else texts, Segment(),
                         bot.clock.now()), **changes)


async def send_some(bot: Harness, n: int) -> int:
    """Let the sender send up to n messages (any kind), moving the clock to each slot."""
    sender = bot.application.bot_data["outbox_sender"]
    sent = 0
    for _ in range(20 * n):
        if sent == n:
            break
        wait = await sender.send_next()
        if wait is None:
            break
        if wait.total_seconds() == 0:
            sent += 1
        else:
            bot.clock.advance(seconds=wait.total_seconds())
    return sent


def received(bot: Harness, n: int) -> list[str]:
    return bot.api.texts(FIRST_USER + n)


async def test_preview_counts_per_language_and_exclusions_by_reason(bot: Harness) -> None:
    for n in range(1, 4):
        await add_citizen(bot, n, "da")
    await add_citizen(bot, 4, "en")
    await add_citizen(bot, 5, "en", consent=None)  # never asked
    await add_citizen(bot, 6, "da", consent=False)  # said no
    await add_citizen(bot, 7, "da")
    await bot.ctx.get(CitizenStore).set_blocked(FIRST_USER + 7, bot.clock.now())
    capped = await add_citizen(bot, 8, "da")
    for slot in range(2):  # two check-ins this week: the weekly cap is reached
        await bot.ctx.outbox.enqueue(FIRST_USER + 8, Message("hej"), priority=Priority.CHECKIN,
                                     kind="checkin", citizen_id=capped, key=f"c:{slot}")

    preview = await service(bot).preview(draft(bot))
    assert dict(preview.per_language) == {"da": 3, "en": 1}
    assert dict(preview.excluded) == {Exclusion.NO_CONSENT: 2, Exclusion.BLOCKED: 1,
                                      Exclusion.WEEKLY_CAP: 1}
    assert preview.delayed == 0 and not preview.blocked_by
    en = preview.messages["en"]
    assert en.text == TEXTS["en"]
    assert en.buttons == ((("No more webinar news", UNSUBSCRIBE),),)

    important = await service(bot).preview(draft(bot, important=True))
    assert dict(important.per_language) == {"da": 4, "en": 1}
    assert Exclusion.WEEKLY_CAP not in important.excluded


async def test_segment_filters_and_erased_hand_picked_numbers(bot: Harness) -> None:
    day = timedelta(days=1)
    now = bot.clock.now()
    early = await add_citizen(bot, 1, label="kolding-nov", joined=now - 10 * day)
    late = await add_citizen(bot, 2, label="kolding-nov", joined=now)
    other = await add_citizen(bot, 3, label="vejle", joined=now)
    english = await add_citizen(bot, 4, "en", label="kolding-nov", joined=now)
    erased = await add_citizen(bot, 5)
    await bot.ctx.get(PrivacyService).erase(erased)  # as /delete does: the audit log keeps it
    never = 99

    async def who(segment: Segment) -> tuple[int, dict[Exclusion, int]]:
        preview = await service(bot).preview(draft(bot, segment=segment))
        return preview.recipients, dict(preview.excluded)

    assert await who(Segment(label="kolding-nov")) == (3, {})
    assert await who(Segment(label="kolding-nov", languages=("en",))) == (1, {})
    today = now.date()
    assert await who(Segment(joined_from=today, joined_to=today)) == (3, {})
    assert await who(Segment(joined_to=today - 5 * day)) == (1, {})
    picked = await who(Segment(citizens=(early, other, erased, never)))
    assert picked == (2, {Exclusion.ERASED: 1, Exclusion.UNKNOWN: 1})
    assert await who(Segment(citizens=(late, english), languages=("da",))) == (1, {})


async def test_no_text_for_a_language_refuses_unless_falling_back(bot: Harness) -> None:
    await add_citizen(bot, 1, "da")
    await add_citizen(bot, 2, "en")
    only_danish = draft(bot, {"da": TEXTS["da"]})
    preview = await service(bot).preview(only_danish)
    assert preview.blocked_by == ("en",) and dict(preview.without_text) == {"en": 1}
    with pytest.raises(DraftError, match="no text in en"):
        await service(bot).create(only_danish, "cli")

    fallback = replace(only_danish, fallback_to_default=True)
    preview = await service(bot).preview(fallback)
    assert not preview.blocked_by and dict(preview.per_language) == {"da": 2}
    await service(bot).create(fallback, "cli")
    await service(bot).sweep()
    await bot.drain()
    assert received(bot, 1) == received(bot, 2) == [TEXTS["da"]]


async def test_sent_only_when_due_and_held_back_by_quiet_hours(bot: Harness) -> None:
    for n in range(1, 4):
        await add_citizen(bot, n)
    later = await service(bot).create(draft(bot, send_at=bot.clock.now() + timedelta(hours=2)),
                                      "cli")
    await service(bot).sweep()
    await bot.drain()
    assert received(bot, 1) == []
    bot.clock.advance(hours=2)
    await service(bot).sweep()
    await bot.drain()
    await service(bot).sweep()
    assert [received(bot, n) for n in range(1, 4)] == [[TEXTS["da"]]] * 3
    finished = await service(bot).get(later)
    assert finished is not None and finished.status == BroadcastStatus.DONE
    assert finished.counts is not None and finished.counts.sent == 3

    # Tuesday 21:00 in Copenhagen: quiet hours until 08:00.
    bot.clock.advance(hours=9)
    evening = draft(bot, texts={"da": "Aftenbesked"}, important=True)
    preview = await service(bot).preview(evening)
    morning = datetime(2026, 11, 25, 7, 0, tzinfo=UTC)
    assert preview.delayed == 3 and preview.not_before == morning
    await service(bot).create(evening, "cli")
    await service(bot).sweep()
    await bot.drain(follow_time=False)  # the staff chat's progress message goes at once
    assert received(bot, 1) == [TEXTS["da"]]
    await bot.drain()
    assert bot.clock.now() >= morning
    assert received(bot, 1) == [TEXTS["da"], "Aftenbesked"]


async def test_quiet_hours_beginning_mid_send_hold_the_rest(bot: Harness) -> None:
    for n in range(1, 6):
        await add_citizen(bot, n)
    bot.clock.advance(hours=9, minutes=59, seconds=58)  # 19:59:58 local
    broadcast = await service(bot).create(draft(bot), "cli")
    await service(bot).sweep()
    await send_some(bot, 3)  # the progress message and two citizens
    bot.clock.advance(seconds=5)  # 20:00:03: quiet hours
    await service(bot).sweep()
    found = await service(bot).get(broadcast)
    assert found is not None
    counts = await service(bot).counts(found)
    assert counts.sent == 2 and counts.pending == counts.delayed == 3


async def test_pause_resume_and_cancel_mid_send_keep_the_counts_right(bot: Harness) -> None:
    for n in range(1, 11):
        await add_citizen(bot, n)
    first = await service(bot).create(draft(bot), "cli")
    await service(bot).sweep()
    await send_some(bot, 4)  # the progress message and three citizens
    assert await service(bot).pause(first) == "done"
    await send_some(bot, 5)
    found = await service(bot).get(first)
    assert found is not None
    paused = await service(bot).counts(found)
    assert (paused.sent, paused.held, paused.pending) == (3, 7, 0)
    assert await service(bot).pause(first) == "not_now"
    assert await service(bot).resume(first) == "done"
    await send_some(bot, 2)
    assert await service(bot).cancel(first) == "done"
    await bot.drain()
    await service(bot).sweep()
    found = await service(bot).get(first)
    assert found is not None and found.status == BroadcastStatus.CANCELLED
    assert found.finished_at is not None and found.counts is not None
    assert (found.counts.sent, found.counts.cancelled, found.counts.total) == (5, 5, 10)
    assert sum(len(received(bot, n)) for n in range(1, 11)) == 5
    assert await service(bot).resume(first) == "not_now"
    assert await service(bot).cancel(404) == "unknown"


async def test_progress_message_buttons_are_for_outreach_staff(bot: Harness) -> None:
    for n in range(1, 4):
        await add_citizen(bot, n)
    broadcast = await service(bot).create(draft(bot), "cli")
    await service(bot).sweep()
    await send_some(bot, 1)
    [progress] = bot.api.sent(STAFF_CHAT)
    assert "sending" in str(progress.params["text"])
    found = await service(bot).get(broadcast)
    assert found is not None and found.progress_message_id is not None
    message_id = found.progress_message_id

    async def press(user: int, action: str) -> str:
        await bot.application.process_update(bot.updates.staff_press(
            STAFF_CHAT, user, f"bcast|{action}|{broadcast}", message_id=message_id))
        return str(bot.api.sent(method="answerCallbackQuery")[-1].params.get("text"))

    assert await press(CONSULTANT, "pause") == "Only coordinators and admins can do that."
    found = await service(bot).get(broadcast)
    assert found is not None and found.status == BroadcastStatus.SENDING
    assert (await press(COORDINATOR, "pause")).startswith("Paused")
    [edit] = bot.api.sent(STAFF_CHAT, method="editMessageText")
    assert "paused" in str(edit.params["text"]) and edit.params["message_id"] == message_id
    assert [b["text"] for b in bot.api.last_keyboard(STAFF_CHAT)[0]] == ["▶️ Resume",
                                                                         "✖️ Cancel"]
    assert (await press(ADMIN, "resume")) == "Resumed."
    await bot.drain()
    await service(bot).sweep()
    progress_sweep = bot.ctx.get(BroadcastProgress).sweep
    assert await progress_sweep() == 0, "at most one edit every 5 s"
    bot.clock.advance(seconds=5)
    assert await progress_sweep() == 1
    summary = str(bot.api.sent(STAFF_CHAT, method="editMessageText")[-1].params["text"])
    assert "done" in summary and "Of 3: 3 sent, 0 failed" in summary
    assert bot.api.last_keyboard(STAFF_CHAT) == []


async def test_403_mid_broadcast_is_counted_as_blocked_and_marks_the_citizen(
        bot: Harness) -> None:
    for n in range(1, 5):
        await add_citizen(bot, n)
    bot.api.fail(Fault("sendMessage", chat_id=FIRST_USER + 3, status=403))
    bot.api.fail(Fault("sendMessage", chat_id=FIRST_USER + 4, status=400,
                       description="Bad Request: chat not found"))
    broadcast = await service(bot).create(draft(bot), "cli")
    await service(bot).sweep()
    await bot.drain()
    await service(bot).sweep()
    found = await service(bot).get(broadcast)
    assert found is not None and found.counts is not None
    assert (found.counts.sent, found.counts.blocked, found.counts.failed) == (2, 1, 1)
    assert found.counts.failures == (("400 Chat not found", 1),)
    gone = await bot.ctx.get(CitizenStore).by_user(FIRST_USER + 3)
    assert gone is not None and not gone.reachable
    text, _buttons = await service(bot).report(found)
    assert "Failures by reason:\n  400 Chat not found: 1" in text


async def test_crash_while_queueing_and_sending_sends_each_citizen_exactly_once(
        staff_settings: Settings, clock: FakeClock, monkeypatch: pytest.MonkeyPatch) -> None:
    api = LocalBotApi()
    first = await start_harness(staff_settings, clock, api=api)
    store = first.ctx.get(CitizenStore)
    async with first.ctx.db.transaction() as tx:
        await tx.execute_many(
            "INSERT INTO citizens (telegram_user_id, chat_id, locale, joined_at) "
            "VALUES (?, ?, 'da', '2026-11-01T00:00:00+00:00')",
            [(FIRST_USER + n, FIRST_USER + n) for n in range(1, 1001)])
    for citizen_id in range(1, 1001):
        await store.record_consents(citizen_id, {Purpose.WEBINARS: True}, "test-1", clock.now())
    broadcast = await first.ctx.get(BroadcastService).create(draft(first), "cli")

    monkeypatch.setattr(broadcast_service_module, "BATCH", 100)
    outbox_store = first.ctx.outbox.store
    real_add_many = outbox_store.add_many
    batches = 0

    async def add_many_then_die(*args: Any, **kwargs: Any) -> int:
        nonlocal batches
        batches += 1
        if batches == 5:  # kill -9 in the middle of queueing
            await crash_harness(first)
            raise ConnectionError("killed")
        return await real_add_many(*args, **kwargs)

    monkeypatch.setattr(outbox_store, "add_many", add_many_then_die)
    with pytest.raises(ConnectionError):
        await first.ctx.get(BroadcastService).sweep()
    assert batches == 5

    second = await start_harness(staff_settings, clock, api=api)
    in_flight = 0
    try:
        await second.ctx.get(BroadcastService).sweep()
        await send_some(second, 400)
        # kill -9 while one message is at Telegram: it becomes "in doubt", never resent
        row = await second.ctx.db.fetch_one(
            "SELECT id, chat_id FROM outbox WHERE kind = ? AND status = 'pending' "
            "ORDER BY id LIMIT 1", (KIND,))
        assert row is not None
        in_flight = int(row["chat_id"])
        await second.ctx.outbox.store.mark_sending(int(row["id"]))
        await crash_harness(second)
    finally:
        if not in_flight:
            await stop_harness(second)

    third = await start_harness(staff_settings, clock, api=api)
    try:
        await third.application.bot_data["outbox_sender"].recover()
        service_ = third.ctx.get(BroadcastService)
        await service_.sweep()
        await third.drain(limit=5000)
        await service_.sweep()
        per_chat = Counter(c.chat_id for c in api.sent() if c.chat_id and c.chat_id > 0)
        assert per_chat[in_flight] == 0
        assert set(per_chat.values()) == {1} and len(per_chat) == 999
        found = await service_.get(broadcast)
        assert found is not None and found.status == BroadcastStatus.DONE
        assert found.counts is not None
        assert (found.counts.sent, found.counts.uncertain, found.counts.total) == (999, 1, 1000)
    finally:
        await stop_harness(third)


async def received_a_broadcast(bot: Harness) -> Citizen:
    """Citizen 1, started in English, consented to webinar news and sent one broadcast."""
    await bot.say("/start", user=FIRST_USER + 1, language_code="en")
    citizen = await bot.ctx.get(CitizenStore).by_user(FIRST_USER + 1)
    assert citizen is not None
    await bot.ctx.get(CitizenStore).record_consents(citizen.id, {Purpose.WEBINARS: True},
                                                    "test-1", bot.clock.now())
    await service(bot).create(draft(bot), "cli")
    await service(bot).sweep()
    await bot.drain()
    return citizen


async def test_no_more_webinar_news_withdraws_the_consent(bot: Harness) -> None:
    citizen = await received_a_broadcast(bot)
    assert received(bot, 1)[-1] == TEXTS["en"]
    second = await service(bot).create(draft(bot, texts={"en": "Another one"}), "cli")
    await service(bot).sweep()  # queued, not sent yet

    [answer] = await bot.tap("No more webinar news", user=FIRST_USER + 1)
    assert answer.startswith("Done – you will get no more webinar news")
    consent = (await bot.ctx.get(CitizenStore).consents(citizen.id))[Purpose.WEBINARS]
    assert not consent.granted and consent.text_version.startswith("en-unsubscribe-")
    await bot.drain()
    assert "Another one" not in received(bot, 1)
    found = await service(bot).get(second)
    assert found is not None
    assert (await service(bot).counts(found)).cancelled == 1
    [mydata] = await bot.say("/mydata", user=FIRST_USER + 1, language_code="en")
    assert "News about webinars: no" in mydata
    preview = await service(bot).preview(draft(bot))
    assert dict(preview.excluded) == {Exclusion.NO_CONSENT: 1}


async def test_an_empty_text_is_refused_before_anything_is_stored(bot: Harness) -> None:
    with pytest.raises(DraftError, match="the da text is empty"):
        await service(bot).check(draft(bot, texts={"da": " \n", "en": "Hello"}))


async def test_unknown_button_prefix_is_refused(bot: Harness) -> None:
    with pytest.raises(DraftError, match="unknown button 'poll'"):
        await service(bot).check(draft(bot, buttons=("poll:1",)))


async def _citizens_in(path: Path, locales: list[str]) -> None:
    db = await Database.open(path)
    try:
        store = CitizenStore(db, ChangeNotes.of(db, SystemClock()))  # as the CLI would
        for n, locale in enumerate(locales, start=1):
            citizen = await store.create(FIRST_USER + n, FIRST_USER + n, locale,
                                         datetime(2026, 11, 2, 10, tzinfo=UTC))
            await store.record_consents(citizen.id, {Purpose.WEBINARS: True}, "t",
                                        citizen.joined_at)
    finally:
        await db.close()


async def test_cli_preview_send_status_pause_resume_cancel_list(tmp_path: Path) -> None:
    await _citizens_in(tmp_path / "t.db", ["da", "da", "en"])
    (tmp_path / "da.txt").write_text("Hej webinar\n", encoding="utf-8")
    (tmp_path / "en.txt").write_text("Hello webinar\n", encoding="utf-8")
    env = {"STAFF_LOCALE": "en", "LOG_LEVEL": "WARNING", "RISK_MODEL": "false"}  # not needed here
    texts = ("--text-da", "da.txt", "--text-en", "en.txt")

    shown = run_cli(tmp_path, "broadcast", "send", "--name", "CV", *texts, **env)
    assert shown.returncode == 0, shown.stderr
    assert "Recipients: 3\n  Dansk: 2\n  English: 1" in shown.stdout
    assert "Hello webinar\n[ No more webinar news ]" in shown.stdout
    assert shown.stdout.rstrip().endswith("add --yes to send it.")

    refused = run_cli(tmp_path, "broadcast", "send", "--name", "CV", "--text-da", "da.txt",
                      "--yes", **env)
    assert refused.returncode == 2 and "no text in en" in refused.stderr
    stored = run_cli(tmp_path, "broadcast", "send", "--name", "CV", "--text-da", "da.txt",
                     "--fallback-default", "--lang", "en", "--at", "2099-01-05 10:00", "--yes",
                     **env)
    assert stored.returncode == 0, stored.stderr
    assert "Recipients: 1\n  Dansk: 1" in stored.stdout
    broadcast_id = stored.stdout.strip().splitlines()[-1]
    assert broadcast_id == "1"

    status = run_cli(tmp_path, "broadcast", "status", "1", **env)
    assert status.returncode == 0
    assert status.stdout.startswith("📣 Broadcast #1 “CV” – scheduled for Monday 5 January")
    assert run_cli(tmp_path, "broadcast", "pause", "1", **env).stdout == "Broadcast #1 paused.\n"
    again = run_cli(tmp_path, "broadcast", "pause", "1", **env)
    assert again.returncode == 2 and "it is paused" in again.stderr
    assert run_cli(tmp_path, "broadcast", "resume", "1", **env).returncode == 0
    assert run_cli(tmp_path, "broadcast", "cancel", "1", **env).returncode == 0
    listed = run_cli(tmp_path, "broadcast", "list", **env)
    assert listed.stdout == "#1 “CV” – cancelled – 0 of 0 sent\n"
    for action in ("status", "pause", "resume", "cancel"):
        unknown = run_cli(tmp_path, "broadcast", action, "7", **env)
        assert (unknown.returncode, unknown.stderr) == (2, "broadcast: no broadcast #7\n")


@pytest.mark.parametrize(("args", "error"), [
    (("--text-da", "missing.txt"), "broadcast: --text-da missing.txt: no such file\n"),
    (("--text-da", "da.txt", "--lang", "fr"),
     "broadcast: --lang fr: unknown language (known: da, en)\n"),
    (("--text-da", "da.txt", "--at", "2020-01-01 10:00"),
     "broadcast: --at 2020-01-01 10:00: that is in the past\n"),
    (("--text-da", "da.txt", "--at", "2030-01-01"),
     "broadcast: argument --at: expected local time as \"YYYY-MM-DD HH:MM\", got '2030-01-01'\n"),
    (("--text-da", "da.txt", "--joined-from", "2026-02-30"),
     "broadcast: argument --joined-from: expected a date as YYYY-MM-DD, got '2026-02-30'\n"),
    (("--text-da", "da.txt", "--rsvp", "4"), "broadcast: rsvp 4: no webinar #4\n"),
    (("--text-da", "da.txt", "--no-rsvp", "x"), "broadcast: no-rsvp x: no webinar #x\n"),
    (("--text-da", "da.txt", "--button", "poll:3"), "broadcast: unknown button 'poll' (known:"),
    (("--text-da", "da.txt", "--button", "club:3"),
     "broadcast: button club:3: no club with a meeting still to come\n"),
])
def test_cli_usage_errors_are_one_line_and_exit_2(tmp_path: Path, args: tuple[str, ...],
                                                   error: str) -> None:
    (tmp_path / "da.txt").write_text("Hej\n", encoding="utf-8")
    result = run_cli(tmp_path, "broadcast", "send", "--name", "X", *args, LOG_LEVEL="WARNING",
                     RISK_MODEL="false")
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr.startswith(error) and result.stderr.count("\n") == 1


async def test_webinar_invite_is_a_broadcast_with_the_invitation_and_rsvp_buttons(
        tmp_path: Path) -> None:
    await _citizens_in(tmp_path / "t.db", ["da", "en"])
    env = {"STAFF_LOCALE": "en", "LOG_LEVEL": "WARNING", "RISK_MODEL": "false"}
    created = run_cli(tmp_path, "webinar", "create", "--title-da", "Dit CV", "--title-en",
                      "Your CV", "--at", "2099-01-05 14:00", "--minutes", "45", "--link",
                      "https://meet.example/cv", **env)
    assert created.returncode == 0, created.stderr

    shown = run_cli(tmp_path, "webinar", "invite", "1", **env)
    assert shown.returncode == 0, shown.stderr
    assert "Recipients: 2\n  Dansk: 1\n  English: 1" in shown.stdout
    assert "You are invited to a webinar from the job centre: «Your CV»" in shown.stdout
    assert "Du er inviteret til et webinar fra jobcentret: «Dit CV»" in shown.stdout
    assert "[ Yes ]  [ Maybe ]  [ No ]" in shown.stdout
    assert "[ Ja ]  [ Måske ]  [ Nej ]" in shown.stdout
    assert "meet.example" not in shown.stdout, "the link comes with the reminder only"

    stored = run_cli(tmp_path, "webinar", "invite", "1", "--lang", "da", "--yes", **env)
    assert stored.returncode == 0, stored.stderr
    assert stored.stdout.strip().splitlines()[-1] == "1"
    assert "webinar #1" in run_cli(tmp_path, "broadcast", "list", **env).stdout

    unknown = run_cli(tmp_path, "webinar", "invite", "9", **env)
    assert unknown.returncode == 2
    assert unknown.stderr.splitlines() == ["webinar: no webinar #9 with a session still to come"]


async def test_no_more_webinar_news_works_while_a_consultant_holds_the_chat(
        bot: Harness) -> None:
    citizen = await received_a_broadcast(bot)
    await bot.say("/human", user=FIRST_USER + 1, language_code="en")
    [case] = await bot.ctx.get(CaseService).list_open()
    await bot.application.process_update(bot.updates.staff_press(
        STAFF_CHAT, CONSULTANT, f"case|claim|{case.id}", message_id=1, first_name="Mette"))
    assert await bot.ctx.get(CaseService).held(citizen.id) is not None

    # the button under the broadcast, pressed later (the last keyboard is /human's)
    await bot.application.process_update(bot.updates.press(FIRST_USER + 1, UNSUBSCRIBE))
    assert bot.api.texts(FIRST_USER + 1)[-1].startswith("Done – you will get no more webinar")
    consent = (await bot.ctx.get(CitizenStore).consents(citizen.id))[Purpose.WEBINARS]
    assert not consent.granted
