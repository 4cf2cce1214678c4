"""No personal data in the logs, whatever the level and whichever library logs (point 16)."""

from __future__ import annotations

import functools
import io
import json
import logging
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from telegram import Update

from bot.log_privacy import PrivacyFilter
from tests.conftest import TOKEN, bot_process
from tests.http_bot_api import ApiCall, HttpBotApi
from tests.pg import ON_POSTGRES, connect
from tests.test_process_e2e import DATE, buttons, command, press, to

USER = 5101
NAME = "Zyxwquartz"
TEXT = "Plimbonk secret text"


def _private(update: dict[str, Any]) -> dict[str, Any]:
    """The update, from a person whose first name is the marker."""
    message = update["message"]
    message["from"]["first_name"] = message["chat"]["first_name"] = NAME
    return update


def _text(text: str, message_id: int) -> dict[str, Any]:
    return _private({"message": {
        "message_id": message_id, "date": DATE, "text": text,
        "chat": {"id": USER, "type": "private"},
        "from": {"id": USER, "is_bot": False, "language_code": "en"},
    }})


def _callback(update: dict[str, Any]) -> dict[str, Any]:
    update["callback_query"]["from"]["first_name"] = NAME
    return update


# The real process ------------------------------------------------------------------------------
def test_debug_log_of_the_real_process_holds_no_text_and_no_name(tmp_path: Path) -> None:
    def tap(shown: ApiCall, label: str, query_id: str) -> None:
        [data] = [data for text, data in buttons(shown).items() if label in text]
        api.push_update(_callback(press(USER, "en", data, api.result_of(shown),
                                        query_id=query_id)))
        api.wait_for_call("answerCallbackQuery",
                          lambda c: c.params.get("callback_query_id") == query_id)

    with (HttpBotApi(token=TOKEN) as api,
          bot_process(api, tmp_path, LOG_LEVEL="DEBUG") as bot):
        api.wait_for_call("getUpdates")
        api.push_update(_private(command(USER, "/start", "en", message_id=1)))
        welcome = api.wait_for_call("sendMessage", to(USER, "Hello, this is"))
        api.push_update(_text(TEXT, message_id=2))
        api.wait_for_call("sendMessage", to(USER, "Please choose one of the buttons"))
        tap(welcome, "Yes, let me choose", "81001")
        consent = api.wait_for_call("sendMessage", to(USER, "What may we contact you about?"))
        tap(consent, "Short check-ins", "81002")
        tap(consent, "Save my choices", "81003")
        api.wait_for_call("sendMessage", to(USER, "What would you like us to call you?"))
        api.push_update(_text(NAME, message_id=3))
        api.wait_for_call("sendMessage", to(USER, "Roughly when did you become unemployed?"))
        code = bot.stop()
    log = bot.stderr + (tmp_path / "stdout.log").read_text(errors="replace")
    assert code == 0, log
    with connect(tmp_path / "bot.db") as db:
        assert db.execute("SELECT first_name FROM citizens").fetchall() == [(NAME,)]
    assert NAME not in log, "a first name was logged"
    assert "Plimbonk" not in log, "a message text was logged"
    assert TOKEN.split(":", 1)[1] not in log, "the token was logged"
    engine = () if ON_POSTGRES else ("DEBUG aiosqlite",)  # psycopg logs no statements
    for seen in ("DEBUG telegram.", *engine, "`getUpdates`", "`sendMessage`",
                 "`answerCallbackQuery`", "Processing update <redacted Update 1>"):
        assert seen in log, f"the debug log should show {seen!r}"


# The filter ------------------------------------------------------------------------------------
@pytest.fixture
def log_text() -> Iterator[io.StringIO]:
    """What a handler with the filter writes, for records from any logger at DEBUG."""
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.addFilter(PrivacyFilter())
    handler.setFormatter(logging.Formatter("%(name)s: %(message)s"))
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield out
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)


def _update() -> Update:
    return Update.de_json(_text(TEXT, message_id=7) | {"update_id": 42}, None)


def test_ptb_payloads_are_redacted_but_methods_and_ids_stay(log_text: io.StringIO) -> None:
    ext_bot = logging.getLogger("telegram.ext.ExtBot")
    params = {"chat_id": USER, "text": TEXT}
    ext_bot.debug("Calling Bot API endpoint `%s` with parameters `%s`", "sendMessage", params)
    ext_bot.debug("Call to Bot API endpoint `%s` finished with return value `%s`", "getUpdates",
                  [_text(TEXT, message_id=7)])
    ext_bot.debug("Getting updates: %s", [42, 43])
    logging.getLogger("telegram.ext.Application").debug("Processing update %s", _update())
    logging.getLogger("telegram.ext.Updater").debug("Webhook received data: %s",
                                                    json.dumps({"message": {"text": TEXT}}))
    logging.getLogger("telegram.ext").critical("Received data was %r", _update().to_dict())
    logging.getLogger("telegram.ext.ConversationHandler").debug(
        "Selecting conversation %s with state %s", str(_update()), "Network Retry Loop (x):")
    text = log_text.getvalue()
    assert "Plimbonk" not in text and NAME not in text and str(USER) not in text, text
    assert text.splitlines() == [
        "telegram.ext.ExtBot: Calling Bot API endpoint `sendMessage` with parameters "
        "`<redacted dict>`",
        "telegram.ext.ExtBot: Call to Bot API endpoint `getUpdates` finished with return value "
        "`<redacted list>`",
        "telegram.ext.ExtBot: Getting updates: [42, 43]",
        "telegram.ext.Application: Processing update <redacted Update 42>",
        "telegram.ext.Updater: Webhook received data: <redacted text>",
        "telegram.ext: Received data was <redacted dict>",
        "telegram.ext.ConversationHandler: Selecting conversation <redacted text> with state "
        "Network Retry Loop (x):",
    ]


def test_sql_calls_callbacks_and_dict_arguments_are_redacted(log_text: io.StringIO) -> None:
    with sqlite3.connect(":memory:") as db:
        call = functools.partial(db.execute, "UPDATE citizens SET first_name = ?", [NAME])
        logging.getLogger("aiosqlite").debug("executing %s", call)
    logging.getLogger("transitions.core").info("Executed callback '%s'", _update().to_dict)
    logging.getLogger("any.library").debug("%(who)s wrote %(n)d",
                                           {"who": {"first_name": NAME}, "n": 3})
    logging.getLogger("any.library").debug("one dict: %s", {"first_name": NAME})
    logging.getLogger("any.library").debug(_update())
    assert log_text.getvalue().splitlines() == [
        "aiosqlite: executing <redacted partial>",
        "transitions.core: Executed callback 'TelegramObject.to_dict'",
        "any.library: <redacted dict> wrote 3",
        "any.library: one dict: <redacted dict>",
        "any.library: <redacted Update 42>",
    ]


def test_our_own_plain_facts_pass_unchanged(log_text: io.StringIO) -> None:
    error = TimeoutError("timed out")
    logging.getLogger("bot.outbox.sender").warning(
        "outbox %d (%s): %s, retrying in %ss after %s", 7, "checkin", error, 4.0, TimeoutError)
    assert log_text.getvalue().splitlines() == [
        "bot.outbox.sender: outbox 7 (checkin): timed out, retrying in 4.0s after "
        "<class 'TimeoutError'>"]
