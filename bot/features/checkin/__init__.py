"""Scheduled check-ins: a gentle conversation on a cadence, with WHO-5 every fourth week."""

from __future__ import annotations

from typing import Any

from bot.events import CASE_RETURNED, CITIZEN_BLOCKED, CITIZEN_CHANGED
from bot.feature import Feature, handlers_in, load_named_dialog
from bot.features.care.service import CareService
from bot.features.cases.alerts import CaseAlerts
from bot.features.cases.model import Case
from bot.features.checkin.service import KIND, CheckinService
from bot.features.checkin.storage import CheckinStore
from bot.features.checkin.timing import ContactRules
from bot.features.citizens import CitizenStore

__all__ = ["FEATURE", "CheckinService"]


def _service(app: Any) -> CheckinService:
    settings = app.settings
    return CheckinService(
        load_named_dialog("checkin"), sessions=app.sessions, router=app.router,
        citizens=app.get(CitizenStore), store=CheckinStore(app.db), scheduler=app.scheduler,
        outbox=app.outbox, alerts=app.get(CaseAlerts), care=app.get(CareService),
        texts=app.texts, clock=app.clock, schedule=settings.checkin_schedule,
        rules=ContactRules(settings.quiet_hours, settings.quiet_weekends, settings.timezone),
        emit=app.emit)


def _resume_after_return(app: Any) -> Any:
    async def resume(case: Case) -> None:
        if case.citizen_id is not None:
            await app.get(CheckinService).resume(case.citizen_id)

    return resume


def _cancel_when_blocked(app: Any) -> Any:
    async def cancel(citizen_id: int) -> None:
        await app.scheduler.cancel(CheckinService.key(citizen_id))

    return cancel


FEATURE = Feature(
    name="checkin",
    services={CheckinService: _service},
    handlers=handlers_in("bot.features.checkin.handlers"),
    dialogs=lambda app: (app.get(CheckinService).runner,),
    timers={KIND: lambda app: app.get(CheckinService).fire},
    sweeps={"check-in timeouts": lambda app: app.get(CheckinService).runner.expire_due},
    listens={CITIZEN_CHANGED: lambda app: app.get(CheckinService).ensure_scheduled,
             CASE_RETURNED: _resume_after_return, CITIZEN_BLOCKED: _cancel_when_blocked},
    my_data=lambda app: app.get(CheckinService).stored_data,
    staff_header=lambda app: app.get(CheckinService).header_lines,
)
