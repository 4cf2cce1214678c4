"""Broadcasts: the segment, the preview, queueing exactly once, pause/resume/cancel, progress.

Durability comes from the outbox. When a broadcast's time comes, a sweep marks it `sending`
(committed) and queues one row per recipient in batches, each row with the idempotency key
`broadcast:<id>:<citizen>` and `at_most_once`; only then is it marked queued. A crash while
queueing leaves it `sending` and not queued, so the next sweep queues again: the keys skip who
has a row already, and whoever has none gets one. A row in flight at a crash becomes
`uncertain` and is never resent (counted "in doubt").

Pause holds the broadcast's pending rows (outbox status `held`), resume lets them go, cancel
turns what is not sent into `cancelled`. The CLI does these in its own process, so every sweep
also enforces them on rows that were in flight meanwhile, and keeps pending rows out of quiet
hours that began while sending.
"""

from __future__ import annotations

import hashlib
import logging
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.feature import ButtonMaker, SegmentFilter
from bot.features.audit import AuditLog
from bot.features.broadcasts.files import check_file
from bot.features.broadcasts.model import (
    KIND,
    OPEN,
    PROGRESS_KIND,
    UNSUBSCRIBE,
    Broadcast,
    BroadcastStatus,
    Counts,
    Draft,
    Exclusion,
    Membership,
    Preview,
)
from bot.features.broadcasts.refusals import (
    BAD_BUTTON,
    BAD_FILTER,
    BLOCKED,
    CAPTION_TOO_LONG,
    EMPTY_TEXT,
    NEEDS_NAME,
    NEEDS_TEXT,
    NO_FILE,
    TEXT_TOO_LONG,
    UNKNOWN_BUTTON,
    UNKNOWN_FILTER,
    UNKNOWN_LANGUAGE,
)
from bot.features.broadcasts.storage import BroadcastStore, Candidate
from bot.features.broadcasts.wording import (
    UNSUBSCRIBE_BUTTON,
    UNSUBSCRIBED,
    control_buttons,
    render_line,
    render_report,
)
from bot.features.checkin.timing import ContactRules
from bot.features.citizens import Citizen, CitizenStore, Purpose
from bot.i18n import Refusal, Texts, Translator
from bot.outbox import Outbox, Priority
from bot.outbox.model import Addressed, Buttons, Message, Status

log = logging.getLogger(__name__)
BATCH = 1000
"""Recipients queued per transaction: the sender and the citizens' replies get the database
between two batches."""
MAX_TEXT = 4096  # Telegram's limit for one message
MAX_CAPTION = 1024  # Telegram's limit for the caption of an image or document
CANCELLED_REASON = "broadcast cancelled"
UNSUBSCRIBED_REASON = "no more webinar news"


class DraftError(Refusal):
    """A broadcast that cannot be stored as written; the message says why, in one line: in
    English as `str()` (the CLI's), in the staff member's language as `text(_)`."""


class Change(StrEnum):
    DONE = "done"
    UNKNOWN = "unknown"
    """No broadcast with that id."""
    NOT_NOW = "not_now"
    """Not in a state for it (e.g. resume while sending, anything once finished)."""


