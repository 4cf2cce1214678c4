"""Cases: a citizen who needs a human, from alert to claim to close."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.feature import Feature, handlers_in
from bot.features.audit import AuditLog
from bot.features.cases.alerts import ALERT_KIND, CaseAlerts
from bot.features.cases.hours import OfficeHours
from bot.features.cases.model import Case, CaseLevel
from bot.features.cases.service import CaseService
from bot.features.cases.storage import CaseStore
from bot.features.cases.workflow import CaseWorkflow
from bot.features.citizens import CitizenStore
from bot.features.staff import StaffService

if TYPE_CHECKING:
    from bot.context import AppContext

__all__ = ["FEATURE", "Case", "CaseLevel", "CaseService", "CaseStore"]


def _cases(app: AppContext) -> CaseService:
    settings = app.settings
    hours = OfficeHours(*settings.consultant_hours, weekends=settings.consultant_weekends,
                        zone=settings.timezone)
    return CaseService(CaseStore(app.db, app.cache), hours, settings.realert_after, app.clock,
                       staffed=settings.staff_chat_id is not None)


FEATURE = Feature(
    name="cases",
    services={
        CaseService: _cases,
        CaseAlerts: lambda app: CaseAlerts(app.get(CaseService), app.get(CitizenStore),
                                           app.staff_header, app.outbox, app.get(AuditLog),
                                           app.texts, app.settings, app.clock),
        CaseWorkflow: lambda app: CaseWorkflow(app.get(CaseService), app.get(StaffService),
                                               app.get(AuditLog), app.get(CitizenStore),
                                               app.outbox, app.texts, app.emit),
    },
    handlers=handlers_in("bot.features.cases.handlers"),
    sweeps={"case re-alerts": lambda app: app.get(CaseAlerts).realert_due},
    on_sent={ALERT_KIND: lambda app: app.get(CaseAlerts).delivered},
    my_data=lambda app: app.get(CaseService).stored_data,
    erasure=lambda app: app.get(CaseService).before_erasure,
)
