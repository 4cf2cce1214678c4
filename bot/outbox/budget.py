"""The one send budget of the process, shared by the outbox sender and the handlers' direct
replies (through bot/outbox/limiter.py); no Telegram here.

* Global: `SEND_RATE` messages/s (Telegram allows about 30), with a burst of at most 40 ms
  worth of messages, so waits are computed from the rate and never a fixed sleep per message.
* Lanes: a reply to a person who just wrote (`Lane.REPLY`) takes budget at once and never
  waits behind queued messages; the outbox sender, which takes its rows in priority order
  (alerts and relays, then check-ins and reminders, then broadcasts), only gets what is left.
  Replies wait for the global budget only once they alone have booked a second ahead.
* Per chat: a proactive message keeps 1 s after anything else sent to a private chat, 3 s in
  a group; and no group gets more than 20 messages in any 60 s, of which the outbox may use 17
  so that staff using the bot in the group still get their answers.
* A 429 pauses the whole budget, every lane, for its `retry_after` (Telegram's flood control is
  per bot): never less.
* Paid broadcasts (`BROADCAST_PAID=1`) draw from their own budget of 1000 messages/s.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Awaitable, Callable
from decimal import Decimal
from enum import IntEnum

from bot.outbox.model import Priority

BURST_SECONDS = 0.04  # at most this many seconds' worth of messages may go at once
REPLY_AHEAD_SECONDS = 1.0  # replies alone may book the global budget this far ahead
PRIVATE_GAP = 1.0  # seconds between proactive messages to one private chat
GROUP_GAP = 3.0  # seconds between proactive messages into one group (all topics together)
GROUP_WINDOW = 60.0
GROUP_PER_WINDOW = 20  # Telegram: 20 messages a minute into one group
GROUP_PER_WINDOW_OUTBOX = 17  # the rest is kept for replies to staff in the group
PAID_PER_SECOND = 1000  # telegram.constants.FloodLimit.PAID_MESSAGES_PER_SECOND
STARS_PER_PAID_MESSAGE = Decimal("0.1")
MAX_CHATS_REMEMBERED = 10_000

Chat = int | str  # a chat id, or a channel's @username


class Lane(IntEnum):
    """Who takes budget first: lower goes first."""

    REPLY = 0  # a handler answering a person who just wrote
    ALERT = 1  # outbox: urgent alerts, staff notices, relays in a conversation
    REMINDER = 2  # outbox: check-ins, reminders
    BROADCAST = 3  # outbox: broadcasts

    @classmethod
    def of(cls, priority: int) -> Lane:
        """The lane of an outbox row."""
        if priority < Priority.CHECKIN:
            return cls.ALERT
        if priority < Priority.BROADCAST:
            return cls.REMINDER
        return cls.BROADCAST


def paid_broadcast_stars(messages: int) -> Decimal:
    """What sending this many messages with `allow_paid_broadcast` costs, in Telegram Stars."""
    return STARS_PER_PAID_MESSAGE * messages


class _Rate:
    """Evenly spaced tokens (a generic cell rate): one every 1/per_second, a small burst."""

    __slots__ = ("_at", "_interval", "_tolerance")

    def __init__(self, per_second: float) -> None:
        self._interval = 1.0 / per_second
        burst = max(1.0, per_second * BURST_SECONDS)
        self._tolerance = (burst - 1.0) * self._interval
        self._at = float("-inf")  # when the budget is spent up to

    def wait(self, now: float) -> float:
        return max(self._at - self._tolerance - now, 0.0)

    def ahead(self, now: float) -> float:
        """How far ahead of now the budget is booked."""
        return max(self._at - now, 0.0)

    def take(self, now: float) -> None:
        self._at = max(self._at, now) + self._interval


class SendBudget:
    """One per process. `wait` + `take` for the outbox sender (which picks another row while one
    chat must wait), `acquire` for direct replies; `pause` after a 429. Times are seconds from
    the injected `now`; nothing here sleeps except `acquire`, through the injected `sleep`."""

    def __init__(self, per_second: float, *, now: Callable[[], float],
                 sleep: Callable[[float], Awaitable[None]], paid_broadcasts: bool = False) -> None:
        self.per_second = per_second
        self.paid_broadcasts = paid_broadcasts
        self._now = now
        self._sleep = sleep
        self._global = _Rate(per_second)
        self._paid = _Rate(PAID_PER_SECOND)
        self._paused_until = float("-inf")
        self._chat_free_at: dict[Chat, float] = {}
        self._group_sent: dict[Chat, deque[float]] = {}

    def now(self) -> float:
        return self._now()

    def wait(self, lane: Lane, chat: Chat | None, *, paid: bool = False) -> float:
        """Seconds until a message in this lane to this chat may go; 0.0 means now."""
        now = self._now()
        wait = self._paused_until - now
        if lane is Lane.REPLY:
            wait = max(wait, self._global.ahead(now) - REPLY_AHEAD_SECONDS)
        else:
            wait = max(wait, (self._paid if paid else self._global).wait(now))
            if chat is not None:
                wait = max(wait, self._chat_free_at.get(chat, now) - now)
        if chat is not None and _is_group(chat):
            cap = GROUP_PER_WINDOW if lane is Lane.REPLY else GROUP_PER_WINDOW_OUTBOX
            wait = max(wait, self._group_wait(chat, cap, now))
        # whole microseconds, rounded up (the clocks' resolution), float noise aside
        return math.ceil(wait * 1e6 - 1e-3) / 1e6 if wait > 1e-9 else 0.0

    def wait_any(self) -> float:
        """Seconds until any outbox message may go, to any chat; 0.0 means now."""
        wait = self.wait(Lane.ALERT, None)
        if self.paid_broadcasts:
            wait = min(wait, self.wait(Lane.BROADCAST, None, paid=True))
        return wait

    def take(self, lane: Lane, chat: Chat | None, *, paid: bool = False) -> None:
        """Book one message (call right after `wait` said 0.0, before sending)."""
        now = self._now()
        (self._paid if paid else self._global).take(now)
        if chat is None:
            return
        self._chat_free_at[chat] = now + (GROUP_GAP if _is_group(chat) else PRIVATE_GAP)
        if _is_group(chat):
            self._group_sent.setdefault(chat, deque()).append(now)
        if len(self._chat_free_at) > MAX_CHATS_REMEMBERED:
            self._forget_old(now)

    async def acquire(self, lane: Lane, chat: Chat | None) -> None:
        """Wait until the message may go, then book it."""
        while (wait := self.wait(lane, chat)) > 0.0:
            await self._sleep(wait)
        self.take(lane, chat)

    def pause(self, seconds: float) -> float:
        """Nothing goes, in any lane, for this long (or longer, if paused longer already);
        returns when the pause ends."""
        self._paused_until = max(self._paused_until, self._now() + seconds)
        return self._paused_until

    def _group_wait(self, chat: Chat, cap: int, now: float) -> float:
        sent = self._group_sent.get(chat)
        if not sent:
            return 0.0
        while sent and sent[0] <= now - GROUP_WINDOW:
            sent.popleft()
        if len(sent) < cap:
            return 0.0
        return sent[len(sent) - cap] + GROUP_WINDOW - now

    def _forget_old(self, now: float) -> None:
        self._chat_free_at = {c: t for c, t in self._chat_free_at.items() if t > now}
        self._group_sent = {c: s for c, s in self._group_sent.items()
                            if s and s[-1] > now - GROUP_WINDOW}


def _is_group(chat: Chat) -> bool:
    return isinstance(chat, str) or chat < 0
