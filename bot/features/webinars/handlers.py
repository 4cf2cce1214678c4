"""Telegram side of webinars: the RSVP buttons, /webinars (also from /menu), the follow-up's
feedback button, and staff's /attended. Decisions are in service.py."""

from __future__ import annotations

import contextlib
import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram import Message as TelegramMessage
from telegram.error import BadRequest
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, filters

from bot.config import Settings
from bot.context import BotContext
from bot.features.citizens import Citizen
from bot.features.dialogs import FrontDoor
from bot.features.dialogs.handlers import citizen_of
from bot.features.dialogs.handlers import press as front_door_press
from bot.features.drafts.handlers import feedback as start_draft
from bot.features.staff import StaffService
from bot.features.staff.service import OUTREACH
from bot.features.webinars import staff_handlers, wording
from bot.features.webinars.model import Answer
from bot.features.webinars.service import RSVP_PREFIX, WebinarService
from bot.outbox.model import Buttons
from bot.views import answer_press, inline_markup, reply_here, send_text

log = logging.getLogger(__name__)
RSVP = r"^webinar\|rsvp\|\d{1,18}\|(yes|maybe|no)$"
FEEDBACK = r"^webinar\|feedback\|\d{1,18}$"
FROM_MENU = r"^onboarding\|menu\|webinars$"
"""The menu's "My webinars" (dialogs/onboarding.toml)."""


async def rsvp(update: Update, context: BotContext) -> None:
    """Ja / Måske / Nej on a session: answered in a new message, and the pressed message's
    buttons show the answer ("✓ Ja"), so it can be seen and changed there too; once the session
    takes no answer, its buttons go. Someone who is not a citizen (never started, or erased)
    gets what any button of theirs gets: the welcome, and nothing is recorded."""
    query = update.callback_query
    assert query is not None and query.data is not None
    citizen = await context.citizen_for(query.from_user.id)
    if citizen is None:
        await front_door_press(update, context)
        return
    await query.answer()
    _prefix, _kind, session_id, answer = query.data.split("|")
    answering = await context.app.get(WebinarService).answer(citizen, int(session_id),
                                                              Answer(answer))
    await send_text(context.bot, citizen.chat_id, answering.reply)
    if isinstance(query.message, TelegramMessage):
        markup = _with_answer_buttons(query.message, f"{RSVP_PREFIX}{session_id}|",
                                      answering.buttons)
        with contextlib.suppress(BadRequest):  # e.g. "message is not modified"
            await query.edit_message_reply_markup(markup)


def _with_answer_buttons(message: TelegramMessage, prefix: str,
                         buttons: Buttons) -> InlineKeyboardMarkup | None:
    """The message's keyboard with the session's row of answer buttons replaced (or dropped);
    other rows (e.g. "No more webinar news") stay as they are."""
    rows: list[list[InlineKeyboardButton]] = []
    for row in message.reply_markup.inline_keyboard if message.reply_markup else ():
        if any(str(b.callback_data or "").startswith(prefix) for b in row):
            rows += [[InlineKeyboardButton(label, callback_data=data) for label, data in new]
                     for new in buttons]
        else:
            rows.append(list(row))
    return InlineKeyboardMarkup(rows) if rows else None


async def my_webinars(update: Update, context: BotContext) -> None:
    """/webinars: the sessions coming up with the citizen's answers, and buttons to change."""
    await _show_mine(context, await citizen_of(update, context))


async def from_menu(update: Update, context: BotContext) -> None:
    """"My webinars" in /menu: the menu stays (the dialog keeps the citizen there), and the
    list follows as /webinars shows it; a stale menu gets the current step, as any button."""
    query = update.callback_query
    assert query is not None and query.data is not None
    citizen = await citizen_of(update, context)
    reply = await context.app.get(FrontDoor).press(citizen, query.data)
    await answer_press(query, reply.outcome, context.app.texts.get(reply.locale))
    if reply.outcome.notice is None and reply.citizen is not None:
        await _show_mine(context, reply.citizen)


async def _show_mine(context: BotContext, citizen: Citizen) -> None:
    for text, buttons in await context.app.get(WebinarService).my_webinars(citizen):
        await send_text(context.bot, citizen.chat_id, text, inline_markup(buttons))


async def feedback(update: Update, context: BotContext) -> None:
    """The follow-up's offer of feedback on an application: the draft dialog
    (bot/features/drafts), counted once for the webinar report."""
    query = update.callback_query
    assert query is not None and query.data is not None
    citizen = await context.citizen_for(query.from_user.id)
    if citizen is None:  # not a citizen (any more): nothing to ask for
        await front_door_press(update, context)
        return
    await context.app.get(WebinarService).request_feedback(citizen,
                                                           int(query.data.rsplit("|", 1)[1]))
    await start_draft(update, context)


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
    staff_handlers.register(app, settings)
    private = filters.ChatType.PRIVATE
    app.add_handler(CallbackQueryHandler(rsvp, pattern=RSVP))
    app.add_handler(CallbackQueryHandler(feedback, pattern=FEEDBACK))
    app.add_handler(CallbackQueryHandler(from_menu, pattern=FROM_MENU))
    app.add_handler(CommandHandler("webinars", my_webinars, filters=private))
    if settings.staff_chat_id is not None:
        app.add_handler(CommandHandler("attended", attended,
                                       filters=filters.Chat(settings.staff_chat_id)))
