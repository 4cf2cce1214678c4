"""Telegram side of the workspace: relay both ways, silence while held, /staff, /canned, /c,
and the outcome of a requested call."""

from __future__ import annotations

from telegram import Update
from telegram.constants import ChatType
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
from bot.features.cases.handlers import CALL_LABELS, StaffCallbackHandler, mark_header
from bot.features.cases.service import CaseService
from bot.features.cases.workflow import NOT_ALLOWED
from bot.features.citizens import CitizenStore
from bot.features.staff import Role, StaffService
from bot.features.staff.service import ADMINS, CASEWORK
from bot.features.workspace.service import StaffWrite, WorkspaceService
from bot.i18n import N_
from bot.stages import Stage
from bot.views import reply_here

CALL_RECORDED = N_("📞 Call recorded: {outcome} ({staff}).")
PHONE_DELETED = N_("The citizen's phone number has been deleted.")

HELD = N_("A consultant from the job centre is looking after this conversation now.")
NOT_HOLDER = N_("Only the consultant who holds the case writes to the citizen. Claim it (or "
                "take it over) first; lines starting with // are saved as internal notes.")
STAFF_USAGE = N_("Use: /staff add <user id> <admin|coordinator|consultant>, "
                 "/staff remove <user id>, /staff list")
STAFF_DONE = N_("Done.")
STAFF_LINE = N_("{user} – {role}")
CANNED_USAGE = N_("Use: /canned add <key> <Danish text> | <English text>, /canned list; "
                  "in a topic: /c <key>")
CANNED_UNKNOWN = N_("No canned reply called {key}.")
CANNED_NONE = N_("No canned replies yet.")


async def relay_in(update: Update, context: BotContext) -> None:
    """Whatever the citizen sends goes into their topic while they have an open case – but a
    shared contact card is not copied: it carries their Telegram name (the number for a call
    reaches the topic on its own, see bot/features/care)."""
    message = update.effective_message
    user = update.effective_user
    if message is None or user is None:
        return
    citizen = await context.citizen_for(user.id)
    if citizen is not None:
        await context.app.get(WorkspaceService).relay_in(citizen.id, message.chat.id,
                                                         message.message_id)


async def silence(update: Update, context: BotContext) -> None:
    """While a consultant holds the chat the bot says nothing (the safety reply went before)."""
    user = update.effective_user
    chat = update.effective_chat
    if user is None or chat is None or chat.type != ChatType.PRIVATE:
        return
    citizen = await context.citizen_for(user.id)
    if citizen is None or await context.held_case(citizen.id) is None:
        return
    if update.callback_query is not None:
        _ = context.app.texts.get(citizen.locale)
        await update.callback_query.answer(_(HELD))
    raise ApplicationHandlerStop


async def staff_wrote(update: Update, context: BotContext) -> None:
    """A message in a citizen's topic: to the citizen if the writer holds the case, or a note."""
    message = update.effective_message
    user = update.effective_user
    if message is None or user is None:
        return
    app = context.app
    reply_to = message.reply_to_message.message_id if message.reply_to_message else None
    workspace = app.get(WorkspaceService)
    citizen_id = await workspace.citizen_of_topic(message.message_thread_id, reply_to)
    if citizen_id is None:
        return
    result = await workspace.staff_wrote(user.id, citizen_id, message.text or "",
                                         message.message_id)
    if result is StaffWrite.NOT_HOLDER:
        await context.bot.send_text(message.chat.id, app.texts.staff(NOT_HOLDER),
                                    message_thread_id=message.message_thread_id,
                                    reply_to_message_id=message.message_id)


async def canned_in_topic(update: Update, context: BotContext) -> None:
    """/c <key> in a topic: the canned reply, in the citizen's language, from the holder."""
    message = update.effective_message
    user = update.effective_user
    if message is None or user is None:
        return
    app = context.app
    _ = app.texts.staff
    reply_to = message.reply_to_message.message_id if message.reply_to_message else None
    workspace = app.get(WorkspaceService)
    citizen_id = await workspace.citizen_of_topic(message.message_thread_id, reply_to)
    key = context.args[0] if context.args else ""
    held = await workspace.held(citizen_id) if citizen_id else None
    if citizen_id is None or held is None or held.claimed_by != user.id:
        await _answer(update, context, _(NOT_HOLDER))
        return
    citizen = await app.get(CitizenStore).by_id(citizen_id)
    text = await workspace.canned(key, citizen.locale) if citizen else None
    if citizen is None or text is None:
        await _answer(update, context, _(CANNED_UNKNOWN, key=key))
        return
    await workspace.send_text_to(citizen, text)


