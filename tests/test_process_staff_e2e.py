"""The consultant flow through the real `python -m bot` process and the HTTP Bot API emulator:
an urgent message, the safety reply, the alert in a new forum topic, Claim, and the relay."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.conftest import TOKEN, bot_process
from tests.http_bot_api import HttpBotApi
from tests.test_process_e2e import DATE, EN_USER, buttons, press

STAFF_CHAT = -1001234567890
ADMIN = 9001


def citizen_text(user_id: int, text: str, message_id: int) -> dict[str, Any]:
    return {"message": {
        "message_id": message_id, "date": DATE, "text": text,
        "chat": {"id": user_id, "type": "private", "first_name": "Anna"},
        "from": {"id": user_id, "is_bot": False, "first_name": "Anna", "language_code": "en"},
    }}


def in_topic(user_id: int, text: str, thread: int, message_id: int) -> dict[str, Any]:
    return {"message": {
        "message_id": message_id, "date": DATE, "text": text,
        "message_thread_id": thread, "is_topic_message": True,
        "chat": {"id": STAFF_CHAT, "type": "supergroup", "title": "Staff", "is_forum": True},
        "from": {"id": user_id, "is_bot": False, "first_name": "Mette", "language_code": "da"},
    }}


def test_urgent_alert_claim_and_two_way_relay_in_the_real_process(tmp_path: Path) -> None:
    with (HttpBotApi(token=TOKEN) as api,
          bot_process(api, tmp_path, STAFF_CHAT_ID=str(STAFF_CHAT), ADMIN_IDS=str(ADMIN),
                      STAFF_LOCALE="en") as bot):
        api.wait_for_call("getUpdates")
        api.push_update(citizen_text(EN_USER, "I want to kill myself", message_id=1))
        safety = api.wait_for_call("sendMessage", lambda c: c.chat_id == EN_USER)
        assert "112" in safety.params["text"], "the safety reply comes first, with 112"

        topic = api.wait_for_call("createForumTopic", lambda c: c.chat_id == STAFF_CHAT)
        alert = api.wait_for_call("sendMessage",
                                  lambda c: c.chat_id == STAFF_CHAT and bool(buttons(c)))
        thread = api.result_of(topic)["message_thread_id"]
        assert alert.params["message_thread_id"] == thread
        assert "I want to kill myself" in alert.params["text"]

        api.push_update(press(ADMIN, "da", buttons(alert)["✋ Claim"], api.result_of(alert),
                              query_id="91001"))
        api.wait_for_call("sendMessage", lambda c: c.chat_id == EN_USER and "from the job "
                          "centre has seen your message" in c.params.get("text", ""))

        mark = api.mark()
        api.push_update(in_topic(ADMIN, "Hi Anna, I am here. Can I call you?", thread, 50))
        copy = api.wait_for_call("copyMessage", lambda c: c.chat_id == EN_USER, since=mark)
        assert (copy.params["from_chat_id"], copy.params["message_id"]) == (STAFF_CHAT, 50)

        api.push_update(citizen_text(EN_USER, "yes please", message_id=2))
        relayed = api.wait_for_call(
            "copyMessage", lambda c: c.chat_id == STAFF_CHAT and c.params["message_id"] == 2)
        assert relayed.params["message_thread_id"] == thread
        code = bot.stop()
        stderr = bot.stderr
    assert code == 0, stderr
    assert "Traceback" not in stderr, stderr
    assert "kill myself" not in stderr, "no message text in the logs"
