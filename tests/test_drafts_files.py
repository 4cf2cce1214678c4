"""Draft files, safely (issue 13): the type by libmagic and by structure (and by structure alone
when libmagic cannot be loaded), ODT read with odfpy, page 1 of a PDF drawn by PDFium for the
consultant, the citizen's own message copied into the topic, and the virus scan through a
fake clamd speaking INSTREAM."""

from __future__ import annotations

import asyncio
import base64
import logging
import shutil
import struct
import sys
import tempfile
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

import pytest

from bot.config import ConfigError, Settings
from bot.features.drafts import reading
from bot.features.drafts.extract import read as read_in_child
from bot.features.drafts.model import Form
from bot.features.drafts.reading import FileType, detect, load_sniffer, read
from bot.features.drafts.virus import Clamd, Verdict
from bot.features.staff import Role, StaffService
from bot.i18n import Refusal
from tests import draft_files
from tests.conftest import CITIZEN, Harness, start_harness, stop_harness
from tests.fakes import FakeClock
from tests.test_drafts import ADMIN, METTE, STAFF_CHAT, begin, send_file, send_photo, service
from tests.test_drafts import staff_press as press

EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
PNG = b"\x89PNG\r\n\x1a\n"


def polyglot() -> bytes:
    """A zip that is an ODT to libmagic (its first entry) and a DOCX to a look inside."""
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.text")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def _libmagic() -> bool:
    try:
        import magic

        magic.Magic(mime=True)
    except Exception:  # ImportError, or python-magic's own when libmagic1 is missing
        return False
    return True


needs_libmagic = pytest.mark.skipif(not _libmagic(), reason="libmagic1 (Debian) not installed")


# the type: libmagic and the structure must agree --------------------------------------------
@needs_libmagic
def test_libmagic_and_the_structure_agree_on_every_allowed_type() -> None:
    sniff = load_sniffer()
    assert sniff is not None
    assert detect(draft_files.pdf("x"), sniff) is FileType.PDF
    assert detect(draft_files.docx("x"), sniff) is FileType.DOCX
    assert detect(draft_files.odt("x"), sniff) is FileType.ODT
    assert detect(draft_files.jpeg(), sniff) is FileType.IMAGE
    assert detect(draft_files.png(), sniff) is FileType.IMAGE


@needs_libmagic
def test_a_file_libmagic_disagrees_with_is_refused() -> None:
    sniff = load_sniffer()
    assert sniff is not None
    with pytest.raises(Refusal) as refused:
        detect(polyglot(), sniff)  # libmagic: an ODT; inside: a DOCX
    assert refused.value.msgid == reading.NOT_ALLOWED
    with pytest.raises(Refusal):  # a PDF header on what libmagic calls a program
        detect(draft_files.pdf("x"), lambda _content: "application/x-dosexec")
    for refused_anyway in (b"just some words", b"MZ" + bytes(100)):
        with pytest.raises(Refusal):
            detect(refused_anyway, sniff)


@pytest.fixture
def no_libmagic(monkeypatch: pytest.MonkeyPatch) -> None:
    """As on a machine without libmagic: `import magic` fails."""
    monkeypatch.setitem(sys.modules, "magic", None)


@pytest.mark.usefixtures("no_libmagic")
async def test_without_libmagic_one_warning_at_start_and_the_structure_still_decides(
        settings: Settings, clock: FakeClock, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="bot.features.drafts.reading")
    harness = await start_harness(settings, clock)
    try:
        warnings = [r for r in caplog.records if r.name == "bot.features.drafts.reading"]
        assert len(warnings) == 1
        assert "libmagic cannot be loaded" in warnings[0].getMessage()
        await begin(harness)
        refused = await send_file(harness, b"just some words", "cv.pdf", file_id="a")
        assert "This file is none of those" in refused[-1]  # never "anything goes"
        macros = await send_file(harness, draft_files.docm("x"), "cv.docx", file_id="b")
        assert "contains macros" in macros[-1]
        taken = await send_file(harness, draft_files.odt("Dear employer"), "cv.odt", file_id="c")
        assert "Its reference is D-1" in taken[-1]
    finally:
        await stop_harness(harness)
    assert len([r for r in caplog.records if r.name == "bot.features.drafts.reading"]) == 1
    assert detect(polyglot()) is FileType.DOCX  # the look inside alone


