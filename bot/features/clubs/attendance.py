"""After each meeting the club's consultant gets the member list in the staff chat, with a button
per member to mark who came; what they mark is stored. A member marked absent from two meetings
gets a friendly message from the bot, and the consultant a button to open a case for them.
Never imports telegram."""

from __future__ import annotations

import logging

from bot.clock import Clock
from bot.features.cases.alerts import CaseAlerts, citizen_label
from bot.features.cases.model import CaseLevel, CaseSource
from bot.features.citizens import CitizenStore
from bot.features.clubs import wording
from bot.features.clubs.model import ClubSession, Mark
from bot.features.clubs.storage import ClubStore
from bot.features.staff import StaffService
from bot.features.staff.service import CASEWORK, OUTREACH, Role
from bot.i18n import Texts, Translator
from bot.outbox import Outbox, Priority
from bot.outbox.model import Buttons, Message
from bot.scheduler import Next, Timer

log = logging.getLogger(__name__)
KIND = "club-attendance"
"""Scheduler kind of the list at a meeting's end, and outbox kind of the list."""
MISSED_KIND = "club-missed"
MISSES_FOR_CHECK_IN = 2
View = tuple[str, Buttons]


class ClubAttendance:
    def __init__(self, store: ClubStore, citizens: CitizenStore, staff: StaffService,
                 alerts: CaseAlerts, outbox: Outbox, texts: Texts, clock: Clock,
                 staff_chat_id: int | None) -> None:
        self._store = store
        self._citizens = citizens
        self._staff = staff
        self._alerts = alerts
        self._outbox = outbox
        self._texts = texts
        self._clock = clock
        self._chat = staff_chat_id

    async def fire(self, timer: Timer) -> Next | None:
        """At the meeting's end: the member list into the staff chat."""
        session = await self._store.session(int(timer.data["session"]))
        if session is None or session.cancelled or session.club.cancelled or self._chat is None:
            return None
        if session.ends_at > self._clock.now():
            return Next(session.ends_at, timer.data)  # moved later meanwhile
        if not await self._store.marks(session.id):
            return None  # nobody to mark
        text, buttons = await self.view(session)
        await self._outbox.enqueue(self._chat, Message(text, buttons), priority=Priority.STAFF,
                                   kind=KIND, ref=session.id, key=f"{KIND}:{session.id}")
        return None

    async def view(self, session: ClubSession) -> View:
        """The list as it stands: one line per member with their mark, and their buttons."""
        _ = self._texts.staff
        club = session.club
        marks = await self._store.marks(session.id)
        params = {"title": club.title(_.locale), "number": session.number,
                  "when": _.datetime(session.starts_at),
                  "consultant": await self._staff.name_of(club.consultant_id)}
        lines = [_(wording.ATTENDANCE, **params), ""]
        rows = []
        for mark in marks:
            name = citizen_label(await self._citizens.by_id(mark.citizen_id), _)
            lines.append(_line(name, mark, _))
            data = f"clubatt|{session.id}|{mark.citizen_id}"
            rows.append((("✅ " + name, data + "|1"), ("❌ " + name, data + "|0")))
        return "\n".join(lines), tuple(rows)

    async def mark(self, staff_id: int, session_id: int, citizen_id: int,
                   attended: bool) -> tuple[str, View | None]:
        """A tap on the list: (the answer to show, the list again) or (why not, None)."""
        _ = self._texts.staff
        session = await self._store.session(session_id)
        if session is None or not await self._may(staff_id, session.club.consultant_id,
                                                  OUTREACH):
            return _(wording.NOT_YOURS), None
        await self._store.mark(session_id, citizen_id, attended, staff_id, self._clock.now())
        log.info("club %d meeting %d: citizen %d marked %s by staff %d", session.club.id,
                 session.number, citizen_id, "present" if attended else "absent", staff_id)
        if not attended and await self._store.missed(session.club.id,
                                                     citizen_id) >= MISSES_FOR_CHECK_IN:
            await self._check_in(session, citizen_id)
        return _(wording.MARKED), await self.view(session)

    async def _check_in(self, session: ClubSession, citizen_id: int) -> None:
        """Two meetings missed: a friendly word to the member, and the consultant asked
        whether to open a case (each once per club)."""
        club = session.club
        citizen = await self._citizens.by_id(citizen_id)
        if citizen is None:
            return
        if citizen.reachable:
            _ = self._texts.get(citizen.locale)
            await self._outbox.enqueue(
                citizen.chat_id, Message(_(wording.MISSED_TWO, title=club.title(_.locale))),
                priority=Priority.REMINDER, kind=MISSED_KIND, citizen_id=citizen.id,
                ref=club.id, at_most_once=True, key=f"{MISSED_KIND}:{club.id}:{citizen.id}")
        if self._chat is not None:
            staff = self._texts.staff
            await self._outbox.enqueue(
                self._chat, Message(staff(wording.MISSED_ALERT, title=club.title(staff.locale),
                                          citizen=citizen_label(citizen, staff)),
                                    (((staff(wording.OPEN_CASE),
                                       f"clubcase|{club.id}|{citizen.id}"),),)),
                priority=Priority.STAFF, kind=MISSED_KIND, ref=club.id, citizen_id=citizen.id,
                key=f"club-missed-alert:{club.id}:{citizen.id}")

    async def open_case(self, staff_id: int, club_id: int, citizen_id: int) -> str:
        """The consultant's button: a case for the member, alerted like any other."""
        _ = self._texts.staff
        club = await self._store.club(club_id)
        if club is None or not await self._may(staff_id, club.consultant_id, CASEWORK):
            return _(wording.NOT_YOURS)
        citizen = await self._citizens.by_id(citizen_id)
        if citizen is None:
            return _(wording.NOT_YOURS)
        opening = await self._alerts.raise_case(
            citizen.id, CaseLevel.CONCERN, CaseSource.CLUB_ABSENCE,
            text=_(wording.CASE_TEXT, title=club.title(_.locale)))
        log.info("club %d: staff %d opened case %d for citizen %d", club.id, staff_id,
                 opening.case.id, citizen.id)
        return _(wording.CASE_OPENED, case=opening.case.id, citizen=citizen_label(citizen, _))

    async def _may(self, staff_id: int, consultant_id: int, roles: frozenset[Role]) -> bool:
        if staff_id == consultant_id:
            return await self._staff.role_of(staff_id) is not None
        return await self._staff.allowed(staff_id, roles)


def _line(name: str, mark: Mark, _: Translator) -> str:
    state = _(wording.UNMARKED if mark.attended is None
              else wording.ATTENDED if mark.attended else wording.NOT_ATTENDED)
    if mark.cant_come:
        return _(wording.MEMBER_LINE_NOTICE, citizen=name, mark=state,
                 notice=_(wording.SAID_CANT_COME))
    return _(wording.MEMBER_LINE, citizen=name, mark=state)
