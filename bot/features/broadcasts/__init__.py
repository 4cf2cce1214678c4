"""Broadcasts: a coordinator's message to a segment of citizens, in each citizen's language,
exactly once, with a preview, pause/resume/cancel and a live progress message."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.config import Settings
from bot.feature import ButtonMaker, Feature, SegmentFilter, handlers_in
from bot.features.audit import AuditLog
from bot.features.broadcasts.compose import KIND as DIALOG_KIND
from bot.features.broadcasts.compose import ComposeService
from bot.features.broadcasts.compose_screens import ComposeScreens
from bot.features.broadcasts.compose_state import Composing
from bot.features.broadcasts.model import (
    KIND,
    PROGRESS_KIND,
    Attachment,
    Broadcast,
    Draft,
    Segment,
)
from bot.features.broadcasts.progress import BroadcastProgress
from bot.features.broadcasts.service import BroadcastService, Change, DraftError
from bot.features.broadcasts.storage import BroadcastStore
from bot.features.checkin.timing import ContactRules
from bot.features.citizens import CitizenStore
from bot.staff_dialogs.storage import StaffDialogStore

if TYPE_CHECKING:
    from telegram.ext import Application, ExtBot

    from bot.context import AppContext
    from bot.outbox.sender import OutboxSender

__all__ = ["FEATURE", "KIND", "Attachment", "Broadcast", "BroadcastService", "Change",
           "ComposeService", "Draft", "DraftError", "Segment", "broadcast_service"]


def broadcast_service(app: AppContext) -> BroadcastService:
    """Built from the application's features: their broadcast_buttons are its buttons, their
    segment_filters its filters."""
    settings = app.settings
    buttons: dict[str, ButtonMaker] = {
        prefix: make(app) for feature in app.features
        for prefix, make in feature.broadcast_buttons.items()}
    filters: dict[str, SegmentFilter] = {
        kind: make(app) for feature in app.features
        for kind, make in feature.segment_filters.items()}
    return BroadcastService(
        BroadcastStore(app.db), app.get(CitizenStore), app.outbox, app.texts, app.clock,
        ContactRules(settings.quiet_hours, settings.quiet_weekends, settings.timezone),
        buttons, settings.timezone, settings.staff_chat_id, segment_filters=filters,
        audit=app.get(AuditLog))


def compose_service(app: AppContext) -> ComposeService:
    """/broadcast in the staff chat: the features' choices for buttons and segment filters."""
    settings = app.settings
    screens = ComposeScreens(
        app.get(BroadcastService), BroadcastStore(app.db).invite_labels,
        {prefix: make(app) for feature in app.features
         for prefix, make in feature.broadcast_choices.items()},
        {kind: make(app) for feature in app.features
         for kind, make in feature.segment_choices.items()},
        app.texts, app.clock, settings.timezone, paid=settings.broadcast_paid)
    store = StaffDialogStore(app.db, DIALOG_KIND, settings.staff_chat_id, Composing.from_saved,
                             Composing.saved)
    return ComposeService(store, app.get(BroadcastService), screens, app.texts, app.clock,
                          settings.timezone)


def _handlers(application: Application[Any, Any, Any, Any, Any, Any],
              settings: Settings) -> None:
    """The citizens' way out and the progress buttons, then /broadcast's dialog."""
    handlers_in("bot.features.broadcasts.handlers")(application, settings)
    handlers_in("bot.features.broadcasts.compose_handlers")(application, settings)


async def _start(app: AppContext, bot: ExtBot[None], sender: OutboxSender) -> None:
    app.get(BroadcastProgress).start(bot)
    # Quiet hours at send time: a row queued before they began waits for their end too.
    sender.hold_during(KIND, app.get(BroadcastService).may_send_from)


FEATURE = Feature(
    name="broadcasts",
    services={
        BroadcastService: broadcast_service,
        ComposeService: compose_service,
        BroadcastProgress: lambda app: BroadcastProgress(app.get(BroadcastService), app.clock,
                                                         app.settings.staff_chat_id),
    },
    handlers=_handlers,
    sweeps={"broadcasts": lambda app: app.get(BroadcastService).sweep,
            "broadcast progress": lambda app: app.get(BroadcastProgress).sweep,
            "broadcast drafts": lambda app: app.get(ComposeService).sweep},
    on_sent={PROGRESS_KIND: lambda app: app.get(BroadcastProgress).sent},
    on_start=_start,
    staff_dialogs=(ComposeService,),
)
