"""Last line of defence: log with the update id only, tell the person kindly, keep running."""

from __future__ import annotations

import contextlib
import logging

from telegram import Update
from telegram.constants import ChatType
from telegram.error import Forbidden, TelegramError
from telegram.ext import Application

from bot.context import BotContext
from bot.features.citizens import CitizenStore
from bot.i18n import N_

log = logging.getLogger(__name__)
SORRY = N_("Sorry – something went wrong on our side. Your answers so far are saved; "
           "please try again in a moment.")


async def on_error(update: object, context: BotContext) -> None:
    """No personal data in logs: the update id and the error type, with the traceback."""
    error = context.error
    update_id = update.update_id if isinstance(update, Update) else None
    chat = update.effective_chat if isinstance(update, Update) else None
    app = context.bot_data.get("app")
    if isinstance(error, Forbidden) and chat is not None and app is not None:
        sender = context.bot_data.get("outbox_sender")
        if chat.type == ChatType.PRIVATE and sender is not None:  # as for a queued message
            dropped = await sender.citizen_unreachable(chat.id)
            log.info("update %s: citizen unreachable (403), marked gone, %d queued dropped",
                     update_id, dropped)
        return
    log.error("update %s failed with %s", update_id, type(error).__name__, exc_info=error)
    if chat is None or chat.type != ChatType.PRIVATE or app is None:
        return
    user = update.effective_user if isinstance(update, Update) else None
    locale = app.texts.locale_for_language_code(user.language_code if user else None)
    citizen = await app.get(CitizenStore).by_user(user.id) if user else None
    _ = app.texts.get(citizen.locale if citizen else locale)
    with contextlib.suppress(TelegramError):
        if isinstance(update, Update) and update.callback_query:
            await update.callback_query.answer()
        await context.bot.send_text(chat.id, _(SORRY))


def register(app: Application) -> None:  # type: ignore[type-arg]
    app.add_error_handler(on_error)