# ODT with odfpy; page 1 with PDFium; the child's limits -----------------------------------
async def test_odt_text_comes_in_document_order_through_the_child_process() -> None:
    content = draft_files.odt_with_heading_and_list("Curriculum vitae", "Welding, 12 years",
                                                    "Referencer på forlangende – æøå")
    got = await read(FileType.ODT, content)
    assert got.text == "Curriculum vitae\nWelding, 12 years\nReferencer på forlangende – æøå"
    assert got.preview is None  # only a PDF's page is drawn


async def test_page_one_of_a_pdf_is_drawn_as_a_png_in_the_child_process() -> None:
    got = await read(FileType.PDF, draft_files.pdf("Dear employer I weld"))
    assert got.text == "Dear employer I weld"
    assert got.preview is not None and got.preview.startswith(PNG)
    width, height = struct.unpack(">II", got.preview[16:24])
    assert (width, height) == (1237, 1600)  # the longer side 1600 px, as the page's shape


def test_a_pdf_pdfium_cannot_draw_has_no_preview_and_a_too_odd_page_neither() -> None:
    assert read_in_child("pdf", b"%PDF-1.4 not really") == {"text": None, "preview": None}
    ribbon = draft_files.pdf("x").replace(b"/MediaBox [0 0 612 792]",
                                          b"/MediaBox [0 0 6120 20]")
    assert read_in_child("pdf", ribbon)["preview"] is None


async def test_a_child_that_takes_too_long_gives_nothing_and_is_gone() -> None:
    assert await read(FileType.PDF, draft_files.pdf("x"), seconds=0.001) == reading.Reading(None)


# on Take: the citizen's message copied, page 1 as a photo --------------------------------------
@pytest.fixture
def staff_settings(settings: Settings) -> Settings:
    return replace(settings, staff_chat_id=STAFF_CHAT, admin_ids=frozenset({ADMIN}),
                   staff_locale="en")


async def staffed(settings: Settings, clock: FakeClock) -> Harness:
    harness = await start_harness(settings, clock)
    await harness.ctx.get(StaffService).add(METTE, Role.CONSULTANT, ADMIN)
    await harness.ctx.get(StaffService).seen(METTE, "Mette")
    return harness


@pytest.fixture
async def bot(staff_settings: Settings, clock: FakeClock) -> AsyncIterator[Harness]:
    harness = await staffed(staff_settings, clock)
    yield harness
    await stop_harness(harness)


async def stored_picture(bot: Harness, upload_id: int) -> bytes | None:
    row = await bot.ctx.db.fetch_one("SELECT content FROM outbox_files WHERE id = ?",
                                     (upload_id,))
    assert row is not None
    return row["content"]


async def test_take_copies_the_citizens_pdf_and_sends_page_one_as_a_photo(bot: Harness) -> None:
    await begin(bot)
    await send_file(bot, draft_files.pdf("Dear employer I weld"), "letter.pdf")
    [draft] = await service(bot).store.of_citizen(1)
    [file] = draft.files
    assert file.preview is not None
    picture = await stored_picture(bot, file.preview)
    assert picture is not None and picture.startswith(PNG)
    await bot.drain()
    bot.api.clear()
    await press(bot, METTE, "draft|take|1")
    await bot.drain()
    [copy] = bot.api.sent(STAFF_CHAT, method="copyMessage")
    assert (copy.params["from_chat_id"], copy.params["message_id"]) == (CITIZEN, file.message_id)
    [photo] = bot.api.sent(STAFF_CHAT, method="sendPhoto")
    assert photo.params["caption"] == "Page 1 as the PDF shows it (the file itself is above)."
    assert photo.params["message_thread_id"] == copy.params["message_thread_id"] == 100
    assert photo.files["photo"] == picture
    assert bot.api.sent(STAFF_CHAT, method="sendDocument") == []
    [text] = bot.api.sent(STAFF_CHAT)  # one message after them: 3 s apart in a group
    assert text.params["message_thread_id"] == 100
    assert "D-1, version 1" in text.params["text"] and "I weld" in text.params["text"]
    assert bot.api.last_keyboard(STAFF_CHAT)[0][0]["text"] == "Send feedback"
    order = [c.method for c in bot.api.calls if c.chat_id == STAFF_CHAT
             and c.method in ("copyMessage", "sendPhoto", "sendMessage")]
    assert order == ["copyMessage", "sendPhoto", "sendMessage"]
    assert await stored_picture(bot, file.preview) is None  # Telegram has it; the bot has not


