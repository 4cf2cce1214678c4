"""The inbox (bot/inbox): `kill -9` of the real `python -m bot` after Telegram was told it had
an update (the next getUpdates' offset) but before the update was handled. Without the inbox
that citizen's message was gone; now the restarted bot handles it."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.conftest import TOKEN, bot_process
from tests.http_bot_api import ApiCall, Fault, HttpBotApi
from tests.pg import connect
from tests.test_process_e2e import command

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")

USER = 6301


def _to_user(call: ApiCall) -> bool:
    return call.chat_id == USER


def test_a_message_confirmed_to_telegram_but_not_handled_is_handled_after_a_kill(
        tmp_path: Path) -> None:
    database = tmp_path / "bot.db"
    env = {"DATABASE_PATH": str(database), "QUIET_HOURS": "", "RISK_MODEL": "false"}
    with HttpBotApi(token=TOKEN) as api:
        (tmp_path / "first").mkdir()
        with bot_process(api, tmp_path / "first", **env) as first:
            api.wait_for_call("getUpdates")
            # the reply is held up by a long 429, so the handler is still at work when killed
            api.fail(Fault.flood("sendMessage", 120, chat_id=USER))
            update_id = api.push_update(command(USER, "/start", "en", 100))
            api.wait_for_call("sendMessage", lambda c: _to_user(c) and not c.ok)
            api.wait_for_call("getUpdates",
                              lambda c: int(c.params.get("offset") or 0) > update_id)
            first.proc.kill()
            assert first.exited.wait(20)
        assert api.pending_updates() == 0, "Telegram has forgotten the update"
        assert not [c for c in api.calls if c.method == "sendMessage" and _to_user(c) and c.ok]
        api.resume()
        restarted = api.mark()
        (tmp_path / "second").mkdir()
        with bot_process(api, tmp_path / "second", **env) as second:
            reply = api.wait_for_call("sendMessage", lambda c: _to_user(c) and c.ok,
                                      since=restarted, timeout=30)
            assert "Jobcentre" in str(reply.params["text"]) or "job" in str(
                reply.params["text"]).lower()
            assert second.stop() == 0, second.stderr
            assert "1 update(s) kept before the last stop but not handled" in second.stderr
        replies = [c for c in api.calls[restarted:]
                   if c.method == "sendMessage" and _to_user(c) and c.ok]
    assert len(replies) == 1, "handled once"
    with connect(database) as conn:
        rows = conn.execute("SELECT update_id, body, done_at FROM inbox").fetchall()
    assert [(row[0], row[1], row[2] is not None) for row in rows] == [(update_id, None, True)]
