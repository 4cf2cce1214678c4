"""Feedback on an application (issue 13) through the real `python -m bot` process and the HTTP
Bot API emulator: a citizen goes through /feedback and sends a small PDF (fetched with getFile
and a download); the staff chat gets the announcement with Tag; a consultant (added with
`python -m bot staff add`) lists /drafts, presses Tag, sees the citizen's message copied into
the topic and page 1 as a photo, writes the feedback and presses Send feedback; the citizen
gets the consultant's message and the rating question."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests import draft_files
from tests.conftest import TOKEN, bot_process, run_cli
from tests.http_bot_api import HttpBotApi
from tests.test_process_e2e import DATE, buttons, command, press
from tests.test_process_staff_e2e import in_topic

STAFF_CHAT = -1001234567890
ADMIN, CONSULTANT = 9001, 9002
CITIZEN = 7301
FAST = {"RISK_MODEL": "false", "QUIET_HOURS": "", "QUIET_WEEKENDS": "false"}


def text_message(text: str, message_id: int) -> dict[str, Any]:
    return {"message": {
        "message_id": message_id, "date": DATE, "text": text,
        "chat": {"id": CITIZEN, "type": "private", "first_name": "Anna"},
        "from": {"id": CITIZEN, "is_bot": False, "first_name": "Anna", "language_code": "en"},
    }}


def document_message(file_id: str, size: int, message_id: int) -> dict[str, Any]:
    message = text_message("", message_id)
    del message["message"]["text"]
    message["message"]["document"] = {"file_id": file_id, "file_unique_id": f"u-{file_id}",
                                      "file_name": "ansoegning.pdf",
                                      "mime_type": "application/pdf", "file_size": size}
    return message


def staff_command(text: str, message_id: int) -> dict[str, Any]:
    return {"message": {
        "message_id": message_id, "date": DATE, "text": text,
        "chat": {"id": STAFF_CHAT, "type": "supergroup", "title": "Staff", "is_forum": True},
        "from": {"id": CONSULTANT, "is_bot": False, "first_name": "Mette",
                 "language_code": "da"},
        "entities": [{"type": "bot_command", "offset": 0, "length": len(text)}],
    }}


def test_a_pdf_draft_taken_answered_and_delivered_through_the_real_process(tmp_path: Path
                                                                           ) -> None:
    added = run_cli(tmp_path, "staff", "add", str(CONSULTANT), "consultant",
                    DATABASE_PATH=str(tmp_path / "bot.db"), ADMIN_IDS=str(ADMIN),
                    LOG_LEVEL="WARNING", **FAST)
    assert added.returncode == 0, added.stderr
    pdf = draft_files.pdf("Dear employer I am a motivated welder")
    with (HttpBotApi(token=TOKEN) as api,
          bot_process(api, tmp_path, STAFF_CHAT_ID=str(STAFF_CHAT), ADMIN_IDS=str(ADMIN),
                      **FAST) as bot):
        api.wait_for_call("getUpdates")

        def citizen_sees(words: str, since: int) -> Any:
            return api.wait_for_call("sendMessage", lambda c: c.chat_id == CITIZEN
                                     and words in c.params.get("text", ""), since=since)

        def tap(shown: Any, label: str, query_id: str) -> int:
            mark = api.mark()
            api.push_update(press(CITIZEN, "en", buttons(shown)[label], api.result_of(shown),
                                  query_id=query_id))
            return mark

        # the citizen's dialog, from /feedback to the file
        mark = api.mark()
        api.push_update(command(CITIZEN, "/feedback", "en", message_id=1))
        consent = citizen_sees("A consultant at the job centre reads your application", mark)
        kind = citizen_sees("What would you like feedback on?",
                            tap(consent, "Yes, I would like feedback", "70001"))
        mark = tap(kind, "An application", "70002")
        citizen_sees("Is it for a particular job?", mark)
        mark = api.mark()
        api.push_update(text_message("https://job.example/welder", message_id=2))
        deadline = citizen_sees("Is there an application deadline?", mark)
        wishes = citizen_sees("Is there something you would like us to look at",
                              tap(deadline, "Skip", "70003"))
        citizen_sees("Now send the draft itself", tap(wishes, "Skip", "70004"))
        api.serve_file("pdf-1", pdf)
        mark = api.mark()
        api.push_update(document_message("pdf-1", len(pdf), message_id=3))
        api.wait_for_call("getFile", lambda c: c.params["file_id"] == "pdf-1", since=mark)
        citizen_sees("Its reference is D-1", mark)

        # the staff chat is told; the consultant lists /drafts and presses Tag
        announced = api.wait_for_call("sendMessage", lambda c: c.chat_id == STAFF_CHAT
                                      and "D-1" in c.params.get("text", ""), since=mark)
        assert buttons(announced) == {"Tag": "draft|take|1"}, announced.params
        mark = api.mark()
        api.push_update(staff_command("/drafts", message_id=10))
        listing = api.wait_for_call("sendMessage", lambda c: c.chat_id == STAFF_CHAT
                                    and "D-1" in c.params.get("text", ""), since=mark)
        assert buttons(listing) == {"Tag D-1": "draft|take|1"}, listing.params
        mark = api.mark()
        api.push_update(press(CONSULTANT, "da", "draft|take|1", api.result_of(listing),
                              query_id="70005"))
        api.wait_for_call("answerCallbackQuery",
                                     lambda c: c.params["callback_query_id"] == "70005",
                                     since=mark)
        topic = api.wait_for_call("createForumTopic", lambda c: c.chat_id == STAFF_CHAT,
                                  since=mark)
        thread = api.result_of(topic)["message_thread_id"]
        original = api.wait_for_call("copyMessage", lambda c: c.chat_id == STAFF_CHAT
                                     and c.params["from_chat_id"] == CITIZEN, since=mark)
        assert original.params["message_id"] == 3
        assert original.params["message_thread_id"] == thread
        page = api.wait_for_call("sendPhoto", lambda c: c.chat_id == STAFF_CHAT, since=mark)
        assert page.params["message_thread_id"] == thread
        assert page.files["photo"].startswith(b"\x89PNG\r\n\x1a\n")
        how_to = api.wait_for_call("sendMessage", lambda c: c.chat_id == STAFF_CHAT
                                   and "Send feedback" in buttons(c), since=mark)
        assert how_to.params["message_thread_id"] == thread
        shown = how_to.params["text"]  # one message: the staff group takes one every 3 s
        assert "D-1, version 1" in shown and "https://job.example/welder" in shown, shown
        assert "motivated welder" in shown, shown

        # the feedback, written in the topic and sent with Send feedback
        api.push_update(in_topic(CONSULTANT, "Good start – say more about the welding.",
                                 thread, message_id=50))
        mark = api.mark()
        api.push_update(press(CONSULTANT, "da", buttons(how_to)["Send feedback"],
                              api.result_of(how_to), query_id="70006"))
        feedback = api.wait_for_call("copyMessage", lambda c: c.chat_id == CITIZEN, since=mark)
        assert (feedback.params["from_chat_id"], feedback.params["message_id"]) == (
            STAFF_CHAT, 50)
        rate = citizen_sees("That was the feedback on D-1", mark)
        assert list(buttons(rate))[:5] == ["1", "2", "3", "4", "5"]
        code = bot.stop()
        stderr = bot.stderr
    assert code == 0, stderr
    assert "Traceback" not in stderr, stderr
    assert "welder" not in stderr and "ansoegning" not in stderr, "no draft text in the logs"
