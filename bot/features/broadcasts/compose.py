"""/broadcast in the staff chat, decided without Telegram: a short dialog from the name to Send
now or Schedule, saved after every step (compose_state.py), so a restart loses nothing.

It builds the Draft the CLI builds and goes through the same BroadcastService check, preview
and create; the preview's facts are the CLI's (wording.render_facts). Buttons name the draft
by id and step, so a button of a colleague's draft, of an earlier step or of a draft that is
gone is answered as such and changes nothing.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.feature import Choices
from bot.features.broadcasts import compose_wording as w
from bot.features.broadcasts.compose_state import GENERAL_TOPIC, TYPED, Composing, Step
from bot.features.broadcasts.model import Attachment, Membership
from bot.features.broadcasts.service import (
    MAX_CAPTION,
    MAX_TEXT,
    BroadcastService,
    DraftError,
)
from bot.features.broadcasts.storage import ComposeStore
from bot.features.broadcasts.wording import language_name, render_facts
from bot.i18n import Texts, Translator
from bot.local_time import LocalTimeError, local_text, local_to_utc, parse_day, parse_local_time
from bot.outbox.model import Buttons, Message

log = logging.getLogger(__name__)
MAX_NAME = 80
MAX_LABEL = 100  # as an invite label (bot/features/invites)
MAX_LABELS_OFFERED = 20
KEPT_FOR = timedelta(days=7)
"""A draft nobody touched for this long is dropped by the sweep."""
_NUMBERS = re.compile(r"[\s,;]+")
SEGMENT_PARTS = frozenset({Step.LABEL, Step.JOINED, Step.CITIZENS, Step.MEMBERS})
"""Sub-steps of the segment: each returns to it."""

Labels = Callable[[], Awaitable[list[tuple[str, int]]]]


@dataclass(frozen=True, slots=True)
class Outcome:
    """What the handlers show, in the draft's topic, and the pressed button's answer."""

    screen: Message | None = None
    in_place: bool = False
    """Replace the pressed message with `screen` (a toggle) instead of sending it anew."""
    notice: str | None = None
    alert: bool = False
    before: tuple[Message, ...] = ()
    """Sent before `screen`: the preview's messages as citizens see them, buttons inert."""
    test_send: tuple[tuple[str, Message], ...] = ()
    """(locale, message) for the presser's private chat, with the real buttons."""
    thread_id: int | None = None


