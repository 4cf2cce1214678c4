"""The evaluation at the end of a job club: after the club's last meeting (outside quiet hours)
each member still in it is asked once, through the outbox, for a score from 1 to 5 and, if they
like, a few words; the thanks offers feedback on an application or another club. Never imports
telegram.

The questions are a dialog (dialogs/club_evaluation.toml) run by the engine, so the words are
read for risk like any free text before the dialog sees them (bot/stages.py): a worrying comment
gets the caring reply and a case, and is not kept as a comment. "Feedback on an application"
starts the draft-feedback dialog (bot/features/drafts), as the webinar follow-up's offer does.

The club's end is a timer in the database (armed by ClubNotices with the other timers), each
member's question has an idempotency key and a row, so a restart asks nobody twice and
forgets nobody. Comments are deleted after the retention the risk decisions' words have.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from bot.clock import Clock
from bot.engine.router import DialogRouter
from bot.engine.runner import ActionContext, DialogBinding, DialogRunner
from bot.engine.screen import Day, Phrase, Value
from bot.engine.spec import DialogSpec
from bot.engine.storage import SessionStore
from bot.feature import StoredData
from bot.features.care.service import RETENTION
from bot.features.cases import CaseService
from bot.features.checkin.timing import ContactRules
from bot.features.citizens import Citizen, CitizenStore, Purpose
from bot.features.clubs import wording
from bot.features.clubs.model import Club
from bot.features.clubs.storage import ClubEvaluationStore, ClubStore
from bot.i18n import Texts
from bot.outbox import Outbox, Priority
from bot.outbox.model import Message
from bot.scheduler import Next, Timer

log = logging.getLogger(__name__)
KIND = "club-evaluation"
"""Scheduler kind of a club's end (one timer per club), and outbox kind of the question."""
DIALOG = "club_evaluation"
SCORES = frozenset({"1", "2", "3", "4", "5"})
RETRY = timedelta(hours=2)
"""A member mid-way through another dialog, or whose chat a consultant holds, is asked later."""
ACTIVE = timedelta(hours=1)
"""A dialog step answered this recently is a conversation going on; an older one (e.g. a
welcome left unanswered by someone who joined from /clubs) was left, and is not waited for."""
ASK_WITHIN = timedelta(days=7)
"""…but not later than this after the club's last meeting."""
COMMENT_RETENTION = RETENTION
"""The comment is free text like a worrying message's words: kept no longer than those."""


