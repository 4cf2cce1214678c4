"""Turns language-neutral engine outcomes into Telegram messages and keyboards."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterable

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup
from telegram import Message as TelegramMessage
from telegram.constants import MessageLimit
from telegram.error import BadRequest, TelegramError

from bot.engine.runner import Outcome
from bot.engine.screen import render
from bot.i18n import Translator
from bot.lean_bot import LeanBot
from bot.outbox.limiter import SETTLED
from bot.outbox.model import Buttons, Message

log = logging.getLogger(__name__)


def inline_markup(rows: Buttons) -> InlineKeyboardMarkup | None:
    """Rows of (label, callback data) as Telegram's inline keyboard; none for no rows."""
    if not rows:
        return None
    return InlineKeyboardMarkup([[InlineKeyboardButton(label, callback_data=data)
                                  for label, data in row] for row in rows])


def compose(outcome: Outcome, _: Translator) -> Message:
    """The notice (if any) and the step in one message, so the chat stays calm; the step's
    buttons under it."""
    parts = [render(outcome.notice, _)] if outcome.notice else []
    step = Message.from_screen(outcome.screen, _) if outcome.screen is not None else None
    if step is not None:
        parts.append(step.text)
    return Message("\n\n".join(p for p in parts if p), step.buttons if step else ())


def split_text(text: str, limit: int = MessageLimit.MAX_TEXT_LENGTH) -> list[str]:
    """Telegram refuses texts over 4096 characters: cut at line breaks where possible."""
    chunks: list[str] = []
    while len(text) > limit:
        cut = text.rfind("\n", 0, limit)
        cut = cut if cut > limit // 2 else limit
        chunks.append(text[:cut])
        text = text[cut:].lstrip("\n")
    chunks.append(text)
    return chunks


async def send_text(bot: LeanBot, chat_id: int, text: str,
                    markup: InlineKeyboardMarkup | Buttons | None = None, *,
                    thread_id: int | None = None, settled: bool = False) -> int:
    """The id of the last message sent (the one with the markup). `settled`: an earlier call
    of this reply waited for the commit of what the text shows (bot/outbox/limiter.py)."""
    *first, last = split_text(text)
    for chunk in first:
        await bot.send_text(chat_id, chunk, message_thread_id=thread_id,
                            rate_limit_args=SETTLED if settled else None)
        settled = True
    return await bot.send_text(chat_id, last, reply_markup=markup, message_thread_id=thread_id,
                               rate_limit_args=SETTLED if settled else None)


async def drop_buttons(bot: LeanBot, chat_id: int, message_ids: Iterable[int]) -> None:
    """Takes the buttons off earlier messages whose step is over; one already gone (deleted,
    too old to edit) is left as it is."""
    for message_id in message_ids:
        try:
            await bot.edit_markup(chat_id, message_id, None)
        except TelegramError as exc:
            log.info("old buttons of message %d not removed (%s)", message_id,
                     type(exc).__name__)


def thread_of(message: TelegramMessage) -> int | None:
    """The forum topic a message was written in, so an answer lands beside the question."""
    return message.message_thread_id if message.is_topic_message else None


async def reply_here(bot: LeanBot, message: TelegramMessage, text: str,
                     markup: InlineKeyboardMarkup | None = None) -> None:
    await send_text(bot, message.chat.id, text, markup, thread_id=thread_of(message))


async def send_outcome(bot: LeanBot, chat_id: int, outcome: Outcome, _: Translator, *,
                       settled: bool = False) -> None:
    message = compose(outcome, _)
    await send_text(bot, chat_id, message.text, message.buttons, settled=settled)


async def answer_press(query: CallbackQuery, outcome: Outcome, _: Translator) -> None:
    """Toggles edit the message in place; a new step is a new message and the old keyboard goes."""
    bot = query.get_bot()
    assert isinstance(bot, LeanBot)
    notice = render(outcome.notice, _) if outcome.notice else None
    await bot.answer(query.id, notice)
    message = query.message
    chat_id = message.chat.id if message else query.from_user.id
    in_place = outcome.notice is None and not outcome.moved and outcome.screen is not None
    if in_place and message is not None:
        try:
            shown = compose(outcome, _)
            await bot.edit_text(chat_id, message.message_id, shown.text,
                                reply_markup=shown.buttons)
            return
        except TelegramError as exc:  # a network error too: the toggle is kept, so show it
            if isinstance(exc, BadRequest) and "not modified" in str(exc).lower():
                return
            log.info("could not edit message in place (%s); sending anew", type(exc).__name__)
    elif message is not None:
        with contextlib.suppress(BadRequest):
            await bot.edit_markup(chat_id, message.message_id, None)
    # the edit waited for the commit of the outcome, all the new message shows (not when
    # there was no message to edit, or the edit's wait itself failed and raised)
    await send_outcome(bot, chat_id, outcome, _, settled=message is not None)
