"""Telegram side of /broadcast in the staff chat: the dialog goes the staff dialogs' way
(bot/staff_dialogs/handlers.py: the command, the coordinator's next line, photo or file, the
buttons, /cancel, the test send); here only the buttons under the preview's messages, which work
for citizens and are only answered here."""

from __future__ import annotations

import re

from telegram import Update
from telegram.ext import Application

from bot.config import Settings
from bot.context import BotContext
from bot.features.broadcasts import compose_wording as w
from bot.features.broadcasts.compose import ComposeService
from bot.features.cases.handlers import StaffCallbackHandler
from bot.staff_dialogs.handlers import add_dialog


async def look(update: Update, context: BotContext) -> None:
    """A button under the preview's messages: they work for citizens, not here."""
    query = update.callback_query
    assert query is not None
    await query.answer(context.app.texts.staff(w.PREVIEW_ONLY), show_alert=True)


def register(app: Application, settings: Settings) -> None:  # type: ignore[type-arg]
    if settings.staff_chat_id is None:
        return
    add_dialog(app, settings, ComposeService)
    app.add_handler(StaffCallbackHandler(look, f"^{re.escape(w.LOOK)}$", settings.staff_chat_id))