async def test_a_pdf_that_cannot_be_drawn_still_goes_as_the_file(bot: Harness) -> None:
    await begin(bot)
    answer = await send_file(bot, b"%PDF-1.4\n% a PDF nobody can open\n", "letter.pdf")
    assert "Its reference is D-1" in answer[-1]
    [draft] = await service(bot).store.of_citizen(1)
    assert draft.files[0].preview is None and draft.body is None
    await bot.drain()
    bot.api.clear()
    await press(bot, METTE, "draft|take|1")
    await bot.drain()
    assert len(bot.api.sent(STAFF_CHAT, method="copyMessage")) == 1
    assert bot.api.sent(STAFF_CHAT, method="sendPhoto") == []
    assert any("The text could not be read from the file" in t
               for t in bot.api.texts(STAFF_CHAT))


async def test_photos_of_the_pages_are_copied_from_the_citizens_messages(bot: Harness) -> None:
    await begin(bot, kind="My CV")
    await send_photo(bot, "page-1")
    await send_photo(bot, "page-2")
    await bot.tap("Done – send it", language_code="en")
    [draft] = await service(bot).store.of_citizen(1)
    assert draft.form is Form.PHOTOS
    await bot.drain()
    bot.api.clear()
    await press(bot, METTE, "draft|take|1")
    await bot.drain()
    copied = [int(c.params["message_id"]) for c in bot.api.sent(STAFF_CHAT, method="copyMessage")
              if c.params["from_chat_id"] == CITIZEN]
    copied += [int(i) for c in bot.api.sent(STAFF_CHAT, method="copyMessages")
               if c.params["from_chat_id"] == CITIZEN for i in c.params["message_ids"]]
    assert copied == [f.message_id for f in draft.files]
    assert bot.api.sent(STAFF_CHAT, method="sendPhoto") == []  # no upload of anything
    texts = "\n".join(bot.api.texts(STAFF_CHAT))
    assert "Virus check" not in texts  # photos are never fetched, so nothing is claimed


async def test_a_page_picture_not_yet_sent_goes_with_the_citizens_data(bot: Harness) -> None:
    await begin(bot)
    await send_file(bot, draft_files.pdf("Dear employer"), "letter.pdf")
    [draft] = await service(bot).store.of_citizen(1)
    assert draft.files[0].preview is not None
    await bot.say("/delete", language_code="en")
    await bot.tap("Yes, delete everything", language_code="en")
    assert await stored_picture(bot, draft.files[0].preview) is None


# the virus scan -----------------------------------------------------------------------------
@dataclass
class FakeClamd:
    """clamd's INSTREAM on a unix socket: what it was sent, and EICAR found as clamd does."""

    commands: list[bytes] = field(default_factory=list)
    chunks: list[int] = field(default_factory=list)
    received: list[bytes] = field(default_factory=list)

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.commands.append(await reader.readuntil(b"\0"))
        content = b""
        while True:
            (length,) = struct.unpack(">I", await reader.readexactly(4))
            self.chunks.append(length)
            if length == 0:
                break
            content += await reader.readexactly(length)
        self.received.append(content)
        writer.write(b"stream: Eicar-Test-Signature FOUND\0" if EICAR in content
                     else b"stream: OK\0")
        await writer.drain()
        writer.close()


