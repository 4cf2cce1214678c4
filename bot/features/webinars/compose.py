"""/webinar in the staff chat: a short dialog that creates a webinar exactly as `python -m bot
webinar create` does – the same checks (planning.py) and the same planner – step by step, with
its state in the staff dialogs' table (compose_state.py, bot/staff_dialogs), so a restart
continues where it was. Also the staff's list of the sessions coming up with their answers
(`/webinar list`). Never imports telegram."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from datetime import datetime, time, timedelta
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.features.webinars import compose_wording as w
from bot.features.webinars.compose_state import TYPED, Composing, Step, WebinarDraft
from bot.features.webinars.model import Repeat
from bot.features.webinars.planning import (
    MAX_MINUTES,
    MAX_SESSIONS,
    MAX_TITLE,
    PlanningError,
    Problem,
    WebinarPlanner,
    checked_capacity,
    checked_future,
    checked_link,
    checked_minutes,
    checked_title,
    session_starts,
)
from bot.features.webinars.storage import WebinarStore
from bot.i18n import Texts
from bot.local_time import LocalTimeError, local_to_utc, parse_day, parse_local_time, typed
from bot.outbox.model import Buttons, Message
from bot.staff_dialogs.base import DialogBase
from bot.staff_dialogs.model import Outcome
from bot.staff_dialogs.storage import StaffDialogStore

log = logging.getLogger(__name__)
KIND = "webinar"
MINUTES_CHOICES = (30, 45, 60, 90)
LIST_LIMIT = 30
"""/webinar list shows at most this many sessions; the CLI lists them all."""


class WebinarComposer(DialogBase[Composing]):
    command_name: ClassVar[str] = "webinar"
    pattern: ClassVar[str] = w.PATTERN
    not_allowed: ClassVar[str] = w.NOT_ALLOWED
    citizen_topic: ClassVar[str | None] = w.CITIZEN_TOPIC

    def __init__(self, store: StaffDialogStore[Composing], webinars: WebinarStore,
                 on_change: Callable[[], Awaitable[Any]], texts: Texts, clock: Clock,
                 zone: ZoneInfo, reminder: timedelta) -> None:
        """`on_change`: the webinars' changes sweep (timers, notices), run at once after
        creating one."""
        super().__init__(store, texts, clock, on_change)
        self._webinars = webinars
        self._zone = zone
        self._reminder = reminder

    # -- what the staff member does -------------------------------------------------------

    async def begin(self, staff_user_id: int, thread_id: int | None) -> Outcome:
        """/webinar: the draft open in this topic where it was left, or a new one."""
        found = await self._store.find(staff_user_id, thread_id)
        if found is not None:
            return self.resumed(self._show(found), self._(w.RESUMED))
        fresh = Composing(0, staff_user_id, thread_id or 0, Step.TITLE_DA)
        fresh = replace(fresh, id=await self._store.open(fresh, self._clock.now()))
        log.info("webinar draft %d opened by staff %d", fresh.id, staff_user_id)
        return self._show(fresh)

    async def command(self, args: Sequence[str]) -> tuple[str, bool] | None:
        """`/webinar list`; other words start the dialog."""
        return (await self.listing(), False) if list(args[:1]) == ["list"] else None

    async def typed(self, staff_user_id: int, thread_id: int | None,
                    text: str) -> Outcome | None:
        """The staff member's next message in the topic; None when no step here waits for it."""
        c = await self._store.find(staff_user_id, thread_id)
        if c is None or c.step not in TYPED:
            return None
        try:
            return await self._answer(c, text)
        except PlanningError as exc:
            return self._again(c, self._problem(exc.problem))
        except LocalTimeError:
            return self._again(c, self._(w.BAD_DAY if c.step is Step.UNTIL else w.BAD_TIME,
                                         example=self._example(c)))

    async def pressed(self, staff_user_id: int, data: str) -> Outcome:
        """`wcompose|<draft id>|<step>|<choice>` (compose_wording.PATTERN)."""
        _prefix, compose_id, step, choice = data.split("|")
        c = await self._store.get(int(compose_id))
        if c is None or c.step.value != step:
            return Outcome(notice=self._(w.STALE), alert=True)
        if c.staff_user_id != staff_user_id:
            return Outcome(notice=self._(w.NOT_YOURS), alert=True)
        if choice == "cancel":
            return await self._close(c)
        if c.step is Step.MINUTES and choice.startswith("m") and choice[1:].isdigit():
            return await self._answer(c, choice[1:])
        if c.step is Step.CAPACITY and choice == "nolimit":
            return await self._next(c, replace(c.draft, capacity=None), Step.REPEAT)
        if c.step is Step.REPEAT and choice in w.REPEAT_BUTTONS:
            if choice == "once":
                return await self._next(c, replace(c.draft, repeat=None, until=None),
                                        Step.SUMMARY)
            return await self._next(c, replace(c.draft, repeat=Repeat(choice)), Step.UNTIL)
        if c.step is Step.SUMMARY and choice == "create":
            return await self._create(c)
        return Outcome(notice=self._(w.STALE), alert=True)

    # -- the steps ------------------------------------------------------------------------

    async def _answer(self, c: Composing, text: str) -> Outcome:
        """A typed answer, checked as `webinar create` checks its options."""
        draft = c.draft
        if c.step is Step.TITLE_DA:
            return await self._next(c, replace(draft, title_da=checked_title(text)),
                                    Step.TITLE_EN)
        if c.step is Step.TITLE_EN:
            return await self._next(c, replace(draft, title_en=checked_title(text)), Step.AT)
        if c.step is Step.AT:
            at = parse_local_time(text)
            checked_future(at, self._zone, self._clock.now())
            return await self._next(c, replace(draft, at=at), Step.MINUTES)
        if c.step is Step.MINUTES:
            return await self._next(c, replace(draft, minutes=checked_minutes(text)), Step.LINK)
        if c.step is Step.LINK:
            return await self._next(c, replace(draft, link=checked_link(text)), Step.CAPACITY)
        if c.step is Step.CAPACITY:
            return await self._next(c, replace(draft, capacity=checked_capacity(text)),
                                    Step.REPEAT)
        assert c.step is Step.UNTIL and draft.at is not None
        until = parse_day(text)
        session_starts(draft.at, self._zone, draft.repeat, until)
        return await self._next(c, replace(draft, until=until), Step.SUMMARY)

    async def _next(self, c: Composing, draft: WebinarDraft, step: Step) -> Outcome:
        moved = replace(c, draft=draft, step=step)
        await self._store.save(moved, self._clock.now())
        return self._show(moved)

    async def _create(self, c: Composing) -> Outcome:
        """As `webinar create`: the planner checks again (time has passed since the summary)."""
        draft = c.draft
        assert draft.at is not None
        planner = WebinarPlanner(self._webinars, self._clock, self._zone)
        try:
            webinar_id = await planner.create(draft.new_webinar(), draft.at, draft.repeat,
                                              draft.until)
        except PlanningError as exc:
            if exc.problem is Problem.PAST:  # time went by since the summary: ask it again
                c = replace(c, step=Step.AT)
                await self._store.save(c, self._clock.now())
            return self._again(c, self._problem(exc.problem))
        if not await self._store.close(c.id):
            return Outcome(notice=self._(w.STALE), alert=True)
        sessions = await self._webinars.sessions(webinar_id)
        log.info("webinar %d created by staff %d in the staff chat (%d sessions)", webinar_id,
                 c.staff_user_id, len(sessions))
        when = self._.datetime(sessions[0].starts_at)
        text = (self._(w.CREATED_ONE, id=webinar_id, session=sessions[0].id, when=when)
                if len(sessions) == 1 else
                self._(w.CREATED_SERIES, id=webinar_id, first=sessions[0].id,
                       last=sessions[-1].id, when=when))
        buttons = (((self._(w.INVITE_BUTTON), f"{w.INVITE}|{webinar_id}"),),)
        return Outcome(Message(text, buttons), thread_id=c.thread, changed=True)

    async def _close(self, c: Composing) -> Outcome:
        await self._store.close(c.id)
        log.info("webinar draft %d cancelled", c.id)
        return Outcome(Message(self._(w.CANCELLED)), thread_id=c.thread)

    def _again(self, c: Composing, problem: str) -> Outcome:
        """The same step once more, with what was wrong above it."""
        shown = self._show(c)
        assert shown.screen is not None
        return replace(shown, screen=replace(shown.screen,
                                             text=f"{problem}\n\n{shown.screen.text}"))

    def _problem(self, problem: Problem) -> str:
        return self._(w.PROBLEMS[problem], max_title=MAX_TITLE, max_minutes=MAX_MINUTES,
                      max_sessions=MAX_SESSIONS)

    # -- what a step looks like -------------------------------------------------------------

    def _show(self, c: Composing) -> Outcome:
        _ = self._
        if c.step is Step.SUMMARY:
            text = self._summary(c)
        else:
            text = _(w.ASK[c.step], example=self._example(c),
                     minutes=int(self._reminder.total_seconds() // 60))
        return Outcome(Message(text, self._buttons(c)), thread_id=c.thread, step=True)

    def _buttons(self, c: Composing) -> Buttons:
        _ = self._

        def button(label: str, choice: str) -> tuple[str, str]:
            return label, f"{w.PREFIX}|{c.id}|{c.step.value}|{choice}"

        rows: list[tuple[tuple[str, str], ...]] = []
        if c.step is Step.MINUTES:
            rows.append(tuple(button(_(w.MINUTES_BUTTON, minutes=m), f"m{m}")
                              for m in MINUTES_CHOICES))
        elif c.step is Step.CAPACITY:
            rows.append((button(_(w.NO_LIMIT_BUTTON), "nolimit"),))
        elif c.step is Step.REPEAT:
            rows.append(tuple(button(_(label), choice)
                              for choice, label in w.REPEAT_BUTTONS.items()))
        elif c.step is Step.SUMMARY:
            rows.append((button(_(w.CREATE_BUTTON), "create"),))
        rows.append((button(_(w.CANCEL_BUTTON), "cancel"),))
        return tuple(rows)

    def _summary(self, c: Composing) -> str:
        _ = self._
        draft = c.draft
        assert draft.at is not None and draft.minutes is not None
        starts = session_starts(draft.at, self._zone, draft.repeat, draft.until)
        sessions = (_(w.SESSIONS_SERIES[draft.repeat], count=len(starts),
                      until=_.date(local_to_utc(datetime.combine(draft.until, time(12)),
                                                self._zone)))
                    if draft.repeat is not None and draft.until is not None
                    else _(w.SESSIONS_ONCE))
        return _(w.SUMMARY, title_da=draft.title_da, title_en=draft.title_en,
                 when=_.datetime(starts[0]), minutes=draft.minutes, link=draft.link,
                 capacity=draft.capacity if draft.capacity is not None else _(w.NO_LIMIT),
                 sessions=sessions)

    def _example(self, c: Composing) -> str:
        """Tomorrow at 14:00 (for a date: a week after the first session)."""
        if c.step is Step.UNTIL and c.draft.at is not None:
            return (c.draft.at + timedelta(days=7)).date().isoformat()
        tomorrow = self._clock.now().astimezone(self._zone).date() + timedelta(days=1)
        return typed(datetime.combine(tomorrow, time(14)))

    # -- the staff's list ---------------------------------------------------------------------

    async def listing(self) -> str:
        """/webinar list: the sessions coming up with their answers."""
        _ = self._
        counts, total = await self._webinars.upcoming_counts(self._clock.now(), LIST_LIMIT)
        if not counts:
            return _(w.LIST_NONE)
        lines = [_(w.LIST_HEADER)]
        for c in counts:
            session = c.session
            webinar = session.webinar
            params = {"webinar": webinar.id, "session": session.id,
                      "title": webinar.title(_.locale), "when": _.datetime(session.starts_at),
                      "yes": c.yes, "maybe": c.maybe, "no": c.no, "waitlisted": c.waitlisted}
            lines.append(_(w.LIST_LINE, capacity=webinar.capacity, **params)
                         if webinar.capacity is not None else _(w.LIST_LINE_NO_LIMIT, **params))
        if total > len(counts):
            lines.append(_(w.LIST_MORE, count=total - len(counts)))
        return "\n".join(lines)
