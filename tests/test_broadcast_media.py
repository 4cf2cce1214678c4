"""Broadcasts with an image or document (issue 10): the bytes are checked, stored once and
uploaded once, every later message sends Telegram's file_id; the caption limit; a crash
between the upload and keeping the file_id; a file Telegram knows already (the staff chat's
compose dialog); and quiet hours that begin while a broadcast is being sent."""

from __future__ import annotations

import asyncio
import struct
import zlib
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from telegram import Bot, InputFile

from bot.config import Settings
from bot.features.broadcasts import Attachment, BroadcastService, Draft, DraftError, Segment
from bot.features.broadcasts.files import MAX_BYTES, check_file, image_size
from bot.features.broadcasts.model import KIND, BroadcastStatus
from bot.features.broadcasts.wording import render_preview
from bot.features.citizens import CitizenStore, Purpose
from bot.outbox import Priority
from bot.outbox.model import MediaKind, Message
from bot.transport.local_api import ApiCall, LocalBotApi
from tests.conftest import Harness, crash_harness, run_cli, start_harness, stop_harness
from tests.fakes import FakeClock
from tests.http_bot_api import HttpBotApi

STAFF_CHAT = -100777
ADMIN = 11
FIRST_USER = 60_000
TEXT = "Webinar om CV i morgen kl. 14"
COPENHAGEN = ZoneInfo("Europe/Copenhagen")


def png(width: int = 4, height: int = 3) -> bytes:
    """A real (tiny, grey) PNG."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data)))

    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def jpeg(width: int, height: int) -> bytes:
    """The segments a JPEG's structure check reads: SOI, APP0, SOF0, SOS, data, EOI."""
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    sof0 = b"\xff\xc0" + struct.pack(">HBHHB", 11, 8, height, width, 1) + b"\x01\x11\x00"
    sos = b"\xff\xda" + struct.pack(">HB", 8, 1) + b"\x01\x00\x00\x3f\x00"
    return b"\xff\xd8" + app0 + sof0 + sos + b"\x12\x34\x56" + b"\xff\xd9"


def webp(width: int, height: int) -> bytes:
    """An extended-format (VP8X) WebP header with its canvas size."""
    body = (b"WEBP" + b"VP8X" + struct.pack("<I", 10) + b"\x00\x00\x00\x00"
            + (width - 1).to_bytes(3, "little") + (height - 1).to_bytes(3, "little"))
    return b"RIFF" + struct.pack("<I", len(body)) + body


@pytest.fixture
def staff_settings(settings: Settings) -> Settings:
    return replace(settings, staff_chat_id=STAFF_CHAT, admin_ids=frozenset({ADMIN}),
                   staff_locale="en")


@pytest.fixture
async def bot(staff_settings: Settings, clock: FakeClock) -> AsyncIterator[Harness]:
    harness = await start_harness(staff_settings, clock)
    yield harness
    await stop_harness(harness)


async def add_citizens(bot: Harness, count: int) -> None:
    store = bot.ctx.get(CitizenStore)
    for n in range(1, count + 1):
        citizen = await store.create(FIRST_USER + n, FIRST_USER + n, "da", bot.clock.now())
        await store.record_consents(citizen.id, {Purpose.WEBINARS: True}, "test-1",
                                    bot.clock.now())


def service(bot: Harness) -> BroadcastService:
    return bot.ctx.get(BroadcastService)


def draft(bot: Harness, attachment: Attachment | None, text: str = TEXT) -> Draft:
    return Draft("CV webinar", {"da": text}, Segment(), bot.clock.now(),
                 attachment=attachment)


def to_citizens(api: LocalBotApi, method: str) -> list[ApiCall]:
    return [c for c in api.sent(method=method) if c.chat_id and c.chat_id > 0]


async def stored_file(bot: Harness) -> tuple[bytes | None, str | None]:
    row = await bot.ctx.db.fetch_one("SELECT content, file_id FROM outbox_files")
    assert row is not None
    return row["content"], row["file_id"]


