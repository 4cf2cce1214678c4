"""The one object every handler gets: settings, database, clock, texts and services."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from telegram.ext import CallbackContext, ExtBot

from bot import PROJECT_ROOT
from bot.clock import Clock
from bot.config import Settings
from bot.db import Database
from bot.engine import load_dialog
from bot.engine.storage import SessionStore
from bot.features.audit import AuditLog
from bot.features.audit.storage import AuditStore
from bot.features.care.helplines import Helplines, load_helplines
from bot.features.care.service import CareService
from bot.features.care.storage import DecisionStore
from bot.features.cases import Case, CaseService, CaseStore
from bot.features.cases.alerts import CaseAlerts
from bot.features.cases.hours import OfficeHours
from bot.features.checkin.service import CheckinService
from bot.features.checkin.storage import CheckinStore
from bot.features.checkin.timing import ContactRules
from bot.features.citizens import Citizen, CitizenStore
from bot.features.invites import InviteService
from bot.features.invites.storage import InviteStore
from bot.features.onboarding.service import OnboardingService
from bot.features.privacy import PrivacyService
from bot.features.privacy.storage import PrivacyStore
from bot.features.risk.second_opinion import default_assessor
from bot.features.staff import StaffService
from bot.features.staff.storage import StaffStore
from bot.features.workspace.service import WorkspaceService
from bot.features.workspace.storage import WorkspaceStore
from bot.features.workspace.topics import Topics
from bot.i18n import Texts
from bot.outbox import Outbox
from bot.outbox.storage import OutboxStore
from bot.scheduler import Scheduler
from bot.scheduler.storage import TimerStore


@dataclass(frozen=True, slots=True)
class AppContext:
    settings: Settings
    db: Database
    clock: Clock
    texts: Texts
    citizens: CitizenStore
    sessions: SessionStore
    invites: InviteService
    privacy: PrivacyService
    onboarding: OnboardingService
    cases: CaseService
    alerts: CaseAlerts
    care: CareService
    helplines: Helplines
    outbox: Outbox
    scheduler: Scheduler
    checkins: CheckinService
    audit: AuditLog
    staff: StaffService
    workspace: WorkspaceService
    topics: Topics


class BotContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """CallbackContext with the AppContext typed, so handlers never dig in bot_data.

    PTB builds one context per update and hands it to every handler group, so the citizen
    behind the update and whether a consultant holds them are looked up once per update.
    """

    _citizen: Citizen | None
    _citizen_known: bool
    _held: Case | None
    _held_known: bool

    @property
    def app(self) -> AppContext:
        return self.bot_data["app"]  # type: ignore[no-any-return]

    async def citizen_for(self, user_id: int) -> Citizen | None:
        if not getattr(self, "_citizen_known", False):
            self.remember(await self.app.citizens.by_user(user_id))
        return self._citizen

    def remember(self, citizen: Citizen | None) -> None:
        self._citizen = citizen
        self._citizen_known = True

    async def held_case(self, citizen_id: int) -> Case | None:
        if not getattr(self, "_held_known", False):
            self._held = await self.app.cases.held(citizen_id)
            self._held_known = True
        return self._held


DIALOGS_DIR = PROJECT_ROOT / "dialogs"


async def open_app_context(settings: Settings, clock: Clock, texts: Texts | None = None,
                           db: Database | None = None) -> AppContext:
    """Open the database, load texts and dialogs, and validate it all before the first update."""
    helplines = load_helplines(settings.help_numbers_file)
    texts = texts or Texts.load(settings.default_locale, settings.timezone,
                               settings.staff_locale)
    db = db or await Database.open(settings.database_path)  # a bad path fails before the model
    try:
        default_assessor(settings.risk_model)  # lexicons and model now, not on the first message
        return await _build(settings, clock, texts, db, helplines)
    except BaseException:
        await db.close()  # a half-built context must not keep the process alive
        raise


async def _build(settings: Settings, clock: Clock, texts: Texts, db: Database,
                 helplines: Helplines) -> AppContext:
    citizens = CitizenStore(db)
    sessions = SessionStore(db)
    invites = InviteService(InviteStore(db), citizens, clock)
    case_store = CaseStore(db)
    checkin_store = CheckinStore(db)
    audit = AuditLog(AuditStore(db), clock)
    staff = StaffService(StaffStore(db), audit, clock)
    workspace_store = WorkspaceStore(db)
    hours = OfficeHours(*settings.consultant_hours, weekends=settings.consultant_weekends,
                        zone=settings.timezone)
    cases = CaseService(case_store, hours, settings.realert_after, clock,
                        staffed=settings.staff_chat_id is not None)
    outbox = Outbox(OutboxStore(db), clock)
    alerts = CaseAlerts(cases, citizens, checkin_store, outbox, audit, texts, settings, clock)
    care = CareService(alerts, texts, default_assessor(settings.risk_model), DecisionStore(db),
                       clock)
    privacy = PrivacyService(PrivacyStore(db), citizens, sessions, case_store, checkin_store,
                             workspace_store,
                             outbox, audit, clock, settings.staff_chat_id)
    onboarding = OnboardingService(
        load_dialog(DIALOGS_DIR / "onboarding.toml"), sessions, citizens, invites, privacy,
        care, texts, clock, settings.jobcentre_name,
    )
    scheduler = Scheduler(TimerStore(db), clock)
    checkins = CheckinService(
        load_dialog(DIALOGS_DIR / "checkin.toml"), sessions=sessions, router=onboarding.router,
        citizens=citizens, store=checkin_store, scheduler=scheduler, outbox=outbox,
        alerts=alerts, care=care, texts=texts, clock=clock,
        schedule=settings.checkin_schedule,
        rules=ContactRules(settings.quiet_hours, settings.quiet_weekends, settings.timezone),
    )
    onboarding.consents_saved.append(checkins.ensure_scheduled)
    workspace = WorkspaceService(
        workspace_store, cases, staff, citizens, outbox, audit, texts, sessions,
        onboarding.router, load_dialog(DIALOGS_DIR / "feedback.toml"), clock,
        settings.staff_chat_id)
    topics = Topics(workspace_store, citizens, cases, texts.staff,
                    settings.staff_chat_id)
    return AppContext(settings, db, clock, texts, citizens, sessions, invites, privacy,
                      onboarding, cases, alerts, care, helplines, outbox,
                      scheduler, checkins, audit, staff, workspace, topics)
