"""Telegram side of check-ins: the call window picked in a check-in. Every other check-in button
and answer goes through the front door to the check-in dialog."""

from __future__ import annotations

import contextlib

from telegram import Update
from telegram.error import BadRequest
from telegram.ext import Application, CallbackQueryHandler

from bot.config import Settings
from bot.context import BotContext
from bot.features.care.handlers import ask_phone, phone_ask
from bot.features.care.service import CareService
from bot.features.dialogs import FrontDoor
from bot.features.dialogs.handlers import citizen_of
from bot.views import answer_press

CALL_WINDOW = r"^checkin\|call_window\|\w+$"  # dialogs/checkin.toml, state call_window


async def call_window(update: Update, context: BotContext) -> None:
    """A window picked in the check-in: the dialog records the call request as ever, then the
    number is asked here (the dialogs have no contact button); the check-in goes on after."""
    query = update.callback_query
    assert query is not None
    citizen = await citizen_of(update, context)
    app = context.app
    reply = await app.get(FrontDoor).press(citizen, query.data or "")
    _ = app.texts.get(reply.locale)
    if not reply.outcome.moved or await app.get(CareService).phone_question(citizen.id) is None:
        await answer_press(query, reply.outcome, _)
        return
    await query.answer()
    if query.message is not None:
        with contextlib.suppress(BadRequest):
            await context.bot.edit_markup(query.message.chat.id, query.message.message_id)
    await ask_phone(context, citizen, phone_ask(_))


def register(app: Application, settings: Settings) -> None:  # type: ignore[type-arg]
    app.add_handler(CallbackQueryHandler(call_window, pattern=CALL_WINDOW))