async def test_cli_image_is_uploaded_once_and_its_file_id_reused(
        staff_settings: Settings, tmp_path: Path) -> None:
    clock = FakeClock(datetime.now(UTC).replace(microsecond=0))
    bot = await start_harness(staff_settings, clock)
    try:
        await add_citizens(bot, 3)
        image = png(640, 480)
        (tmp_path / "photo.png").write_bytes(image)
        (tmp_path / "da.txt").write_text(TEXT + "\n", encoding="utf-8")
        stored = run_cli(tmp_path, "broadcast", "send", "--name", "CV", "--text-da", "da.txt",
                         "--image", "photo.png", "--yes",
                         DATABASE_PATH=str(staff_settings.database_path), STAFF_LOCALE="en",
                         LOG_LEVEL="WARNING", RISK_MODEL="false")
        assert stored.returncode == 0, stored.stderr
        assert f"With image photo.png, {max(1, round(len(image) / 1000))} kB" in stored.stdout
        assert await stored_file(bot) == (image, None)

        clock.advance(minutes=1)  # the CLI's "now" has come for the fake clock too
        await service(bot).sweep()
        await bot.drain()  # through quiet hours, should the test run in them
        await service(bot).sweep()

        photos = to_citizens(bot.api, "sendPhoto")
        assert len(photos) == 3 and not to_citizens(bot.api, "sendMessage")
        first, *later = photos
        assert first.files == {"photo": image}
        assert [c.params["photo"] for c in later] == ["photo-1", "photo-1"], "largest size"
        assert all(not c.files for c in later)
        assert {c.params["caption"] for c in photos} == {TEXT}
        markup = first.params["reply_markup"]["inline_keyboard"]
        assert markup[-1][0]["text"] == "Ikke mere nyt om webinarer"
        found = await service(bot).get(1)
        assert found is not None and found.status == BroadcastStatus.DONE
        assert await stored_file(bot) == (None, "photo-1"), "the bytes go once it is done"
    finally:
        await stop_harness(bot)


async def test_a_document_goes_by_file_id_after_the_first_upload(bot: Harness) -> None:
    await add_citizens(bot, 2)
    pdf = b"%PDF-1.4\n% program\n"
    broadcast = await service(bot).create(
        draft(bot, Attachment.of_bytes(MediaKind.DOCUMENT, "program.pdf", pdf)), "cli")
    await service(bot).sweep()
    await bot.drain()
    await service(bot).sweep()
    first, second = to_citizens(bot.api, "sendDocument")
    assert first.files == {"document": pdf} and first.params["caption"] == TEXT
    assert second.params["document"] == "document-1" and not second.files
    found = await service(bot).get(broadcast)
    assert found is not None and found.status == BroadcastStatus.DONE
    assert found.draft.attachment is not None
    assert found.draft.attachment.filename == "program.pdf"
    assert found.draft.attachment.content is None


async def test_a_caption_over_1024_characters_is_refused(bot: Harness) -> None:
    long = "x" * 1025
    with pytest.raises(DraftError, match="da text is longer than 1024 characters"):
        await service(bot).check(draft(bot, Attachment.of_bytes(MediaKind.PHOTO, "p.png",
                                                                png()), long))
    await service(bot).check(draft(bot, None, long))  # a message alone may be 4096
    await service(bot).check(draft(bot, Attachment.of_bytes(MediaKind.PHOTO, "p.png", png()),
                                   "x" * 1024))


def test_the_cli_refuses_a_long_caption_and_wrong_bytes(tmp_path: Path) -> None:
    (tmp_path / "long.txt").write_text("x" * 1100, encoding="utf-8")
    (tmp_path / "da.txt").write_text("Hej", encoding="utf-8")
    (tmp_path / "photo.png").write_bytes(png())
    (tmp_path / "fake.jpg").write_text("not an image at all", encoding="utf-8")
    (tmp_path / "report.pdf").write_bytes(b"PK\x03\x04 a zip, not a PDF")
    env = {"LOG_LEVEL": "WARNING", "RISK_MODEL": "false"}
    cases = [
        (("--text-da", "long.txt", "--image", "photo.png"),
         "broadcast: the da text is longer than 1024 characters, the most for the caption of "
         "an image or document\n"),
        (("--text-da", "da.txt", "--image", "fake.jpg"),
         "broadcast: fake.jpg is not a JPEG, PNG or WebP image\n"),
        (("--text-da", "da.txt", "--document", "report.pdf"),
         "broadcast: report.pdf is not what its name says (its content is not a PDF file)\n"),
        (("--text-da", "da.txt", "--image", "missing.png"),
         "broadcast: --image missing.png: no such file\n"),
    ]
    for args, error in cases:
        result = run_cli(tmp_path, "broadcast", "send", "--name", "X", *args, "--yes", **env)
        assert (result.returncode, result.stdout, result.stderr) == (2, "", error)


