"""PTB's side of the one send budget (bot/outbox/budget.py): every Bot API call the process
makes passes here (`ApplicationBuilder().rate_limiter(...)`).

* A message sent by a handler (a reply) takes budget in `Lane.REPLY`, ahead of the outbox.
* A call from the outbox sender says so (`rate_limit_args=OUTBOX`): the sender booked its
  budget already, when it chose the row.
* A 429 from any call pauses the whole budget for `retry_after`. A reply is then tried again
  once the pause is over (twice at most); the outbox sender gets the error and reschedules.
* Other calls (answering a button, getMe, topics, chat actions) take no budget.
* Every call, before anything else, waits until the database has committed what was written
  before it (`committed`, the database's `flush`; bot/db.py): what a citizen is shown is on
  disk, whatever a crash does next. An answer to a button without a text shows nothing but
  the end of the spinner, so it goes at once: the press's reply, right after it, waits. (A
  crash in between loses nothing: the inbox hands the press in again at the next start.)
  A call marked `SETTLED` does not wait either: its caller waited already, in an earlier call
  of the same reply, for everything the message shows (bot/views.py: a press's new step, sent
  after the old keyboard was taken off), and what others wrote since is not in it.
* Answering a button never fails a handler (ANSWER_BUTTON).

Unlike PTB's AIORateLimiter, one group's budget is a true sliding 60 s window (no leak past
20/min), and a 429 pauses for exactly its retry_after, measured from when it arrived.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Coroutine
from datetime import timedelta
from enum import StrEnum
from typing import Any

from telegram.error import RetryAfter, TelegramError
from telegram.ext import BaseRateLimiter, ExtBot

from bot.clock import Clock
from bot.config import Settings
from bot.outbox.budget import Chat, Lane, SendBudget

log = logging.getLogger(__name__)
REPLY_RETRIES = 2
_MESSAGE_METHODS = ("send", "copy", "forward", "edit")
_FREE_METHODS = frozenset({"sendChatAction"})
ANSWER_BUTTON = "answerCallbackQuery"
"""Answering a button only ends its spinner, and Telegram refuses answers after some 15 s
("query is too old", e.g. presses that waited out a restart): its failure is logged and taken
as done, so it never stops the press's own work (issue 14's fault tests found it did)."""

Result = bool | dict[str, Any] | list[dict[str, Any]]


class Source(StrEnum):
    OUTBOX = "outbox"
    SETTLED = "settled"


OUTBOX = Source.OUTBOX
"""`rate_limit_args` of the outbox sender's calls: the budget is booked already."""
SETTLED = Source.SETTLED
"""`rate_limit_args` of a reply whose caller has waited for the commit of all it shows."""


class SendLimiter(BaseRateLimiter[Source]):
    def __init__(self, budget: SendBudget) -> None:
        self.budget = budget
        self.committed: Callable[[], Awaitable[None]] = _nothing_to_wait_for

    @classmethod
    def for_settings(cls, settings: Settings, clock: Clock) -> SendLimiter:
        start = clock.now()  # seconds since then: small floats keep microseconds exact
        return cls(SendBudget(settings.send_rate,
                              now=lambda: (clock.now() - start).total_seconds(),
                              sleep=clock.sleep, paid_broadcasts=settings.broadcast_paid))

    async def initialize(self) -> None:
        """Nothing to open."""

    async def shutdown(self) -> None:
        """Nothing to close."""

    async def process_request(
        self, callback: Callable[..., Coroutine[Any, Any, Result]], args: Any,
        kwargs: dict[str, Any], endpoint: str, data: dict[str, Any],
        rate_limit_args: Source | None,
    ) -> Result:
        if rate_limit_args is not SETTLED and (endpoint != ANSWER_BUTTON
                                               or data.get("text") is not None):
            await self.committed()
        reply = rate_limit_args is not OUTBOX and _is_message(endpoint)
        chat = _chat(data.get("chat_id"))
        for attempt in range(REPLY_RETRIES + 1):
            if reply:
                await self.budget.acquire(Lane.REPLY, chat)
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as exc:
                seconds = retry_seconds(exc)
                self.budget.pause(seconds)
                log.warning("429 on %s: everything paused for %ss", endpoint, seconds)
                if endpoint == ANSWER_BUTTON:
                    return True
                if not reply or attempt == REPLY_RETRIES:
                    raise
            except TelegramError as exc:
                if endpoint != ANSWER_BUTTON:
                    raise
                log.info("%s failed (%s); the press goes on", endpoint, type(exc).__name__)
                return True
        raise AssertionError("unreachable")  # the last attempt returns or raises


def limiter_of(bot: ExtBot[Any]) -> SendLimiter:
    """The limiter of a bot built by bot/app.py."""
    limiter = bot.rate_limiter
    if not isinstance(limiter, SendLimiter):
        raise TypeError("the bot must be built with SendLimiter (bot/app.py)")
    return limiter


def budget_of(bot: ExtBot[Any]) -> SendBudget:
    """The budget of a bot built by bot/app.py."""
    return limiter_of(bot).budget


async def _nothing_to_wait_for() -> None:
    """Before the database is open (getMe at start)."""


def retry_seconds(exc: RetryAfter) -> float:
    value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def _is_message(endpoint: str) -> bool:
    return endpoint.startswith(_MESSAGE_METHODS) and endpoint not in _FREE_METHODS


def _chat(raw: object) -> Chat | None:
    if isinstance(raw, int):
        return raw
    if isinstance(raw, str):
        return int(raw) if raw.lstrip("-").isdigit() else raw
    return None
