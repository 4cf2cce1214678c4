"""The consultant workspace: a staff-chat topic per citizen, take-over, two-way relay."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from bot.events import CASE_CLOSED
from bot.feature import Feature, handlers_in, load_named_dialog
from bot.features.audit import AuditLog
from bot.features.cases.alerts import ALERT_KIND
from bot.features.cases.model import Case
from bot.features.cases.service import CaseService
from bot.features.citizens import CitizenStore
from bot.features.staff import StaffService
from bot.features.workspace.service import WorkspaceService
from bot.features.workspace.storage import WorkspaceStore
from bot.features.workspace.topics import Topics

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from telegram.ext import ExtBot

    from bot.context import AppContext
    from bot.outbox.sender import OutboxSender

__all__ = ["FEATURE", "Topics", "WorkspaceService"]


def _workspace(app: AppContext) -> WorkspaceService:
    return WorkspaceService(
        WorkspaceStore(app.db), app.get(CaseService), app.get(StaffService),
        app.get(CitizenStore), app.outbox, app.get(AuditLog), app.texts, app.sessions,
        load_named_dialog("feedback"), app.clock, app.settings.staff_chat_id)


def _topics(app: AppContext) -> Topics:
    return Topics(WorkspaceStore(app.db), app.get(CitizenStore), app.get(CaseService),
                  app.texts.staff, app.settings.staff_chat_id)


async def _start(app: AppContext, bot: ExtBot[None], sender: OutboxSender) -> None:
    """The staff chat checked (and logged) at start; the sender finds topics through it."""
    topics = app.get(Topics)
    await topics.check(bot)
    sender.resolve_topics(partial(topics.resolve, bot), topics.refused)


def _case_closed(app: AppContext) -> Callable[[Case], Awaitable[None]]:
    async def closed(case: Case) -> None:
        if await app.get(WorkspaceService).case_closed(case) and case.citizen_id is not None:
            await app.get(Topics).close(case.citizen_id)

    return closed


FEATURE = Feature(
    name="workspace",
    services={WorkspaceService: _workspace, Topics: _topics},
    handlers=handlers_in("bot.features.workspace.handlers"),
    dialogs=lambda app: (app.get(WorkspaceService).feedback,),
    on_sent={ALERT_KIND: lambda app: app.get(Topics).anchor},
    listens={CASE_CLOSED: _case_closed},
    erasure=lambda app: app.get(WorkspaceService).before_erasure,
    case_details=lambda app: app.get(WorkspaceService).notes_of,
    on_start=_start,
)
