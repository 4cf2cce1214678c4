"""Telegram side of the staff chat's dialogs (/broadcast, /webinar, /club; each feature's
composer decides): the command, the staff member's next line, photo or file in the topic, the
dialogs' buttons, /cancel, and a test send to the presser's private chat. Admins and
coordinators only (OUTREACH): a consultant is told so, anyone else in the staff chat is ignored.
A line in a citizen's topic (or, without topics, a reply to their messages) is case work and
never a dialog's."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

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
from bot.features.cases.handlers import StaffCallbackHandler
from bot.features.staff import StaffService
from bot.features.staff.service import OUTREACH
from bot.features.workspace.service import WorkspaceService
from bot.outbox.model import MediaKind, Message
from bot.staff_dialogs.model import Outcome, StaffDialog, Upload
from bot.stages import Stage
from bot.views import drop_buttons, inline_markup, reply_here, send_text, thread_of

log = logging.getLogger(__name__)
Handler = Callable[[Update, BotContext], Awaitable[None]]


def add_dialog(application: Application, settings: Settings,  # type: ignore[type-arg]
               dialog: type[StaffDialog]) -> None:
    """A feature's dialog (its composer, a service): its command and its buttons. Its lines and
    /cancel come through `register`'s handlers, which ask every feature's dialogs in turn."""
    if settings.staff_chat_id is None:
        return
    application.add_handler(CommandHandler(dialog.command_name, _begin(dialog),
                                           filters=filters.Chat(settings.staff_chat_id)))
    application.add_handler(StaffCallbackHandler(_pressed(dialog), dialog.pattern,
                                                 settings.staff_chat_id))


def register(application: Application, settings: Settings) -> None:  # type: ignore[type-arg]
    if settings.staff_chat_id is None:
        return
    staff_chat = filters.Chat(settings.staff_chat_id)
    application.add_handler(CommandHandler("cancel", cancel, filters=staff_chat),
                            group=Stage.STAFF_DIALOG)
    application.add_handler(MessageHandler(
        staff_chat & ((filters.TEXT & ~filters.COMMAND) | filters.PHOTO | filters.Document.ALL),
        staff_input), group=Stage.STAFF_DIALOG)


def dialogs(app: AppContext) -> list[StaffDialog]:
    """Every feature's dialogs, in feature order."""
    return [app.get(kind) for feature in app.features for kind in feature.staff_dialogs]


def _begin(kind: type[StaffDialog]) -> Handler:
    async def begin(update: Update, context: BotContext) -> None:
        """The command: a new draft, or the one open in this topic where it was left; with words
        after it, what they ask (e.g. `/webinar list`)."""
        message = update.effective_message
        user = update.effective_user
        if message is None or user is None:
            return
        app = context.app
        role = await app.get(StaffService).role_of(user.id)
        if role is None:
            return
        dialog = app.get(kind)
        if role not in OUTREACH:
            await reply_here(context.bot, message, app.texts.staff(dialog.not_allowed))
            return
        if context.args:
            answered = await dialog.command(context.args)
            if answered is not None:
                text, changed = answered
                if changed:
                    await dialog.changed()
                await reply_here(context.bot, message, text)
                return
        if dialog.citizen_topic is not None and await _case_work(app, message):
            await reply_here(context.bot, message, app.texts.staff(dialog.citizen_topic))
            return
        await show(context, message.chat.id, dialog, user.id,
                   await dialog.begin(user.id, thread_of(message)))

    return begin


async def staff_input(update: Update, context: BotContext) -> None:
    """A line, photo or file in the staff chat: the answer of the first dialog open in this
    topic whose step waits for one (nothing after this stage sees it then); otherwise it goes
    on to the workspace."""
    message = update.effective_message
    user = update.effective_user
    if message is None or user is None:
        return
    app = context.app
    if (not await app.get(StaffService).allowed(user.id, OUTREACH)
            or await _case_work(app, message)):
        return
    thread = thread_of(message)
    upload = _upload(message)
    for dialog in dialogs(app):
        outcome = (await dialog.attached(user.id, thread, upload) if upload is not None
                   else await dialog.typed(user.id, thread, message.text or ""))
        if outcome is not None:
            await show(context, message.chat.id, dialog, user.id, outcome)
            raise ApplicationHandlerStop


async def cancel(update: Update, context: BotContext) -> None:
    """/cancel: ends the first draft open in this topic (nothing to do here without one)."""
    message = update.effective_message
    user = update.effective_user
    if message is None or user is None:
        return
    for dialog in dialogs(context.app):
        outcome = await dialog.cancel(user.id, thread_of(message))
        if outcome is not None:
            await show(context, message.chat.id, dialog, user.id, outcome)
            raise ApplicationHandlerStop