@pytest.fixture
def short_dir() -> Iterator[Path]:
    """A unix socket's path must stay under 108 bytes: not pytest's long tmp_path."""
    path = Path(tempfile.mkdtemp(prefix="clamd-", dir="/tmp"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
async def clamd(short_dir: Path) -> AsyncIterator[tuple[FakeClamd, Path]]:
    fake = FakeClamd()
    socket_path = short_dir / "clamd.sock"
    server = await asyncio.start_unix_server(fake.serve, path=str(socket_path))
    yield fake, socket_path
    server.close()
    await server.wait_closed()


async def test_instream_speaks_clamds_protocol_in_chunks(
        clamd: tuple[FakeClamd, Path]) -> None:
    fake, socket_path = clamd
    content = bytes(range(256)) * 600  # 153,600 bytes: three chunks
    assert (await Clamd(str(socket_path)).scan(content)).verdict is Verdict.CLEAN
    assert fake.commands == [b"zINSTREAM\0"]
    assert fake.chunks == [65536, 65536, 153600 - 2 * 65536, 0]
    assert fake.received == [content]
    found = await Clamd(str(socket_path)).scan(b"header " + EICAR)
    assert (found.verdict, found.signature) == (Verdict.INFECTED, "Eicar-Test-Signature")


async def test_clamd_over_tcp_and_an_answer_that_is_no_verdict() -> None:
    async def error(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\0")
        writer.write(b"INSTREAM size limit exceeded. ERROR\0")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(error, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        assert (await Clamd(f"127.0.0.1:{port}").scan(b"x")).verdict is Verdict.UNAVAILABLE
    finally:
        server.close()
        await server.wait_closed()


async def with_clamd(settings: Settings, clock: FakeClock, socket_path: Path) -> Harness:
    return await staffed(replace(settings, clamd_socket=str(socket_path)), clock)


async def test_a_clean_file_is_scanned_and_the_consultant_is_told_so(
        staff_settings: Settings, clock: FakeClock, clamd: tuple[FakeClamd, Path]) -> None:
    fake, socket_path = clamd
    harness = await with_clamd(staff_settings, clock, socket_path)
    try:
        await begin(harness)
        content = draft_files.docx("I am a motivated welder.")
        answer = await send_file(harness, content, "letter.docx")
        assert "Its reference is D-1" in answer[-1]
        assert fake.received == [content]
        await harness.drain()
        await press(harness, METTE, "draft|take|1")
        await harness.drain()
        texts = "\n".join(harness.api.texts(STAFF_CHAT))
        assert "Virus check: no virus found (clamd)." in texts
    finally:
        await stop_harness(harness)


async def test_an_infected_file_is_refused_and_nothing_is_forwarded(
        staff_settings: Settings, clock: FakeClock, clamd: tuple[FakeClamd, Path],
        caplog: pytest.LogCaptureFixture) -> None:
    _fake, socket_path = clamd
    caplog.set_level(logging.INFO)
    harness = await with_clamd(staff_settings, clock, socket_path)
    try:
        await begin(harness)
        infected = draft_files.pdf("Jensen letter") + b"\n%" + EICAR + b"\n"
        answer = await send_file(harness, infected, "Jensen.pdf")
        assert "Our virus check found something harmful in this file" in answer[-1]
        assert "Now send the draft itself" in answer[-1]  # another try
        assert await service(harness).store.of_citizen(1) == []
        await harness.drain()
        assert not [t for t in harness.api.texts(STAFF_CHAT) if "New draft" in t]
        rows = await harness.ctx.db.fetch_all("SELECT id FROM outbox_files")
        assert rows == []  # not even page 1 was kept
    finally:
        await stop_harness(harness)
    logged = [r.getMessage() for r in caplog.records if "clamd found" in r.getMessage()]
    assert logged == ["draft file of citizen 1 refused: clamd found Eicar-Test-Signature; "
                      "nothing forwarded"]
    assert not any("Jensen" in r.getMessage() for r in caplog.records)


async def test_clamd_down_fails_closed_and_the_citizen_can_paste_the_text(
        staff_settings: Settings, clock: FakeClock, short_dir: Path) -> None:
    harness = await with_clamd(staff_settings, clock, short_dir / "nobody-listens.sock")
    try:
        await begin(harness)
        answer = await send_file(harness, draft_files.pdf("My letter"), "letter.pdf")
        assert "We cannot check files for viruses just now" in answer[-1]
        assert await service(harness).store.of_citizen(1) == []
        pasted = await harness.say("Dear employer, I weld.", language_code="en")
        assert "Its reference is D-1" in pasted[-1]
    finally:
        await stop_harness(harness)


def test_clamd_socket_is_a_path_or_host_and_port() -> None:
    assert Settings.from_env({"CLAMD_SOCKET": "/run/clamav/clamd.ctl"}).clamd_socket == (
        "/run/clamav/clamd.ctl")
    assert Settings.from_env({"CLAMD_SOCKET": "clamav:3310"}).clamd_socket == "clamav:3310"
    assert Settings.from_env({}).clamd_socket is None
    with pytest.raises(ConfigError, match="CLAMD_SOCKET"):
        Settings.from_env({"CLAMD_SOCKET": "clamav"})


def test_base64_that_is_no_png_is_no_preview() -> None:
    assert reading._png(base64.b64encode(b"GIF89a").decode()) is None
    assert reading._png("not base64!") is None