class BroadcastService:
    def __init__(self, store: BroadcastStore, citizens: CitizenStore, outbox: Outbox,
                 texts: Texts, clock: Clock, rules: ContactRules,
                 buttons: Mapping[str, ButtonMaker], timezone: ZoneInfo,
                 staff_chat_id: int | None, *, segment_filters: Mapping[str, SegmentFilter],
                 audit: AuditLog) -> None:
        self._store = store
        self._citizens = citizens
        self._outbox = outbox
        self._texts = texts
        self._clock = clock
        self._rules = rules
        self._buttons = buttons
        self._zone = timezone
        self._staff_chat = staff_chat_id
        self._filters = segment_filters
        self._audit = audit

    # -- composing --------------------------------------------------------------------------

    @property
    def button_prefixes(self) -> frozenset[str]:
        return frozenset(self._buttons)

    async def check(self, draft: Draft) -> None:
        """DraftError for what no preview can fix: no name or text, an unknown language or
        button, a text over Telegram's limit (1,024 characters with an attachment: it is the
        caption), an attachment whose bytes are not what they should be."""
        if not draft.name.strip():
            raise DraftError(NEEDS_NAME)
        if not any(text.strip() for text in draft.texts.values()):
            raise DraftError(NEEDS_TEXT)
        for locale, text in draft.texts.items():
            if locale not in self._texts.locales:
                raise DraftError(UNKNOWN_LANGUAGE, locale=repr(locale))
            if not text.strip():  # Telegram refuses an empty message: say so now
                raise DraftError(EMPTY_TEXT, locale=locale)
            if len(text.strip()) > MAX_TEXT:
                raise DraftError(TEXT_TOO_LONG, locale=locale, limit=MAX_TEXT)
            if draft.attachment is not None and len(text.strip()) > MAX_CAPTION:
                raise DraftError(CAPTION_TOO_LONG, locale=locale, limit=MAX_CAPTION)
        if draft.attachment is not None:
            attachment = draft.attachment
            if attachment.content is not None:
                try:
                    check_file(attachment.kind, attachment.filename, attachment.content)
                except Refusal as exc:
                    raise DraftError(exc.msgid, **exc.params) from None
            elif attachment.media is None:
                raise DraftError(NO_FILE)
        for locale in draft.segment.languages:
            if locale not in self._texts.locales:
                raise DraftError(UNKNOWN_LANGUAGE, locale=repr(locale))
        for spec in draft.buttons:
            prefix, _sep, argument = spec.partition(":")
            if prefix not in self._buttons:
                raise DraftError(UNKNOWN_BUTTON, prefix=repr(prefix),
                                 known=", ".join(sorted(self._buttons)) or "none")
            try:
                await self._buttons[prefix](argument, self._texts.get(self._texts.default_locale))
            except ValueError as exc:
                raise DraftError(BAD_BUTTON, spec=spec, reason=exc) from None
        for membership in draft.segment.memberships:
            await self._members(membership)

    async def preview(self, draft: Draft) -> Preview:
        recipients, excluded = await self._audience(draft)
        by_locale = Counter(c.locale for c in recipients)
        without = {locale: n for locale, n in by_locale.items() if locale not in draft.texts}
        fallback = self._fallback(draft) if without else None
        per_language: Counter[str] = Counter()
        for locale, n in by_locale.items():
            chosen = locale if locale in draft.texts else fallback
            if chosen is not None:
                per_language[chosen] += n
        start = max(draft.send_at, self._clock.now())
        not_before = self._rules.next_allowed(start, None)
        return Preview(
            per_language=dict(per_language), excluded=dict(excluded),
            delayed=sum(per_language.values()) if not_before > start else 0,
            not_before=not_before, messages=await self._messages(draft, draft.texts),
            without_text=without, fallback=fallback, attachment=draft.attachment)

    async def create(self, draft: Draft, created_by: str) -> int:
        """Stored as scheduled; the sweep queues it when its time comes. An attachment's bytes
        are stored here, once, for the sender to upload once."""
        await self.check(draft)
        preview = await self.preview(draft)
        if preview.blocked_by:
            raise DraftError(BLOCKED, locales=", ".join(preview.blocked_by))
        attachment = draft.attachment
        async with self._store.transaction() as tx:  # the file and what names it, or neither
            if attachment is not None and attachment.content is not None:
                upload_id = await self._outbox.add_file(attachment.kind,
                                                        attachment.filename or "file",
                                                        attachment.content, tx)
                draft = replace(draft, attachment=replace(attachment, upload_id=upload_id,
                                                          content=None))
            broadcast_id = await self._store.add(draft, BroadcastStatus.SCHEDULED, created_by,
                                                 self._clock.now(), tx)
        log.info("broadcast %d stored by %s, due %s", broadcast_id, created_by, draft.send_at)
        return broadcast_id

    def joined_window(self, start: date | None, end: date | None
                      ) -> tuple[datetime | None, datetime | None]:
        """Local dates (both inclusive) as UTC instants [from, to)."""
        def midnight(day: date) -> datetime:
            return datetime.combine(day, time(0), self._zone).astimezone(UTC)

        return (midnight(start) if start else None,
                midnight(end + timedelta(days=1)) if end else None)

    # -- coordinators' controls -------------------------------------------------------------

    async def get(self, broadcast_id: int) -> Broadcast | None:
        return await self._store.get(broadcast_id)

    async def pause(self, broadcast_id: int) -> Change:
        changed = await self._move(broadcast_id, BroadcastStatus.PAUSED,
                                   frozenset({BroadcastStatus.SCHEDULED, BroadcastStatus.SENDING}))
        if changed is Change.DONE:
            await self._outbox.store.hold_ref(KIND, broadcast_id)
        return changed

    async def resume(self, broadcast_id: int) -> Change:
        broadcast = await self._store.get(broadcast_id)
        if broadcast is None:
            return Change.UNKNOWN
        back = (BroadcastStatus.SENDING if broadcast.started_at is not None
                else BroadcastStatus.SCHEDULED)
        changed = await self._move(broadcast_id, back, frozenset({BroadcastStatus.PAUSED}))
        if changed is Change.DONE and await self._outbox.store.release_ref(KIND, broadcast_id):
            self._outbox.wake.set()
        return changed

    async def cancel(self, broadcast_id: int) -> Change:
        """Works while sending: what is in flight is sent, nothing else."""
        changed = await self._move(broadcast_id, BroadcastStatus.CANCELLED, OPEN)
        if changed is Change.DONE:
            dropped = await self._outbox.store.cancel_ref(KIND, broadcast_id, CANCELLED_REASON)
            log.info("broadcast %d cancelled, %d queued messages dropped", broadcast_id, dropped)
            broadcast = await self._store.get(broadcast_id)
            if broadcast is not None and broadcast.started_at is None:  # it never will
                await self._release_file(broadcast)
        return changed

    async def _move(self, broadcast_id: int, status: BroadcastStatus,
                    expected: frozenset[BroadcastStatus]) -> Change:
        if await self._store.get(broadcast_id) is None:
            return Change.UNKNOWN
        if not await self._store.set_status(broadcast_id, status, expected):
            return Change.NOT_NOW
        log.info("broadcast %d: %s", broadcast_id, status)
        return Change.DONE

    # -- progress ---------------------------------------------------------------------------

    async def counts(self, broadcast: Broadcast) -> Counts:
        """Final counts once finished (the rows may be purged by then), else live ones."""
        if broadcast.counts is not None:
            return broadcast.counts
        tally: Counter[str] = Counter()
        failures: Counter[str] = Counter()
        for status, error, later, n in await self._outbox.store.tally_ref(
                KIND, broadcast.id, self._clock.now()):
            if status in (Status.PENDING, Status.SENDING):
                tally["pending"] += n
                tally["delayed"] += n if later else 0
            elif status == Status.FAILED and error == "403":
                tally["blocked"] += n
            elif status == Status.FAILED:
                tally["failed"] += n
                failures[error or "?"] += n
            else:
                tally[status.value] += n
        return Counts(sent=tally["sent"], pending=tally["pending"], delayed=tally["delayed"],
                      held=tally["held"], failed=tally["failed"], blocked=tally["blocked"],
                      uncertain=tally["uncertain"], cancelled=tally["cancelled"],
                      failures=tuple(failures.most_common()))

    async def report(self, broadcast: Broadcast, _: Translator | None = None
                     ) -> tuple[str, Buttons]:
        """The progress message (a summary once finished) and its buttons, in the staff
        chat's language unless told (the CLI's is English)."""
        _ = _ or self._texts.staff
        counts = await self.counts(broadcast)
        rate = eta = None
        now = self._clock.now()
        if broadcast.started_at is not None and broadcast.finished_at is None:
            seconds = (now - broadcast.started_at).total_seconds()
            done = counts.sent + counts.failed + counts.blocked + counts.uncertain
            rate = done / seconds if seconds > 0 else 0.0
            if rate > 0 and counts.pending:
                eta = now + timedelta(seconds=counts.pending / rate)
        return render_report(broadcast, counts, rate, eta, _), control_buttons(broadcast, _)

    async def listing(self, _: Translator) -> list[str]:
        return [render_line(b, await self.counts(b), _) for b in await self._store.all()]

    async def live(self, since: datetime) -> list[Broadcast]:
        """With a progress message, and unfinished or finished since `since`."""
        return [b for b in await self._store.all()
                if b.progress_message_id is not None
                and (b.finished_at is None or b.finished_at >= since)]

    async def progress_sent(self, broadcast_id: int, message_id: int) -> None:
        await self._store.set_progress_message(broadcast_id, message_id)

    # -- the sweep --------------------------------------------------------------------------

    async def sweep(self) -> int:
        """Start what is due, finish queueing cut short, enforce pause/cancel/quiet hours on
        the rows, and close what has nothing left to send. Returns how many were acted on."""
        acted = 0
        now = self._clock.now()
        for broadcast in await self._store.due(now):
            if broadcast.status == BroadcastStatus.SCHEDULED:
                if not await self._store.start(broadcast.id, now):
                    continue
                await self._announce(broadcast.id)
            current = await self._store.get(broadcast.id)
            if current is not None:
                await self._queue(current)
                acted += 1
        for broadcast in await self._store.unfinished():
            acted += await self._enforce(broadcast)
        return acted

    async def _announce(self, broadcast_id: int) -> None:
        """The progress message, through the outbox; its id comes back in `progress_sent`."""
        broadcast = await self._store.get(broadcast_id)
        if self._staff_chat is None or broadcast is None:
            return
        text, buttons = await self.report(broadcast)
        await self._outbox.enqueue(self._staff_chat, Message(text, buttons),
                                   priority=Priority.STAFF, kind=PROGRESS_KIND, ref=broadcast_id,
                                   key=f"broadcast-progress:{broadcast_id}")

    async def _queue(self, broadcast: Broadcast) -> None:
        draft = broadcast.draft
        if broadcast.status != BroadcastStatus.CANCELLED:
            recipients, _excluded = await self._audience(draft)
            fallback = self._fallback(draft)
            sendable = [c for c in recipients if c.locale in draft.texts or fallback]
            if len(sendable) < len(recipients):
                log.warning("broadcast %d: %d recipient(s) without a text in their language "
                            "skipped", broadcast.id, len(recipients) - len(sendable))
            locales = {c.locale if c.locale in draft.texts else fallback for c in sendable}
            messages = await self._messages(draft, {loc: draft.texts[loc] for loc in
                                                    draft.texts if loc in locales})
            not_before = self._rules.next_allowed(max(draft.send_at, self._clock.now()), None)
            for start in range(0, len(sendable), BATCH):
                current = await self._store.get(broadcast.id)
                if current is None or current.status == BroadcastStatus.CANCELLED:
                    break
                await self._outbox.enqueue_many(
                    [Addressed(c.chat_id, messages[c.locale if c.locale in messages
                                                   else fallback or ""],
                               c.id, f"broadcast:{broadcast.id}:{c.id}")
                     for c in sendable[start:start + BATCH]],
                    priority=Priority.BROADCAST, kind=KIND, ref=broadcast.id,
                    at_most_once=True, not_before=not_before)
                if current.status == BroadcastStatus.PAUSED:
                    await self._outbox.store.hold_ref(KIND, broadcast.id)
        counts = await self.counts(broadcast)
        await self._store.queued(broadcast.id, counts.total, self._clock.now())
        log.info("broadcast %d queued: %d recipients", broadcast.id, counts.total)

    async def _enforce(self, broadcast: Broadcast) -> int:
        store = self._outbox.store
        now = self._clock.now()
        if broadcast.status == BroadcastStatus.PAUSED:
            await store.hold_ref(KIND, broadcast.id)  # rows that were in flight at the pause
            return 0
        if broadcast.status == BroadcastStatus.CANCELLED:
            await store.cancel_ref(KIND, broadcast.id, CANCELLED_REASON)
        elif not self._rules.allowed(now):
            await store.defer_ref(KIND, broadcast.id, self._rules.next_allowed(now, None))
        if broadcast.queued_at is None:
            return 0
        counts = await self.counts(broadcast)
        if counts.unfinished == 0:
            await self._store.finish(broadcast.id, counts, now)
            await self._release_file(broadcast)
            log.info("broadcast %d finished: %d sent of %d", broadcast.id, counts.sent,
                     counts.total)
            return 1
        if counts.pending > counts.delayed:
            self._outbox.wake.set()  # e.g. resumed from the CLI: the sender may be idle
        return 0

    async def _release_file(self, broadcast: Broadcast) -> None:
        """No message of it will be sent any more: its attachment's bytes go."""
        attachment = broadcast.draft.attachment
        if attachment is not None and attachment.upload_id is not None:
            await self._outbox.store.release_file(attachment.upload_id)

    def may_send_from(self, now: datetime) -> datetime:
        """The first moment from `now` on when a broadcast message may reach a citizen: never
        in quiet hours (also when queued before they began), important or not. The outbox
        sender holds the broadcast's rows back by it (bot/features/broadcasts/__init__.py)."""
        return self._rules.next_allowed(now, None)

    # -- recipients -------------------------------------------------------------------------

    async def _audience(self, draft: Draft) -> tuple[list[Candidate], Counter[Exclusion]]:
        segment = draft.segment
        start, end = self.joined_window(segment.joined_from, segment.joined_to)
        found = await self._store.candidates(segment, start, end)
        excluded: Counter[Exclusion] = Counter()
        if segment.citizens:
            wanted = set(segment.citizens)
            found = [c for c in found if c.id in wanted]
            missing = wanted - {c.id for c in found}
            for number in sorted(missing):  # filtered out, or no longer there at all
                if await self._citizens.by_id(number) is None:
                    excluded[Exclusion.ERASED if await self._audit.erased(number)
                             else Exclusion.UNKNOWN] += 1
        for membership in segment.memberships:
            members = await self._members(membership)
            found = [c for c in found if (c.id in members) == membership.member]
        if segment.languages:
            found = [c for c in found if c.locale in segment.languages]
        capped = set() if draft.important else await self._outbox.weekly_capped()
        recipients = []
        for citizen in found:
            reason = (Exclusion.BLOCKED if citizen.blocked
                      else Exclusion.NO_CONSENT if not citizen.consented
                      else Exclusion.WEEKLY_CAP if citizen.id in capped else None)
            if reason is None:
                recipients.append(citizen)
            else:
                excluded[reason] += 1
        return recipients, excluded

    async def _members(self, membership: Membership) -> frozenset[int]:
        """Whom a feature's segment filter names; DraftError for one it does not know."""
        answer = self._filters.get(membership.kind)
        if answer is None:
            raise DraftError(UNKNOWN_FILTER, kind=repr(membership.kind),
                             known=", ".join(sorted(self._filters)) or "none")
        try:
            return await answer(membership.argument)
        except ValueError as exc:
            raise DraftError(BAD_FILTER, filter=membership.label, reason=exc) from None

    def _fallback(self, draft: Draft) -> str | None:
        default = self._texts.default_locale
        return default if draft.fallback_to_default and default in draft.texts else None

    async def _messages(self, draft: Draft, texts: Mapping[str, str]) -> dict[str, Message]:
        """Each language's message exactly as sent: the text, the features' buttons, and the
        one-tap "No more webinar news" last."""
        messages = {}
        for locale, text in texts.items():
            _ = self._texts.get(locale)
            rows: list[Sequence[tuple[str, str]]] = []
            for spec in draft.buttons:
                prefix, _sep, argument = spec.partition(":")
                rows += await self._buttons[prefix](argument, _)
            rows.append(((_(UNSUBSCRIBE_BUTTON), UNSUBSCRIBE),))
            messages[locale] = Message(text.strip(), tuple(tuple(row) for row in rows),
                                       media=draft.attachment.media if draft.attachment
                                       else None)
        return messages

    # -- the citizen's way out --------------------------------------------------------------

    async def unsubscribe(self, citizen: Citizen) -> str:
        """"No more webinar news": the consent withdrawn (recorded like any consent, with the
        version of the words they pressed) and their broadcasts not sent yet dropped."""
        _ = self._texts.get(citizen.locale)
        record = (await self._citizens.consents(citizen.id)).get(Purpose.WEBINARS)
        if record is None or record.granted:
            await self._citizens.record_consents(
                citizen.id, {Purpose.WEBINARS: False}, unsubscribe_version(_),
                self._clock.now())
            log.info("citizen %d: no more webinar news", citizen.id)
        await self._outbox.store.cancel_citizen_kind(citizen.id, KIND, UNSUBSCRIBED_REASON)
        return _(UNSUBSCRIBED)


def unsubscribe_version(_: Translator) -> str:
    """`<locale>-unsubscribe-<10 hex digits>` over the button and the answer, as read."""
    shown = "\x1f".join((_(UNSUBSCRIBE_BUTTON), _(UNSUBSCRIBED)))
    return f"{_.locale}-unsubscribe-{hashlib.sha256(shown.encode()).hexdigest()[:10]}"
