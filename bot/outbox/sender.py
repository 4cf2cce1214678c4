"""The outbox sender: takes ready rows in priority order and hands them to Telegram, a few at a
time (each to another chat)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

from telegram import InlineKeyboardMarkup, InputFile, Message
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

from bot.clock import Clock
from bot.events import CITIZEN_BLOCKED, Emit
from bot.features.citizens import CitizenStore
from bot.lean_bot import LeanBot
from bot.outbox.budget import PAID_PER_SECOND, Lane
from bot.outbox.limiter import OUTBOX, budget_of, retry_seconds
from bot.outbox.model import MediaKind, OutboxItem
from bot.outbox.service import Outbox
from bot.views import inline_markup

log = logging.getLogger(__name__)
MAX_BACKOFF = timedelta(minutes=5)
MAX_BUNDLE = 100  # copyMessages takes at most 100 message ids
STOP_GRACE = 5.0
"""Seconds a stop waits for the sends in flight."""
IDLE_WAIT = 60.0
MIN_CONCURRENT_SENDS = 4
ROUND_TRIP = 0.05
"""Seconds one send is planned to take, Telegram's answer included (api.telegram.org from
Europe: some 30–60 ms). To send N messages a second, N × ROUND_TRIP must be in flight."""
FIRST_LOOK = 4  # ready rows read first; READY_LOOK of them only when none of these may go now
READY_LOOK = 50
BUSY_WAIT = 0.05  # seconds to look again when every ready row's chat has a send in flight
BLOCKED_CONSENT_VERSION = "blocked-403"
"""The text version of the consent withdrawals recorded when Telegram says 403."""
PAID_KIND = "broadcast"  # rows of this kind go with allow_paid_broadcast when BROADCAST_PAID=1

SentHook = Callable[[OutboxItem, int], Awaitable[None]]
TopicResolver = Callable[[int], Awaitable[tuple[int | None, int | None]]]
TopicRefused = Callable[[int, bool], Awaitable[None]]
"""(citizen id, deleted): Telegram refused a post in the citizen's topic because it was closed
(TOPIC_CLOSED) or deleted (thread not found) by hand."""
Until = Callable[[datetime], datetime]
"""now -> the first moment a row may go (now itself when it may go now)."""


def concurrent_sends(per_second: float) -> int:
    """Sends `run` keeps in flight at once (each to another chat) to reach `per_second`:
    one at a time, 50 ms each, would be 20 a second. Rate × ROUND_TRIP, at least
    MIN_CONCURRENT_SENDS: 4 at the default SEND_RATE of 25, 50 at 1000 (SEND_RATE=1000 or
    BROADCAST_PAID=1). At a crash at most this many at-most-once rows are caught mid-send and
    become uncertain ("in doubt")."""
    return max(MIN_CONCURRENT_SENDS, math.ceil(per_second * ROUND_TRIP))


class _Unsendable(Exception):
    """The row cannot be sent as it is (e.g. its file is gone); the message is the reason."""


class OutboxSender:
    def __init__(self, bot: LeanBot, outbox: Outbox, citizens: CitizenStore,
                 clock: Clock, emit: Emit | None = None) -> None:
        self._bot = bot
        self._outbox = outbox
        self._store = outbox.store
        self._citizens = citizens
        self._clock = clock
        self._emit = emit
        self._budget = budget_of(bot)
        self.concurrency = concurrent_sends(max(
            self._budget.per_second, PAID_PER_SECOND if self._budget.paid_broadcasts else 0))
        self._on_sent: dict[str, list[SentHook]] = {}
        self._topics: TopicResolver | None = None
        self._topic_refused: TopicRefused | None = None
        self._busy: set[int] = set()  # chats with a send in flight: one at a time, in order
        self._holds: dict[str, Until] = {}
        self._uploading: set[int] = set()  # stored files being uploaded now: one send each
        self._file_ids: dict[int, str] = {}  # stored file -> Telegram's file_id, once uploaded

    def resolve_topics(self, resolver: TopicResolver, refused: TopicRefused) -> None:
        """How to find (or open) a citizen's topic: returns (thread id, message to reply to);
        and whom to tell when Telegram refuses a post there because staff closed or deleted
        the topic by hand: the row is then retried, in the reopened or a new topic."""
        self._topics = resolver
        self._topic_refused = refused

    def hold_during(self, kind: str, until: Until) -> None:
        """Rows of this kind never go while `until(now)` is later than now (e.g. broadcasts in
        quiet hours), however early they were queued: when the sender meets one, every pending
        row of the kind is moved to that moment, and counts as waiting for it."""
        self._holds[kind] = until

    def on_sent(self, kind: str, hook: SentHook) -> None:
        """Let a feature learn the Telegram message id of what it queued (e.g. an alert); hooks
        for one kind run in the order they were added."""
        self._on_sent.setdefault(kind, []).append(hook)

    async def recover(self) -> None:
        uncertain, again = await self._store.recover_after_crash()
        if uncertain or again:
            log.warning("outbox after restart: %d uncertain (not resent), %d to send again",
                        uncertain, again)
        until = await self._store.paused_until()
        now = self._clock.now()
        if until is not None and until > now:  # Telegram's flood wait outlives a restart
            self._budget.pause((until - now).total_seconds())

    async def send_next(self) -> timedelta | None:
        """Send at most one ready row. Returns how long until another may go (zero: at once),
        or None when nothing is queued at all."""
        item, wait = await self._claim()
        if item is None:
            return wait
        await self._dispatch(item)
        return timedelta(0)

    async def _claim(self) -> tuple[OutboxItem | None, timedelta | None]:
        """The next row that may go now, its budget booked and its chat marked busy (and the
        upload of its file, if it must upload one); else None and how long until one may (None:
        nothing queued at all)."""
        now = self._clock.now()
        soonest = self._budget.wait_any()
        if soonest and await self._store.any_ready(now):  # none may go yet: no need to read
            return None, timedelta(seconds=soonest)
        wait = 0.0
        for limit in (FIRST_LOOK, READY_LOOK):  # the first rows nearly always do: parse few
            items = await self._store.ready(now, limit)
            if not items:
                due = await self._store.next_due()
                return None, None if due is None else max(due - now, timedelta(0))
            if await self._held_back(items, now):
                return None, timedelta(0)  # those rows wait now: look again
            item, wait = self._pick(items)
            if item is not None:
                self._busy.add(item.chat_id)  # booked and claimed with no await in between
                self._claim_upload(item)
                return item, timedelta(0)
            if len(items) < limit:
                break
        return None, timedelta(seconds=wait)

    async def _dispatch(self, item: OutboxItem) -> None:
        """Send a claimed row, then free its chat (and its file's upload)."""
        try:
            await self._send(item, self._paid(item))
        finally:
            self._busy.discard(item.chat_id)
            upload = self._upload_of(item)
            if upload is not None:  # this send's claim: no other may hold one (see _pick)
                self._uploading.discard(upload)

    def _pick(self, items: list[OutboxItem]) -> tuple[OutboxItem | None, float]:
        """The first row that may go now, its budget booked; else the shortest wait."""
        waits = []
        for item in items:
            lane, paid = Lane.of(item.priority), self._paid(item)
            wait = self._budget.wait(lane, item.chat_id, paid=paid)
            if item.chat_id in self._busy or self._upload_of(item) in self._uploading:
                wait = max(wait, BUSY_WAIT)
            if wait == 0.0:
                self._budget.take(lane, item.chat_id, paid=paid)
                return item, 0.0
            waits.append(wait)
        return None, min(waits)

    async def _held_back(self, items: list[OutboxItem], now: datetime) -> bool:
        """Move the kinds among `items` that must wait now (hold_during) to when they may go;
        True when any did."""
        if not self._holds:
            return False
        held = False
        for kind in {item.kind for item in items if item.kind in self._holds}:
            until = self._holds[kind](now)
            if until > now:
                moved = await self._store.defer_kind(kind, until)
                log.info("outbox: %d %s row(s) wait until %s", moved, kind, until.isoformat())
                held = True
        return held

    @staticmethod
    def _upload_of(item: OutboxItem) -> int | None:
        media = item.message.media
        return media.upload_id if media is not None and media.file_id is None else None

    def _claim_upload(self, item: OutboxItem) -> None:
        """When this send may upload a stored file (its file_id is not known here yet), no
        other send of that file starts until this one is done and has kept the file_id."""
        upload = self._upload_of(item)
        if upload is not None and upload not in self._file_ids:
            self._uploading.add(upload)

    def _paid(self, item: OutboxItem) -> bool:
        return self._budget.paid_broadcasts and item.kind == PAID_KIND

    async def run(self) -> None:
        """Forever: one loop takes the next row that may go and hands it to a task of its own,
        with at most `concurrency` sends in flight; it sleeps until a row is due, a new one
        arrives or a send ends. When cancelled (shutdown) it gives the sends in flight
        STOP_GRACE seconds to finish, so a clean stop leaves nothing in doubt; a send still
        retrying after that is cancelled (its row is in doubt after the restart), so a stop
        never hangs on a chat that keeps failing."""
        await self.recover()
        slots = asyncio.Semaphore(self.concurrency)
        in_flight: set[asyncio.Task[None]] = set()
        try:
            while True:
                await slots.acquire()
                self._outbox.wake.clear()  # what happens from here on wakes the wait below
                try:
                    item, wait = await self._claim()
                except Exception:
                    log.exception("outbox sender step failed; retrying shortly")
                    item, wait = None, timedelta(seconds=5)
                if item is not None:
                    task = asyncio.create_task(self._send_and_free(item, slots))
                    in_flight.add(task)
                    task.add_done_callback(in_flight.discard)
                    continue
                slots.release()
                if wait == timedelta(0):
                    continue
                timeout = IDLE_WAIT if wait is None else min(wait.total_seconds(), IDLE_WAIT)
                # asyncio.timeout, not wait_for: on 3.11 wait_for swallows a cancel that comes
                # as the event is set, and the stop then waited for ever on the next idle wait.
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(timeout):
                        await self._outbox.wake.wait()
        finally:
            if in_flight:
                _done, late = await asyncio.wait(in_flight, timeout=STOP_GRACE)
                for task in late:
                    task.cancel()
                await asyncio.gather(*late, return_exceptions=True)

    async def _send_and_free(self, item: OutboxItem, slots: asyncio.Semaphore) -> None:
        try:
            await self._dispatch(item)
        except Exception:
            log.exception("outbox %d: sending failed", item.id)
        finally:
            slots.release()
            self._outbox.wake.set()  # its chat and its slot are free again

    async def _send(self, item: OutboxItem, paid: bool = False) -> None:
        message = item.message
        bundle = [item]
        try:
            thread_id, reply_to = (await self._topics(message.topic_of)
                                   if message.topic_of is not None and self._topics
                                   else (message.thread_id, None))
            if (message.copy_from is not None and item.chat_id < 0 and reply_to is None
                    and item.kind not in self._on_sent):
                bundle = await self._bundle(item)
            if not await self._store.mark_sending(item.id):
                return  # cancelled or held since it was read: not ours to send any more
            bundle = [m for m in bundle if m is item or await self._store.mark_sending(m.id)]
            if len(bundle) > 1:
                assert message.copy_from is not None
                ids = await self._bot.copy_messages(
                    item.chat_id, message.copy_from[0],
                    [m.message.copy_from[1] for m in bundle if m.message.copy_from],
                    message_thread_id=thread_id, rate_limit_args=OUTBOX)
                sent_ids = [i.message_id for i in ids]
            elif message.copy_from is not None:
                copied = await self._bot.copy_message(
                    item.chat_id, message.copy_from[0], message.copy_from[1],
                    message_thread_id=thread_id, reply_to_message_id=reply_to,
                    allow_paid_broadcast=paid or None, rate_limit_args=OUTBOX)
                sent_ids = [copied.message_id]
            elif message.media is not None:
                sent = await self._send_media(item, inline_markup(message.buttons), thread_id,
                                              reply_to, paid)
                sent_ids = [sent.message_id]
            elif message.document is not None:
                sent = await self._bot.send_document(
                    item.chat_id, InputFile(message.document.text.encode("utf-8"),
                                            filename=message.document.filename),
                    caption=message.text or None, reply_markup=inline_markup(message.buttons),
                    message_thread_id=thread_id, reply_to_message_id=reply_to,
                    allow_paid_broadcast=paid or None, rate_limit_args=OUTBOX)
                sent_ids = [sent.message_id]
            else:
                sent_ids = [await self._bot.send_text(
                    item.chat_id, message.text, reply_markup=message.buttons,
                    message_thread_id=thread_id,
                    reply_to_message_id=reply_to, allow_paid_broadcast=paid or None,
                    rate_limit_args=OUTBOX)]
        except _Unsendable as exc:
            await self._store.fail(item.id, str(exc))
            log.error("outbox %d (%s) not sendable: %s", item.id, item.kind, exc)
        except RetryAfter as exc:
            await self._retry_after(bundle, exc)
        except Forbidden:
            await self._forbidden(bundle)
        except BadRequest as exc:
            refused = _topic_refusal(exc)
            if (refused is not None and message.topic_of is not None
                    and self._topic_refused is not None):
                await self._topic_refused(message.topic_of, refused)
                for member in bundle:
                    await self._backoff(member, f"400 {exc.message}"[:200])
                return
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
            if len(sent_ids) != len(bundle):
                # copyMessages skips a message it cannot copy (one the citizen has deleted
                # since) and does not say which: every row is done, which new id is whose is
                # not known. (A kind with on_sent hooks, which need the id, is never bundled.)
                log.warning("outbox %d: copyMessages copied %d of %d messages",
                            item.id, len(sent_ids), len(bundle))
                for member in bundle:
                    await self._store.mark_sent(member.id, None, now)
                return
            for member, message_id in zip(bundle, sent_ids, strict=True):
                await self._store.mark_sent(member.id, message_id, now)
                for hook in self._on_sent.get(member.kind, ()):
                    await hook(member, message_id)

    async def _send_media(self, item: OutboxItem, markup: InlineKeyboardMarkup | None,
                          thread_id: int | None, reply_to: int | None, paid: bool) -> Message:
        """sendPhoto / sendDocument, the text as caption. A stored file whose file_id is not
        known yet is uploaded (only one send at a time does that, see _claim_upload) and the
        file_id Telegram returns is kept for every later message; should the process die
        before it is kept, the next send simply uploads again."""
        media = item.message.media
        assert media is not None
        upload: int | None = None
        file: str | InputFile
        if media.file_id is not None:
            file = media.file_id
        elif media.upload_id is None:
            raise _Unsendable("no file to send")
        elif media.upload_id in self._file_ids:
            file = self._file_ids[media.upload_id]
        else:
            stored = await self._store.file(media.upload_id)
            if stored is not None and stored.file_id is not None:
                file = self._file_ids[stored.id] = stored.file_id
            elif stored is not None and stored.content is not None:
                file = InputFile(stored.content, filename=media.filename or stored.filename)
                upload = stored.id
            else:
                raise _Unsendable("the file is no longer stored")
        caption = item.message.text or None
        if media.kind is MediaKind.PHOTO:
            sent = await self._bot.send_photo(
                item.chat_id, file, caption=caption, reply_markup=markup,
                message_thread_id=thread_id, reply_to_message_id=reply_to,
                allow_paid_broadcast=paid or None, rate_limit_args=OUTBOX)
            telegram_id = (max(sent.photo, key=lambda size: size.width * size.height).file_id
                           if sent.photo else None)
        else:
            sent = await self._bot.send_document(
                item.chat_id, file, caption=caption, reply_markup=markup,
                message_thread_id=thread_id, reply_to_message_id=reply_to,
                allow_paid_broadcast=paid or None, rate_limit_args=OUTBOX)
            telegram_id = sent.document.file_id if sent.document else None
        if upload is not None and telegram_id is not None:
            await self._store.set_telegram_file_id(upload, telegram_id)
            self._file_ids[upload] = telegram_id
            log.info("outbox: file %d uploaded once; later messages send its file_id", upload)
        return sent

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

    async def _retry_after(self, bundle: list[OutboxItem], exc: RetryAfter) -> None:
        """Telegram's flood control is per bot: the whole budget pauses (bot/outbox/limiter.py
        did so already), to a whole second so that the row keeps it exactly for a restart."""
        now = self._clock.now()
        until = _whole_second_up(now + timedelta(seconds=retry_seconds(exc)))
        self._budget.pause((until - now).total_seconds())
        for member in bundle:
            await self._store.retry_later(member.id, until, "429")
        log.warning("outbox: 429, every send paused until %s", until.isoformat())

    async def _forbidden(self, bundle: list[OutboxItem]) -> None:
        for member in bundle:
            await self._store.fail(member.id, "403")
        item = bundle[0]
        if item.chat_id > 0:
            dropped = await self.citizen_unreachable(item.chat_id, item.citizen_id)
            log.info("outbox: citizen unreachable (403), marked gone, %d queued dropped",
                     dropped)
        else:
            log.error("outbox: the bot may not post in group chat (403); check its rights")

    async def citizen_unreachable(self, chat_id: int, citizen_id: int | None = None) -> int:
        """Telegram refused a message to a citizen's chat (403): they blocked the bot or deleted
        their account. Marked gone, every consent withdrawn, nothing queued for them is sent,
        and the features drop what they had planned (CITIZEN_BLOCKED). Returns how many queued
        rows were dropped."""
        now = self._clock.now()
        await self._citizens.set_blocked_by_chat(chat_id, now)
        dropped = await self._store.cancel_chat(chat_id, "citizen blocked the bot")
        if citizen_id is None:
            citizen = await self._citizens.by_user(chat_id)  # a private chat's id is the user's
            citizen_id = citizen.id if citizen else None
        if citizen_id is None:
            return dropped
        granted = [p for p, record in (await self._citizens.consents(citizen_id)).items()
                   if record.granted]
        if granted:
            await self._citizens.record_consents(citizen_id, dict.fromkeys(granted, False),
                                                 BLOCKED_CONSENT_VERSION, now)
        if self._emit is not None:
            await self._emit(CITIZEN_BLOCKED, citizen_id)
        return dropped

    async def _backoff(self, item: OutboxItem, error: str) -> None:
        delay = min(timedelta(seconds=2 ** min(item.attempts + 1, 12)), MAX_BACKOFF)
        await self._store.retry_later(item.id, self._clock.now() + delay, error)
        log.warning("outbox %d: %s, retrying in %ss", item.id, error, delay.total_seconds())


def _topic_refusal(exc: BadRequest) -> bool | None:
    """None: not about the topic; False: it is closed; True: it is gone."""
    text = exc.message.lower()
    if "topic_closed" in text:
        return False
    if "thread not found" in text or "topic_deleted" in text:
        return True
    return None


def _whole_second_up(moment: datetime) -> datetime:
    """Rows keep whole seconds (bot.clock.to_db): round up, never down."""
    return datetime.fromtimestamp(math.ceil(moment.timestamp()), UTC)
