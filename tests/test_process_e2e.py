"""`python -m bot` as a real process, long polling a Bot API emulator over HTTP.

This is how an external checker sees the bot: environment variables in, HTTP calls out, a clean
exit on SIGTERM, and the database left behind.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import TOKEN, bot_process
from tests.http_bot_api import ApiCall, Fault, HttpBotApi
from tests.pg import connect

EN_USER = 5001
DA_USER = 5002
DATE = 1_764_000_000

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")


# Updates as Telegram would deliver them --------------------------------------------------------
def _user(user_id: int, language_code: str) -> dict[str, Any]:
    return {"id": user_id, "is_bot": False, "first_name": "Citizen",
            "language_code": language_code}


def _chat(user_id: int) -> dict[str, Any]:
    return {"id": user_id, "type": "private", "first_name": "Citizen"}


def command(user_id: int, text: str, language_code: str, message_id: int) -> dict[str, Any]:
    return {"message": {
        "message_id": message_id, "date": DATE, "chat": _chat(user_id),
        "from": _user(user_id, language_code), "text": text,
        "entities": [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}],
    }}


def press(user_id: int, language_code: str, data: str, message: dict[str, Any],
          query_id: str) -> dict[str, Any]:
    return {"callback_query": {
        "id": query_id, "from": _user(user_id, language_code), "chat_instance": f"ci-{user_id}",
        "data": data, "message": message,
    }}


def blocked(user_id: int, bot_user: dict[str, Any]) -> dict[str, Any]:
    return {"my_chat_member": {
        "chat": _chat(user_id), "from": _user(user_id, "en"), "date": DATE,
        "old_chat_member": {"status": "member", "user": bot_user},
        "new_chat_member": {"status": "kicked", "user": bot_user, "until_date": 0},
    }}


def to(chat_id: int, prefix: str) -> Callable[[ApiCall], bool]:
    def matches(call: ApiCall) -> bool:
        return call.chat_id == chat_id and str(call.params.get("text", "")).startswith(prefix)

    return matches


def buttons(call: ApiCall) -> dict[str, str]:
    markup = call.params.get("reply_markup") or {}
    return {b["text"]: b.get("callback_data", "")
            for row in markup.get("inline_keyboard", []) for b in row}


# Tests -----------------------------------------------------------------------------------------
def test_real_process_long_polls_onboards_notices_a_block_and_stops_cleanly(
        tmp_path: Path) -> None:
    with HttpBotApi(token=TOKEN) as api, bot_process(api, tmp_path) as bot:
        me = api.wait_for_call("getMe")
        bot_user = api.result_of(me)
        assert bot_user["is_bot"] is True
        for language in ("da", "en"):
            commands = api.wait_for_call(
                "setMyCommands", lambda c, lang=language: c.params.get("language_code") == lang)
            assert {c["command"] for c in commands.params["commands"]} >= {"start", "help"}
        first_poll = api.wait_for_call("getUpdates")
        assert set(first_poll.params.get("allowed_updates", [])) == {
            "message", "callback_query", "my_chat_member"}

        api.push_update(command(EN_USER, "/start", "en", message_id=1))
        welcome = api.wait_for_call("sendMessage", to(EN_USER, "Hello, this is"))
        assert buttons(welcome).get("Yes, let me choose") == "onboarding|welcome|go"
        shown = api.result_of(welcome)

        api.push_update(press(EN_USER, "en", "onboarding|welcome|go", shown, query_id="77001"))
        api.wait_for_call("answerCallbackQuery",
                          lambda c: c.params.get("callback_query_id") == "77001")
        api.wait_for_call("sendMessage", to(EN_USER, "What may we contact you about?"))

        api.push_update(blocked(EN_USER, bot_user))
        api.push_update(command(DA_USER, "/start", "da", message_id=2))
        api.wait_for_call("sendMessage", to(DA_USER, "Hej, det er"))

        code = bot.stop()
        stderr = bot.stderr
    assert code == 0, stderr
    assert "Traceback" not in stderr, stderr
    assert TOKEN not in stderr and TOKEN.split(":", 1)[1] not in stderr, "the token was logged"
    assert api.pending_updates() == 0, "every update was confirmed before exit"

    with connect(tmp_path / "bot.db") as db:
        rows = db.execute("SELECT telegram_user_id, blocked_at FROM citizens "
                          "ORDER BY telegram_user_id").fetchall()
    assert [user for user, _ in rows] == [EN_USER, DA_USER]
    assert dict(rows)[EN_USER] is not None, "blocking the bot was not recorded"
    assert dict(rows)[DA_USER] is None


def _run_with_rejected_token(tmp_path: Path) -> tuple[int, str, list[str]]:
    """The bot against an API that answers getMe with 401, as Telegram does for a bad token."""
    with HttpBotApi() as api:
        api.fail(Fault("getMe", status=401, description="Unauthorized", times=100))
        with bot_process(api, tmp_path) as bot:
            assert bot.exited.wait(20), "the bot kept running with a rejected token"
            assert bot.proc.returncode is not None
            return bot.proc.returncode, bot.stderr, [c.method for c in api.calls]


def test_rejected_token_is_a_configuration_error_with_exit_code_2(tmp_path: Path) -> None:
    code, stderr, methods = _run_with_rejected_token(tmp_path)
    assert code == 2, stderr
    lines = stderr.strip().splitlines()
    assert lines == ["configuration error: BOT_TOKEN: Telegram rejected this token"], stderr
    assert methods == ["getMe"], "nothing else is tried with a rejected token"


def test_rejected_token_is_not_logged(tmp_path: Path) -> None:
    _code, stderr, _methods = _run_with_rejected_token(tmp_path)
    assert TOKEN not in stderr and TOKEN.split(":", 1)[1] not in stderr, "the token was logged"
    assert "Traceback" not in stderr, stderr
