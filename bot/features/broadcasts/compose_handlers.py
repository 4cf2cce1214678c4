"""Telegram side of /broadcast in the staff chat (compose.py decides): the command, the
coordinator's next line, photo or file in the topic, the dialog's buttons, /cancel, and the test
send to their private chat. Admins and coordinators only (OUTREACH); a consultant is told so,
anyone else in the staff chat is ignored."""

from __future__ import annotations

import logging
import re

from telegram import CallbackQuery, Update
from telegram import Message as TelegramMessage
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot.config import Settings
from bot.context import AppContext, BotContext
from bot.features.broadcasts import compose_wording as w
from bot.features.broadcasts.compose import ComposeService, Outcome
from bot.features.broadcasts.handlers import NOT_ALLOWED
from bot.features.broadcasts.model import Attachment
from bot.features.broadcasts.wording import language_name
from bot.features.cases.handlers import StaffCallbackHandler
from bot.features.staff import StaffService
from bot.features.staff.service import OUTREACH
from bot.features.workspace.service import WorkspaceService
from bot.outbox.model import MediaKind, Message
from bot.stages import Stage
from bot.views import inline_markup, reply_here, send_text, thread_of

log = logging.getLogger(__name__)


async def begin(update: Update, context: BotContext) -> None:
    """/broadcast: a new draft, or the one open in this topic where it was left."""
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
        await reply_here(context.bot, message, _(NOT_ALLOWED))
        return
    if await _case_work(app, message):
        await reply_here(context.bot, message, _(w.CITIZEN_TOPIC))
        return
    await show_outcome(context, message.chat.id,
                await app.get(ComposeService).begin(user.id, thread_of(message)))


async def staff_input(update: Update, context: BotContext) -> None:
    """A line, photo or file in the staff chat: the draft's answer when its step waits for one
    (nothing after this stage sees it then); otherwise it goes on to the workspace."""
    message = update.effective_message
    user = update.effective_user
    if message is None or user is None:
        return
    app = context.app
    if (not await app.get(StaffService).allowed(user.id, OUTREACH)
            or await _case_work(app, message)):
        return
    compose = app.get(ComposeService)
    thread = thread_of(message)
    attachment = _attachment(message)
    if attachment is not None:
        outcome = await compose.attached(user.id, thread, attachment)
    else:
        outcome = await compose.typed(user.id, thread, message.text or "")
    if outcome is None:
        return  # no draft here, or its step takes no line
    await show_outcome(context, message.chat.id, outcome)
    raise ApplicationHandlerStop


async def cancel(update: Update, context: BotContext) -> None:
    """/cancel: ends the draft open in this topic (nothing to do here without one)."""
    message = update.effective_message
    user = update.effective_user
    if message is None or user is None:
        return
    outcome = await context.app.get(ComposeService).cancel(user.id, thread_of(message))
    if outcome is None:
        return
    await show_outcome(context, message.chat.id, outcome)
    raise ApplicationHandlerStop


async def pressed(update: Update, context: BotContext) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    app = context.app
    _ = app.texts.staff
    if not await app.get(StaffService).allowed(query.from_user.id, OUTREACH):
        await query.answer(_(NOT_ALLOWED), show_alert=True)
        return
    _prefix, compose_id, token, action, *index = query.data.split("|")
    outcome = await app.get(ComposeService).pressed(
        query.from_user.id, int(compose_id), token, action, int(index[0]) if index else None)
    if outcome.test_send:
        await _test_send(query, context, outcome)
        return
    await query.answer(outcome.notice, show_alert=outcome.alert)
    if outcome.screen is None:
        return
    if outcome.in_place:
        try:
            await query.edit_message_text(outcome.screen.text,
                                          reply_markup=inline_markup(outcome.screen.buttons))
            return
        except BadRequest as exc:
            if "not modified" in exc.message.lower():
                return
            log.info("broadcast draft: not edited in place (%s); sending anew", exc.message)
    else:
        try:
            await query.edit_message_reply_markup(None)  # that step is over
        except TelegramError as exc:
            log.info("broadcast draft: old buttons not removed (%s)", type(exc).__name__)
    chat = query.message.chat.id if query.message else app.settings.staff_chat_id
    if chat is not None:
        await show_outcome(context, chat, outcome)