class ClubEvaluations:
    def __init__(self, store: ClubStore, evaluations: ClubEvaluationStore,
                 citizens: CitizenStore, cases: CaseService, outbox: Outbox,
                 router: DialogRouter, sessions: SessionStore, spec: DialogSpec, texts: Texts,
                 clock: Clock, rules: ContactRules) -> None:
        self._store = store
        self._evaluations = evaluations
        self._citizens = citizens
        self._cases = cases
        self._outbox = outbox
        self._router = router
        self._texts = texts
        self._clock = clock
        self._rules = rules
        self.runner = DialogRunner(spec, self._binding(), sessions, clock,
                                   texts.translated_everywhere)

    # asking ---------------------------------------------------------------------------
    async def fire(self, timer: Timer) -> Next | None:
        """The club's last meeting is over: every member still in it is asked, once."""
        club = await self._store.club(int(timer.data["club"]))
        if club is None or club.cancelled:
            return None
        meetings = [s for s in await self._store.sessions(club.id) if not s.cancelled]
        if not meetings:
            return None
        end, now = meetings[-1].ends_at, self._clock.now()
        if end > now:
            return Next(end, timer.data)  # moved later meanwhile
        allowed = self._rules.next_allowed(now, None)
        if allowed > now:
            return Next(allowed, timer.data)
        later = 0
        for citizen_id in await self._store.members(club.id):
            if await self._evaluations.asked(club.id, citizen_id):
                continue
            citizen = await self._askable(citizen_id)
            if citizen is None:
                continue
            if await self._busy(citizen.id):
                later += 1
                continue
            await self._ask(citizen, club)
        if later and now + RETRY <= end + ASK_WITHIN:
            return Next(now + RETRY, timer.data)
        if later:
            log.info("club %d: %d member(s) not asked for an evaluation (busy for a week)",
                     club.id, later)
        return None

    async def _ask(self, citizen: Citizen, club: Club) -> None:
        outcome = await self.runner.enter(citizen.id, "start", seed={"club_id": club.id})
        assert outcome.screen is not None
        await self._outbox.enqueue(
            citizen.chat_id, Message.from_screen(outcome.screen, self._texts.get(citizen.locale)),
            priority=Priority.REMINDER, kind=KIND, citizen_id=citizen.id, ref=club.id,
            key=f"{KIND}:{club.id}:{citizen.id}", at_most_once=True)
        await self._evaluations.ask(club.id, citizen.id, self._clock.now())
        log.info("club %d: evaluation asked of citizen %d", club.id, citizen.id)

    async def _askable(self, citizen_id: int) -> Citizen | None:
        """Reachable (not blocked, not erased) and still saying yes to job clubs."""
        citizen = await self._citizens.by_id(citizen_id)
        if citizen is None or not citizen.reachable:
            return None
        record = (await self._citizens.consents(citizen_id)).get(Purpose.JOB_CLUB)
        return citizen if record is not None and record.granted else None

    async def _busy(self, citizen_id: int) -> bool:
        """A consultant holds the chat, or the citizen is in the middle of a dialog (the
        question would replace the step they are at): a step that is not a resting screen,
        touched within ACTIVE (a step's deadline is its last touch plus its timeout). A step
        with no timeout (the welcome, the delete question) tells no age, and is not waited
        for."""
        if await self._cases.held(citizen_id) is not None:
            return True
        runner, session = await self._router.route(citizen_id)
        state = runner.spec.states.get(session.state) if session is not None else None
        if session is None or state is None or state.rest:
            return False
        if session.timeout_at is None or state.timeout is None:
            return False
        return self._clock.now() - (session.timeout_at - state.timeout) < ACTIVE

    # the answers ----------------------------------------------------------------------
    def _binding(self) -> DialogBinding:
        return DialogBinding(
            actions={"save_score": self._save_score, "save_comment": self._save_comment,
                     "note_feedback": self._note_feedback},
            params={"title": self._title})

    async def _save_score(self, ctx: ActionContext) -> None:
        club_id = _club_of(ctx.data)
        if club_id is not None and ctx.value in SCORES:
            await self._evaluations.score(club_id, ctx.subject_id, int(ctx.value), ctx.now)

    async def _save_comment(self, ctx: ActionContext) -> None:
        club_id = _club_of(ctx.data)
        if club_id is not None and ctx.value:
            await self._evaluations.comment(club_id, ctx.subject_id, ctx.value, ctx.now)

    async def _note_feedback(self, ctx: ActionContext) -> None:
        """The offer is taken once (its button goes); the handler starts the draft dialog."""
        ctx.data["feedback_asked"] = True

    async def _title(self, citizen_id: int, data: dict[str, Any]) -> Value:
        club = await self._store.club(_club_of(data) or 0)
        citizen = await self._citizens.by_id(citizen_id)
        if club is None:
            return ""
        return club.title(citizen.locale if citizen else self._texts.default_locale)

    # /mydata, retention ---------------------------------------------------------------
    async def stored_data(self, citizen_id: int) -> StoredData:
        citizen = await self._citizens.by_id(citizen_id)
        locale = citizen.locale if citizen else self._texts.default_locale
        lines: list[Value] = []
        for evaluation in await self._evaluations.of_citizen(citizen_id):
            club = await self._store.club(evaluation.club_id)
            title = club.title(locale) if club else ""
            if evaluation.score is None and evaluation.comment is None:
                lines.append(Phrase(wording.MY_DATA_ASKED,
                                    {"title": title, "date": Day(evaluation.asked_at)}))
            elif evaluation.comment is None or evaluation.comment_at is None:
                lines.append(Phrase(wording.MY_DATA_SCORE,
                                    {"title": title, "score": evaluation.score or "–"}))
            else:
                lines.append(Phrase(wording.MY_DATA_COMMENT, {
                    "title": title, "score": evaluation.score or "–",
                    "comment": evaluation.comment,
                    "until": Day(evaluation.comment_at + COMMENT_RETENTION)}))
        return StoredData(lines)

    async def forget_old_comments(self) -> int:
        """Sweep: comments older than the retention are deleted; the scores stay."""
        return await self._evaluations.forget_comments(self._clock.now() - COMMENT_RETENTION)


def timer_key(club_id: int) -> str:
    """The club's end, as ClubNotices arms it."""
    return f"{KIND}:{club_id}"


def _club_of(data: dict[str, Any]) -> int | None:
    value = data.get("club_id")
    return value if isinstance(value, int) else None
