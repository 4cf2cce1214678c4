"""Telegram side of /webinar in the staff chat (compose.py decides): the command and
`/webinar list`, the staff member's next line in the topic, the dialog's buttons, /cancel, and
"Invite citizens" after creating, which opens /broadcast with the webinar's Yes/Maybe/No
buttons already chosen. Admins and coordinators only (OUTREACH); a consultant is told so, anyone
else in the staff chat is ignored."""

from __future__ import annotations

import logging

from telegram import Message as TelegramMessage
from telegram import Update
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot.config import Settings
from bot.context import AppContext, BotContext
from bot.features.broadcasts.compose import ComposeService
from bot.features.cases.handlers import StaffCallbackHandler
from bot.features.staff import StaffService
from bot.features.staff.service import OUTREACH
from bot.features.webinars import compose_wording as w
from bot.features.webinars.compose import Outcome, WebinarComposer
from bot.features.webinars.service import WebinarService
from bot.features.workspace.service import WorkspaceService
from bot.outbox.model import Message
from bot.stages import Stage
from bot.views import inline_markup, reply_here, send_text, thread_of

log = logging.getLogger(__name__)


async def begin(update: Update, context: BotContext) -> None:
    """/webinar: a new draft, or the one open in this topic; `/webinar list`: what is coming."""
    message = update.effective_message
    user = update.effective_user
    if message is None or user is None:
        return
    app = context.app
    role = await app.get(StaffService).role_of(user.id)
    if role is None:
        return
    _ = app.texts.staff
    if role not in OUTREACH:
        await reply_here(context.bot, message, _(w.NOT_ALLOWED))
        return
    if (context.args or [])[:1] == ["list"]:
        await reply_here(context.bot, message, await app.get(WebinarComposer).listing())
        return
    if await _case_work(app, message):
        await reply_here(context.bot, message, _(w.CITIZEN_TOPIC))
        return
    await _show(context, message.chat.id,
                await app.get(WebinarComposer).begin(user.id, thread_of(message)))


async def staff_line(update: Update, context: BotContext) -> None:
    """A line in the staff chat: the draft's answer when its step waits for one (nothing after
    this stage sees it then); otherwise it goes on (to /broadcast's draft, the workspace)."""
    message = update.effective_message
    user = update.effective_user
    if message is None or user is None:
        return
    app = context.app
    if not await app.get(StaffService).allowed(user.id, OUTREACH):
        return
    outcome = await app.get(WebinarComposer).typed(user.id, thread_of(message),
                                                   message.text or "")
    if outcome is None:
        return
    await _show(context, message.chat.id, outcome)
    raise ApplicationHandlerStop


async def cancel(update: Update, context: BotContext) -> None:
    """/cancel: ends the webinar draft open in this topic (nothing to do here without one)."""
    message = update.effective_message
    user = update.effective_user
    if message is None or user is None:
        return
    outcome = await context.app.get(WebinarComposer).cancel(user.id, thread_of(message))
    if outcome is None:
        return
    await _show(context, message.chat.id, outcome)
    raise ApplicationHandlerStop


async def pressed(update: Update, context: BotContext) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    app = context.app
    if not await app.get(StaffService).allowed(query.from_user.id, OUTREACH):
        await query.answer(app.texts.staff(w.NOT_ALLOWED), show_alert=True)
        return
    _prefix, compose_id, step, choice = query.data.split("|")
    outcome = await app.get(WebinarComposer).pressed(query.from_user.id, int(compose_id), step,
                                                     choice)
    await query.answer(outcome.notice, show_alert=outcome.alert)
    if outcome.created is not None:  # timers now, not at the next sweep
        await app.get(WebinarService).handle_changes()
    if outcome.screen is None:
        return
    try:
        await query.edit_message_reply_markup(None)  # that step is over
    except TelegramError as exc:
        log.info("webinar draft: old buttons not removed (%s)", type(exc).__name__)
    if isinstance(query.message, TelegramMessage):
        await _show(context, query.message.chat.id, outcome)


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
    outcome = await app.get(ComposeService).begin(query.from_user.id, thread_of(message),
                                                  (f"rsvp:{webinar_id}",))
    for shown in (*outcome.before, *((outcome.screen,) if outcome.screen else ())):
        await send_text(context.bot, message.chat.id, shown.text, inline_markup(shown.buttons),
                        thread_id=outcome.thread_id)


async def _show(context: BotContext, chat_id: int, outcome: Outcome) -> None:
    screen: Message | None = outcome.screen
    if screen is not None:
        await send_text(context.bot, chat_id, screen.text, inline_markup(screen.buttons),
                        thread_id=screen.thread_id)


async def _case_work(app: AppContext, message: TelegramMessage) -> bool:
    """In a citizen's topic (or, without topics, a reply to their messages): case work."""
    reply_to = message.reply_to_message.message_id if message.reply_to_message else None
    return await app.get(WorkspaceService).citizen_of_topic(thread_of(message),
                                                            reply_to) is not None


def register(app: Application, settings: Settings) -> None:  # type: ignore[type-arg]
    if settings.staff_chat_id is None:
        return
    staff_chat = filters.Chat(settings.staff_chat_id)
    app.add_handler(CommandHandler("webinar", begin, filters=staff_chat))
    app.add_handler(CommandHandler("cancel", cancel, filters=staff_chat),
                    group=Stage.STAFF_WEBINAR)
    app.add_handler(MessageHandler(staff_chat & filters.TEXT & ~filters.COMMAND, staff_line),
                    group=Stage.STAFF_WEBINAR)
    app.add_handler(StaffCallbackHandler(pressed, w.PATTERN, settings.staff_chat_id))
    app.add_handler(StaffCallbackHandler(invite, w.INVITE_PATTERN, settings.staff_chat_id))
