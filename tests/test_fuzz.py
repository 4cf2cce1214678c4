"""Issue 14, fuzzing: random but valid updates fed to the running application (Hypothesis).

Texts with emoji, RTL and zero-width characters, up to 4,096 characters and over; random and
forged callback data (every feature's prefixes with wrong ids); edited messages, channel posts
and unknown chat types; files with wrong MIME types; staff in the wrong chat and citizens in the
staff chat. Required: no unhandled exception (nothing logged at ERROR), no staff action
reachable by a citizen (the staff-only tables unchanged, no case claimed by a non-staff user),
nothing sent over Telegram's limits, and every citizen text answered or in a case.

Examples per test: the `ci` profile (tests/conftest.py); `HYPOTHESIS_PROFILE=long` runs more.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from itertools import count
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from telegram import Update

from bot.config import Settings
from bot.features.staff import Role, StaffService
from tests.conftest import Harness, start_harness, stop_harness
from tests.fakes import FakeClock
from tests.invariants import Ledger, over_limits, rows, table_names, unanswered

STAFF_CHAT = -100444
ADMIN, COORDINATOR, CONSULTANT = 11, 31, 21
STAFF = (ADMIN, COORDINATOR, CONSULTANT)
CITIZENS = (7001, 7002, 7003)
STAFF_ONLY_TABLES = (
    "staff", "case_notes", "canned_replies", "broadcasts", "webinars", "webinar_sessions",
    "broadcast_compose", "clubs", "club_sessions", "club_attendance", "club_compose",
    "webinar_compose", "staff_dialogs", "draft_replies", "club_evaluations",
)
PREFIXES = (
    "onboarding|", "onboarding|menu|", "checkin|", "checkin|call_window|", "case|claim|",
    "case|close|", "case|return|", "case|takeover|", "club|join|", "club|leave|", "club|offer|",
    "club|list", "clubatt|", "clubcase|", "clublike|", "clubnew|", "webinar|rsvp|",
    "webinar|feedback|", "webinar|invite|", "draft|take|", "draft|send|", "broadcast|",
    "broadcast|unsubscribe", "broadcast|pause|", "broadcast|cancel|", "staffdialog|",
)
_ids = count(1)
_message_ids = count(500_000)
_file_ids = count(1)

SPECIAL = ("\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u200f", "\u202e", "\u2066",
           "👩‍👩‍👧", "🏳️‍🌈", "🇩🇰", "👍🏽", "שלום", "مرحبا", "ﷺ", "e\u0301", "Æ", "ø", "\U0010fffd",
           "/start", "/help", "\n", " ", "|", "jeg vil ikke leve mere", "I want to kill myself")
pieces = st.one_of(st.characters(codec="utf-8"), st.sampled_from(SPECIAL))
texts = st.one_of(
    st.lists(pieces, max_size=30).map("".join),
    st.builds(lambda chunk, size: (chunk * (size // max(1, len(chunk)) + 1))[:size],
              st.lists(pieces, min_size=1, max_size=6).map("".join), st.integers(4000, 4200)),
)
ids = st.one_of(st.integers(-5, 50), st.integers(2**31, 2**63), st.just(2**64))
callback_data = st.one_of(
    st.text(max_size=64).filter(lambda d: 0 < len(d.encode()) <= 64),
    st.builds(lambda prefix, parts: (prefix + "|".join(parts)).encode()[:64].decode(
        errors="ignore") or prefix, st.sampled_from(PREFIXES),
        st.lists(st.one_of(ids.map(str), st.sampled_from(["yes", "no", "maybe", "1", "0", "",
                                                          "x", "-1"])), max_size=4)),
)
chat_types = st.sampled_from(["group", "supergroup", "channel", "sender", "secret"])
MIME_CASES = (("cv.pdf", "image/jpeg", b"\x89PNG\r\n\x1a\n0000"),
              ("cv.docx", "application/pdf", b"%PDF-1.4 not really"),
              ("photo.jpg", "application/x-msdownload", b"MZ\x90\x00"),
              ("noname", "text/plain", b"\x00\x01\x02"),
              ("cv.pdf", "application/pdf", b""),
              ("x.doc", "application/msword", b"PK\x03\x04broken zip"))


@pytest.fixture
async def fuzzed(settings: Settings, clock: FakeClock) -> AsyncIterator[Harness]:
    staffed = replace(settings, staff_chat_id=STAFF_CHAT, admin_ids=frozenset({ADMIN}),
                      staff_locale="en")
    harness = await start_harness(staffed, clock)
    await harness.ctx.get(StaffService).add(COORDINATOR, Role.COORDINATOR, ADMIN)
    await harness.ctx.get(StaffService).add(CONSULTANT, Role.CONSULTANT, ADMIN)
    yield harness
    await stop_harness(harness)


class ErrorLog(logging.Handler):
    """Every record at ERROR or above, from any logger."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def errors() -> Iterator[ErrorLog]:
    handler = ErrorLog()
    logging.getLogger().addHandler(handler)
    yield handler
    logging.getLogger().removeHandler(handler)