def test_images_are_judged_by_their_bytes() -> None:
    assert image_size(png(640, 480)) == (640, 480)
    assert image_size(jpeg(1200, 800)) == (1200, 800)
    assert image_size(webp(300, 200)) == (300, 200)
    with pytest.raises(ValueError, match="not a whole JPEG, PNG or WebP image"):
        image_size(png(640, 480)[:40])  # cut short
    with pytest.raises(ValueError, match="not a whole"):
        image_size(jpeg(10, 10)[:-2] + b"\x00\x00")  # no end marker
    with pytest.raises(ValueError, match="is not a JPEG, PNG or WebP image"):
        image_size(b"GIF89a\x01\x00\x01\x00")
    with pytest.raises(ValueError, match="width and height together may be at most 10000"):
        check_file(MediaKind.PHOTO, "wide.png", png(9000, 1500))
    with pytest.raises(ValueError, match="too narrow"):
        check_file(MediaKind.PHOTO, "strip.png", png(2100, 100))
    with pytest.raises(ValueError, match="larger than 10 MB, the most for an image"):
        check_file(MediaKind.PHOTO, "big.png", png() + b"\x00" * MAX_BYTES[MediaKind.PHOTO])
    with pytest.raises(ValueError, match="empty"):
        check_file(MediaKind.DOCUMENT, "empty.txt", b"")
    check_file(MediaKind.DOCUMENT, "notes.txt", b"any bytes go as a document")


async def test_a_crash_between_upload_and_keeping_the_file_id_uploads_once_more(
        staff_settings: Settings, clock: FakeClock, monkeypatch: pytest.MonkeyPatch) -> None:
    api = LocalBotApi()
    first = await start_harness(staff_settings, clock, api=api)
    await add_citizens(first, 4)
    image = png(50, 50)
    broadcast = await service(first).create(
        draft(first, Attachment.of_bytes(MediaKind.PHOTO, "p.png", image)), "cli")
    await service(first).sweep()

    async def die(*args: Any) -> None:  # kill -9 right after Telegram answered the upload
        await crash_harness(first)
        raise ConnectionError("killed")

    monkeypatch.setattr(first.ctx.outbox.store, "set_telegram_file_id", die)
    with pytest.raises(ConnectionError):
        await first.drain()
    assert [c.files for c in to_citizens(api, "sendPhoto")] == [{"photo": image}]

    second = await start_harness(staff_settings, clock, api=api)
    try:
        await second.application.bot_data["outbox_sender"].recover()
        await service(second).sweep()
        await second.drain()
        await service(second).sweep()
        photos = to_citizens(api, "sendPhoto")
        uploads = [c for c in photos if c.files]
        assert len(uploads) == 2, "the upload whose file_id was lost, and one more"
        assert len(photos) == 4 and len({c.chat_id for c in photos}) == 4
        assert [c.params["photo"] for c in photos if not c.files] == ["photo-2", "photo-2"]
        found = await service(second).get(broadcast)
        assert found is not None and found.status == BroadcastStatus.DONE
        assert found.counts is not None
        assert (found.counts.sent, found.counts.uncertain) == (3, 1), "in flight: in doubt"
    finally:
        await stop_harness(second)


async def test_a_file_telegram_knows_already_is_sent_by_its_file_id(bot: Harness) -> None:
    """The staff chat's compose dialog: a photo a coordinator sent the bot, by its file_id."""
    await add_citizens(bot, 2)
    known = Attachment(MediaKind.PHOTO, file_id="AgAC-from-the-staff-chat", size=120_400)
    preview = await service(bot).preview(draft(bot, known))
    text = render_preview("CV webinar", preview, bot.ctx.texts.staff)
    assert "With image (no name), 120 kB" in text
    media = preview.messages["da"].media
    assert media is not None and media.file_id == "AgAC-from-the-staff-chat"
    await service(bot).create(draft(bot, known), "staff:31")
    await service(bot).sweep()
    await bot.drain()
    photos = to_citizens(bot.api, "sendPhoto")
    assert [c.params["photo"] for c in photos] == ["AgAC-from-the-staff-chat"] * 2
    assert not any(c.files for c in photos)
    assert await bot.ctx.db.fetch_one("SELECT 1 FROM outbox_files") is None
    with pytest.raises(DraftError, match="neither a Telegram file_id nor bytes"):
        await service(bot).check(draft(bot, Attachment(MediaKind.DOCUMENT, "x.pdf")))


