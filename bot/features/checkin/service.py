"""Check-ins: when to write, what to ask, and what the answers set in motion.

Timing rules, in the order they are applied when a check-in falls due: the citizen must still
want check-ins (consent, not blocked, not ended, not paused); nobody interrupts a conversation
the citizen is in the middle of; nothing goes out in quiet hours or at weekends, and it goes at
the citizen's preferred time of day; at most two unsolicited messages a week; and after two
unanswered check-ins the next one only asks, once, whether they would like a pause.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from bot.clock import Clock
from bot.config import CheckinSchedule
from bot.engine import DialogSpec, Facts
from bot.engine.router import DialogRouter
from bot.engine.runner import ActionContext, DialogBinding, DialogRunner, Outcome
from bot.engine.screen import Day, Lines, Phrase, Plural, Value
from bot.engine.storage import SessionStore
from bot.events import CITIZEN_CHANGED, Emit
from bot.feature import StoredData
from bot.features.care.service import CareService
from bot.features.care.wording import CALL_NOTED, NO_STAFF
from bot.features.cases import CaseLevel
from bot.features.cases.alerts import CaseAlerts
from bot.features.cases.model import CaseSource
from bot.features.cases.service import Opening
from bot.features.checkin.storage import CheckinStatus, CheckinStore
from bot.features.checkin.timing import ContactRules
from bot.features.checkin.who5 import score
from bot.features.citizens import Citizen, CitizenStore, Purpose
from bot.features.citizens.consent_version import consent_text_version
from bot.i18n import N_, Texts, Translator
from bot.outbox import Outbox, Priority
from bot.outbox.model import Message
from bot.scheduler import Next, Scheduler, Timer

log = logging.getLogger(__name__)
KIND = "checkin"
BUSY_RETRY = timedelta(hours=2)
UNANSWERED_BEFORE_PAUSE_QUESTION = 2
WHO5_INTERVAL = timedelta(days=28)
WHO5_TOLERANCE = timedelta(days=2)
NOTED = {
    "job_club": N_("Noted: you would like to join a job club. /clubs shows the clubs you can "
                   "join now, with their dates."),
    "feedback": N_("Noted: you would like feedback on an application or CV. We will tell you "
                   "how to send it."),
    "call": CALL_NOTED,
    "no_staff": NO_STAFF,
}
CONSENT_STATES = ("found", "offers")
WANTS_TALK = N_("After the wellbeing check: would like to talk with a consultant.")
LAST_CHECKIN = N_("Last check-in ({date}): {answers}")
LAST_WHO5 = N_("Last WHO-5 ({date}): {score}/25")
HARD_WANTS_TALK = N_("In the check-in: things are hard right now; would like to talk with a "
                     "consultant.")


class CheckinService:
    def __init__(self, spec: DialogSpec, *, sessions: SessionStore, router: DialogRouter,
                 citizens: CitizenStore, store: CheckinStore, scheduler: Scheduler,
                 outbox: Outbox, alerts: CaseAlerts, care: CareService, texts: Texts,
                 clock: Clock, schedule: CheckinSchedule, rules: ContactRules,
                 emit: Emit) -> None:
        self._sessions = sessions
        self._router = router
        self._citizens = citizens
        self._store = store
        self._scheduler = scheduler
        self._outbox = outbox
        self._alerts = alerts
        self._care = care
        self._texts = texts
        self._clock = clock
        self._schedule = schedule
        self._rules = rules
        self._emit = emit
        self.spec = spec
        self.runner = DialogRunner(spec, self.binding(), sessions, clock,
                                   texts.translated_everywhere)

    def binding(self) -> DialogBinding:
        return DialogBinding(
            conditions={"mood_hard": _mood_hard, "who5_due": _who5_due, "who5_poor": _who5_poor,
                        "who5_very_low": _who5_very_low},
            actions={
                "begin": self._begin, "record_mood": self._record_mood,
                "record_job": self._record_job, "end_contact": self._end_contact,
                "keep_webinars": self._keep_webinars, "want_job_club": self._want_job_club,
                "want_feedback": self._want_feedback, "request_call": self._request_call,
                "record_who5": _record_who5, "score_who5": self._score_who5,
                "drop_who5": _drop_who5, "request_talk": self._request_talk,
                "request_mood_talk": self._request_mood_talk,
                "forward_note": self._forward_note, "pause": self._pause,
                "stop_checkins": self._stop_checkins, "keep_checkins": self._keep_checkins,
            },
            params={"noted": self._noted_param},
        )

    # scheduling -----------------------------------------------------------------
    @staticmethod
    def key(citizen_id: int) -> str:
        return f"{KIND}:{citizen_id}"

    async def ensure_scheduled(self, citizen_id: int) -> None:
        """Arm the next check-in when the citizen wants them and none is armed yet."""
        if await self._scheduler.get(self.key(citizen_id)) is not None:
            return
        citizen = await self._citizens.by_id(citizen_id)
        if citizen is None or not await self._wants_checkins(citizen):
            return
        status = await self._store.status(citizen_id)
        if status.ended:
            return
        slot, due = self._upcoming(citizen, status.next_slot, self._clock.now())
        if due is not None:
            status.next_slot = slot
            await self._store.save(status)
            await self._scheduler.set(self.key(citizen_id), KIND, citizen_id, due)

    async def resume(self, citizen_id: int) -> None:
        """A consultant handed the chat back: a check-in held back meanwhile goes out now."""
        timer = await self._scheduler.get(self.key(citizen_id))
        if timer is not None and timer.data.get("held"):
            await self._scheduler.set(timer.key, KIND, citizen_id, self._clock.now())

    def _upcoming(self, citizen: Citizen, slot: int,
                  after: datetime) -> tuple[int, datetime | None]:
        """The first slot from `slot` on that is due after `after` (missed ones are skipped)."""
        while True:
            offset = self._schedule.offset(slot)
            if offset is None:
                return slot, None
            due = citizen.joined_at + offset
            if due > after:
                return slot, due
            slot += 1

    async def fire(self, timer: Timer) -> Next | None:
        """A check-in fell due: send it now, later, differently, or stop the cadence."""
        now = self._clock.now()
        citizen = await self._citizens.by_id(timer.citizen_id or 0)
        if citizen is None or not citizen.reachable or not await self._wants_checkins(citizen):
            return None
        status = await self._store.status(citizen.id)
        if status.ended:
            return None
        if status.paused_until and status.paused_until > now:
            return Next(status.paused_until)
        if await self._alerts.cases.held(citizen.id):
            return Next(now + BUSY_RETRY, {"held": True})  # waits, is not lost
        if await self._busy(citizen.id):
            return Next(now + BUSY_RETRY)
        allowed = self._rules.next_allowed(now, citizen.preferred_time)
        if allowed > now:
            return Next(allowed)
        if await self._outbox.weekly_cap_reached(citizen.id):
            return Next(self._rules.next_allowed(now + timedelta(days=1),
                                                 citizen.preferred_time))
        asking_pause = (status.unanswered >= UNANSWERED_BEFORE_PAUSE_QUESTION
                        and not status.pause_asked)
        outcome = await self.runner.enter(citizen.id, "pause" if asking_pause else "checkin")
        await self._send(citizen, outcome, status.next_slot)
        status.pause_asked = status.pause_asked or asking_pause
        status.unanswered += 1
        status.next_slot, due = self._upcoming(citizen, status.next_slot + 1, now)
        await self._store.save(status)
        return Next(due) if due is not None else None

    async def _busy(self, citizen_id: int) -> bool:
        """Mid-way through another conversation: a check-in would talk over it. (An old,
        unanswered check-in is simply replaced by the new one.)"""
        session = await self._sessions.load(citizen_id)
        if session is None or session.dialog == self.runner.name:
            return False
        runner = await self._router.current(citizen_id)
        state = runner.spec.states.get(session.state)
        return state is not None and not state.rest

    async def _send(self, citizen: Citizen, outcome: Outcome, slot: int) -> None:
        assert outcome.screen is not None
        await self._outbox.enqueue(
            citizen.chat_id, Message.from_screen(outcome.screen, self._texts.get(citizen.locale)),
            priority=Priority.CHECKIN, kind=KIND, citizen_id=citizen.id,
            key=f"{KIND}:{citizen.id}:{slot}", at_most_once=True)

    async def _wants_checkins(self, citizen: Citizen) -> bool:
        consent = (await self._citizens.consents(citizen.id)).get(Purpose.CHECKINS)
        return consent is not None and consent.granted

    # actions --------------------------------------------------------------------
    async def _begin(self, ctx: ActionContext) -> None:
        ctx.data.clear()
        ctx.data["who5"] = await self._who5_due(ctx.subject_id, ctx.now)
        ctx.data["noted"] = []

    async def _who5_due(self, citizen_id: int, now: datetime) -> bool:
        """Every fourth week, for those who said yes to the wellbeing check."""
        citizen = await self._citizens.by_id(citizen_id)
        consent = (await self._citizens.consents(citizen_id)).get(Purpose.WELLBEING)
        if citizen is None or consent is None or not consent.granted:
            return False
        if now - citizen.joined_at < WHO5_INTERVAL - WHO5_TOLERANCE:
            return False
        last = await self._store.last_wellbeing(citizen_id)
        return last is None or now - last[1] >= WHO5_INTERVAL - WHO5_TOLERANCE

    async def _answered(self, citizen_id: int) -> CheckinStatus:
        status = await self._store.status(citizen_id)
        status.unanswered = 0
        status.pause_asked = False
        return status

    async def _record_mood(self, ctx: ActionContext) -> None:
        await self._store.save(await self._answered(ctx.subject_id))
        await self._store.record_answer(ctx.subject_id, "mood", _short(ctx.value), ctx.now)

    async def _record_job(self, ctx: ActionContext) -> None:
        await self._store.record_answer(ctx.subject_id, "job", _short(ctx.value), ctx.now)

    async def _end_contact(self, ctx: ActionContext) -> None:
        await self._set_consents(ctx, dict.fromkeys(Purpose, False))
        await self._end(ctx.subject_id, "found_work")

    async def _keep_webinars(self, ctx: ActionContext) -> None:
        choices = dict.fromkeys(Purpose, False)
        choices[Purpose.WEBINARS] = True
        await self._set_consents(ctx, choices)
        await self._end(ctx.subject_id, "found_work")

    async def _want_job_club(self, ctx: ActionContext) -> None:
        await self._set_consents(ctx, {Purpose.JOB_CLUB: True})
        ctx.data.setdefault("noted", []).append("job_club")

    async def _want_feedback(self, ctx: ActionContext) -> None:
        await self._set_consents(ctx, {Purpose.FEEDBACK: True})
        ctx.data.setdefault("noted", []).append("feedback")

    async def _request_call(self, ctx: ActionContext) -> None:
        opening = await self._care.request_call(ctx.subject_id, ctx.value or "any")
        if opening.staffed:
            ctx.data.setdefault("noted", []).append("call")
        _note_unstaffed(ctx, opening)

    async def _score_who5(self, ctx: ActionContext) -> None:
        result = score(ctx.data.pop("who5_answers", []))
        await self._store.record_wellbeing(ctx.subject_id, result.raw, result.lowest_item,
                                           ctx.now)
        if result.poor:
            level = CaseLevel.HIGH if result.very_low else CaseLevel.CONCERN
            await self._alerts.raise_case(ctx.subject_id, level, CaseSource.WELLBEING,
                                          text=f"WHO-5: {result.raw}/25 ({result.percentage} %)")

    async def _request_talk(self, ctx: ActionContext) -> None:
        """Yes to a talk after the wellbeing check."""
        await self._wants_talk(ctx, WANTS_TALK)

    async def _request_mood_talk(self, ctx: ActionContext) -> None:
        """'Hard', and yes to a talk."""
        await self._wants_talk(ctx, HARD_WANTS_TALK)

    async def _wants_talk(self, ctx: ActionContext, why: str) -> None:
        """The consultant hears it (on the case already open, if there is one)."""
        opening = await self._alerts.raise_case(ctx.subject_id, CaseLevel.CONCERN,
                                                CaseSource.WELLBEING, text=self._texts.staff(why),
                                                tell_anyway=True)
        _note_unstaffed(ctx, opening)

    async def _forward_note(self, ctx: ActionContext) -> None:
        """What the citizen wanted to tell us reaches a consultant, never just a table: in the
        alert of a new case, or (with a case open) as the relayed message itself."""
        await self._alerts.raise_case(ctx.subject_id, CaseLevel.REQUEST, CaseSource.CHECKIN_NOTE,
                                      text=ctx.value or "")

    async def _pause(self, ctx: ActionContext) -> None:
        status = await self._answered(ctx.subject_id)
        status.paused_until = ctx.now + timedelta(days=int(ctx.value or "14"))
        await self._store.save(status)

    async def _stop_checkins(self, ctx: ActionContext) -> None:
        await self._set_consents(ctx, {Purpose.CHECKINS: False})
        await self._end(ctx.subject_id, "stopped")

    async def _keep_checkins(self, ctx: ActionContext) -> None:
        await self._store.save(await self._answered(ctx.subject_id))

    async def _end(self, citizen_id: int, reason: str) -> None:
        status = await self._store.status(citizen_id)
        status.ended = reason
        await self._store.save(status)
        await self._scheduler.cancel(self.key(citizen_id))

    async def _set_consents(self, ctx: ActionContext, choices: dict[Purpose, bool]) -> None:
        citizen = await self._citizens.by_id(ctx.subject_id)
        locale = citizen.locale if citizen else self._texts.default_locale
        await self._citizens.record_consents(ctx.subject_id, choices,
                                             self.text_version(locale), ctx.now)
        await self._emit(CITIZEN_CHANGED, ctx.subject_id)  # e.g. a job club seat is freed now

    def text_version(self, locale: str) -> str:
        """Consents given inside a check-in carry the version of the check-in texts shown."""
        return consent_text_version(self.spec, CONSENT_STATES, self._texts.get(locale),
                                    f"checkin-{locale}")

    # contributions to other features ------------------------------------------------
    async def header_lines(self, citizen: Citizen, granted: frozenset[Purpose],
                           _: Translator) -> list[str]:
        """For the staff header: the latest answers and WHO-5, if the citizen shares them."""
        lines: list[str] = []
        if Purpose.CHECKINS in granted:
            answers = await self._store.latest_answers(citizen.id)
            if answers:
                lines.append(_(LAST_CHECKIN, date=_.date(answers[0][2]),
                               answers=", ".join(f"{q}: {a}" for q, a, _when in answers)))
        if Purpose.WELLBEING in granted:
            wellbeing = await self._store.last_wellbeing(citizen.id)
            if wellbeing:
                lines.append(_(LAST_WHO5, date=_.date(wellbeing[1]), score=wellbeing[0]))
        return lines

    async def stored_data(self, citizen_id: int) -> StoredData:
        """For /mydata: how many answers are kept, and the latest wellbeing score."""
        lines: list[Value] = []
        count, newest = await self._store.answer_summary(citizen_id)
        if count and newest:
            lines.append(Plural(
                "Short check-in answers: {n} (the newest from {date}).",
                "Short check-in answers: {n} (the newest from {date}).",
                count, {"date": Day(newest)}))
        wellbeing = await self._store.last_wellbeing(citizen_id)
        if wellbeing:
            lines.append(Phrase(N_("Your latest wellbeing check ({date}): {score} of 25 points."),
                                {"date": Day(wellbeing[1]), "score": wellbeing[0]}))
        return StoredData(lines)

    async def _noted_param(self, citizen_id: int, data: dict[str, Any]) -> Value:
        noted = [Phrase(NOTED[n]) for n in data.get("noted", []) if n in NOTED]
        return Lines(tuple(noted)) if noted else ""


def _short(value: str | None) -> str:
    """Button answers are kept; free text is not stored here (it was read for risk already)."""
    return value if value and value.isidentifier() and len(value) <= 20 else "free_text"


def _who5_due(facts: Facts) -> bool:
    return bool(facts.data.get("who5"))


def _answers_with(facts: Facts) -> list[int]:
    answers = [int(a) for a in facts.data.get("who5_answers", [])]
    if facts.value is not None and facts.value.isdigit():
        answers.append(int(facts.value))
    return answers


def _note_unstaffed(ctx: ActionContext, opening: Opening) -> None:
    """A trial without staff: the check-in's closing screen says that nobody will call."""
    if not opening.staffed and "no_staff" not in ctx.data.get("noted", []):
        ctx.data.setdefault("noted", []).append("no_staff")


def _mood_hard(facts: Facts) -> bool:
    return facts.value == "hard"


def _who5_poor(facts: Facts) -> bool:
    answers = _answers_with(facts)
    return len(answers) == 5 and score(answers).poor


def _who5_very_low(facts: Facts) -> bool:
    answers = _answers_with(facts)
    return len(answers) == 5 and score(answers).very_low


async def _record_who5(ctx: ActionContext) -> None:
    if ctx.value is not None and ctx.value.isdigit():
        ctx.data.setdefault("who5_answers", []).append(int(ctx.value))


async def _drop_who5(ctx: ActionContext) -> None:
    ctx.data.pop("who5_answers", None)
