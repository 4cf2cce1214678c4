"""The application's bot: PTB's ExtBot plus sends and edits that skip decoding the answer.

PTB turns every answer to sendMessage or editMessageText into a `telegram.Message` (with its
chat, sender, entities and keyboard), which cost about a quarter of the main thread's time on
the full path while nothing read it. These methods keep the answer as the JSON dict it came
as, and give back only what a caller can use:
the message id (the outbox's `on_sent` hooks need it). Errors are PTB's typed exceptions as
with the ordinary methods (RetryAfter, Forbidden, ...). (PTB's public `do_api_request` did the
same, but warned on every call that a typed method exists, and the warning machinery cost
more than the rest of the wrapper.)

They post the way `Bot._do_post` (where every typed PTB method ends) does: through the bot's
rate limiter (bot/outbox/limiter.py) to `Bot.request.post`, which maps errors and decodes the
answer, with the same JSON body (tests/test_lean_bot.py compares it with PTB's). They leave
out what these calls never need: PTB's defaults (the application sets none, and a LeanBot
refuses them), and its conversion of every parameter (`RequestParameter.from_input`, which
looks for files and dates in each value): a text, number or flag is passed as it is, anything
else still goes through PTB's conversion. At DEBUG each call is logged as PTB logs it
(bot/log_privacy.py redacts the parameters). Through the in-process fake Bot API
(bot/transport/local_api.py), a call went from 21.6 to 13.1 µs of CPU (answerCallbackQuery)
and from 39.8 to 29.1 µs (a sendMessage with a keyboard). `RequestParameter`, the type a
RequestData is made of, comes from PTB's private module: PTB exports no other way to fill
one, and the body test catches a change.

getUpdates writes what it fetched to the inbox (bot/inbox) before PTB's updater can confirm it
with the next call; when the inbox cannot, the call fails as a network error would, so the
updater tries again later and Telegram delivers the same updates again.

An inline keyboard may also be given as rows of (label, callback data): it is sent as the JSON
Telegram reads, without building and serialising an InlineKeyboardButton per button (ten
times the cost of the plain dict); given as tuples, its JSON text is made once and reused.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from telegram import (
    ForceReply,
    InlineKeyboardMarkup,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    TelegramObject,
    Update,
)
from telegram.error import NetworkError
from telegram.ext import ExtBot
from telegram.request import HTTPXRequest, RequestData
from telegram.request._requestparameter import RequestParameter

from bot.inbox import Inbox
from bot.inbox.raw import KeepingRequest

log = logging.getLogger(__name__)

InlineRows = Sequence[Sequence[tuple[str, str]]]
"""An inline keyboard: rows of (label, callback data)."""
ReplyMarkup = (InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove | ForceReply
               | InlineRows)

class LeanBot(ExtBot[None]):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if kwargs.get("defaults") is not None:
            raise ValueError("LeanBot's sends and edits post without PTB's Defaults")
        self._raw = KeepingRequest(kwargs.pop("get_updates_request", None) or HTTPXRequest())
        super().__init__(*args, get_updates_request=self._raw, **kwargs)
        self._inbox: Inbox | None = None  # PTB freezes public attributes

    def keep_updates_in(self, inbox: Inbox) -> None:
        """Once the database is open: getUpdates keeps what it fetched there."""
        self._inbox = inbox

    @property
    def inbox(self) -> Inbox | None:
        return self._inbox

    async def get_updates(self, *args: Any, **kwargs: Any) -> tuple[Update, ...]:
        updates = await super().get_updates(*args, **kwargs)
        if self._inbox is not None and updates:
            try:
                await self._inbox.keep(updates, self._raw.take())
            except Exception as exc:
                log.exception("the inbox could not keep %d update(s)", len(updates))
                raise InboxUnavailable("updates not kept; fetched again later") from exc
        return updates

    async def send_text(self, chat_id: int | str, text: str, *,
                        reply_markup: ReplyMarkup | None = None,
                        message_thread_id: int | None = None,
                        reply_to_message_id: int | None = None,
                        allow_paid_broadcast: bool | None = None,
                        rate_limit_args: Any = None) -> int:
        """sendMessage; returns the new message's id."""
        result = await self._call("sendMessage", {
            "chat_id": chat_id, "text": text, "reply_markup": _markup(reply_markup),
            "message_thread_id": message_thread_id,
            "reply_parameters": ({"message_id": reply_to_message_id}
                                 if reply_to_message_id is not None else None),
            "allow_paid_broadcast": allow_paid_broadcast,
        }, rate_limit_args)
        return int(result["message_id"])

    async def edit_text(self, chat_id: int | str, message_id: int, text: str, *,
                        reply_markup: ReplyMarkup | None = None) -> None:
        """editMessageText of a message the bot sent."""
        await self._call("editMessageText", {
            "chat_id": chat_id, "message_id": message_id, "text": text,
            "reply_markup": _markup(reply_markup)})

    async def edit_markup(self, chat_id: int | str, message_id: int,
                          reply_markup: ReplyMarkup | None = None) -> None:
        """editMessageReplyMarkup: a new keyboard, or none."""
        await self._call("editMessageReplyMarkup", {
            "chat_id": chat_id, "message_id": message_id,
            "reply_markup": _markup(reply_markup)})

    async def answer(self, callback_query_id: str, text: str | None = None) -> None:
        """answerCallbackQuery: ends the button's spinner, with a short notice or none."""
        await self._call("answerCallbackQuery",
                         {"callback_query_id": callback_query_id, "text": text})

    async def _call(self, endpoint: str, data: dict[str, Any],
                    rate_limit_args: Any = None) -> Any:
        """Posts `data` (None values left out) as `Bot._do_post` would, and gives back the
        answer's result as decoded JSON."""
        sent = {name: value for name, value in data.items() if value is not None}
        log.debug("Calling Bot API endpoint `%s` with parameters `%s`", endpoint, sent)
        kwargs = {"url": f"{self.base_url}/{endpoint}",
                  "request_data": RequestData([_parameter(name, value)
                                               for name, value in sent.items()])}
        if self.rate_limiter is None:
            return await self.request.post(**kwargs)
        return await self.rate_limiter.process_request(
            callback=self.request.post, args=(), kwargs=kwargs, endpoint=endpoint, data=sent,
            rate_limit_args=rate_limit_args)


class InboxUnavailable(NetworkError):
    """A TelegramError, so PTB's polling loop logs it and retries instead of ending."""


def _parameter(name: str, value: object) -> RequestParameter:
    """A text, number or flag as it is (PTB's conversion would keep it so, and the body then
    carries its JSON text), anything else through PTB's conversion."""
    if isinstance(value, str | int):  # a bool is an int
        return RequestParameter(name, value, None)
    return RequestParameter.from_input(name, value)


def _markup(markup: ReplyMarkup | None) -> TelegramObject | str | dict[str, Any] | None:
    if markup is None or isinstance(markup, TelegramObject):
        return markup
    if not markup:
        return None
    if isinstance(markup, tuple):
        return _inline_json(markup)
    return _inline(markup)


def _inline(rows: InlineRows) -> dict[str, Any]:
    return {"inline_keyboard": [[{"text": label, "callback_data": data} for label, data in row]
                                for row in rows]}


@lru_cache(maxsize=4096)
def _inline_json(rows: InlineRows) -> str:
    """An inline keyboard as the JSON text Telegram reads. Many citizens see the same step in
    the same language, so each keyboard is encoded once (PTB would encode a dict twice per
    call: RequestParameter.json_value is read twice)."""
    return json.dumps(_inline(rows), ensure_ascii=False, separators=(",", ":"))
