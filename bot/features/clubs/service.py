"""Job clubs for citizens: the list, joining (with the job-club consent asked inline), the
waitlist, timed seat offers, leaving. Never imports telegram.

A seat freed by anyone (leaving, /stop, /delete, blocking, a declined or lapsed offer) is
offered at once to the first who waits; the sweep `fill_all` does the same every 10 s for what
happened elsewhere (a consent withdrawn in /menu, a block seen by Telegram), so an offer goes
out within one sweep. Offers and their deadlines are rows and timers in the database, so a
restart keeps them.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.engine.screen import Moment, Phrase, Value, render
from bot.feature import StoredData
from bot.features.checkin.timing import ContactRules
from bot.features.citizens import Citizen, CitizenStore, Purpose
from bot.features.clubs import wording
from bot.features.clubs.calendar import club_calendar
from bot.features.clubs.model import Club, ClubSession, JoinResult, SeatOffer, Standing
from bot.features.clubs.offers import offer_window
from bot.features.clubs.storage import ClubStore
from bot.i18n import N_, Refusal, Texts, Translator
from bot.outbox import Outbox, Priority
from bot.outbox.model import Buttons, Document, Message
from bot.scheduler import Next, Scheduler, Timer

log = logging.getLogger(__name__)
OFFER_KIND = "club-offer"
"""Outbox kind of a seat offer, and scheduler kind of its deadline."""
CALENDAR_KIND = "club-calendar"
NOTICE_KIND = "club-notice"
Reply = tuple[str, Buttons]


class ClubService:
    def __init__(self, store: ClubStore, citizens: CitizenStore, outbox: Outbox,
                 scheduler: Scheduler, texts: Texts, clock: Clock, *, zone: ZoneInfo,
                 rules: ContactRules, reminder: timedelta, offer_hours: timedelta) -> None:
        self.store = store
        self._citizens = citizens
        self._outbox = outbox
        self._scheduler = scheduler
        self._texts = texts
        self._clock = clock
        self._zone = zone
        self._rules = rules
        self._reminder = reminder
        self._offer_hours = offer_hours

    @property
    def minutes(self) -> int:
        return int(self._reminder.total_seconds() // 60)

    # the citizen's view -----------------------------------------------------------------
    async def overview(self, citizen: Citizen) -> list[Reply]:
        """/clubs: a heading, then each club open to them (and any they are in) with where
        they stand and the button that fits."""
        _ = self._texts.get(citizen.locale)
        now = self._clock.now()
        theirs = {club.id for club, _standing in await self.store.citizen_clubs(citizen.id, now)}
        shown = []
        for club in await self.store.open_clubs(now):
            if club.id in theirs or eligible(club, citizen):
                shown.append(await self._club_entry(club, citizen, _))
        if not shown:
            return [(_(wording.NONE_OPEN), ())]
        return [(_(wording.HEADER), ()), *shown]

    async def _club_entry(self, club: Club, citizen: Citizen, _: Translator) -> Reply:
        standing = await self.store.standing(club.id, citizen.id, self._clock.now())
        seats = await self.store.seats(club.id)
        sessions = await self._upcoming(club)
        free = seats.free(club.capacity)
        left = free if seats.waiting == 0 else max(0, free - seats.waiting)
        parts: list[Value] = [Phrase(wording.CLUB_LINE, {
            **self.params(club, sessions[0], _.locale), "meetings": len(sessions),
            "minutes": club.minutes, "language": Phrase(wording.LANGUAGE_LINES[club.locale]),
            "seats": left, "capacity": club.capacity})]
        buttons: Buttons
        if standing.member:
            parts.append(Phrase(wording.YOU_ARE_MEMBER))
            buttons = (((_(wording.LEAVE), f"club|leave|{club.id}"),),)
        elif standing.offer is not None:
            parts.append(Phrase(wording.YOU_ARE_OFFERED,
                                {"deadline": Moment(standing.offer.expires_at)}))
            buttons = offer_buttons(standing.offer.id, _)
        elif standing.position is not None:
            parts.append(Phrase(wording.YOU_WAIT, {"position": standing.position}))
            buttons = (((_(wording.LEAVE_WAITLIST), f"club|leave|{club.id}"),),)
        else:
            label = wording.JOIN if left > 0 else wording.WAITLIST
            buttons = (((_(label), f"club|join|{club.id}"),),)
        return paragraphs(parts, _), buttons

    def params(self, club: Club, session: ClubSession, locale: str) -> dict[str, Value]:
        return {"title": club.title(locale), "when": Moment(session.starts_at),
                "minutes": self.minutes, "link": club.link or ""}

    async def _upcoming(self, club: Club) -> list[ClubSession]:
        now = self._clock.now()
        return [s for s in await self.store.sessions(club.id)
                if not s.cancelled and s.starts_at > now]

    # joining --------------------------------------------------------------------------
    async def join(self, citizen: Citizen, club_id: int) -> Reply:
        """Join (or Waitlist): the consent first if it is missing, then a seat with the calendar
        file, or a place on the waitlist with its number."""
        _ = self._texts.get(citizen.locale)
        club = await self.store.club(club_id)
        sessions = await self._upcoming(club) if club is not None else []
        if club is None or club.cancelled or not sessions:
            return _(wording.CLOSED), ()
        if not eligible(club, citizen):
            return _(wording.NOT_FOR_YOU), ()
        consents = await self._citizens.consents(citizen.id)
        record = consents.get(Purpose.JOB_CLUB)
        if record is None or not record.granted:
            return _(wording.CONSENT_ASK), (
                ((_(wording.CONSENT_YES), f"club|consent|{club.id}"),
                 (_(wording.CONSENT_NO), f"club|noconsent|{club.id}")),)
        joined = await self.store.join(club.id, citizen.id, self._clock.now())
        log.info("club %d: citizen %d %s", club.id, citizen.id, joined.result.value)
        params = {**self.params(club, sessions[0], _.locale), "position": joined.position or 0}
        if joined.result is JoinResult.JOINED:
            await self.send_calendar(citizen, club, wording.JOINED_CALENDAR)
            return render(Phrase(wording.JOINED, params), _), ()
        msgid = {JoinResult.WAITLISTED: wording.WAITLISTED,
                 JoinResult.MEMBER_ALREADY: wording.MEMBER_ALREADY,
                 JoinResult.WAITING_ALREADY: wording.WAITING_ALREADY}[joined.result]
        return render(Phrase(msgid, params), _), ()

    async def give_consent(self, citizen: Citizen, club_id: int) -> Reply:
        """Yes to the job-club consent asked inline: recorded like the welcome's, then the join
        it was asked for."""
        await self._citizens.record_consents(citizen.id, {Purpose.JOB_CLUB: True},
                                             self.consent_text_version(citizen.locale),
                                             self._clock.now())
        log.info("citizen %d consented to job clubs from /clubs", citizen.id)
        return await self.join(citizen, club_id)

    def decline_consent(self, citizen: Citizen) -> str:
        return self._texts.get(citizen.locale)(wording.CONSENT_DECLINED)

    def consent_text_version(self, locale: str) -> str:
        """The version of the inline consent question, as shown in this language."""
        _ = self._texts.get(locale)
        shown = "\x1f".join(_(m) for m in (wording.CONSENT_ASK, wording.CONSENT_YES,
                                           wording.CONSENT_NO))
        return f"clubs-{locale}-{hashlib.sha256(shown.encode()).hexdigest()[:10]}"

    async def send_calendar(self, citizen: Citizen, club: Club, caption: str) -> None:
        """The club's .ics (every meeting) with a caption, through the outbox: the answer to
        the citizen's own tap (Join, Accept), so in the reply lane, not counted as unsolicited;
        a second tap gets no second seat, so no key is needed against a second file."""
        _ = self._texts.get(citizen.locale)
        sessions = await self.store.sessions(club.id)
        upcoming = [s for s in sessions if not s.cancelled and s.starts_at > self._clock.now()]
        params = self.params(club, (upcoming or sessions)[0], _.locale)
        await self._outbox.enqueue(
            citizen.chat_id, Message(render(Phrase(caption, params), _),
                                     document=self.calendar(sessions, _)),
            priority=Priority.RELAY, kind=CALENDAR_KIND, citizen_id=citizen.id, ref=club.id,
            at_most_once=True)

    def calendar(self, sessions: list[ClubSession], _: Translator) -> Document:
        return club_calendar(sessions, _, self._zone, self._reminder, self._clock.now())

    # leaving --------------------------------------------------------------------------
    async def leave(self, citizen: Citizen, club_id: int, reason: str = "left") -> str:
        """Leave the club or its waitlist; a seat freed goes to the next at once."""
        _ = self._texts.get(citizen.locale)
        club = await self.store.club(club_id)
        if club is None:
            return _(wording.CLOSED)
        standing = await self.store.standing(club_id, citizen.id, self._clock.now())
        if not (standing.member or standing.position is not None or standing.offer):
            return _(wording.NOT_IN, title=club.title(_.locale))
        if await self.store.leave(club_id, citizen.id, reason, self._clock.now()):
            await self.fill(club_id)
        log.info("club %d: citizen %d left (%s)", club_id, citizen.id,
                 "seat" if standing.member else "waitlist")
        msgid = wording.LEFT if standing.member else wording.LEFT_WAITLIST
        return _(msgid, title=club.title(_.locale))

    async def citizen_gone(self, citizen_id: int, reason: str = "blocked") -> None:
        """Blocked, stopped or erased: off every club, and the seats offered to the next."""
        for club_id in await self.store.leave_all(citizen_id, reason, self._clock.now()):
            log.info("club %d: citizen %d's seat freed (%s)", club_id, citizen_id, reason)
            await self.fill(club_id)

    async def citizen_changed(self, citizen_id: int) -> None:
        """Consents saved (e.g. job clubs switched off in /menu): no consent, no seat."""
        record = (await self._citizens.consents(citizen_id)).get(Purpose.JOB_CLUB)
        if record is None or not record.granted:
            await self.citizen_gone(citizen_id, "stopped")

    async def before_erasure(self, citizen_id: int) -> str | None:
        await self.citizen_gone(citizen_id, "erased")
        return None

    # seat offers ----------------------------------------------------------------------
    async def fill_all(self) -> int:
        """Sweep: those who blocked the bot or withdrew the job-club consent lose their seat
        (and place and offer), then every free seat of every open club is offered."""
        for citizen_id, blocked in await self.store.gone():
            await self.citizen_gone(citizen_id, "blocked" if blocked else "stopped")
        made = 0
        window = self._window()  # once per sweep: it walks the day minute by minute
        for club in await self.store.open_clubs(self._clock.now()):
            made += await self.fill(club.id, window)
        return made

    def _window(self) -> tuple[datetime, datetime]:
        return offer_window(self._rules, self._clock.now(), self._offer_hours)

    async def fill(self, club_id: int, window: tuple[datetime, datetime] | None = None) -> int:
        """Offer each free seat to the first who waits (from the end of quiet hours, for
        SEAT_OFFER_HOURS outside them); returns how many offers were made."""
        club = await self.store.club(club_id)
        sessions = await self._upcoming(club) if club is not None else []
        if club is None or not sessions:
            return 0
        offered_at, expires_at = window or self._window()
        offers = await self.store.make_offers(club_id, offered_at, expires_at, self._clock.now())
        for offer in offers:
            await self._scheduler.set(f"{OFFER_KIND}:{offer.id}", OFFER_KIND, offer.citizen_id,
                                      offer.expires_at, {"offer": offer.id})
            await self._send_offer(club, sessions[0], offer)
        return len(offers)

    async def _send_offer(self, club: Club, session: ClubSession, offer: SeatOffer) -> None:
        citizen = await self._reachable(offer.citizen_id)
        log.info("club %d: seat offered to citizen %d", club.id, offer.citizen_id)
        if citizen is None:
            return
        _ = self._texts.get(citizen.locale)
        text = render(Phrase(wording.OFFER, {**self.params(club, session, _.locale),
                                             "deadline": Moment(offer.expires_at)}), _)
        await self._outbox.enqueue(
            citizen.chat_id, Message(text, offer_buttons(offer.id, _)),
            priority=Priority.REMINDER, kind=OFFER_KIND, citizen_id=citizen.id,
            key=f"{OFFER_KIND}:{offer.id}", ref=club.id, at_most_once=True,
            not_before=offer.offered_at)

    async def answer_offer(self, citizen: Citizen, offer_id: int, accept: bool) -> str:
        """Accept takes the seat the offer holds (never one someone else has); No thanks passes
        it to the next at once."""
        _ = self._texts.get(citizen.locale)
        offer = await self.store.offer(offer_id)
        club = await self.store.club(offer.club_id) if offer is not None else None
        if offer is None or club is None or offer.citizen_id != citizen.id:
            return _(wording.OFFER_GONE)
        now = self._clock.now()
        if not accept:
            if not await self.store.decline(offer_id, citizen.id, now):
                return _(wording.OFFER_GONE)
            await self._scheduler.cancel(f"{OFFER_KIND}:{offer_id}")
            log.info("club %d: citizen %d declined the seat", club.id, citizen.id)
            await self.fill(club.id)
            return _(wording.OFFER_DECLINED, title=club.title(_.locale))
        if not await self.store.accept(offer_id, citizen.id, now):
            return _(wording.OFFER_GONE)
        await self._scheduler.cancel(f"{OFFER_KIND}:{offer_id}")
        log.info("club %d: citizen %d accepted the seat", club.id, citizen.id)
        sessions = await self._upcoming(club)
        await self.send_calendar(citizen, club, wording.JOINED_CALENDAR)
        session = sessions[0] if sessions else (await self.store.sessions(club.id))[-1]
        return render(Phrase(wording.OFFER_TAKEN, self.params(club, session, _.locale)), _)

    async def fire_offer_expiry(self, timer: Timer) -> Next | None:
        """The deadline passed unanswered: the citizen is told, and the seat goes to the next."""
        offer = await self.store.expire(int(timer.data["offer"]), self._clock.now())
        if offer is None:
            return None
        club = await self.store.club(offer.club_id)
        log.info("club %d: citizen %d's seat offer ran out", offer.club_id, offer.citizen_id)
        citizen = await self._reachable(offer.citizen_id)
        if citizen is not None and club is not None:
            _ = self._texts.get(citizen.locale)
            await self._outbox.enqueue(
                citizen.chat_id, Message(_(wording.OFFER_EXPIRED, title=club.title(_.locale),
                                           deadline=_.datetime(offer.expires_at))),
                priority=Priority.REMINDER, kind=NOTICE_KIND, citizen_id=citizen.id,
                key=f"club-offer-expired:{offer.id}", ref=offer.club_id, at_most_once=True,
                not_before=self._rules.next_allowed(self._clock.now(), None))
        await self.fill(offer.club_id)
        return None

    async def _reachable(self, citizen_id: int) -> Citizen | None:
        citizen = await self._citizens.by_id(citizen_id)
        return citizen if citizen is not None and citizen.reachable else None

    # /mydata, broadcasts ----------------------------------------------------------------
    async def stored_data(self, citizen_id: int) -> StoredData:
        citizen = await self._citizens.by_id(citizen_id)
        locale = citizen.locale if citizen else self._texts.default_locale
        lines: list[Value] = []
        for club, standing in await self.store.citizen_clubs(citizen_id, self._clock.now()):
            lines.append(_standing_line(club, standing, locale))
        return StoredData(lines)

    async def seated(self, argument: str) -> frozenset[int]:
        """The broadcast segment filter `club` (`--club 3`, `--no-club any`): the members of
        club 3, or of any club not cancelled."""
        if argument == "any":
            return await self.store.seated_anywhere()
        if not argument.isdigit() or await self.store.club(int(argument)) is None:
            raise Refusal(N_("no club #{argument} (or 'any')"), argument=argument)
        return frozenset(await self.store.members(int(argument)))

    async def segment_choices(self, _: Translator) -> list[tuple[str, str]]:
        """What /broadcast offers for the `club` filter: any club, then each open club."""
        return [("any", _(wording.ANY_CLUB)), *await self._open_choices(_)]

    async def broadcast_choices(self, _: Translator) -> list[tuple[str, str]]:
        """What /broadcast offers for the `club:` button: the list of clubs, or one club's
        Join."""
        return [("all", _(wording.SEE_CLUBS)), *await self._open_choices(_)]

    async def _open_choices(self, _: Translator) -> list[tuple[str, str]]:
        choices = []
        for club in await self.store.open_clubs(self._clock.now()):
            first = (await self._upcoming(club))[0]
            choices.append((str(club.id), _(wording.CLUB_CHOICE, title=club.title(_.locale),
                                            when=_.datetime(first.starts_at))))
        return choices

    async def broadcast_buttons(self, argument: str, _: Translator) -> Buttons:
        """`club:<id>` in a broadcast: that club's Join button; `club:all`: a button to the
        list of clubs (as /clubs)."""
        if argument == "all":
            return (((_(wording.SEE_CLUBS), "club|list"),),)
        if not argument.isdigit():
            raise Refusal(N_("expected a club id or 'all'"))
        club = await self.store.club(int(argument))
        if club is None or club.cancelled or not await self._upcoming(club):
            raise Refusal(N_("no club with a meeting still to come"))
        return (((_(wording.JOIN) + f" – {club.title(_.locale)}", f"club|join|{club.id}"),),)


def eligible(club: Club, citizen: Citizen) -> bool:
    """The club's optional limits: joined after a date, came with an invite label."""
    if club.joined_after is not None and citizen.joined_at < club.joined_after:
        return False
    return club.invite_label is None or citizen.invite_label == club.invite_label


def offer_buttons(offer_id: int, _: Translator) -> Buttons:
    return (((_(wording.ACCEPT), f"club|offer|{offer_id}|yes"),
             (_(wording.NO_THANKS), f"club|offer|{offer_id}|no")),)


def paragraphs(parts: list[Value], _: Translator) -> str:
    return "\n\n".join(render(part, _) for part in parts)


def _standing_line(club: Club, standing: Standing, locale: str) -> Value:
    title = club.title(locale)
    if standing.member:
        return Phrase(wording.MY_DATA_MEMBER, {"title": title})
    if standing.offer is not None:
        return Phrase(wording.MY_DATA_OFFERED, {"title": title,
                                                "deadline": Moment(standing.offer.expires_at)})
    return Phrase(wording.MY_DATA_WAITING, {"title": title, "position": standing.position or 0})
