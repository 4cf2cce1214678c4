"""Telegram side of drafts: /feedback (and the menu's button), the file or photos that are the
draft, and in the staff chat /drafts, Take, the consultant's messages in the topic and Send
feedback. Decisions are in service.py."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot.config import Settings
from bot.context import BotContext
from bot.features.cases.handlers import StaffCallbackHandler
from bot.features.citizens import Citizen
from bot.features.dialogs.handlers import citizen_of, other_message
from bot.features.drafts import wording as w
from bot.features.drafts.model import FileRef
from bot.features.drafts.service import DraftService
from bot.features.workspace import WorkspaceService
from bot.i18n import Refusal
from bot.outbox.model import MediaKind
from bot.stages import Stage
from bot.views import inline_markup, reply_here, send_outcome

log = logging.getLogger(__name__)
PRIVATE = filters.ChatType.PRIVATE
FROM_MENU = r"^onboarding\|menu\|feedback$"
"""The menu's "Feedback on an application or CV" (dialogs/onboarding.toml)."""
TAKE = r"^draft\|take\|\d{1,18}$"
SEND = r"^draft\|send\|\d{1,18}$"


async def feedback(update: Update, context: BotContext) -> None:
    """/feedback, the menu's button and the follow-ups' offers: the draft dialog from the
    start (consent first if it is missing)."""
    if update.callback_query is not None:
        await update.callback_query.answer()
    await start_draft_dialog(context, await citizen_of(update, context))


async def start_draft_dialog(context: BotContext, citizen: Citizen) -> None:
    """The dialog's first step, for another feature's offer of feedback (e.g. a follow-up's
    button that has answered its press already)."""
    outcome = await context.app.get(DraftService).start(citizen)
    await send_outcome(context.bot, citizen.chat_id, outcome,
                       context.app.texts.get(citizen.locale))


async def draft_file(update: Update, context: BotContext) -> None:
    """A photo or a file while the dialog waits for the draft; anywhere else what any photo
    gets (the front door's answer)."""
    message = update.effective_message
    user = update.effective_user
    assert message is not None and user is not None
    service = context.app.get(DraftService)
    citizen = await context.citizen_for(user.id)
    if citizen is None or not await service.accepting(citizen.id):
        await other_message(update, context)
        return
    if message.photo:
        largest = message.photo[-1]
        outcome = await service.photo(citizen.id, FileRef(
            MediaKind.PHOTO.value, largest.file_id, largest.file_unique_id, message.chat.id,
            message.message_id, largest.file_size))
    elif message.document is not None:
        document = message.document
        file = FileRef(MediaKind.DOCUMENT.value, document.file_id, document.file_unique_id,
                       message.chat.id, message.message_id, document.file_size)
        problem = service.size_problem(document.file_size)
        if problem is not None:
            outcome = await service.refused(citizen.id, problem)
        else:
            try:
                fetched = await context.bot.get_file(document.file_id)
                content = bytes(await fetched.download_as_bytearray())
            except TelegramError as exc:
                log.info("draft file of citizen %d not fetched (%s)", citizen.id,
                         type(exc).__name__)
                outcome = await service.refused(citizen.id, Refusal(w.NOT_READ))
            else:
                outcome = await service.document(citizen.id, file, content)
    else:
        await other_message(update, context)
        return
    await send_outcome(context.bot, citizen.chat_id, outcome,
                       context.app.texts.get(citizen.locale))


async def list_drafts(update: Update, context: BotContext) -> None:
    """/drafts in the staff chat: what waits, nearest deadline first, with Take buttons."""
    message = update.effective_message
    user = update.effective_user
    service = context.app.get(DraftService)
    if message is None or user is None or not await service.may(user.id):
        return
    text, buttons = await service.queue()
    await reply_here(context.bot, message, text, inline_markup(buttons))


async def take(update: Update, context: BotContext) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    answer = await context.app.get(DraftService).take(query.from_user.id,
                                                      int(query.data.rsplit("|", 1)[1]))
    await query.answer(answer.text, show_alert=answer.alert)


async def send(update: Update, context: BotContext) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    service = context.app.get(DraftService)
    answer = await service.send_feedback(query.from_user.id, int(query.data.rsplit("|", 1)[1]))
    await query.answer(answer.text, show_alert=answer.alert)
    if not answer.alert and query.message is not None:
        await context.bot.send_message(query.message.chat.id, answer.text,
                                       message_thread_id=query.message.message_thread_id)


async def in_topic(update: Update, context: BotContext) -> None:
    """A consultant's message in the topic of a citizen whose draft they took is part of the
    feedback (sent on Send feedback), and goes no further: not relayed at once, not a note."""
    message = update.effective_message
    user = update.effective_user
    if message is None or user is None:
        return
    reply_to = message.reply_to_message.message_id if message.reply_to_message else None
    citizen_id = await context.app.get(WorkspaceService).citizen_of_topic(
        message.message_thread_id, reply_to)
    if citizen_id is None:
        return
    if await context.app.get(DraftService).staff_wrote(
            user.id, citizen_id, message.chat.id, message.message_id,
            message.text or message.caption or ""):
        raise ApplicationHandlerStop


def register(app: Application, settings: Settings) -> None:  # type: ignore[type-arg]
    app.add_handler(CommandHandler("feedback", feedback, filters=PRIVATE))
    app.add_handler(CallbackQueryHandler(feedback, pattern=FROM_MENU))
    app.add_handler(MessageHandler(PRIVATE & (filters.PHOTO | filters.Document.ALL), draft_file))
    if settings.staff_chat_id is None:
        return
    staff_chat = filters.Chat(settings.staff_chat_id)
    app.add_handler(CommandHandler("drafts", list_drafts, filters=staff_chat))
    app.add_handler(StaffCallbackHandler(take, TAKE, settings.staff_chat_id))
    app.add_handler(StaffCallbackHandler(send, SEND, settings.staff_chat_id))
    app.add_handler(MessageHandler(staff_chat & ~filters.COMMAND & ~filters.StatusUpdate.ALL,
                                   in_topic), group=Stage.STAFF_DRAFT)