async def look(update: Update, context: BotContext) -> None:
    """A button under the preview's messages: they work for citizens, not here."""
    query = update.callback_query
    assert query is not None
    await query.answer(context.app.texts.staff(w.PREVIEW_ONLY), show_alert=True)


async def _test_send(query: CallbackQuery, context: BotContext, outcome: Outcome) -> None:
    """Each language's message, with its real buttons, to the presser's private chat."""
    _ = context.app.texts.staff
    try:
        for _locale, message in outcome.test_send:
            await _send(context, query.from_user.id, message, None)
    except (Forbidden, BadRequest) as exc:  # never started the bot: 403, or "chat not found"
        log.info("broadcast test send to staff %d refused (%s)", query.from_user.id,
                 type(exc).__name__)
        await query.answer(_(w.TEST_NOT_STARTED, bot=context.bot.username), show_alert=True)
        return
    languages = ", ".join(language_name(locale) for locale, _m in outcome.test_send)
    await query.answer(_(w.TEST_SENT, languages=languages), show_alert=True)


async def show_outcome(context: BotContext, chat_id: int, outcome: Outcome) -> None:
    """The preview's messages (if any), then the step, in the draft's topic."""
    for message in outcome.before:
        await _send(context, chat_id, message, outcome.thread_id)
    if outcome.screen is not None:
        await send_text(context.bot, chat_id, outcome.screen.text,
                        inline_markup(outcome.screen.buttons), thread_id=outcome.thread_id)


async def _send(context: BotContext, chat_id: int, message: Message,
                thread_id: int | None) -> None:
    """A broadcast message as a citizen gets it: its text, or its image or file with the text
    as caption (the file is Telegram's already: a coordinator sent it)."""
    markup = inline_markup(message.buttons)
    media = message.media
    if media is None or media.file_id is None:
        await send_text(context.bot, chat_id, message.text, markup, thread_id=thread_id)
    elif media.kind is MediaKind.PHOTO:
        await context.bot.send_photo(chat_id, media.file_id, caption=message.text,
                                     reply_markup=markup, message_thread_id=thread_id)
    else:
        await context.bot.send_document(chat_id, media.file_id, caption=message.text,
                                        reply_markup=markup, message_thread_id=thread_id)


def _attachment(message: TelegramMessage) -> Attachment | None:
    if message.photo:
        largest = message.photo[-1]
        return Attachment(MediaKind.PHOTO, file_id=largest.file_id, size=largest.file_size)
    if message.document is not None:
        document = message.document
        return Attachment(MediaKind.DOCUMENT, filename=document.file_name,
                          size=document.file_size, file_id=document.file_id)
    return None


async def _case_work(app: AppContext, message: TelegramMessage) -> bool:
    """In a citizen's topic (or, without topics, a reply to their messages): case work, where
    a line is for the citizen, never for a draft."""
    reply_to = message.reply_to_message.message_id if message.reply_to_message else None
    return await app.get(WorkspaceService).citizen_of_topic(thread_of(message),
                                                            reply_to) is not None


def register(app: Application, settings: Settings) -> None:  # type: ignore[type-arg]
    if settings.staff_chat_id is None:
        return
    staff_chat = filters.Chat(settings.staff_chat_id)
    app.add_handler(CommandHandler("broadcast", begin, filters=staff_chat))
    app.add_handler(CommandHandler("cancel", cancel, filters=staff_chat), group=Stage.STAFF_DIALOG)
    app.add_handler(MessageHandler(
        staff_chat & ((filters.TEXT & ~filters.COMMAND) | filters.PHOTO | filters.Document.ALL),
        staff_input), group=Stage.STAFF_DIALOG)
    app.add_handler(StaffCallbackHandler(pressed, w.PATTERN, settings.staff_chat_id))
    app.add_handler(StaffCallbackHandler(look, f"^{re.escape(w.LOOK)}$", settings.staff_chat_id))
