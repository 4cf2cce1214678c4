"""Safety net v2 through the real `python -m bot` process and the HTTP Bot API emulator, with the
shipped rules and model: an act already done is urgent at once; a message only the model
finds worrying gets the numbers, the direct question and an alert, and "yes" makes it urgent."""

from __future__ import annotations

from pathlib import Path

from bot.features.risk.second_opinion import default_assessor
from tests.conftest import TOKEN, bot_process
from tests.http_bot_api import HttpBotApi
from tests.test_process_e2e import EN_USER, buttons, press
from tests.test_process_staff_e2e import ADMIN, STAFF_CHAT, citizen_text

OVERDOSE = "I took a lot of pills and I don't care anymore"
MODEL_ONLY = "honestly I am just so tired of everything, I wish I could sleep and not be here"
"""The rules find this a concern at most; the shipped model (alone, or confirming the rules'
concern) reads it as possible risk (checked below, so a retrained head that no longer does
fails here loudly, not silently)."""


def _staff_alert(api: HttpBotApi, since: int, marker: str):  # type: ignore[no-untyped-def]
    return api.wait_for_call("sendMessage", lambda c: c.chat_id == STAFF_CHAT and marker in
                             c.params.get("text", ""), since=since)


def test_an_act_already_done_is_urgent_and_reaches_the_staff_chat(tmp_path: Path) -> None:
    with (HttpBotApi(token=TOKEN) as api,
          bot_process(api, tmp_path, STAFF_CHAT_ID=str(STAFF_CHAT), ADMIN_IDS=str(ADMIN),
                      STAFF_LOCALE="en") as bot):
        api.wait_for_call("getUpdates")
        api.push_update(citizen_text(EN_USER, OVERDOSE, message_id=1))
        safety = api.wait_for_call("sendMessage", lambda c: c.chat_id == EN_USER)
        assert "112" in safety.params["text"] and "1813" in safety.params["text"]
        alert = _staff_alert(api, 0, "URGENT")
        assert OVERDOSE in alert.params["text"]
        code = bot.stop()
    assert code == 0, bot.stderr
    assert "pills" not in bot.stderr, "no message text in the logs"


def test_possible_risk_asks_directly_and_yes_makes_it_urgent(tmp_path: Path) -> None:
    verdict = default_assessor(True).assess(MODEL_ONLY)
    assert verdict.level == "possible" and verdict.decider == "model", verdict
    with (HttpBotApi(token=TOKEN) as api,
          bot_process(api, tmp_path, STAFF_CHAT_ID=str(STAFF_CHAT), ADMIN_IDS=str(ADMIN),
                      STAFF_LOCALE="en") as bot):
        api.wait_for_call("getUpdates")
        api.push_update(citizen_text(EN_USER, MODEL_ONLY, message_id=1))
        safety = api.wait_for_call("sendMessage", lambda c: c.chat_id == EN_USER)
        assert "112" in safety.params["text"]
        question = api.wait_for_call("sendMessage",
                                     lambda c: c.chat_id == EN_USER and bool(buttons(c)))
        assert "ending your life" in question.params["text"]
        labels = list(buttons(question))
        assert labels == ["Yes", "No"], labels
        _staff_alert(api, 0, "POSSIBLE RISK")
        mark = api.mark()
        api.push_update(press(EN_USER, "en", buttons(question)[labels[0]],
                              api.result_of(question), query_id="92001"))
        thanks = api.wait_for_call("sendMessage", lambda c: c.chat_id == EN_USER, since=mark)
        assert "you are not alone with it" in thanks.params["text"]
        assert "112" in thanks.params["text"]
        raised = _staff_alert(api, mark, "URGENT")
        assert "YES" in raised.params["text"]
        code = bot.stop()
    assert code == 0, bot.stderr
    assert "Traceback" not in bot.stderr, bot.stderr