# Updates as Telegram delivers them ------------------------------------------------------------
def _user(user_id: int, language: str | None) -> dict[str, Any]:
    user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": "X"}
    if language is not None:
        user["language_code"] = language
    return user


def _chat(chat_id: int, kind: str) -> dict[str, Any]:
    chat: dict[str, Any] = {"id": chat_id, "type": kind}
    if kind != "private":
        chat.update(title="Group", is_forum=kind == "supergroup")
    return chat


def _message(user: int, chat: dict[str, Any], language: str | None, text: str | None,
             thread: int | None = None, **extra: Any) -> dict[str, Any]:
    message: dict[str, Any] = {"message_id": next(_message_ids), "date": 1_764_000_000,
                               "chat": chat, "from": _user(user, language), **extra}
    if text:
        message["text"] = text
        if text.startswith("/") and len(text) > 1 and not text[1].isspace():
            message["entities"] = [{"type": "bot_command", "offset": 0,
                                    "length": len(text.split()[0].encode("utf-16-le")) // 2}]
    if thread is not None:
        message.update(message_thread_id=thread, is_topic_message=True)
    return message


def _press(user: int, chat: dict[str, Any], language: str | None, data: str) -> dict[str, Any]:
    return {"callback_query": {
        "id": str(next(_ids)), "from": _user(user, language), "chat_instance": "ci",
        "data": data, "message": {"message_id": 1, "date": 1_764_000_000, "chat": chat,
                                  "from": {"id": 7_000_000_001, "is_bot": True,
                                           "first_name": "Jobcentret"}, "text": "…"}}}


languages = st.sampled_from(["da", "en", None, "ar", "he", "zz"])
citizen = st.sampled_from(CITIZENS)


@st.composite
def citizen_update(draw: st.DrawFn) -> dict[str, Any]:
    """What a citizen may send: texts, presses, files, edits; in their chat or elsewhere."""
    user, language = draw(citizen), draw(languages)
    where = draw(st.sampled_from(["private", "private", "private", "staff", "other"]))
    chat = (_chat(user, "private") if where == "private" else _chat(STAFF_CHAT, "supergroup")
            if where == "staff" else _chat(draw(st.integers(-10**13, -1)), draw(chat_types)))
    thread = draw(st.one_of(st.none(), st.integers(1, 300))) if where == "staff" else None
    kind = draw(st.sampled_from(["text", "text", "press", "file", "edited", "channel"]))
    if kind == "press":
        return _press(user, chat, language, draw(callback_data))
    if kind == "file":
        name, mime, content = draw(st.sampled_from(MIME_CASES))
        file_id = f"fuzz-{next(_file_ids)}"
        document = {"file_id": file_id, "file_unique_id": f"u-{file_id}", "file_name": name,
                    "mime_type": mime, "file_size": len(content)}
        return {"message": _message(user, chat, language, None, thread, document=document,
                                    caption=draw(st.one_of(st.none(), texts))),
                "_file": (file_id, content)}
    message = _message(user, chat, language, draw(texts), thread)
    if kind == "edited":
        message["edit_date"] = 1_764_000_100
        return {"edited_message": message}
    if kind == "channel":
        message.pop("from")
        message["chat"] = _chat(draw(st.integers(-10**13, -1)), "channel")
        return {draw(st.sampled_from(["channel_post", "edited_channel_post"])): message}
    return {"message": message}


@st.composite
def staff_elsewhere(draw: st.DrawFn) -> dict[str, Any]:
    """Staff writing staff commands or pressing staff buttons in a private or another chat."""
    user, language = draw(st.sampled_from(STAFF)), draw(languages)
    chat = draw(st.one_of(st.just(_chat(user, "private")),
                          st.builds(_chat, st.integers(-10**13, -2), chat_types)))
    if draw(st.booleans()):
        return _press(user, chat, language, draw(callback_data))
    command = draw(st.sampled_from(["/broadcast", "/webinar", "/club", "/cases", "/case 1",
                                    "/staff add 7001 admin", "/canned", "/export 1",
                                    "/attended 1", "/drafts", "/c 1"]))
    return {"message": _message(user, chat, language, command + draw(texts)[:20])}


async def feed(bot: Harness, bodies: list[dict[str, Any]], ledger: Ledger) -> None:
    for body in bodies:
        file = body.pop("_file", None)
        if file is not None:
            bot.api.serve_file(*file)
        update = Update.de_json({"update_id": next(_ids), **body}, bot.application.bot)
        assert update is not None
        message = update.message
        if (message is not None and message.from_user is not None
                and message.chat.id == message.from_user.id in CITIZENS):
            ledger.add(message.chat.id, message.message_id, len(bot.api.calls))
        await bot.application.process_update(update)
    await bot.drain()


def staff_tables(bot: Harness) -> dict[str, str]:
    path = bot.ctx.settings.database_path
    present = table_names(path)
    digest = {table: hashlib.sha256(repr([tuple(r) for r in rows(
        path, f"SELECT * FROM {table}")]).encode()).hexdigest()
        for table in STAFF_ONLY_TABLES if table in present}
    claimed = {r[0] for r in rows(path, "SELECT claimed_by FROM cases "
                                        "WHERE claimed_by IS NOT NULL")}
    digest["claimed by non-staff"] = repr(sorted(claimed - set(STAFF)))
    return digest


def check(bot: Harness, ledger: Ledger, before: dict[str, str], errors: ErrorLog) -> None:
    logged = [f"{r.name}: {r.getMessage()}" for r in errors.records]
    errors.records.clear()
    assert not logged, "unhandled errors:\n" + "\n".join(logged)
    assert staff_tables(bot) == before, "a citizen or a staff member in the wrong chat " \
                                        "reached a staff action"
    assert not over_limits(bot.api.calls)
    assert not unanswered(bot.api.calls, ledger, bot.ctx.settings.database_path)


@given(st.lists(citizen_update(), min_size=1, max_size=6))
async def test_random_citizen_updates_break_nothing(
        fuzzed: Harness, errors: ErrorLog, bodies: list[dict[str, Any]]) -> None:
    before, ledger = staff_tables(fuzzed), Ledger()
    await feed(fuzzed, bodies, ledger)
    check(fuzzed, ledger, before, errors)


@given(st.lists(staff_elsewhere(), min_size=1, max_size=4))
async def test_staff_in_the_wrong_chat_reach_no_staff_action(
        fuzzed: Harness, errors: ErrorLog, bodies: list[dict[str, Any]]) -> None:
    before, ledger = staff_tables(fuzzed), Ledger()
    await feed(fuzzed, bodies, ledger)
    check(fuzzed, ledger, before, errors)


@pytest.mark.parametrize("data", ["club|join|18446744073709551616",
                                  "webinar|feedback|10000000000000000000",
                                  "club|offer|99999999999999999999|yes",
                                  "care|ask_yes|99999999999999999999",
                                  "draft|take|99999999999999999999",
                                  "case|claim|99999999999999999999"])
async def test_a_forged_id_beyond_sqlite_integers_is_no_crash(
        fuzzed: Harness, errors: ErrorLog, data: str) -> None:
    """Found by the long profile: an id over 2**63 reached SQLite (OverflowError, "Sorry")."""
    before, ledger = staff_tables(fuzzed), Ledger()
    await feed(fuzzed, [_press(CITIZENS[0], _chat(CITIZENS[0], "private"), "en", data)], ledger)
    check(fuzzed, ledger, before, errors)