async def canned_command(update: Update, context: BotContext) -> None:
    """/canned add <key> <da> | <en>, /canned list."""
    app = context.app
    user = update.effective_user
    message = update.effective_message
    workspace = app.get(WorkspaceService)
    if user is None or message is None or not await workspace.may(user.id, CASEWORK):
        return
    _ = app.texts.staff
    args = context.args or []
    if args[:1] == ["list"]:
        keys = await workspace.store.canned_keys()
        await _answer(update, context, ", ".join(keys) if keys else _(CANNED_NONE))
        return
    body = (message.text or "").split(maxsplit=3)
    if args[:1] == ["add"] and len(body) == 4 and "|" in body[3]:
        text_da, _sep, text_en = body[3].partition("|")
        if text_da.strip() and text_en.strip():
            await workspace.add_canned(body[2], text_da.strip(), text_en.strip(), user.id)
            await _answer(update, context, _(STAFF_DONE))
            return
    await _answer(update, context, _(CANNED_USAGE))


async def staff_command(update: Update, context: BotContext) -> None:
    """/staff add|remove|list – admins only."""
    app = context.app
    user = update.effective_user
    if user is None or not await app.get(StaffService).allowed(user.id, ADMINS):
        return
    _ = app.texts.staff
    args = context.args or []
    if args[:1] == ["list"]:
        rows = await app.get(StaffService).list()
        await _answer(update, context, "\n".join(_(STAFF_LINE, user=u, role=r) for u, r in rows))
        return
    if len(args) == 3 and args[0] == "add" and args[1].isdigit() and args[2] in set(Role):
        await app.get(StaffService).add(int(args[1]), Role(args[2]), user.id)
        await _answer(update, context, _(STAFF_DONE))
        return
    if len(args) == 2 and args[0] == "remove" and args[1].isdigit():
        await app.get(StaffService).remove(int(args[1]), user.id)
        await _answer(update, context, _(STAFF_DONE))
        return
    await _answer(update, context, _(STAFF_USAGE))


async def _answer(update: Update, context: BotContext, text: str) -> None:
    message = update.effective_message
    assert message is not None
    await reply_here(context.bot, message, text)


async def call_outcome(update: Update, context: BotContext) -> None:
    """Reached / not reached / new time, after a requested phone call."""
    query = update.callback_query
    assert query is not None and query.data is not None
    app = context.app
    _ = app.texts.staff
    _prefix, outcome, raw_id = query.data.split("|")
    if not await app.get(StaffService).allowed(query.from_user.id, CASEWORK):
        await query.answer(_(NOT_ALLOWED), show_alert=True)
        return
    phone_deleted = await app.get(WorkspaceService).record_call(int(raw_id), query.from_user.id,
                                                                outcome)
    await query.answer()
    case = await app.get(CaseService).get(int(raw_id))
    if case is not None:
        line = _(CALL_RECORDED, outcome=_(CALL_LABELS[outcome]), staff=query.from_user.first_name)
        await mark_header(query, f"{line} {_(PHONE_DELETED)}" if phone_deleted else line, case,
                          _)


def register(app: Application, settings: Settings) -> None:  # type: ignore[type-arg]
    private = filters.ChatType.PRIVATE
    app.add_handler(MessageHandler(private & ~filters.CONTACT, relay_in), group=Stage.RELAY)
    app.add_handler(MessageHandler(private, silence), group=Stage.SILENCE)
    app.add_handler(CallbackQueryHandler(silence), group=Stage.SILENCE)
    staff_chat_id = settings.staff_chat_id
    if staff_chat_id is None:
        return
    staff_chat = filters.Chat(staff_chat_id)
    app.add_handler(CommandHandler("staff", staff_command, filters=staff_chat))
    app.add_handler(CommandHandler("canned", canned_command, filters=staff_chat))
    app.add_handler(CommandHandler("c", canned_in_topic, filters=staff_chat))
    app.add_handler(MessageHandler(staff_chat & ~filters.COMMAND & ~filters.StatusUpdate.ALL,
                                   staff_wrote))
    app.add_handler(StaffCallbackHandler(
        call_outcome, r"^call\|(reached|not_reached|new_time)\|\d{1,18}$",
        staff_chat_id))

