"""Telegram side of /webinar in the staff chat: the dialog (compose.py decides) goes the staff
dialogs' way (bot/staff_dialogs/handlers.py: the command and `/webinar list`, the next line, the
buttons, /cancel); here "Invite citizens" after creating, which opens /broadcast with the
webinar's Yes/Maybe/No buttons already chosen. Admins and coordinators only (OUTREACH)."""

from __future__ import annotations

from telegram import Message as TelegramMessage
from telegram import Update
from telegram.ext import Application

from bot.config import Settings
from bot.context import BotContext
from bot.features.broadcasts.compose import ComposeService
from bot.features.cases.handlers import StaffCallbackHandler
from bot.features.staff import StaffService
from bot.features.staff.service import OUTREACH
from bot.features.webinars import compose_wording as w
from bot.features.webinars.compose import WebinarComposer
from bot.staff_dialogs.handlers import add_dialog, show
from bot.views import thread_of


async def invite(update: Update, context: BotContext) -> None:
    """"Invite citizens" under a webinar just created: /broadcast's draft, in this topic, with
    the webinar's answer buttons chosen already; the coordinator writes the texts there."""
    query = update.callback_query
    assert query is not None and query.data is not None
    app = context.app
    if not await app.get(StaffService).allowed(query.from_user.id, OUTREACH):
        await query.answer(app.texts.staff(w.NOT_ALLOWED), show_alert=True)
        return
    await query.answer()
    message = query.message
    if not isinstance(message, TelegramMessage):
        return
    webinar_id = query.data.rsplit("|", 1)[1]
    compose = app.get(ComposeService)
    outcome = await compose.begin(query.from_user.id, thread_of(message),
                                  (f"rsvp:{webinar_id}",))
    await show(context, message.chat.id, compose, query.from_user.id, outcome)


def register(app: Application, settings: Settings) -> None:  # type: ignore[type-arg]
    if settings.staff_chat_id is None:
        return
    add_dialog(app, settings, WebinarComposer)
    app.add_handler(StaffCallbackHandler(invite, w.INVITE_PATTERN, settings.staff_chat_id))
