"""/broadcast in the staff chat, decided without Telegram: a short dialog from the name to Send
now or Schedule, saved after every step in the staff dialogs' table (bot/staff_dialogs), so a
restart loses nothing. The step order is compose_route.py, what a step shows
compose_screens.py, what a typed answer means compose_typed.py.

It builds the Draft the CLI builds and goes through the same BroadcastService check, preview
and create. Buttons name the draft by id and step, so a button of a colleague's draft, of an
earlier step or of a draft that is gone is answered as such and changes nothing.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime
from typing import ClassVar
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.features.broadcasts import compose_wording as w
from bot.features.broadcasts.compose_route import after, before
from bot.features.broadcasts.compose_screens import ComposeScreens
from bot.features.broadcasts.compose_state import TYPED, Composing, Step
from bot.features.broadcasts.compose_typed import (
    MAX_LABEL,
    MAX_NAME,
    Refused,
    citizen_numbers,
    joined_window,
    send_time,
)
from bot.features.broadcasts.model import Attachment, Membership
from bot.features.broadcasts.service import (
    MAX_CAPTION,
    MAX_TEXT,
    BroadcastService,
    DraftError,
)
from bot.features.broadcasts.wording import NOT_ALLOWED, language_name
from bot.i18n import Texts
from bot.outbox.model import Message
from bot.staff_dialogs.base import DialogBase
from bot.staff_dialogs.model import Outcome, Upload
from bot.staff_dialogs.storage import StaffDialogStore

log = logging.getLogger(__name__)
KIND = "broadcast"


class ComposeService(DialogBase[Composing]):
    command_name: ClassVar[str] = "broadcast"
    pattern: ClassVar[str] = w.PATTERN
    not_allowed: ClassVar[str] = NOT_ALLOWED
    citizen_topic: ClassVar[str | None] = w.CITIZEN_TOPIC

    def __init__(self, store: StaffDialogStore[Composing], broadcasts: BroadcastService,
                 screens: ComposeScreens, texts: Texts, clock: Clock, zone: ZoneInfo) -> None:
        super().__init__(store, texts, clock)
        self._broadcasts = broadcasts
        self._screens = screens
        self._zone = zone

    # -- what the coordinator does ------------------------------------------------------------

    async def begin(self, staff_user_id: int, thread_id: int | None,
                    buttons: tuple[str, ...] = ()) -> Outcome:
        """/broadcast: the draft open in this topic where it was left, or a new one; `buttons`
        (e.g. `rsvp:12` when a webinar hands over) are switched on in either."""
        found = await self._store.find(staff_user_id, thread_id)
        if found is not None:
            added = tuple(b for b in buttons if b not in found.buttons)
            now_on = replace(found, buttons=(*found.buttons, *added))
            shown = await (self._go(now_on, found.token) if added else self._show(found))
            return self.resumed(shown, self._(w.RESUMED))
        fresh = Composing(0, staff_user_id, thread_id or 0, Step.NAME, buttons=buttons)
        fresh = replace(fresh, id=await self._store.open(fresh, self._clock.now()))
        log.info("broadcast draft %d opened by staff %d", fresh.id, staff_user_id)
        return await self._show(fresh)

    async def typed(self, staff_user_id: int, thread_id: int | None,
                    text: str) -> Outcome | None:
        """The coordinator's next message in the topic; None when no step here waits for it."""
        c = await self._store.find(staff_user_id, thread_id)
        if c is None or (c.step not in TYPED and c.step is not Step.ATTACHMENT):
            return None
        line = text.strip()
        try:
            return await self._answer(c, line)
        except Refused as refused:
            return self._again(c, self._(refused.msgid, example=self._screens.example()))

    async def attached(self, staff_user_id: int, thread_id: int | None,
                       upload: Upload) -> Outcome | None:
        """A photo or file sent as the next message; None unless the draft asks for one."""
        c = await self._store.find(staff_user_id, thread_id)
        if c is None or c.step is not Step.ATTACHMENT:
            return None
        for locale, text in sorted(c.texts.items()):
            if len(text) > MAX_CAPTION:
                return self._again(c, self._(w.ATTACHMENT_REFUSED, limit=MAX_CAPTION,
                                             language=language_name(locale), count=len(text)))
        attachment = Attachment(upload.kind, filename=upload.filename, size=upload.size,
                                file_id=upload.file_id)
        return await self._go(replace(c, attachment=attachment), self._after(c))

    async def pressed(self, staff_user_id: int, data: str) -> Outcome:
        """`bcc|<draft id>|<step token>|<action>[|<index>]` (compose_wording.PATTERN)."""
        _prefix, compose_id, token, action, *number = data.split("|")
        c = await self._store.get(int(compose_id))
        if c is None:
            return self._alert(w.GONE)
        if c.staff_user_id != staff_user_id:
            return self._alert(w.FOREIGN)
        if c.token != token:
            return self._alert(w.STALE)
        if action == "cancel":
            return await self._close(c)
        if action == "back":
            return await self._go(c, before(c, self._texts.locales))
        index = int(number[0]) if number else None
        chosen = c.offers[index] if index is not None and 0 <= index < len(c.offers) else None
        outcome = await self._press(c, action, index, chosen)
        return outcome if outcome is not None else self._alert(w.STALE)

    # -- the steps ----------------------------------------------------------------------------

    async def _answer(self, c: Composing, line: str) -> Outcome:
        """A typed answer to the step; Refused when it does not do."""
        if c.step is Step.NAME:
            if len(line) > MAX_NAME:
                return self._again(c, self._(w.NAME_TOO_LONG, limit=MAX_NAME))
            return await self._go(replace(c, name=line), self._after(c))
        if c.step is Step.TEXT:
            return await self._text(c, line)
        if c.step is Step.LABEL:
            if len(line) > MAX_LABEL:
                return self._again(c, self._(w.LABEL_TOO_LONG, limit=MAX_LABEL))
            return await self._segment(c, label=line)
        if c.step is Step.JOINED:
            start, end = joined_window(line)
            return await self._segment(c, joined_from=start, joined_to=end)
        if c.step is Step.CITIZENS:
            return await self._segment(c, citizens=citizen_numbers(line))
        if c.step is Step.SCHEDULE:
            return await self._create(c, send_time(line, self._zone, self._clock.now()),
                                      typed=True)
        return self._again(c, self._(w.SEND_ATTACHMENT))

    async def _press(self, c: Composing, action: str, index: int | None,
                     chosen: str | None) -> Outcome | None:
        """A button of the current step; None for one it does not have."""
        step = c.step
        kept = {Step.NAME: bool(c.name), Step.TEXT: bool(c.texts.get(c.locale or "")),
                Step.ATTACHMENT: c.attachment is not None}
        if action == "keep" and kept.get(step):  # only offered when there is something
            return await self._go(c, self._after(c))
        if step is Step.TEXT and action == "skip":
            assert c.locale is not None
            rest = {loc: t for loc, t in c.texts.items() if loc != c.locale}
            following = self._after(c)
            if not rest and not following.startswith(Step.TEXT):
                return self._alert(w.NEEDS_TEXT)
            return await self._go(replace(c, texts=rest), following)
        if step is Step.ATTACHMENT and action == "none":
            return await self._go(replace(c, attachment=None), self._after(c))
        if step is Step.BUTTONS and action == "toggle" and chosen is not None:
            on = (tuple(b for b in c.buttons if b != chosen) if chosen in c.buttons
                  else (*c.buttons, chosen))
            return await self._show(replace(c, buttons=on), in_place=True)
        if step is Step.SEGMENT:
            return await self._segment_press(c, action, index)
        if step is Step.LABEL and action == "pick" and chosen is not None:
            return await self._segment(c, label=chosen)
        if step is Step.MEMBERS and action in ("in", "out") and chosen is not None:
            kind, _sep, argument = chosen.partition(":")
            wanted = Membership(kind, argument, member=action == "in")
            others = tuple(m for m in c.segment.memberships
                           if (m.kind, m.argument) != (kind, argument))
            memberships = others if wanted in c.segment.memberships else (*others, wanted)
            return await self._show(replace(c, segment=replace(c.segment,
                                                               memberships=memberships)),
                                    in_place=True)
        if step in (Step.LABEL, Step.JOINED, Step.CITIZENS) and action == "any":
            cleared = {Step.LABEL: {"label": None}, Step.CITIZENS: {"citizens": ()},
                       Step.JOINED: {"joined_from": None, "joined_to": None}}[step]
            return await self._segment(c, **cleared)
        if step is Step.PREVIEW:
            return await self._preview_press(c, action)
        if step is Step.EDIT and action == "goto" and chosen is not None:
            return await self._go(replace(c, editing=True), chosen)
        if action == "next" and step is Step.BUTTONS:
            return await self._go(c, self._after(c))
        return None

    async def _segment_press(self, c: Composing, action: str,
                             index: int | None) -> Outcome | None:
        locales = self._texts.locales
        if action == "anylang":
            return await self._show(replace(c, segment=replace(c.segment, languages=())),
                                    in_place=True)
        if action == "important":
            return await self._show(replace(c, important=not c.important), in_place=True)
        if action == "lang" and index is not None and 0 <= index < len(locales):
            return await self._show(replace(c, segment=replace(
                c.segment, languages=(locales[index],))), in_place=True)
        sub = {"label": Step.LABEL, "joined": Step.JOINED, "citizens": Step.CITIZENS,
               "members": Step.MEMBERS, "next": Step.PREVIEW}.get(action)
        return await self._go(c, sub) if sub is not None else None

    async def _preview_press(self, c: Composing, action: str) -> Outcome | None:
        if action == "edit":
            return await self._go(c, Step.EDIT)
        if action == "fallback":
            return await self._show(replace(c, fallback_to_default=True), in_place=True)
        draft = c.draft(self._clock.now())
        try:
            await self._broadcasts.check(draft)
        except DraftError as exc:
            return self._alert(w.CANNOT_SEND, reason=exc.text(self._))
        preview = await self._broadcasts.preview(draft)
        if action == "test":
            messages = sorted(preview.messages.items())
            return Outcome(private=tuple(m for _locale, m in messages), thread_id=c.thread,
                           notice=self._(w.TEST_SENT, languages=self._languages(
                               tuple(locale for locale, _m in messages))),
                           private_refused=w.TEST_NOT_STARTED)
        if preview.blocked_by:
            return self._alert(w.BLOCKED, languages=self._languages(preview.blocked_by),
                               default=language_name(self._texts.default_locale))
        if action == "schedule":
            return await self._go(c, Step.SCHEDULE)
        if action == "send":
            return await self._create(c, self._clock.now(), typed=False)
        return None

    async def _text(self, c: Composing, text: str) -> Outcome:
        if len(text) > MAX_TEXT:
            return self._again(c, self._(w.TEXT_TOO_LONG, count=len(text), limit=MAX_TEXT))
        if c.attachment is not None and len(text) > MAX_CAPTION:
            return self._again(c, self._(w.CAPTION_TOO_LONG, count=len(text),
                                         limit=MAX_CAPTION))
        assert c.locale is not None
        return await self._go(replace(c, texts={**c.texts, c.locale: text}), self._after(c))

    async def _segment(self, c: Composing, **changes: object) -> Outcome:
        """A sub-step's answer: the segment changed, back to its screen."""
        return await self._go(replace(c, segment=replace(c.segment, **changes)), Step.SEGMENT)

    async def _create(self, c: Composing, send_at: datetime, *, typed: bool) -> Outcome:
        """Stored for sending, like the CLI's --yes; the draft is done."""
        draft = c.draft(send_at)
        try:
            preview = await self._broadcasts.preview(draft)
            if preview.blocked_by:
                text = self._(w.BLOCKED, languages=self._languages(preview.blocked_by),
                              default=language_name(self._texts.default_locale))
                return self._again(c, text) if typed else Outcome(notice=text, alert=True)
            broadcast_id = await self._broadcasts.create(draft, f"staff:{c.staff_user_id}")
        except DraftError as exc:
            text = self._(w.CANNOT_SEND, reason=exc.text(self._))
            return self._again(c, text) if typed else Outcome(notice=text, alert=True)
        await self._store.close(c.id)
        if typed:
            text = self._(w.SCHEDULED, id=broadcast_id, name=c.name,
                          time=self._.datetime(send_at))
        else:
            text = self._(w.QUEUED, id=broadcast_id, name=c.name)
        return Outcome(Message(text), thread_id=c.thread)

    # -- moving between steps -----------------------------------------------------------------

    def _after(self, c: Composing) -> str:
        return after(c, self._texts.locales)

    async def _go(self, c: Composing, token: str) -> Outcome:
        """Into a step."""
        return await self._show(await self._screens.entered(c.at(token)))

    async def _show(self, c: Composing, *, in_place: bool = False) -> Outcome:
        """Save the draft and show its step."""
        text, rows, before_it = await self._screens.screen(c)
        await self._store.save(c, self._clock.now())
        return Outcome(Message(text, rows), in_place=in_place,
                       before=() if in_place else before_it,  # a toggle: the rest is as it was
                       thread_id=c.thread, step=True)

    async def _close(self, c: Composing) -> Outcome:
        await self._store.close(c.id)
        log.info("broadcast draft %d cancelled", c.id)
        return Outcome(Message(self._(w.CANCELLED)), thread_id=c.thread)

    def _again(self, c: Composing, text: str) -> Outcome:
        """A typed answer refused: why, with the step's way out (Back, Cancel)."""
        return Outcome(Message(text, (w.footer(c, self._, back=c.step is not Step.NAME),)),
                       thread_id=c.thread, step=True, keeps_earlier=True)

    def _alert(self, msgid: str, **params: object) -> Outcome:
        return Outcome(notice=self._(msgid, **params), alert=True)

    def _languages(self, locales: tuple[str, ...]) -> str:
        return ", ".join(language_name(locale) for locale in locales)
