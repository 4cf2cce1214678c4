"""What each step of /broadcast shows: its prompt and buttons (compose_wording.py words them),
what its buttons pick from (fixed when the step is entered), and the preview, built from the
CLI's facts (wording.render_facts) and each language's message as citizens get it. No
Telegram."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import replace
from datetime import timedelta
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.feature import Choices
from bot.features.broadcasts import compose_wording as w
from bot.features.broadcasts.compose_route import editable
from bot.features.broadcasts.compose_state import Composing, Step
from bot.features.broadcasts.service import BroadcastService, DraftError
from bot.features.broadcasts.wording import render_facts
from bot.i18n import Texts, Translator
from bot.local_time import local_text
from bot.outbox.model import Buttons, Message

MAX_LABELS_OFFERED = 20
Labels = Callable[[], Awaitable[list[tuple[str, int]]]]
"""The invite labels citizens have, with how many have each."""


class ComposeScreens:
    def __init__(self, broadcasts: BroadcastService, labels: Labels,
                 button_choices: Mapping[str, Choices], segment_choices: Mapping[str, Choices],
                 texts: Texts, clock: Clock, zone: ZoneInfo, *, paid: bool) -> None:
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

    async def entered(self, c: Composing) -> Composing:
        """Into its step: what the step's buttons pick from is fixed now, for as long as it
        shows."""
        if c.step in (Step.PREVIEW, Step.EDIT):
            c = replace(c, editing=False)
        if c.step is Step.BUTTONS:
            offered = await self.button_labels()
            return c.with_offers(tuple(dict.fromkeys([*offered, *c.buttons])))
        if c.step is Step.LABEL:
            labels = await self._labels()
            return c.with_offers(tuple(label for label, _n in labels[:MAX_LABELS_OFFERED]))
        if c.step is Step.MEMBERS:
            return c.with_offers(tuple(await self.member_labels()))
        if c.step is Step.EDIT:
            return c.with_offers(editable(self._texts.locales))
        return c

    async def screen(self, c: Composing) -> tuple[str, Buttons, tuple[Message, ...]]:
        """The step's text and buttons, and (the preview's) messages to show above it."""
        _ = self._
        if c.step is Step.PREVIEW:
            return await self._preview(c)
        if c.step is Step.NAME:
            text, rows = w.name_step(c, _)
        elif c.step is Step.TEXT:
            text, rows = w.text_step(c, _)
        elif c.step is Step.ATTACHMENT:
            text, rows = w.attachment_step(c, _)
        elif c.step is Step.BUTTONS:
            text, rows = w.buttons_step(c, await self.button_labels(), _)
        elif c.step is Step.SEGMENT:
            members = await self.member_labels() if self._segment_choices else None
            text, rows = w.segment_step(c, self._texts.locales, members, _)
        elif c.step is Step.MEMBERS:
            text, rows = w.members_step(c, await self.member_labels(), _)
        elif c.step is Step.LABEL:
            text, rows = w.label_step(c, dict(await self._labels()), _)
        elif c.step is Step.JOINED:
            text, rows = w.typed_step(c, w.JOINED_PROMPT, w.ANY_TIME_BUTTON, _)
        elif c.step is Step.CITIZENS:
            text, rows = w.typed_step(c, w.CITIZENS_PROMPT, w.ALL_CITIZENS_BUTTON, _)
        elif c.step is Step.SCHEDULE:
            text, rows = _(w.SCHEDULE_PROMPT, example=self.example()), (w.footer(c, _),)
        else:
            text, rows = w.edit_step(c, _)
        return text, rows, ()

    async def _preview(self, c: Composing) -> tuple[str, Buttons, tuple[Message, ...]]:
        _ = self._
        draft = c.draft(self._clock.now())
        try:
            await self._broadcasts.check(draft)
        except DraftError as exc:
            return (_(w.CANNOT_SEND, reason=exc.text(_)),
                    (((_(w.EDIT_BUTTON), w.data(c, "edit")),), w.footer(c, _, back=False)), ())
        preview = await self._broadcasts.preview(draft)
        shown = tuple(Message(m.text, tuple(tuple((label, w.LOOK) for label, _d in row)
                                            for row in m.buttons), media=m.media)
                      for _locale, m in sorted(preview.messages.items()))
        default = self._texts.default_locale
        importance = _(w.PREVIEW_IMPORTANT if c.important else w.PREVIEW_NOT_IMPORTANT)
        text = (f"{render_facts(c.name, preview, _, paid=self._paid)}\n{importance}\n\n"
                f"{_(w.PREVIEW_NOTE)}")
        rows = w.preview_buttons(c, bool(preview.blocked_by),
                                 default if default in c.texts else None, _)
        return text, rows, shown

    async def button_labels(self) -> dict[str, str]:
        """Every button a coordinator may pick now: `prefix:argument` -> its label."""
        return {f"{prefix}:{argument}": label
                for prefix, choices in self._button_choices.items()
                for argument, label in await choices(self._)}

    async def member_labels(self) -> dict[str, str]:
        """Every segment filter a coordinator may pick now: `kind:argument` -> its label."""
        return {f"{kind}:{argument}": label for kind, choices in self._segment_choices.items()
                for argument, label in await choices(self._)}

    def example(self) -> str:
        """Tomorrow at this hour, as it is typed."""
        return local_text(self._clock.now() + timedelta(days=1), self._zone)