class ComposeService:
    def __init__(self, store: ComposeStore, broadcasts: BroadcastService, labels: Labels,
                 button_choices: Mapping[str, Choices], segment_choices: Mapping[str, Choices],
                 texts: Texts, clock: Clock, zone: ZoneInfo, *, paid: bool) -> None:
        self._store = store
        self._broadcasts = broadcasts
        self._labels = labels
        self._button_choices = button_choices
        self._segment_choices = segment_choices
        self._texts = texts
        self._clock = clock
        self._zone = zone
        self._paid = paid

    @property
    def _(self) -> Translator:
        return self._texts.staff

    # -- what the coordinator does ------------------------------------------------------------

    async def begin(self, staff_user_id: int, thread_id: int | None,
                    buttons: tuple[str, ...] = ()) -> Outcome:
        """/broadcast: the draft open in this topic where it was left, or a new one; `buttons`
        (e.g. `rsvp:12` when a webinar hands over) are switched on in either."""
        thread = thread_id or GENERAL_TOPIC
        found = await self._store.find(staff_user_id, thread)
        if found is not None:
            added = tuple(b for b in buttons if b not in found.buttons)
            now_on = replace(found, buttons=(*found.buttons, *added))
            shown = await (self._go(now_on, found.token) if added else self._show(found))
            assert shown.screen is not None
            return replace(shown, screen=replace(
                shown.screen, text=f"{self._(w.RESUMED)}\n\n{shown.screen.text}"))
        fresh = Composing(0, staff_user_id, thread, Step.NAME, buttons=buttons)
        fresh = replace(fresh, id=await self._store.open(fresh, self._clock.now()))
        log.info("broadcast draft %d opened by staff %d", fresh.id, staff_user_id)
        return await self._show(fresh)

    async def cancel(self, staff_user_id: int, thread_id: int | None) -> Outcome | None:
        """/cancel: None when no draft is open in this topic."""
        found = await self._store.find(staff_user_id, thread_id or GENERAL_TOPIC)
        return await self._close(found) if found else None

    async def typed(self, staff_user_id: int, thread_id: int | None,
                    text: str) -> Outcome | None:
        """The coordinator's next message in the topic; None when no step here waits for it."""
        c = await self._store.find(staff_user_id, thread_id or GENERAL_TOPIC)
        if c is None or (c.step not in TYPED and c.step is not Step.ATTACHMENT):
            return None
        line = text.strip()
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
            return await self._joined(c, line)
        if c.step is Step.CITIZENS:
            return await self._citizens(c, line)
        if c.step is Step.SCHEDULE:
            return await self._schedule(c, line)
        return self._again(c, self._(w.SEND_ATTACHMENT))

    async def attached(self, staff_user_id: int, thread_id: int | None,
                       attachment: Attachment) -> Outcome | None:
        """A photo or file sent as the next message; None unless the draft asks for one."""
        c = await self._store.find(staff_user_id, thread_id or GENERAL_TOPIC)
        if c is None or c.step is not Step.ATTACHMENT:
            return None
        for locale, text in sorted(c.texts.items()):
            if len(text) > MAX_CAPTION:
                return self._again(c, self._(w.ATTACHMENT_REFUSED, limit=MAX_CAPTION,
                                             language=language_name(locale), count=len(text)))
        return await self._go(replace(c, attachment=attachment), self._after(c))

    async def pressed(self, staff_user_id: int, compose_id: int, token: str, action: str,
                      index: int | None) -> Outcome:
        c = await self._store.get(compose_id)
        if c is None:
            return self._alert(w.GONE)
        if c.staff_user_id != staff_user_id:
            return self._alert(w.FOREIGN)
        if c.token != token:
            return self._alert(w.STALE)
        if action == "cancel":
            return await self._close(c)
        if action == "back":
            return await self._go(c, self._before(c))
        chosen = c.offers[index] if index is not None and 0 <= index < len(c.offers) else None
        outcome = await self._press(c, action, index, chosen)
        return outcome if outcome is not None else self._alert(w.STALE)

    async def sweep(self) -> int:
        """Drafts nobody touched for KEPT_FOR are dropped."""
        return await self._store.drop_untouched(self._clock.now() - KEPT_FOR)

    # -- the steps ----------------------------------------------------------------------------

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
            after = self._after(c)
            if not rest and not after.startswith(Step.TEXT):
                return self._alert(w.NEEDS_TEXT)
            return await self._go(replace(c, texts=rest), after)
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
            kept = tuple(m for m in c.segment.memberships
                         if (m.kind, m.argument) != (kind, argument))
            memberships = kept if wanted in c.segment.memberships else (*kept, wanted)
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
            return self._alert(w.CANNOT_SEND, reason=str(exc))
        preview = await self._broadcasts.preview(draft)
        if action == "test":
            return Outcome(test_send=tuple(sorted(preview.messages.items())),
                           thread_id=c.thread)
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

    async def _joined(self, c: Composing, line: str) -> Outcome:
        parts = line.split()
        try:
            if len(parts) != 2:
                raise LocalTimeError(line)
            start, end = (None if p == "-" else parse_day(p) for p in parts)
        except LocalTimeError:
            return self._again(c, self._(w.BAD_DAYS))
        if start and end and start > end:
            return self._again(c, self._(w.DAYS_ORDER))
        return await self._segment(c, joined_from=start, joined_to=end)

    async def _citizens(self, c: Composing, line: str) -> Outcome:
        parts = [p for p in _NUMBERS.split(line) if p]
        if not parts or not all(p.isdigit() and int(p) > 0 for p in parts):
            return self._again(c, self._(w.BAD_NUMBERS))
        return await self._segment(c, citizens=tuple(dict.fromkeys(int(p) for p in parts)))

    async def _segment(self, c: Composing, **changes: object) -> Outcome:
        """A sub-step's answer: the segment changed, back to its screen."""
        return await self._go(replace(c, segment=replace(c.segment, **changes)), Step.SEGMENT)

    async def _schedule(self, c: Composing, line: str) -> Outcome:
        try:
            send_at = local_to_utc(parse_local_time(line), self._zone)
        except LocalTimeError:
            return self._again(c, self._(w.BAD_TIME, example=self._example()))
        if send_at <= self._clock.now():
            return self._again(c, self._(w.PAST_TIME))
        return await self._create(c, send_at, typed=True)

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
            text = self._(w.CANNOT_SEND, reason=str(exc))
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
        """Where Next (or a step's answer) leads: on to the following step, or back to the
        preview for a step reached from Edit."""
        locales = self._texts.locales
        if c.editing:
            return Step.PREVIEW
        if c.step is Step.NAME:
            return f"{Step.TEXT}:{locales[0]}"
        if c.step is Step.TEXT:
            following = locales[locales.index(c.locale or locales[0]) + 1:]
            return f"{Step.TEXT}:{following[0]}" if following else Step.ATTACHMENT
        return Step.BUTTONS if c.step is Step.ATTACHMENT else Step.SEGMENT

    def _before(self, c: Composing) -> str:
        locales = self._texts.locales
        if c.step in SEGMENT_PARTS:
            return Step.SEGMENT
        if c.step in (Step.SCHEDULE, Step.EDIT):
            return Step.PREVIEW
        if c.editing:
            return Step.EDIT
        if c.step is Step.TEXT:
            index = locales.index(c.locale or locales[0])
            return f"{Step.TEXT}:{locales[index - 1]}" if index else Step.NAME
        earlier = {Step.ATTACHMENT: f"{Step.TEXT}:{locales[-1]}",
                   Step.BUTTONS: Step.ATTACHMENT, Step.SEGMENT: Step.BUTTONS}
        return earlier.get(c.step, Step.NAME)

    async def _go(self, c: Composing, token: str) -> Outcome:
        """Into a step: what its buttons pick from is fixed now, for as long as it shows."""
        c = c.at(token)
        if c.step in (Step.PREVIEW, Step.EDIT):
            c = replace(c, editing=False)
        if c.step is Step.BUTTONS:
            offered = await self._button_labels()
            c = c.with_offers(tuple(dict.fromkeys([*offered, *c.buttons])))
        elif c.step is Step.LABEL:
            labels = await self._labels()
            c = c.with_offers(tuple(label for label, _n in labels[:MAX_LABELS_OFFERED]))
        elif c.step is Step.MEMBERS:
            c = c.with_offers(tuple(await self._member_labels()))
        elif c.step is Step.EDIT:
            c = c.with_offers((Step.NAME, *(f"{Step.TEXT}:{loc}" for loc in self._texts.locales),
                               Step.ATTACHMENT, Step.BUTTONS, Step.SEGMENT))
        return await self._show(c)

    async def _show(self, c: Composing, *, in_place: bool = False) -> Outcome:
        """Save the draft and show its step."""
        _ = self._
        before: tuple[Message, ...] = ()
        if c.step is Step.NAME:
            text, rows = w.name_step(c, _)
        elif c.step is Step.TEXT:
            text, rows = w.text_step(c, _)
        elif c.step is Step.ATTACHMENT:
            text, rows = w.attachment_step(c, _)
        elif c.step is Step.BUTTONS:
            text, rows = w.buttons_step(c, await self._button_labels(), _)
        elif c.step is Step.SEGMENT:
            members = await self._member_labels() if self._segment_choices else None
            text, rows = w.segment_step(c, self._texts.locales, members, _)
        elif c.step is Step.MEMBERS:
            text, rows = w.members_step(c, await self._member_labels(), _)
        elif c.step is Step.LABEL:
            text, rows = w.label_step(c, dict(await self._labels()), _)
        elif c.step is Step.JOINED:
            text, rows = w.typed_step(c, w.JOINED_PROMPT, w.ANY_TIME_BUTTON, _)
        elif c.step is Step.CITIZENS:
            text, rows = w.typed_step(c, w.CITIZENS_PROMPT, w.ALL_CITIZENS_BUTTON, _)
        elif c.step is Step.PREVIEW:
            text, rows, before = await self._preview(c)
            before = () if in_place else before  # a toggle: the messages above are unchanged
        elif c.step is Step.SCHEDULE:
            text, rows = _(w.SCHEDULE_PROMPT, example=self._example()), (w.footer(c, _),)
        else:
            text, rows = w.edit_step(c, _)
        await self._store.save(c, self._clock.now())
        return Outcome(Message(text, rows), in_place=in_place, before=before,
                       thread_id=c.thread)

    async def _preview(self, c: Composing) -> tuple[str, Buttons, tuple[Message, ...]]:
        _ = self._
        draft = c.draft(self._clock.now())
        try:
            await self._broadcasts.check(draft)
        except DraftError as exc:
            return (_(w.CANNOT_SEND, reason=str(exc)),
                    (((_(w.EDIT_BUTTON), w.data(c, "edit")),), w.footer(c, _, back=False)), ())
        preview = await self._broadcasts.preview(draft)
        shown = tuple(Message(m.text, tuple(tuple((label, w.LOOK) for label, _d in row)
                                            for row in m.buttons), media=m.media)
                      for _locale, m in sorted(preview.messages.items()))
        default = self._texts.default_locale
        text = f"{render_facts(c.name, preview, _, paid=self._paid)}\n\n{_(w.PREVIEW_NOTE)}"
        rows = w.preview_buttons(c, bool(preview.blocked_by),
                                 default if default in c.texts else None, _)
        return text, rows, shown

    async def _close(self, c: Composing) -> Outcome:
        await self._store.close(c.id)
        log.info("broadcast draft %d cancelled", c.id)
        return Outcome(Message(self._(w.CANCELLED)), thread_id=c.thread)

    def _again(self, c: Composing, text: str) -> Outcome:
        """A typed answer refused: why, with the step's way out (Back, Cancel)."""
        return Outcome(Message(text, (w.footer(c, self._, back=c.step is not Step.NAME),)),
                       thread_id=c.thread)

    def _alert(self, msgid: str, **params: object) -> Outcome:
        return Outcome(notice=self._(msgid, **params), alert=True)

    async def _button_labels(self) -> dict[str, str]:
        """Every button a coordinator may pick now: `prefix:argument` -> its label."""
        return {f"{prefix}:{argument}": label
                for prefix, choices in self._button_choices.items()
                for argument, label in await choices(self._)}

    async def _member_labels(self) -> dict[str, str]:
        """Every segment filter a coordinator may pick now: `kind:argument` -> its label."""
        return {f"{kind}:{argument}": label for kind, choices in self._segment_choices.items()
                for argument, label in await choices(self._)}

    def _languages(self, locales: tuple[str, ...]) -> str:
        return ", ".join(language_name(locale) for locale in locales)

    def _example(self) -> str:
        """Tomorrow at this hour, as it is typed."""
        return local_text(self._clock.now() + timedelta(days=1), self._zone)
