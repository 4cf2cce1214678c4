"""Webinars for citizens: answers and the waitlist, the calendar file, the reminder with the
link, notices of changes, and the follow-up. Never imports telegram.

Everything the bot says on its own goes through the outbox with an idempotency key per session,
citizen and SEQUENCE, so a retried timer or sweep never tells anyone twice. Only citizens who
still want webinar news (consent) and have not blocked the bot are written to; the calendar
file right after an answer is the answer to their own tap and goes in the reply lane (RELAY),
so it does not count against the weekly cap on unsolicited messages.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.engine.screen import Moment, Phrase, Value, render
from bot.feature import StoredData
from bot.features.checkin.timing import ContactRules
from bot.features.citizens import Citizen, CitizenStore
from bot.features.webinars import ics, wording
from bot.features.webinars.model import Answer, Answered, Rsvp, Session
from bot.features.webinars.storage import WebinarStore
from bot.i18n import N_, Refusal, Texts, Translator
from bot.outbox import Outbox, Priority
from bot.outbox.model import Buttons, Document, Message
from bot.scheduler import Next, Scheduler, Timer

log = logging.getLogger(__name__)
REMINDER_KIND = "webinar-reminder"
FOLLOW_UP_KIND = "webinar-follow-up"
CALENDAR_KIND = "webinar-calendar"
NOTICE_KIND = "webinar-notice"
MY_LIMIT = 8
"""/webinars shows at most this many sessions coming up."""
SEGMENT_CHOICES = 10
"""/broadcast offers the rsvp filter for this many webinars, the latest first."""
RSVP_PREFIX = "webinar|rsvp|"
"""Callback data of the answer buttons: `webinar|rsvp|<session>|<yes|maybe|no>`."""


@dataclass(frozen=True, slots=True)
class Answering:
    """What a press of an answer button comes to."""

    reply: str
    buttons: Buttons
    """The session's answer buttons as the pressed message should show them now: the answer
    given marked, or none when the session takes no answer any more."""


class WebinarService:
    def __init__(self, store: WebinarStore, citizens: CitizenStore, outbox: Outbox,
                 scheduler: Scheduler, texts: Texts, clock: Clock, *,
                 reminder: timedelta, zone: ZoneInfo, rules: ContactRules) -> None:
        self.store = store
        self._citizens = citizens
        self._outbox = outbox
        self._scheduler = scheduler
        self._texts = texts
        self._clock = clock
        self._reminder = reminder
        self._zone = zone
        self._rules = rules

    @property
    def _minutes(self) -> int:
        return int(self._reminder.total_seconds() // 60)

    # buttons ----------------------------------------------------------------------
    @staticmethod
    def rsvp_buttons(session_id: int, _: Translator, chosen: Answer | None = None) -> Buttons:
        """Ja / Måske / Nej for one session; the answer given, if any, marked "✓ Ja"."""
        return (tuple((wording.CHOSEN.format(label=_(label)) if answer is chosen else _(label),
                       f"{RSVP_PREFIX}{session_id}|{answer.value}")
                      for answer, label in wording.BUTTONS.items()),)

    async def broadcast_buttons(self, argument: str, _: Translator) -> Buttons:
        """`rsvp:<webinar id>` in a broadcast: the answer buttons of its next session."""
        if not argument.isdigit():
            raise Refusal(N_("rsvp:{argument}: expected a webinar id"), argument=argument)
        session = await self.store.next_session(int(argument), self._clock.now())
        if session is None:
            raise Refusal(N_("rsvp:{argument}: no webinar with a session still to come"),
                          argument=argument)
        return self.rsvp_buttons(session.id, _)

    async def broadcast_choices(self, _: Translator) -> list[tuple[str, str]]:
        """What /broadcast offers for `rsvp:`: each webinar with a session still to come, named
        by its title and that session's time (the button answers that session)."""
        now = self._clock.now()
        choices = []
        for webinar in await self.store.webinars():
            session = await self.store.next_session(webinar.id, now)
            if session is not None:
                choices.append((str(webinar.id), _(wording.RSVP_CHOICE, title=webinar.title(
                    _.locale), when=_.datetime(session.starts_at))))
        return choices

    async def answered(self, argument: str) -> frozenset[int]:
        """The broadcast segment filter `rsvp` (`--rsvp 12`, `--no-rsvp 12`): whoever answered
        any session of webinar 12, whatever they answered."""
        if not argument.isdigit() or not await self.store.sessions(int(argument)):
            raise Refusal(N_("no webinar #{argument}"), argument=argument)
        return await self.store.answered_by(int(argument))

    async def segment_choices(self, _: Translator) -> list[tuple[str, str]]:
        """What /broadcast offers for the `rsvp` filter: the latest webinars not cancelled."""
        choices = []
        for webinar in reversed(await self.store.webinars()):
            sessions = await self.store.sessions(webinar.id)
            if webinar.cancelled_at is None and sessions:
                choices.append((str(webinar.id), _(wording.ANSWERED_CHOICE, title=webinar.title(
                    _.locale), day=_.date(sessions[0].starts_at))))
            if len(choices) == SEGMENT_CHOICES:
                break
        return choices

    async def invitation_texts(self, webinar_id: int) -> dict[str, str]:
        """The invitation to the next session, in every language, for `webinar invite`."""
        session = await self.store.next_session(webinar_id, self._clock.now())
        if session is None:
            raise ValueError(f"no webinar #{webinar_id} with a session still to come")
        texts = {}
        for locale in self._texts.locales:
            _ = self._texts.get(locale)
            texts[locale] = _(wording.INVITATION, title=session.webinar.title(locale),
                              when=_.datetime(session.starts_at),
                              minutes=session.webinar.minutes)
        return texts

    # answers ----------------------------------------------------------------------
    async def answer(self, citizen: Citizen, session_id: int, answer: Answer) -> Answering:
        """Record the answer (or change it): the reply, in the citizen's language, and how the
        answer buttons should look now. Coming (Yes with a seat, or Maybe) brings the calendar
        file; no longer coming brings one that cancels it; a seat given up goes to the
        waitlist's first. A session begun, over or cancelled takes no answer."""
        _ = self._texts.get(citizen.locale)
        session = await self.store.session(session_id)
        now = self._clock.now()
        if session is None or session.cancelled:
            return Answering(_(wording.CANCELLED_NO_ANSWER), ())
        if session.starts_at <= now:
            return Answering(_(wording.STARTED), ())
        answered = await self.store.answer(session.id, citizen.id, answer, now)
        log.info("webinar session %d: citizen %d answered %s%s", session.id, citizen.id,
                 answer.value, " (waitlist)" if answered.waitlist_position else "")
        for promoted in answered.promoted:
            await self._tell_seat(session, promoted)
        was_coming = answered.before is not None and answered.before.coming
        if answered.rsvp.coming and not was_coming:
            await self._send_calendar(citizen, session, wording.CALENDAR, Priority.RELAY)
        elif was_coming and not answered.rsvp.coming:
            await self._send_calendar(citizen, session, wording.CALENDAR_REMOVED,
                                      Priority.RELAY, cancelled=True)
        return Answering(render(self._reply(session, answered, _), _),
                         self.rsvp_buttons(session.id, _, answer))

    def _reply(self, session: Session, answered: Answered, _: Translator) -> Phrase:
        params = self._params(session, _.locale)
        visible = self._link_visible(session)
        if answered.waitlist_position is not None:
            return Phrase(wording.WAITLISTED, {**params, "position": answered.waitlist_position})
        if answered.rsvp.answer is Answer.YES:
            return Phrase(wording.SEATED_LINK if visible else wording.SEATED, params)
        if answered.rsvp.answer is Answer.MAYBE:
            return Phrase(wording.MAYBE_LINK if visible else wording.MAYBE, params)
        return Phrase(wording.DECLINED, params)

    def _params(self, session: Session, locale: str) -> dict[str, Value]:
        return {"title": session.webinar.title(locale), "when": Moment(session.starts_at),
                "minutes": self._minutes, "link": session.webinar.link}

    def _link_visible(self, session: Session) -> bool:
        """The link is shown from the reminder on, not before."""
        return self._clock.now() >= session.starts_at - self._reminder

    async def _tell_seat(self, session: Session, promoted: Rsvp) -> None:
        """Moved up from the waitlist: told, with the calendar file."""
        citizen = await self._reachable(promoted.citizen_id)
        log.info("webinar session %d: citizen %d moved up from the waitlist", session.id,
                 promoted.citizen_id)
        if citizen is not None:
            await self._send_calendar(citizen, session, wording.SEAT_FREED, Priority.REMINDER)

    async def _send_calendar(self, citizen: Citizen, session: Session, caption: str,
                             priority: Priority, *, cancelled: bool = False) -> None:
        """A calendar file of the citizen's own (one key per file: its SEQUENCE is theirs)."""
        _ = self._texts.get(citizen.locale)
        text = render(Phrase(caption, self._params(session, _.locale)), _)
        calendar, sequence = await self._calendar(session, citizen.id, _, cancelled=cancelled)
        await self._outbox.enqueue(
            citizen.chat_id, Message(text, document=calendar), priority=priority,
            kind=CALENDAR_KIND, citizen_id=citizen.id, ref=session.id, at_most_once=True,
            key=f"{CALENDAR_KIND}:{session.id}:{citizen.id}:{sequence}")

    async def _calendar(self, session: Session, citizen_id: int, _: Translator, *,
                        cancelled: bool) -> tuple[Document, int]:
        """The file and its SEQUENCE: the next for this citizen, at least the session's."""
        sequence = await self.store.calendar_sequence(session.id, citizen_id, session.sequence)
        return Document(ics.filename(session), ics.calendar_file(
            session, _, self._zone, self._reminder, self._clock.now(), sequence=sequence,
            cancelled=cancelled or session.cancelled)), sequence

    async def _reachable(self, citizen_id: int) -> Citizen | None:
        """The citizen, unless erased or blocked. Messages about a session they answered (a
        freed seat, a change, the reminder with the link, the follow-up) were asked for by that
        answer, so they go even after "No more webinar news", which stops news only."""
        citizen = await self._citizens.by_id(citizen_id)
        return citizen if citizen is not None and citizen.reachable else None

    # the citizen's own view -----------------------------------------------------------
    async def my_webinars(self, citizen: Citizen) -> list[tuple[str, Buttons]]:
        """/webinars: a heading, then each session coming up with the answer and its buttons."""
        _ = self._texts.get(citizen.locale)
        now = self._clock.now()
        coming = [(s, r) for s, r in await self.store.citizen_rsvps(citizen.id)
                  if not s.cancelled and s.starts_at > now][:MY_LIMIT]
        if not coming:
            return [(_(wording.MY_NONE), ())]
        shown = [(_(wording.MY_HEADER), ())]
        for session, rsvp in coming:
            line = Phrase(wording.MY_LINE, {**self._params(session, _.locale),
                                            "answer": await self._answer_label(rsvp)})
            shown.append((render(line, _), self.rsvp_buttons(session.id, _, rsvp.answer)))
        return shown

    async def _answer_label(self, rsvp: Rsvp) -> Phrase:
        if rsvp.waitlist_ticket is not None:
            position = await self.store.waitlist_position(rsvp.session_id, rsvp.waitlist_ticket)
            return Phrase(wording.ON_WAITLIST, {"position": position})
        return Phrase(wording.ANSWER_LABELS[rsvp.answer])

    async def stored_data(self, citizen_id: int) -> StoredData:
        """/mydata: every answer kept, with the session's title and time."""
        citizen = await self._citizens.by_id(citizen_id)
        locale = citizen.locale if citizen else self._texts.default_locale
        lines: list[Value] = []
        for session, rsvp in await self.store.citizen_rsvps(citizen_id):
            lines.append(Phrase(wording.MY_DATA_LINE, {
                "title": session.webinar.title(locale), "when": Moment(session.starts_at),
                "answer": await self._answer_label(rsvp)}))
        return StoredData(lines)

    # timers -----------------------------------------------------------------------------
    async def handle_changes(self) -> int:
        """Sweep: sessions created or changed since last time (the CLI only writes the
        database) get their timers armed, and their citizens are told of a change."""
        handled = 0
        for session in await self.store.unhandled():
            await self._arm(session)
            if session.notified_sequence is not None:
                await self._tell_change(session)
            await self.store.mark_handled(session)
            handled += 1
        return handled

    async def _arm(self, session: Session) -> None:
        reminder_key, follow_up_key = (f"{REMINDER_KIND}:{session.id}",
                                       f"{FOLLOW_UP_KIND}:{session.id}")
        if session.cancelled:
            await self._scheduler.cancel(reminder_key)
            await self._scheduler.cancel(follow_up_key)
            return
        data = {"session": session.id}
        await self._scheduler.set(reminder_key, REMINDER_KIND, None,
                                  session.starts_at - self._reminder, data)
        await self._scheduler.set(follow_up_key, FOLLOW_UP_KIND, None, session.ends_at, data)

    async def _tell_change(self, session: Session) -> None:
        moved = session.notified_starts_at != session.starts_at
        new_link = session.notified_link != session.webinar.link
        if not (session.cancelled or moved or new_link):
            return
        for rsvp in await self.store.rsvps(session.id):
            if rsvp.answer is Answer.NO:
                continue
            citizen = await self._reachable(rsvp.citizen_id)
            if citizen is None:
                continue
            _ = self._texts.get(citizen.locale)
            text = _paragraphs(self._change_text(session, moved, new_link, rsvp.coming,
                                                 citizen.locale), _)
            document = ((await self._calendar(session, citizen.id, _, cancelled=False))[0]
                        if rsvp.coming else None)
            await self._outbox.enqueue(
                citizen.chat_id, Message(text, document=document), priority=Priority.REMINDER,
                kind=NOTICE_KIND, citizen_id=citizen.id, ref=session.id, at_most_once=True,
                key=f"webinar-change:{session.id}:{citizen.id}:{session.sequence}")

    def _change_text(self, session: Session, moved: bool, new_link: bool, coming: bool,
                     locale: str) -> list[Value]:
        params = self._params(session, locale)
        if session.cancelled:
            return [Phrase(wording.CANCELLED if coming else wording.CANCELLED_WAITLIST, params)]
        parts: list[Value] = []
        if moved:
            parts.append(Phrase(wording.MOVED, params))
        if new_link and coming:
            visible = self._link_visible(session)
            parts.append(Phrase(wording.NEW_LINK if visible else wording.NEW_LINK_LATER, params))
        if coming:
            parts.append(Phrase(wording.UPDATED_FILE))
        return parts

    async def fire_reminder(self, timer: Timer) -> Next | None:
        """WEBINAR_REMINDER_MINUTES before the start: the link, to everyone with a seat or a
        maybe. A session moved later waits for its new time; one that is over gets none."""
        session = await self.store.session(int(timer.data["session"]))
        now = self._clock.now()
        if session is None or session.cancelled or session.ends_at <= now:
            return None
        due = session.starts_at - self._reminder
        if now < due:
            return Next(due, timer.data)
        for rsvp in await self.store.rsvps(session.id):
            citizen = await self._reachable(rsvp.citizen_id) if rsvp.coming else None
            if citizen is None:
                continue
            _ = self._texts.get(citizen.locale)
            queued = await self._outbox.enqueue(
                citizen.chat_id, Message(render(Phrase(wording.REMINDER,
                                                       self._params(session, _.locale)), _)),
                priority=Priority.REMINDER, kind=REMINDER_KIND, citizen_id=citizen.id,
                ref=session.id, at_most_once=True,
                key=f"{REMINDER_KIND}:{session.id}:{citizen.id}:{session.sequence}")
            if queued is not None:
                await self.store.mark_reminded(session.id, citizen.id, now)
        return None

    async def fire_follow_up(self, timer: Timer) -> Next | None:
        """After the session (outside quiet hours): thanks, the recording or slides if set, and
        the offer of feedback on an application."""
        session = await self.store.session(int(timer.data["session"]))
        now = self._clock.now()
        if session is None or session.cancelled:
            return None
        allowed = self._rules.next_allowed(max(now, session.ends_at), None)
        if allowed > now:
            return Next(allowed, timer.data)
        for rsvp in await self.store.rsvps(session.id):
            citizen = await self._reachable(rsvp.citizen_id) if rsvp.coming else None
            if citizen is None:
                continue
            _ = self._texts.get(citizen.locale)
            parts: list[Value] = [Phrase(wording.THANKS, self._params(session, _.locale))]
            if session.webinar.recording_link:
                parts.append(Phrase(wording.RECORDING,
                                    {"link": session.webinar.recording_link}))
            parts.append(Phrase(wording.FEEDBACK_OFFER))
            buttons = (((_(wording.FEEDBACK_BUTTON), f"webinar|feedback|{session.id}"),),)
            await self._outbox.enqueue(
                citizen.chat_id, Message(_paragraphs(parts, _), buttons),
                priority=Priority.REMINDER, kind=FOLLOW_UP_KIND, citizen_id=citizen.id,
                ref=session.id, at_most_once=True,
                key=f"{FOLLOW_UP_KIND}:{session.id}:{citizen.id}")
        return None

    async def request_feedback(self, citizen: Citizen, session_id: int) -> bool:
        """The follow-up's offer taken, counted for the report (the draft dialog follows,
        bot/features/drafts). False when it was counted already, or the citizen had no answer
        there."""
        if not await self.store.request_feedback(session_id, citizen.id, self._clock.now()):
            return False
        log.info("webinar session %d: citizen %d asked for feedback", session_id, citizen.id)
        return True

    async def mark_attended(self, session_id: int, citizen_ids: list[int]) -> int | None:
        """Staff's /attended; None when there is no such session."""
        if await self.store.session(session_id) is None:
            return None
        return await self.store.mark_attended(session_id, citizen_ids, self._clock.now())


def _paragraphs(parts: list[Value], _: Translator) -> str:
    return "\n\n".join(render(part, _) for part in parts)
