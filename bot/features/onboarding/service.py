"""Onboarding decisions: the welcome, consents, the profile and the menu, and what the answers
mean. Never imports telegram."""

from __future__ import annotations

import logging
import re
from typing import Any

from bot.clock import Clock, from_db, to_db
from bot.engine import DialogSpec, Facts
from bot.engine.runner import ActionContext, DialogBinding, DialogRunner
from bot.engine.screen import Lines, Moment, Phrase, Value
from bot.engine.storage import SessionStore
from bot.events import CITIZEN_CHANGED, Emit
from bot.features.care.service import CareService
from bot.features.care.wording import FOLLOW_UP_LATER_PLAIN, FOLLOW_UP_NOW, HUMAN_REPLY, NO_STAFF
from bot.features.cases.service import CaseService
from bot.features.citizens import Citizen, CitizenStore, Purpose
from bot.features.citizens.consent_version import consent_text_version
from bot.features.citizens.labels import month_value
from bot.features.citizens.model import PreferredTime
from bot.features.dialogs import FrontDoor, Reply
from bot.features.invites import InviteService
from bot.features.privacy import PrivacyService
from bot.features.privacy.service import profile_lines
from bot.i18n import N_, Texts

log = logging.getLogger(__name__)
_SPACES = re.compile(r"\s+")
WELCOME_BACK = N_("Welcome back! Here is where we left off.")
CASE_KEPT = N_("You have an open case with the job centre. If you delete, the job centre is "
               "told, the conversation here stops and nobody will contact you about it. The job "
               "centre keeps the case record (when it was opened, what kind of help, any "
               "consultant's notes) as the law requires, but not your name or your messages "
               "here.")
CONSENT_STATES = ("welcome", "consent")
RESTART_STATES = frozenset({"welcome", "declined", "deleted"})
ALWAYS_OPEN_ENTRIES = frozenset({"mydata", "stop", "delete"})  # rights that need no consent



