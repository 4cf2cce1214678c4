"""Telegram side of the front door: the citizen behind an update, /help, and the catch-all
button and message handlers that hand input to the dialog the citizen is in."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.commands import help_text
from bot.config import Settings
from bot.context import BotContext
from bot.engine.screen import Phrase
from bot.features.citizens import Citizen
from bot.features.dialogs.service import FrontDoor, Reply
from bot.i18n import N_
from bot.views import answer_press, send_outcome, send_text

PRIVATE = filters.ChatType.PRIVATE
NON_TEXT = N_("I can only read text and buttons here.")
UNKNOWN_COMMAND = N_("I do not know that command. /help shows the ones I understand.")


async def citizen_of(update: Update, context: BotContext) -> Citizen:
    """The citizen writing, created on first contact in their Telegram language."""
    user = update.effective_user
    chat = update.effective_chat
    assert user is not None and chat is not None
    known = await context.citizen_for(user.id)
    if known is not None:
        return known
    citizen = await context.app.get(FrontDoor).newcomer(user.id, chat.id, user.language_code)
    context.remember(citizen)
    return citizen


async def show(update: Update, context: BotContext, reply: Reply) -> None:
    chat = update.effective_chat
    assert chat is not None
    _ = context.app.texts.get(reply.locale)
    await send_outcome(context.bot, chat.id, reply.outcome, _)


async def help_command(update: Update, context: BotContext) -> None:
    """/help: what the bot can do, in the citizen's language."""
    citizen = await citizen_of(update, context)
    _ = context.app.texts.get(citizen.locale)
    await send_text(context.bot, citizen.chat_id, help_text(context.app.features, _))


async def press(update: Update, context: BotContext) -> None:
    """A button of a dialog step; stale or forged ones are answered and the step re-shown."""
    query = update.callback_query
    assert query is not None
    citizen = await citizen_of(update, context)
    reply = await context.app.get(FrontDoor).press(citizen, query.data or "")
    await answer_press(query, reply.outcome, context.app.texts.get(reply.locale))


async def text(update: Update, context: BotContext) -> None:
    """Free text means something only mid-dialog, so the dialog decides."""
    message = update.effective_message
    assert message is not None
    citizen = await citizen_of(update, context)
    await show(update, context, await context.app.get(FrontDoor).text(citizen, message.text or ""))


async def other_message(update: Update, context: BotContext) -> None:
    """Photos, stickers, voice…: say kindly what works, and show the current step again."""
    citizen = await citizen_of(update, context)
    await show(update, context,
               await context.app.get(FrontDoor).current(citizen, Phrase(NON_TEXT)))


async def unknown_command(update: Update, context: BotContext) -> None:
    """A typo in a command should get an answer, not silence."""
    citizen = await citizen_of(update, context)
    await send_text(context.bot, citizen.chat_id, context.app.texts.get(citizen.locale)(
        UNKNOWN_COMMAND))


def register(app: Application, settings: Settings) -> None:  # type: ignore[type-arg]
    """The front door's feature comes last: every button no other feature claims lands in the
    dialog engine, which answers stale or forged ones and shows the current step again."""
    app.add_handler(CommandHandler("help", help_command, filters=PRIVATE))
    app.add_handler(CallbackQueryHandler(press))
    app.add_handler(MessageHandler(PRIVATE & filters.TEXT & ~filters.COMMAND, text))
    app.add_handler(MessageHandler(PRIVATE & ~filters.TEXT & ~filters.StatusUpdate.ALL,
                                   other_message))
    app.add_handler(MessageHandler(PRIVATE & filters.COMMAND, unknown_command))