def _pressed(kind: type[StaffDialog]) -> Handler:
    async def pressed(update: Update, context: BotContext) -> None:
        query = update.callback_query
        assert query is not None and query.data is not None
        app = context.app
        dialog = app.get(kind)
        if not await app.get(StaffService).allowed(query.from_user.id, OUTREACH):
            await query.answer(app.texts.staff(dialog.not_allowed), show_alert=True)
            return
        outcome = await dialog.pressed(query.from_user.id, query.data)
        if outcome.private:
            await _private(query, context, outcome)
            return
        await query.answer(outcome.notice, show_alert=outcome.alert)
        if outcome.screen is None:
            if outcome.changed:
                await dialog.changed()
            return
        if outcome.in_place:
            try:
                await query.edit_message_text(outcome.screen.text,
                                              reply_markup=inline_markup(outcome.screen.buttons))
                return
            except BadRequest as exc:
                if "not modified" in exc.message.lower():
                    return
                log.info("staff dialog: not edited in place (%s); sending anew", exc.message)
        else:
            try:
                await query.edit_message_reply_markup(None)  # that step is over
            except TelegramError as exc:
                log.info("staff dialog: old buttons not removed (%s)", type(exc).__name__)
        shown = query.message
        chat = shown.chat.id if shown else app.settings.staff_chat_id
        if chat is not None:
            await show(context, chat, dialog, query.from_user.id, outcome,
                       shown.message_id if shown else None)

    return pressed


async def show(context: BotContext, chat_id: int, dialog: StaffDialog, user_id: int,
               outcome: Outcome, pressed: int | None = None) -> None:
    """What the outcome shows, in the dialog's topic: the messages before (if any), then the
    step; the buttons of the messages that showed the step before go (`pressed` has lost its
    already)."""
    if outcome.changed:  # timers and notices now, not at the next sweep
        await dialog.changed()
    key = (user_id, outcome.thread_id or 0)
    if outcome.screen is not None and not outcome.keeps_earlier:
        await drop_buttons(context.bot, chat_id,
                           [m for m in dialog.prompts.take(key) if m != pressed])
    for message in outcome.before:
        await send(context, chat_id, message, outcome.thread_id)
    if outcome.screen is not None:
        sent = await send(context, chat_id, outcome.screen, outcome.thread_id)
        if outcome.step and outcome.screen.buttons:
            dialog.prompts.shown(key, sent)


async def _private(query: CallbackQuery, context: BotContext, outcome: Outcome) -> None:
    """A test send: the messages, with their real buttons, to the presser's private chat."""
    try:
        for message in outcome.private:
            await send(context, query.from_user.id, message, None)
    except (Forbidden, BadRequest) as exc:  # never started the bot: 403, or "chat not found"
        log.info("staff dialog: test send to staff %d refused (%s)", query.from_user.id,
                 type(exc).__name__)
        if outcome.private_refused is not None:
            await query.answer(context.app.texts.staff(outcome.private_refused,
                                                       bot=context.bot.username),
                               show_alert=True)
        return
    await query.answer(outcome.notice, show_alert=True)


async def send(context: BotContext, chat_id: int, message: Message,
               thread_id: int | None) -> int:
    """A message as it is: its text, or its image or file with the text as caption (the file is
    Telegram's already: a staff member sent it); the id of the message sent."""
    markup = inline_markup(message.buttons)
    media = message.media
    if media is None or media.file_id is None:
        return await send_text(context.bot, chat_id, message.text, markup, thread_id=thread_id)
    if media.kind is MediaKind.PHOTO:
        sent = await context.bot.send_photo(chat_id, media.file_id, caption=message.text,
                                            reply_markup=markup, message_thread_id=thread_id)
    else:
        sent = await context.bot.send_document(chat_id, media.file_id, caption=message.text,
                                               reply_markup=markup, message_thread_id=thread_id)
    return sent.message_id


def _upload(message: TelegramMessage) -> Upload | None:
    if message.photo:
        largest = message.photo[-1]
        return Upload(MediaKind.PHOTO, largest.file_id, size=largest.file_size)
    if message.document is not None:
        document = message.document
        return Upload(MediaKind.DOCUMENT, document.file_id, document.file_name,
                      document.file_size)
    return None


async def _case_work(app: AppContext, message: TelegramMessage) -> bool:
    """In a citizen's topic (or, without topics, a reply to their messages): case work, where
    a line is for the citizen, never for a draft."""
    reply_to = message.reply_to_message.message_id if message.reply_to_message else None
    return await app.get(WorkspaceService).citizen_of_topic(thread_of(message),
                                                            reply_to) is not None