async def test_quiet_hours_beginning_while_sending_stop_the_rest_at_once(
        bot: Harness) -> None:
    """Queued at 19:59:59 local, 30 recipients at 25 messages/s: the rows still pending at
    20:00 wait for 08:00, without waiting for the broadcasts' sweep; other kinds go on."""
    sent_at: list[datetime] = []
    bot.api.on_call = lambda call, result: (
        sent_at.append(bot.clock.now())
        if call.method == "sendMessage" and call.params.get("text") == TEXT else None)
    await add_citizens(bot, 30)
    bot.clock.advance(hours=9, minutes=59, seconds=59)  # Tuesday 19:59:59 in Copenhagen
    broadcast = await service(bot).create(draft(bot, None), "cli")
    await service(bot).sweep()
    sender = bot.application.bot_data["outbox_sender"]
    for _ in range(200):  # the sender alone, no sweep, until it has nothing to send now
        wait = await sender.send_next()
        if wait is None or wait.total_seconds() > 60:
            break
        bot.clock.advance(seconds=wait.total_seconds())
    assert 0 < len(sent_at) < 30
    assert all(t.astimezone(COPENHAGEN).hour == 19 for t in sent_at)
    found = await service(bot).get(broadcast)
    assert found is not None
    counts = await service(bot).counts(found)
    assert counts.pending == counts.delayed == 30 - len(sent_at)
    report, _buttons = await service(bot).report(found)
    assert f"(delayed {counts.delayed})" in report

    await bot.ctx.outbox.enqueue(FIRST_USER + 99, Message("reminder"),
                                 priority=Priority.REMINDER, kind="webinar-reminder")
    await bot.drain(follow_time=False)
    assert bot.api.texts(FIRST_USER + 99) == ["reminder"], "not a broadcast: not held"

    await bot.drain()
    await service(bot).sweep()
    assert len(sent_at) == 30
    morning = datetime(2026, 11, 25, 7, 0, tzinfo=UTC)
    assert all(t.astimezone(COPENHAGEN).hour == 19 or t >= morning for t in sent_at)
    rows = await bot.ctx.db.fetch_all("SELECT status FROM outbox WHERE kind = ?", (KIND,))
    assert {r["status"] for r in rows} == {"sent"}
    assert timedelta(0) <= bot.clock.now() - morning < timedelta(minutes=1)


async def test_concurrent_sends_wait_for_the_one_upload(staff_settings: Settings,
                                                        clock: FakeClock) -> None:
    """At SEND_RATE=1000 the budget lets several sends start at once, as run() does."""
    bot = await start_harness(replace(staff_settings, send_rate=1000), clock)
    try:
        await add_citizens(bot, 4)
        image = png(20, 20)
        await service(bot).create(
            draft(bot, Attachment.of_bytes(MediaKind.PHOTO, "p.png", image)), "cli")
        await service(bot).sweep()
        sender = bot.application.bot_data["outbox_sender"]
        await sender.send_next()  # the progress message in the staff chat
        await asyncio.gather(*(sender.send_next() for _ in range(4)))
        assert [c.files for c in to_citizens(bot.api, "sendPhoto")] == [{"photo": image}]
        await bot.drain()
        photos = to_citizens(bot.api, "sendPhoto")
        assert [bool(c.files) for c in photos] == [True, False, False, False]
    finally:
        await stop_harness(bot)


async def test_the_http_fake_keeps_uploads_and_answers_with_a_file_id() -> None:
    image = png(8, 8)
    with HttpBotApi() as api:
        telegram = Bot("123:http-fake", base_url=api.base_url)
        async with telegram:
            uploaded = await telegram.send_photo(FIRST_USER, InputFile(image, filename="p.png"),
                                                 caption="hi")
            again = await telegram.send_photo(FIRST_USER, uploaded.photo[-1].file_id)
            document = await telegram.send_document(FIRST_USER, InputFile(b"%PDF-1", "a.pdf"))
        first, second, third = [c for c in api.calls if c.method.startswith("send")]
    assert first.files == {"photo": image} and first.params["caption"] == "hi"
    assert uploaded.photo[-1].file_id == "photo-1" == again.photo[-1].file_id
    assert second.params["photo"] == "photo-1" and not second.files
    assert third.files == {"document": b"%PDF-1"} and document.document is not None
    assert document.document.file_id == "document-2"
