"""Job clubs: cohorts meeting online once a week, seats with a waitlist and timed seat offers,
reminders with the link, calendar files, attendance, more clubs when demand grows, and an
evaluation at the end."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.events import CITIZEN_BLOCKED, CITIZEN_CHANGED
from bot.feature import Command, Feature, MyData, StoredData, handlers_in, load_named_dialog
from bot.features.cases import CaseService
from bot.features.cases.alerts import CaseAlerts
from bot.features.checkin.timing import ContactRules
from bot.features.citizens import CitizenStore
from bot.features.clubs import wording
from bot.features.clubs.attendance import KIND as ATTENDANCE_KIND
from bot.features.clubs.attendance import ClubAttendance
from bot.features.clubs.compose import KIND as DIALOG_KIND
from bot.features.clubs.compose import ClubComposer
from bot.features.clubs.compose_state import Composing
from bot.features.clubs.demand import ClubDemand
from bot.features.clubs.evaluation import DIALOG as EVALUATION_DIALOG
from bot.features.clubs.evaluation import KIND as EVALUATION_KIND
from bot.features.clubs.evaluation import ClubEvaluations
from bot.features.clubs.notices import DAY_BEFORE_KIND, REMINDER_KIND, ClubNotices
from bot.features.clubs.planning import ClubPlanner
from bot.features.clubs.service import OFFER_KIND, ClubService
from bot.features.clubs.storage import ClubEvaluationStore, ClubStore
from bot.features.staff import StaffService
from bot.staff_dialogs.storage import StaffDialogStore

if TYPE_CHECKING:
    from bot.context import AppContext

__all__ = ["FEATURE", "ClubService"]


def _rules(app: AppContext) -> ContactRules:
    settings = app.settings
    return ContactRules(settings.quiet_hours, settings.quiet_weekends, settings.timezone)


def _service(app: AppContext) -> ClubService:
    settings = app.settings
    return ClubService(ClubStore(app.db), app.get(CitizenStore), app.outbox, app.scheduler,
                       app.texts, app.clock, zone=settings.timezone, rules=_rules(app),
                       reminder=settings.club_reminder, offer_hours=settings.seat_offer)


def _notices(app: AppContext) -> ClubNotices:
    settings = app.settings
    return ClubNotices(app.get(ClubService), ClubStore(app.db), app.get(CitizenStore),
                       app.outbox, app.scheduler, app.texts, app.clock, zone=settings.timezone,
                       rules=_rules(app), reminder=settings.club_reminder)


def _demand(app: AppContext) -> ClubDemand:
    store = ClubStore(app.db)
    return ClubDemand(store, ClubPlanner(store, app.clock, app.settings.timezone),
                      app.get(ClubService), app.get(StaffService), app.outbox, app.texts,
                      app.clock, threshold=app.settings.club_waitlist_alert,
                      staff_chat_id=app.settings.staff_chat_id)


def _evaluations(app: AppContext) -> ClubEvaluations:
    return ClubEvaluations(ClubStore(app.db), ClubEvaluationStore(app.db), app.get(CitizenStore),
                           app.get(CaseService), app.outbox, app.router,
                           app.sessions, load_named_dialog(EVALUATION_DIALOG), app.texts,
                           app.clock, _rules(app))


def _my_data(app: AppContext) -> MyData:
    async def stored(citizen_id: int) -> StoredData:
        seats = await app.get(ClubService).stored_data(citizen_id)
        evaluations = await app.get(ClubEvaluations).stored_data(citizen_id)
        return StoredData([*seats.lines, *evaluations.lines])

    return stored


def _blocked(app: AppContext) -> Any:
    return app.get(ClubService).citizen_gone


def _changed(app: AppContext) -> Any:
    return app.get(ClubService).citizen_changed


FEATURE = Feature(
    name="clubs",
    services={
        ClubService: _service,
        ClubNotices: _notices,
        ClubAttendance: lambda app: ClubAttendance(
            ClubStore(app.db), app.get(CitizenStore), app.get(StaffService),
            app.get(CaseAlerts), app.outbox, app.texts, app.clock, app.settings.staff_chat_id),
        ClubDemand: _demand,
        ClubEvaluations: _evaluations,
        ClubComposer: lambda app: ClubComposer(
            StaffDialogStore(app.db, DIALOG_KIND, app.settings.staff_chat_id,
                             Composing.from_saved, Composing.saved),
            ClubStore(app.db), app.get(StaffService), app.get(ClubNotices).handle_changes,
            app.texts, app.clock, app.settings.timezone),
    },
    handlers=handlers_in("bot.features.clubs.handlers"),
    commands=(Command("clubs", wording.MENU, wording.HELP, position=37),),
    dialogs=lambda app: (app.get(ClubEvaluations).runner,),
    timers={DAY_BEFORE_KIND: lambda app: app.get(ClubNotices).fire_day_before,
            REMINDER_KIND: lambda app: app.get(ClubNotices).fire_reminder,
            ATTENDANCE_KIND: lambda app: app.get(ClubAttendance).fire,
            OFFER_KIND: lambda app: app.get(ClubService).fire_offer_expiry,
            EVALUATION_KIND: lambda app: app.get(ClubEvaluations).fire},
    sweeps={"club changes": lambda app: app.get(ClubNotices).handle_changes,
            "club seats": lambda app: app.get(ClubService).fill_all,
            "club demand": lambda app: app.get(ClubDemand).check,
            "club drafts": lambda app: app.get(ClubComposer).sweep,
            "club evaluation timeouts": lambda app: app.get(ClubEvaluations).runner.expire_due,
            "club evaluation comment retention":
                lambda app: app.get(ClubEvaluations).forget_old_comments},
    listens={CITIZEN_BLOCKED: _blocked, CITIZEN_CHANGED: _changed},
    my_data=_my_data,
    erasure=lambda app: app.get(ClubService).before_erasure,
    broadcast_buttons={"club": lambda app: app.get(ClubService).broadcast_buttons},
    broadcast_choices={"club": lambda app: app.get(ClubService).broadcast_choices},
    segment_filters={"club": lambda app: app.get(ClubService).seated},
    segment_choices={"club": lambda app: app.get(ClubService).segment_choices},
    staff_dialogs=(ClubComposer,),
)
