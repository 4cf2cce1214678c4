"""/club in the staff chat: a short dialog that creates a club exactly as `python -m bot club
create` does – the same checks and the same planner – with its state in the staff dialogs'
table (bot/staff_dialogs), so a restart continues where it was; and `/club list | link | move |
cancel`, the CLI's other actions. Only coordinators and admins (OUTREACH; the staff dialogs'
handlers check). Never imports telegram."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from datetime import timedelta
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.features.clubs import staff_wording as w
from bot.features.clubs import wording
from bot.features.clubs.compose_state import ORDER, TYPED, ClubDraft, Composing, Step
from bot.features.clubs.planning import ClubPlanner, checked_weeks
from bot.features.clubs.storage import ClubStore, NewClub
from bot.features.staff import Role, StaffService
from bot.features.webinars.planning import (
    PlanningError,
    Problem,
    checked_capacity,
    checked_link,
    checked_minutes,
    checked_title,
)
from bot.i18n import Texts
from bot.local_time import LocalTimeError, local_to_utc, parse_local_time
from bot.outbox.model import Buttons, Message
from bot.staff_dialogs.base import DialogBase
from bot.staff_dialogs.model import Outcome
from bot.staff_dialogs.storage import StaffDialogStore

log = logging.getLogger(__name__)
KIND = "club"
CHOICES = {Step.WEEKS: (4, 6, 8), Step.MINUTES: (60, 90, 120), Step.CAPACITY: (8, 10, 12)}


class ClubComposer(DialogBase[Composing]):
    command_name: ClassVar[str] = "club"
    pattern: ClassVar[str] = w.PATTERN
    not_allowed: ClassVar[str] = wording.OUTREACH_ONLY
    citizen_topic: ClassVar[str | None] = None

    def __init__(self, store: StaffDialogStore[Composing], clubs: ClubStore,
                 staff: StaffService, on_change: Callable[[], Awaitable[Any]], texts: Texts,
                 clock: Clock, zone: ZoneInfo) -> None:
        """`on_change`: the clubs' changes sweep (timers, notices to members), run at once
        after a club was created or changed."""
        super().__init__(store, texts, clock, on_change)
        self._clubs = clubs
        self._staff = staff
        self._zone = zone
        self._planner = ClubPlanner(clubs, clock, zone)

    # the dialog --------------------------------------------------------------------------
    async def begin(self, staff_user_id: int, thread_id: int | None) -> Outcome:
        """/club: the draft open in this topic where it was left, or a new one."""
        found = await self._store.find(staff_user_id, thread_id)
        if found is not None:
            return self.resumed(await self._show(found), self._(w.RESUMED))
        fresh = Composing(0, staff_user_id, thread_id or 0, Step.TITLE_DA)
        fresh = replace(fresh, id=await self._store.open(fresh, self._clock.now()))
        log.info("club draft %d opened by staff %d", fresh.id, staff_user_id)
        return await self._show(fresh)

    async def typed(self, staff_user_id: int, thread_id: int | None,
                    text: str) -> Outcome | None:
        """The staff member's next line in the topic; None when no step here waits for one."""
        c = await self._store.find(staff_user_id, thread_id)
        if c is None or c.step not in TYPED:
            return None
        try:
            return await self._answer(c, text.strip())
        except PlanningError as exc:
            return await self._again(c, self._(w.PROBLEMS[exc.problem]))
        except LocalTimeError:
            return await self._again(c, self._(w.BAD_TIME, example=self._example()))

    async def pressed(self, staff_user_id: int, data: str) -> Outcome:
        """`clubnew|<draft id>|<step>|<choice>` (staff_wording.PATTERN)."""
        _prefix, compose_id, step, choice = data.split("|")
        c = await self._store.get(int(compose_id))
        if c is None or c.step.value != step:
            return Outcome(notice=self._(w.STALE), alert=True)
        if c.staff_user_id != staff_user_id:
            return Outcome(notice=self._(w.NOT_YOURS), alert=True)
        if choice == "cancel":
            return await self._close(c)
        if c.step is Step.LANGUAGE and choice in w.LANGUAGE_BUTTONS:
            return await self._next(c, replace(c.draft, locale=choice))
        if c.step is Step.LINK and choice == "later":
            return await self._next(c, replace(c.draft, link=None))
        if c.step is Step.SUMMARY and choice == "create":
            return await self._create(c)
        if c.step in TYPED and choice.isdigit():
            return await self.typed(staff_user_id, c.thread, choice) or Outcome()
        return Outcome(notice=self._(w.STALE), alert=True)

    async def _answer(self, c: Composing, text: str) -> Outcome:
        """A typed answer, checked as `club create` checks its options."""
        d = c.draft
        if c.step is Step.TITLE_DA:
            return await self._next(c, replace(d, title_da=checked_title(text)))
        if c.step is Step.TITLE_EN:
            return await self._next(c, replace(d, title_en=checked_title(text)))
        if c.step is Step.CONSULTANT:
            if not text.isdigit():
                return await self._again(c, self._(w.BAD_CONSULTANT))
            return await self._next(c, replace(d, consultant_id=int(text)))
        if c.step is Step.START:
            start = parse_local_time(text)
            if local_to_utc(start, self._zone) <= self._clock.now():
                raise PlanningError(Problem.PAST, "in the past")
            return await self._next(c, replace(d, start=start))
        if c.step is Step.WEEKS:
            return await self._next(c, replace(d, weeks=checked_weeks(text)))
        if c.step is Step.MINUTES:
            return await self._next(c, replace(d, minutes=checked_minutes(text)))
        if c.step is Step.CAPACITY:
            return await self._next(c, replace(d, capacity=checked_capacity(text)))
        assert c.step is Step.LINK
        return await self._next(c, replace(d, link=checked_link(text)))

    async def _next(self, c: Composing, draft: ClubDraft) -> Outcome:
        moved = replace(c, draft=draft, step=ORDER[ORDER.index(c.step) + 1])
        await self._store.save(moved, self._clock.now())
        return await self._show(moved)

    async def _create(self, c: Composing) -> Outcome:
        """As `club create`: the planner checks the time again (it may have passed since)."""
        d = c.draft
        assert d.title_da and d.title_en and d.consultant_id is not None and d.start
        new = NewClub(d.title_da, d.title_en, d.consultant_id, d.capacity, d.locale, d.minutes,
                      d.link)
        try:
            club_id = await self._planner.create(new, d.start, d.weeks,
                                                 f"staff:{c.staff_user_id}")
        except PlanningError as exc:
            c = replace(c, step=Step.START)
            await self._store.save(c, self._clock.now())
            return await self._again(c, self._(w.PROBLEMS[exc.problem]))
        if not await self._store.close(c.id):
            return Outcome(notice=self._(w.STALE), alert=True)
        log.info("club %d created by staff %d in the staff chat", club_id, c.staff_user_id)
        text = self._(w.CREATED, club=club_id, title=d.title_da if self._.locale == "da"
                      else d.title_en, when=self._.datetime(local_to_utc(d.start, self._zone)))
        return Outcome(Message(text), thread_id=c.thread or None, changed=True)

    async def _close(self, c: Composing) -> Outcome:
        await self._store.close(c.id)
        log.info("club draft %d dropped", c.id)
        return Outcome(Message(self._(w.DROPPED)), thread_id=c.thread or None)

    async def _again(self, c: Composing, problem: str) -> Outcome:
        shown = await self._show(c)
        assert shown.screen is not None
        return replace(shown, screen=replace(shown.screen,
                                             text=f"{problem}\n\n{shown.screen.text}"))

    async def _show(self, c: Composing) -> Outcome:
        _ = self._
        data = f"clubnew|{c.id}|{c.step.value}|"
        rows: list[tuple[tuple[str, str], ...]] = []
        text = _(w.PROMPTS[c.step], example=self._example()) if c.step is Step.START else (
            _(w.PROMPTS[c.step]))
        if c.step is Step.CONSULTANT:
            staff = [(user_id, role) for user_id, role in await self._staff.list()
                     if role in (Role.CONSULTANT, Role.ADMIN)]
            rows += [((await self._staff.name_of(user_id), data + str(user_id)),)
                     for user_id, _role in staff]
        elif c.step in CHOICES:
            rows.append(tuple((str(n), data + str(n)) for n in CHOICES[c.step]))
        elif c.step is Step.LANGUAGE:
            rows.append(tuple((_(label), data + locale)
                              for locale, label in w.LANGUAGE_BUTTONS.items()))
        elif c.step is Step.LINK:
            rows.append(((_(w.LATER), data + "later"),))
        elif c.step is Step.SUMMARY:
            text = await self._summary(c.draft)
            rows.append(((_(w.CREATE), data + "create"),))
        rows.append(((_(w.CANCEL), data + "cancel"),))
        buttons: Buttons = tuple(rows)
        return Outcome(Message(text, buttons), thread_id=c.thread or None, step=True)

    async def _summary(self, d: ClubDraft) -> str:
        assert d.start is not None and d.consultant_id is not None
        return self._(w.PROMPTS[Step.SUMMARY], title_da=d.title_da, title_en=d.title_en,
                      consultant=await self._staff.name_of(d.consultant_id),
                      when=self._.datetime(local_to_utc(d.start, self._zone)), weeks=d.weeks,
                      minutes=d.minutes, capacity=d.capacity,
                      language=self._(wording.LANGUAGE_LINES[d.locale]),
                      link=d.link or self._(w.NO_LINK))

    def _example(self) -> str:
        soon = (self._clock.now() + timedelta(days=7)).astimezone(self._zone)
        return soon.strftime("%Y-%m-%d") + " 14:00"

    # /club list | link | move | cancel ----------------------------------------------------
    async def command(self, args: Sequence[str]) -> tuple[str, bool] | None:
        """The staff chat's other /club actions: (the answer, whether a club changed)."""
        _ = self._
        action = args[0].lower() if args else ""
        numbers = len(args) > 1 and args[1].isdigit()
        try:
            if action == "list":
                return await self._list(), False
            if action == "link" and numbers and len(args) == 3:
                await self._planner.edit(int(args[1]), None, checked_link(args[2]))
                return _(w.LINKED, club=args[1]), True
            if action == "move" and numbers and len(args) == 4:
                change = await self._planner.edit(int(args[1]),
                                                  parse_local_time(" ".join(args[2:])), None)
                return _(w.MOVED, club=args[1], moved=change.moved), True
            if action == "cancel" and numbers and len(args) == 2:
                await self._planner.cancel(int(args[1]))
                return _(w.CLUB_CANCELLED, club=args[1]), True
            if action == "cancel" and numbers and len(args) == 3 and args[2].isdigit():
                session = await self._planner.cancel_session(int(args[1]), int(args[2]))
                return _(w.SESSION_CANCELLED, club=args[1], number=session.number,
                         when=_.datetime(session.starts_at)), True
        except PlanningError as exc:
            return _(w.PROBLEMS[exc.problem]), False
        except LocalTimeError:
            return _(w.BAD_TIME, example=self._example()), False
        return _(w.USAGE), False

    async def _list(self) -> str:
        _ = self._
        now = self._clock.now()
        lines = []
        for club in await self._clubs.clubs():
            upcoming = [s for s in await self._clubs.sessions(club.id)
                        if not s.cancelled and s.starts_at > now]
            params = {"club": club.id, "title": club.title(_.locale),
                      "language": _(wording.LANGUAGE_LINES[club.locale])}
            if club.cancelled or not upcoming:
                lines.append(_(w.LIST_LINE_OVER, **params))
                continue
            seats = await self._clubs.seats(club.id)
            lines.append(_(w.LIST_LINE, **params, when=_.datetime(upcoming[0].starts_at),
                           taken=seats.taken, capacity=club.capacity, waiting=seats.waiting))
        return "\n".join(lines) or _(w.NO_CLUBS)
