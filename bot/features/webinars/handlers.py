"""Telegram side of webinars: the RSVP buttons, /webinars, the follow-up's feedback button, and
staff's /attended. Decisions are in service.py."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, filters

from bot.config import Settings
from bot.context import BotContext
from bot.engine.screen import render
from bot.features.care.wording import human_reply
from bot.features.dialogs.handlers import citizen_of
from bot.features.staff import StaffService
from bot.features.staff.service import OUTREACH
from bot.features.webinars import wording
from bot.features.webinars.model import Answer
from bot.features.webinars.service import WebinarService
from bot.views import inline_markup, reply_here, send_text

log = logging.getLogger(__name__)
RSVP = r"^webinar\|rsvp\|\d+\|(yes|maybe|no)$"
FEEDBACK = r"^webinar\|feedback\|\d+$"


async def rsvp(update: Update, context: BotContext) -> None:
    """Ja / Måske / Nej on a session: answered in a new message; the buttons stay, so the
    answer can be changed with them too."""
    query = update.callback_query
    assert query is not None and query.data is not None
    await query.answer()
    citizen = await citizen_of(update, context)
    _prefix, _kind, session_id, answer = query.data.split("|")
    reply = await context.app.get(WebinarService).answer(citizen, int(session_id),
                                                          Answer(answer))
    await send_text(context.bot, citizen.chat_id, reply)


async def my_webinars(update: Update, context: BotContext) -> None:
    """/webinars: the sessions coming up with the citizen's answers, and buttons to change."""
    citizen = await citizen_of(update, context)
    for text, buttons in await context.app.get(WebinarService).my_webinars(citizen):
        await send_text(context.bot, citizen.chat_id, text, inline_markup(buttons))


async def feedback(update: Update, context: BotContext) -> None:
    """The follow-up's offer of feedback on an application: a consultant case."""
    query = update.callback_query
    assert query is not None and query.data is not None
    await query.answer()
    citizen = await citizen_of(update, context)
    _ = context.app.texts.get(citizen.locale)
    opening = await context.app.get(WebinarService).request_feedback(
        citizen, int(query.data.rsplit("|", 1)[1]))
    text = render(human_reply(opening), _) if opening else _(wording.FEEDBACK_ASKED)
    await send_text(context.bot, citizen.chat_id, text)


async def attended(update: Update, context: BotContext) -> None:
    """/attended <session> <citizen number> …: who took part, for the report (OUTREACH)."""
    app = context.app
    user = update.effective_user
    message = update.effective_message
    if user is None or message is None or not await app.get(StaffService).allowed(user.id,
                                                                                    OUTREACH):
        return
    _ = app.texts.staff
    args = context.args or []
    if len(args) < 2 or not all(a.isdigit() for a in args):
        await reply_here(context.bot, message, _(wording.ATTENDED_USAGE))
        return
    session_id, citizens = int(args[0]), [int(a) for a in args[1:]]
    marked = await app.get(WebinarService).mark_attended(session_id, citizens)
    if marked is None:
        await reply_here(context.bot, message, _(wording.ATTENDED_NO_SESSION, session=session_id))
        return
    log.info("webinar session %d: %d marked as attended by staff %d", session_id, marked,
             user.id)
    await reply_here(context.bot, message, _(wording.ATTENDED_DONE, session=session_id, n=marked))


def register(app: Application, settings: Settings) -> None:  # type: ignore[type-arg]
    private = filters.ChatType.PRIVATE
    app.add_handler(CallbackQueryHandler(rsvp, pattern=RSVP))
    app.add_handler(CallbackQueryHandler(feedback, pattern=FEEDBACK))
    app.add_handler(CommandHandler("webinars", my_webinars, filters=private))
    if settings.staff_chat_id is not None:
        app.add_handler(CommandHandler("attended", attended,
                                       filters=filters.Chat(settings.staff_chat_id)))