class OnboardingService:
    def __init__(self, spec: DialogSpec, sessions: SessionStore, front_door: FrontDoor,
                 citizens: CitizenStore, invites: InviteService, privacy: PrivacyService,
                 care: CareService, cases: CaseService, texts: Texts, clock: Clock,
                 jobcentre_name: str, emit: Emit) -> None:
        self._front_door = front_door
        self._citizens = citizens
        self._care = care
        self._cases = cases
        self._invites = invites
        self._privacy = privacy
        self._texts = texts
        self._clock = clock
        self._jobcentre = jobcentre_name
        self._emit = emit
        self.spec = spec
        self.runner = DialogRunner(spec, self.binding(), sessions, clock,
                                   texts.translated_everywhere)

    def binding(self) -> DialogBinding:
        return DialogBinding(
            conditions={"editing": _editing},
            actions={
                "begin_edit": _begin_edit,
                "end_edit": _end_edit,
                "load_consents": self._load_consents,
                "toggle_consent": _toggle_consent,
                "save_consents": self._save_consents,
                "withdraw_all": self._withdraw_all,
                "save_name": self._save_name,
                "save_month": self._save_month,
                "save_time": self._save_time,
                "save_language": self._save_language,
                "delete_citizen": self._delete_citizen,
                "request_human": self._request_human,
            },
            params={
                "jobcentre": self._jobcentre_param,
                "profile": self._profile_param,
                "mydata": self._mydata_param,
                "follow_up": _follow_up_param,
                "case_note": self._case_note_param,
            },
        )

    async def start(self, citizen: Citizen, payload: str | None) -> Reply:
        """/start, with or without an invite code; a returning citizen continues where they were."""
        if payload:
            await self._invites.redeem(payload, citizen.id)
        current = await self._front_door.router.current(citizen.id)
        session = await current.session(citizen.id)
        mine = current is self.runner
        choosing = mine and session is not None and session.state == "consent"
        if (not choosing and not await self._chose_consents(citizen.id)) or (
                mine and (session is None or session.state in RESTART_STATES)):
            outcome = await self.runner.enter(citizen.id, "start")
        else:
            outcome = await current.current(citizen.id, Phrase(WELCOME_BACK))
        return await self._front_door.reply(citizen, outcome)

    async def enter(self, citizen: Citizen, entry: str) -> Reply:
        """A /command's way into the dialog; before any consent was chosen, every way in leads to
        the welcome, so the voluntary text is read first; only the citizen's rights (see, stop,
        delete) are always open, and the next /start still begins with the welcome."""
        if entry not in ALWAYS_OPEN_ENTRIES and not await self._chose_consents(citizen.id):
            entry = "start"
        return await self._front_door.reply(citizen, await self.runner.enter(citizen.id, entry))

    async def _chose_consents(self, citizen_id: int) -> bool:
        """Yes or no to at least one purpose, i.e. the citizen has been through the welcome."""
        return bool(await self._citizens.consents(citizen_id))

    def consent_text_version(self, locale: str) -> str:
        """The version of the welcome's consent texts, as shown in this language."""
        return consent_text_version(self.spec, CONSENT_STATES, self._texts.get(locale), locale)

    # actions -------------------------------------------------------------
    async def _load_consents(self, ctx: ActionContext) -> None:
        current = await self._citizens.consents(ctx.subject_id)
        ctx.data["consents"] = [p.value for p in Purpose if p in current and current[p].granted]

    async def _save_consents(self, ctx: ActionContext) -> None:
        chosen = set(ctx.data.pop("consents", ()))
        choices = {p: p.value in chosen for p in Purpose}
        await self._citizens.record_consents(ctx.subject_id, choices,
                                             await self._version_for(ctx.subject_id), ctx.now)
        await self._emit(CITIZEN_CHANGED, ctx.subject_id)

    async def _withdraw_all(self, ctx: ActionContext) -> None:
        ctx.data.pop("consents", None)
        await self._privacy.withdraw_all(ctx.subject_id, await self._version_for(ctx.subject_id))
        await self._emit(CITIZEN_CHANGED, ctx.subject_id)  # e.g. a job club seat is freed now

    async def _save_name(self, ctx: ActionContext) -> None:
        name = _SPACES.sub(" ", ctx.value or "").strip()
        await self._citizens.update(ctx.subject_id, first_name=name or None)

    async def _save_month(self, ctx: ActionContext) -> None:
        offset = 3 if ctx.value == "earlier" else int((ctx.value or "m0").removeprefix("m"))
        index = ctx.now.year * 12 + ctx.now.month - 1 - offset
        value = month_value(index // 12, index % 12 + 1, before=ctx.value == "earlier")
        await self._citizens.update(ctx.subject_id, unemployed_since=value)

    async def _save_time(self, ctx: ActionContext) -> None:
        chosen = ctx.value if ctx.value in set(PreferredTime) else None
        await self._citizens.update(ctx.subject_id, preferred_time=chosen)

    async def _save_language(self, ctx: ActionContext) -> None:
        if ctx.value in self._texts.locales:
            await self._citizens.update(ctx.subject_id, locale=ctx.value)

    async def _delete_citizen(self, ctx: ActionContext) -> None:
        await self._privacy.erase(ctx.subject_id)
        ctx.forget = True

    async def _request_human(self, ctx: ActionContext) -> None:
        opening = await self._care.request_human(ctx.subject_id, None)
        ctx.data["contact"] = {"at_work": opening.staff_at_work,
                               "from": to_db(opening.contact_from), "staffed": opening.staffed}

    async def _version_for(self, citizen_id: int) -> str:
        citizen = await self._citizens.by_id(citizen_id)
        return self.consent_text_version(citizen.locale if citizen else self._texts.default_locale)

    # screen values -------------------------------------------------------
    async def _jobcentre_param(self, citizen_id: int, data: dict[str, Any]) -> Value:
        return self._jobcentre

    async def _profile_param(self, citizen_id: int, data: dict[str, Any]) -> Value:
        citizen = await self._citizens.by_id(citizen_id)
        if citizen is None:
            return ""
        return Lines(tuple(profile_lines(citizen, await self._citizens.consents(citizen_id))))

    async def _case_note_param(self, citizen_id: int, data: dict[str, Any]) -> Value:
        """Said before erasing: what a case already shared with a consultant keeps."""
        return Phrase(CASE_KEPT) if await self._cases.open_case(citizen_id) else ""

    async def _mydata_param(self, citizen_id: int, data: dict[str, Any]) -> Value:
        return await self._privacy.describe(citizen_id)


async def _follow_up_param(citizen_id: int, data: dict[str, Any]) -> Value:
    contact = data.get("contact") or {"at_work": True, "from": None}
    moment = from_db(contact["from"]) if contact["from"] else None
    if not contact.get("staffed", True):
        return Phrase(HUMAN_REPLY, {"follow_up": Phrase(NO_STAFF)})
    if contact["at_work"] or moment is None:
        return Phrase(HUMAN_REPLY, {"follow_up": Phrase(FOLLOW_UP_NOW)})
    return Phrase(HUMAN_REPLY, {"follow_up": Phrase(FOLLOW_UP_LATER_PLAIN,
                                                    {"when": Moment(moment)})})


def _editing(facts: Facts) -> bool:
    return bool(facts.data.get("editing"))


async def _begin_edit(ctx: ActionContext) -> None:
    ctx.data["editing"] = True


async def _end_edit(ctx: ActionContext) -> None:
    ctx.data.pop("editing", None)


async def _toggle_consent(ctx: ActionContext) -> None:
    chosen: list[str] = list(ctx.data.get("consents", ()))
    if ctx.value in set(Purpose):
        if ctx.value in chosen:
            chosen.remove(ctx.value)
        else:
            chosen.append(ctx.value)
    ctx.data["consents"] = chosen
