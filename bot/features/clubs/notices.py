"""What members hear about their club's meetings: the reminder the day before (no link) and the
one CLUB_REMINDER_MINUTES before (with the link), each with "Can't come"; notices of a new time,
a new link or a cancellation with an updated calendar file; and, when a whole club is called
off, the next club of its kind; and the timer of the evaluation after the last meeting
(bot/features/clubs/evaluation.py). Never imports telegram.

Everything goes through the outbox with an idempotency key per session or club version and
citizen, so a retried timer or sweep never tells anyone twice.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.clock import Clock, to_db
from bot.engine.screen import Moment, Phrase, Value, render
from bot.features.checkin.timing import ContactRules
from bot.features.citizens import Citizen, CitizenStore
from bot.features.clubs import wording
from bot.features.clubs.attendance import KIND as ATTENDANCE_KIND
from bot.features.clubs.evaluation import KIND as EVALUATION_KIND
from bot.features.clubs.evaluation import timer_key as evaluation_key
from bot.features.clubs.model import Club, ClubSession
from bot.features.clubs.service import ClubService, Reply, eligible, paragraphs
from bot.features.clubs.storage import ClubStore
from bot.i18n import Texts
from bot.outbox import Outbox, Priority
from bot.outbox.model import Buttons, Message
from bot.scheduler import Next, Scheduler, Timer

log = logging.getLogger(__name__)
DAY_BEFORE_KIND = "club-day-before"
REMINDER_KIND = "club-reminder"
NOTICE_KIND = "club-notice"
ASK_LEAVE_AFTER = 2
""""Can't come" this many meetings in a row: asked whether to keep the seat."""


class ClubNotices:
    def __init__(self, clubs: ClubService, store: ClubStore, citizens: CitizenStore,
                 outbox: Outbox, scheduler: Scheduler, texts: Texts, clock: Clock, *,
                 zone: ZoneInfo, rules: ContactRules, reminder: timedelta) -> None:
        self._clubs = clubs
        self._store = store
        self._citizens = citizens
        self._outbox = outbox
        self._scheduler = scheduler
        self._texts = texts
        self._clock = clock
        self._zone = zone
        self._rules = rules
        self._reminder = reminder

    # changes -------------------------------------------------------------------------
    async def handle_changes(self) -> int:
        """Sweep: clubs created or changed since last time (the CLI only writes the database)
        get their timers armed, and their members are told of a change."""
        handled = 0
        for club in await self._store.unhandled():
            sessions = await self._store.sessions(club.id)
            await self._arm(club, sessions)
            if club.notified_version is not None:
                await self._tell_change(club, sessions)
            await self._store.mark_handled(club, sessions)
            handled += 1
        return handled

    async def _arm(self, club: Club, sessions: list[ClubSession]) -> None:
        now = self._clock.now()
        await self._arm_evaluation(club, sessions, now)
        for session in sessions:
            keys = {kind: f"{kind}:{session.id}"
                    for kind in (DAY_BEFORE_KIND, REMINDER_KIND, ATTENDANCE_KIND)}
            if club.cancelled or session.cancelled:
                for key in keys.values():
                    await self._scheduler.cancel(key)
                continue
            if session.ends_at <= now:
                continue
            data = {"session": session.id}
            await self._scheduler.set(keys[DAY_BEFORE_KIND], DAY_BEFORE_KIND, None,
                                      self._day_before(session), data)
            await self._scheduler.set(keys[REMINDER_KIND], REMINDER_KIND, None,
                                      session.starts_at - self._reminder, data)
            await self._scheduler.set(keys[ATTENDANCE_KIND], ATTENDANCE_KIND, None,
                                      session.ends_at, data)

    async def _arm_evaluation(self, club: Club, sessions: list[ClubSession],
                              now: datetime) -> None:
        """The evaluation follows the end of the last meeting that is held."""
        held = [s for s in sessions if not s.cancelled]
        key = evaluation_key(club.id)
        if club.cancelled or not held:
            await self._scheduler.cancel(key)
        elif held[-1].ends_at > now:
            await self._scheduler.set(key, EVALUATION_KIND, None, held[-1].ends_at,
                                      {"club": club.id})

    def _day_before(self, session: ClubSession) -> datetime:
        """The same local time the day before (whatever summer time does), or the end of quiet
        hours after it."""
        local = session.starts_at.astimezone(self._zone).replace(tzinfo=None)
        return self._rules.next_allowed((local - timedelta(days=1)).replace(
            tzinfo=self._zone), None)

    async def _tell_change(self, club: Club, sessions: list[ClubSession]) -> None:
        if club.cancelled:
            await self._tell_cancelled(club, sessions)
            return
        now = self._clock.now()
        moved = [s for s in sessions if not s.cancelled and s.notified_starts_at is not None
                 and s.notified_starts_at != s.starts_at]
        called_off = [s for s in sessions if s.cancelled and not s.notified_cancelled]
        new_link = club.link is not None and club.link != club.notified_link
        upcoming = [s for s in sessions if not s.cancelled and s.starts_at > now]
        if not (moved or called_off or new_link):
            return
        for citizen_id in await self._store.members(club.id):
            citizen = await self._reachable(citizen_id)
            if citizen is None:
                continue
            _ = self._texts.get(citizen.locale)
            title = club.title(_.locale)
            parts: list[Value] = []
            if moved:
                parts.append(Phrase(wording.MOVED, {"title": title,
                                                    "when": Moment(moved[0].starts_at)}))
            parts += [Phrase(wording.SESSION_CANCELLED, {"title": title,
                                                         "when": Moment(s.starts_at)})
                      for s in called_off]
            if new_link:
                visible = bool(upcoming) and now >= upcoming[0].starts_at - self._reminder
                parts.append(Phrase(wording.NEW_LINK if visible else wording.NEW_LINK_LATER,
                                    {"title": title, "link": club.link or "",
                                     "minutes": self._clubs.minutes}))
            document = None
            if moved or called_off:
                parts.append(Phrase(wording.UPDATED_FILE))
                document = self._clubs.calendar(sessions, _)
            await self._outbox.enqueue(
                citizen.chat_id, Message(paragraphs(parts, _), document=document),
                priority=Priority.REMINDER, kind=NOTICE_KIND, citizen_id=citizen.id,
                ref=club.id, at_most_once=True,
                key=f"club-change:{club.id}:{citizen.id}:{club.version}")

    async def _tell_cancelled(self, club: Club, sessions: list[ClubSession]) -> None:
        """A club called off: its members get the calendar file that removes it, and they and
        those who waited are offered the next club of the same kind; then nobody is left in."""
        now = self._clock.now()
        members = await self._store.members(club.id)
        waiting = await self._store.waiting(club.id)
        for citizen_id in members + waiting:
            citizen = await self._reachable(citizen_id)
            if citizen is not None:
                _ = self._texts.get(citizen.locale)
                seated = citizen_id in members
                parts: list[Value] = [Phrase(wording.CLUB_CANCELLED if seated
                                             else wording.CLUB_CANCELLED_WAITING,
                                             {"title": club.title(_.locale)})]
                buttons: Buttons = ()
                following = await self._next_club(club, citizen)
                if following is None:
                    parts.append(Phrase(wording.NO_NEXT_CLUB))
                else:
                    other, first = following
                    parts.append(Phrase(wording.NEXT_CLUB, {"title": other.title(_.locale),
                                                            "when": Moment(first.starts_at)}))
                    buttons = (((_(wording.JOIN), f"club|join|{other.id}"),),)
                await self._outbox.enqueue(
                    citizen.chat_id, Message(paragraphs(parts, _), buttons,
                                             document=self._clubs.calendar(sessions, _)
                                             if seated else None),
                    priority=Priority.REMINDER, kind=NOTICE_KIND, citizen_id=citizen.id,
                    ref=club.id, at_most_once=True,
                    key=f"club-cancelled:{club.id}:{citizen.id}")
            await self._store.leave(club.id, citizen_id, "cancelled", now)
        log.info("club %d cancelled: %d members and %d waiting told", club.id, len(members),
                 len(waiting))

    async def _next_club(self, club: Club,
                         citizen: Citizen) -> tuple[Club, ClubSession] | None:
        """The soonest open club of the same kind the citizen may join."""
        now = self._clock.now()
        for other in await self._store.open_clubs(now):
            if other.id != club.id and other.kind == club.kind and eligible(other, citizen):
                first = next(s for s in await self._store.sessions(other.id)
                             if not s.cancelled and s.starts_at > now)
                return other, first
        return None

    # reminders -----------------------------------------------------------------------
    async def fire_day_before(self, timer: Timer) -> Next | None:
        """The day before: when and that the link follows; never the link itself."""
        return await self._remind(timer, day_before=True)

    async def fire_reminder(self, timer: Timer) -> Next | None:
        """CLUB_REMINDER_MINUTES before: the link, to every member."""
        return await self._remind(timer, day_before=False)

    async def _remind(self, timer: Timer, *, day_before: bool) -> Next | None:
        session = await self._store.session(int(timer.data["session"]))
        now = self._clock.now()
        if session is None or session.cancelled or session.club.cancelled \
                or session.ends_at <= now:
            return None
        link_due = session.starts_at - self._reminder
        due = self._day_before(session) if day_before else link_due
        if now < due:
            return Next(due, timer.data)  # moved later meanwhile
        if day_before and now >= link_due:
            return None  # too late for it: the reminder with the link comes now
        kind = DAY_BEFORE_KIND if day_before else REMINDER_KIND
        club = session.club
        for citizen_id in await self._store.members(club.id):
            citizen = await self._reachable(citizen_id)
            if citizen is None:
                continue
            _ = self._texts.get(citizen.locale)
            params = self._clubs.params(club, session, _.locale)
            msgid = (wording.DAY_BEFORE if day_before
                     else wording.REMINDER if club.link else wording.REMINDER_NO_LINK)
            await self._outbox.enqueue(
                citizen.chat_id, Message(render(Phrase(msgid, params), _),
                                         (((_(wording.CANT_COME),
                                            f"club|cantcome|{session.id}"),),)),
                priority=Priority.REMINDER, kind=kind, citizen_id=citizen.id, ref=club.id,
                at_most_once=True,
                key=f"{kind}:{session.id}:{citizen.id}:{to_db(session.starts_at)}")
        return None

    # "can't come" ----------------------------------------------------------------------
    async def cant_come(self, citizen: Citizen, session_id: int) -> Reply:
        """Noted for the consultant's list; the second meeting in a row asks, kindly, whether
        they want to keep the seat."""
        _ = self._texts.get(citizen.locale)
        session = await self._store.session(session_id)
        if session is None or session.cancelled or session.ends_at <= self._clock.now():
            return _(wording.CLOSED), ()
        club = session.club
        if citizen.id not in await self._store.members(club.id):
            return _(wording.NOT_IN, title=club.title(_.locale)), ()
        if not await self._store.cant_come(session.id, citizen.id, self._clock.now()):
            return _(wording.CANT_COME_AGAIN), ()
        log.info("club %d: citizen %d cannot come to meeting %d", club.id, citizen.id,
                 session.number)
        noted = _(wording.CANT_COME_NOTED, when=_.datetime(session.starts_at))
        streak = await self._store.cant_come_streak(club.id, citizen.id, session.number)
        if streak < ASK_LEAVE_AFTER:
            return noted, ()
        return (noted + "\n\n" + _(wording.ASK_LEAVE, title=club.title(_.locale)),
                (((_(wording.KEEP_SEAT), f"club|keep|{club.id}"),
                  (_(wording.LEAVE), f"club|leave|{club.id}")),))

    async def keep_seat(self, citizen: Citizen, club_id: int) -> str:
        _ = self._texts.get(citizen.locale)
        club = await self._store.club(club_id)
        if club is None:
            return _(wording.CLOSED)
        if citizen.id not in await self._store.members(club_id):
            return _(wording.NOT_IN, title=club.title(_.locale))
        return _(wording.KEPT, title=club.title(_.locale))

    async def _reachable(self, citizen_id: int) -> Citizen | None:
        citizen = await self._citizens.by_id(citizen_id)
        return citizen if citizen is not None and citizen.reachable else None
