"""LeanBot's sends and edits post exactly what PTB's own methods post, and fail as they do."""

from __future__ import annotations

import json
from typing import Any

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, ReplyParameters
from telegram.error import BadRequest, Forbidden, RetryAfter
from telegram.request import RequestData

from bot.lean_bot import LeanBot
from bot.transport.local_api import Fault, LocalBotApi

TOKEN = "123456:LEAN-token-xxxxxxxxxxxxxxxxxxxxxxxx"


class Recorder(LocalBotApi):
    """The fake Bot API, also keeping each call's body as Telegram would receive it."""

    def __init__(self) -> None:
        super().__init__()
        self.bodies: list[tuple[str, dict[str, Any]]] = []

    async def do_request(self, url: str, method: str, request_data: RequestData | None = None,
                         *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        if request_data is not None:
            self.bodies.append((url.rsplit("/", 1)[-1], json.loads(request_data.json_payload)))
        return await super().do_request(url, method, request_data, *args, **kwargs)


async def _bodies(bot_class: type[Bot], call: Any) -> list[tuple[str, dict[str, Any]]]:
    request = Recorder()
    bot = bot_class(TOKEN, request=request)
    await bot.initialize()
    await call(bot)
    await bot.shutdown()
    return [(endpoint, body) for endpoint, body in request.bodies if endpoint != "getMe"]


ROWS = ((("Ja ✅", "onboarding|welcome|yes"), ("Nej", "onboarding|welcome|no")),)
PTB_KEYBOARD = InlineKeyboardMarkup([[
    InlineKeyboardButton("Ja ✅", callback_data="onboarding|welcome|yes"),
    InlineKeyboardButton("Nej", callback_data="onboarding|welcome|no")]])


@pytest.mark.parametrize(("lean", "typed"), [
    (lambda b: b.send_text(7, "Hej æøå", reply_markup=ROWS, message_thread_id=5,
                           reply_to_message_id=9, allow_paid_broadcast=True),
     lambda b: b.send_message(7, "Hej æøå", reply_markup=PTB_KEYBOARD, message_thread_id=5,
                              reply_parameters=ReplyParameters(9), allow_paid_broadcast=True)),
    (lambda b: b.send_text(-1001, "x", reply_markup=PTB_KEYBOARD),
     lambda b: b.send_message(-1001, "x", reply_markup=PTB_KEYBOARD)),
    (lambda b: b.send_text(7, "x", allow_paid_broadcast=False),
     lambda b: b.send_message(7, "x", allow_paid_broadcast=False)),
    (lambda b: b.edit_text(7, 42, "ny", reply_markup=ROWS),
     lambda b: b.edit_message_text("ny", chat_id=7, message_id=42, reply_markup=PTB_KEYBOARD)),
    (lambda b: b.edit_markup(7, 42, None),
     lambda b: b.edit_message_reply_markup(chat_id=7, message_id=42)),
    (lambda b: b.answer("q1", "Gemt"),
     lambda b: b.answer_callback_query("q1", "Gemt")),
], ids=["send with every option", "send to a group", "a flag off", "edit text",
        "drop keyboard", "answer"])
async def test_each_call_posts_the_body_ptbs_own_method_posts(lean: Any, typed: Any) -> None:
    # a keyboard given as rows of tuples is JSON text inside the body, as PTB sends a markup
    mine = await _bodies(LeanBot, lean)
    ptb = await _bodies(Bot, typed)
    assert len(mine) == 1
    assert [(e, _decoded(b)) for e, b in mine] == [(e, _decoded(b)) for e, b in ptb]


def _decoded(body: dict[str, Any]) -> dict[str, Any]:
    """Telegram reads a parameter's JSON text (a markup, a number) as its value."""
    return {name: json.loads(value) if name in ("reply_markup", "reply_parameters") else value
            for name, value in body.items()}


async def test_a_send_gives_the_new_messages_id() -> None:
    bot = LeanBot(TOKEN, request=LocalBotApi())
    await bot.initialize()
    assert [await bot.send_text(7, "x"), await bot.send_text(7, "y")] == [1, 2]
    await bot.shutdown()


@pytest.mark.parametrize(("fault", "error"), [
    (Fault.blocked("editMessageText"), Forbidden),
    (Fault.flood("editMessageText", retry_after=3), RetryAfter),
    (Fault("editMessageText", status=400,
           description="Bad Request: message is not modified"), BadRequest),
])
async def test_errors_are_ptbs_typed_errors(fault: Fault, error: type[Exception]) -> None:
    api = LocalBotApi()
    bot = LeanBot(TOKEN, request=api)
    await bot.initialize()
    api.fail(fault)
    with pytest.raises(error):
        await bot.edit_text(7, 1, "x")
    await bot.shutdown()
