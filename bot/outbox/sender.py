"""The one sender task: takes ready outbox rows in priority order and hands them to Telegram."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta

from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.ext import ExtBot

from bot.clock import Clock
from bot.features.citizens import CitizenStore
from bot.outbox.model import OutboxItem
from bot.outbox.service import Outbox, Pacer
from bot.views import inline_markup

log = logging.getLogger(__name__)
MAX_BACKOFF = timedelta(minutes=5)
MAX_BUNDLE = 100  # copyMessages takes at most 100 message ids
IDLE_WAIT = 60.0

SentHook = Callable[[OutboxItem, int], Awaitable[None]]
TopicResolver = Callable[[int], Awaitable[tuple[int | None, int | None]]]


class OutboxSender:
    def __init__(self, bot: ExtBot[None], outbox: Outbox, citizens: CitizenStore,
                 clock: Clock) -> None:
        self._bot = bot
        self._outbox = outbox
        self._store = outbox.store
        self._citizens = citizens
        self._clock = clock
        self._pacer = Pacer()
        self._on_sent: dict[str, list[SentHook]] = {}
        self._topics: TopicResolver | None = None

    def resolve_topics(self, resolver: TopicResolver) -> None:
        """How to find (or open) a citizen's topic: returns (thread id, message to reply to)."""
        self._topics = resolver

    def on_sent(self, kind: str, hook: SentHook) -> None:
        """Let a feature learn the Telegram message id of what it queued (e.g. an alert); hooks
        for one kind run in the order they were added."""
        self._on_sent.setdefault(kind, []).append(hook)

    async def recover(self) -> None:
        uncertain, again = await self._store.recover_after_crash()
        if uncertain or again:
            log.warning("outbox after restart: %d uncertain (not resent), %d to send again",
                        uncertain, again)

    async def send_next(self) -> timedelta | None:
        """Send at most one ready row. Returns how long until another may go (zero: at once),
        or None when nothing is queued at all."""
        now = self._clock.now()
        items = await self._store.ready(now)
        if not items:
            due = await self._store.next_due()
            return None if due is None else max(due - now, timedelta(0))
        waits = []
        for item in items:
            wait = self._pacer.wait(item.chat_id, now)
            if wait == timedelta(0):
                await self._send(item)
                return timedelta(0)
            waits.append(wait)
        return min(waits)

    async def run(self) -> None:
        """Forever: send what is ready, sleep until the next row is due or a new one arrives."""
        await self.recover()
        while True:
            try:
                wait = await self.send_next()
            except Exception:
                log.exception("outbox sender step failed; retrying shortly")
                wait = timedelta(seconds=5)
            if wait == timedelta(0):
                continue
            self._outbox.wake.clear()
            timeout = IDLE_WAIT if wait is None else min(wait.total_seconds(), IDLE_WAIT)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._outbox.wake.wait(), timeout)

    async def _send(self, item: OutboxItem) -> None:
        message = item.message
        markup = inline_markup(message.buttons)
        bundle = [item]
        try:
            thread_id, reply_to = (await self._topics(message.topic_of)
                                   if message.topic_of is not None and self._topics
                                   else (message.thread_id, None))
            if message.copy_from is not None and item.chat_id < 0 and reply_to is None:
                bundle = await self._bundle(item)
            for member in bundle:
                await self._store.mark_sending(member.id)
            if len(bundle) > 1:
                assert message.copy_from is not None
                ids = await self._bot.copy_messages(
                    item.chat_id, message.copy_from[0],
                    [m.message.copy_from[1] for m in bundle if m.message.copy_from],
                    message_thread_id=thread_id)
                sent_ids = [i.message_id for i in ids]
            elif message.copy_from is not None:
                copied = await self._bot.copy_message(
                    item.chat_id, message.copy_from[0], message.copy_from[1],
                    message_thread_id=thread_id, reply_to_message_id=reply_to)
                sent_ids = [copied.message_id]
            else:
                sent = await self._bot.send_message(
                    item.chat_id, message.text, reply_markup=markup, message_thread_id=thread_id,
                    reply_to_message_id=reply_to)
                sent_ids = [sent.message_id]
        except RetryAfter as exc:
            for member in bundle:
                await self._retry_after(member, exc)
        except Forbidden:
            await self._forbidden(item)
        except BadRequest as exc:
            for member in bundle:
                await self._store.fail(member.id, f"400 {exc.message}"[:200])
            log.error("outbox %d (%s) refused by Telegram: %s", item.id, item.kind, exc.message)
        except NetworkError as exc:
            for member in bundle:
                await self._backoff(member, type(exc).__name__)
        except TelegramError as exc:
            for member in bundle:
                await self._backoff(member, type(exc).__name__)
        else:
            now = self._clock.now()
            self._pacer.sent(item.chat_id, now)
            for member, message_id in zip(bundle, sent_ids, strict=False):
                await self._store.mark_sent(member.id, message_id, now)
                for hook in self._on_sent.get(member.kind, ()):
                    await hook(member, message_id)

    async def _bundle(self, item: OutboxItem) -> list[OutboxItem]:
        """Copies queued for one topic from one chat go as one copyMessages call (≤ 100), so a
        busy staff group's 20-a-minute budget bundles citizen messages instead of losing any."""
        assert item.message.copy_from is not None
        source = item.message.copy_from[0]
        others = [o for o in await self._store.ready_for_chat(item.chat_id, item.kind,
                                                              self._clock.now())
                  if o.id != item.id and o.message.topic_of == item.message.topic_of
                  and o.message.copy_from is not None and o.message.copy_from[0] == source]
        bundle = [item, *others][:MAX_BUNDLE]
        return sorted(bundle, key=lambda m: m.message.copy_from[1] if m.message.copy_from else 0)

    async def _retry_after(self, item: OutboxItem, exc: RetryAfter) -> None:
        seconds = exc.retry_after
        delay = seconds if isinstance(seconds, timedelta) else timedelta(seconds=seconds)
        until = self._clock.now() + delay
        self._pacer.block(item.chat_id, until)
        await self._store.retry_later(item.id, until, "429")
        await self._store.defer_chat(item.chat_id, until)
        log.warning("outbox: 429 for a chat, holding it %ss", delay.total_seconds())

    async def _forbidden(self, item: OutboxItem) -> None:
        await self._store.fail(item.id, "403")
        if item.chat_id > 0:
            await self._citizens.set_blocked_by_chat(item.chat_id, self._clock.now())
            dropped = await self._store.cancel_chat(item.chat_id, "citizen blocked the bot")
            log.info("outbox: citizen unreachable (403), marked gone, %d queued dropped",
                     dropped)
        else:
            log.error("outbox: the bot may not post in group chat (403); check its rights")

    async def _backoff(self, item: OutboxItem, error: str) -> None:
        delay = min(timedelta(seconds=2 ** min(item.attempts + 1, 12)), MAX_BACKOFF)
        await self._store.retry_later(item.id, self._clock.now() + delay, error)
        log.warning("outbox %d: %s, retrying in %ss", item.id, error, delay.total_seconds())
