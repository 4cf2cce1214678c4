"""Broadcasts: a coordinator's message to a segment of citizens, in each citizen's language,
exactly once, with a preview, pause/resume/cancel and a live progress message."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.feature import ButtonMaker, Feature, handlers_in
from bot.features.broadcasts.model import KIND, PROGRESS_KIND, Broadcast, Draft, Segment
from bot.features.broadcasts.progress import BroadcastProgress
from bot.features.broadcasts.service import BroadcastService, Change, DraftError
from bot.features.broadcasts.storage import BroadcastStore
from bot.features.checkin.timing import ContactRules
from bot.features.citizens import CitizenStore

if TYPE_CHECKING:
    from telegram.ext import ExtBot

    from bot.context import AppContext
    from bot.outbox.sender import OutboxSender

__all__ = ["FEATURE", "KIND", "Broadcast", "BroadcastService", "Change", "Draft", "DraftError",
           "Segment", "broadcast_service"]


def broadcast_service(app: AppContext) -> BroadcastService:
    """Built from the application's features: their broadcast_buttons are its buttons."""
    settings = app.settings
    buttons: dict[str, ButtonMaker] = {
        prefix: make(app) for feature in app.features
        for prefix, make in feature.broadcast_buttons.items()}
    return BroadcastService(
        BroadcastStore(app.db), app.get(CitizenStore), app.outbox, app.texts, app.clock,
        ContactRules(settings.quiet_hours, settings.quiet_weekends, settings.timezone),
        buttons, settings.timezone, settings.staff_chat_id)


async def _start(app: AppContext, bot: ExtBot[None], sender: OutboxSender) -> None:
    app.get(BroadcastProgress).start(bot)


FEATURE = Feature(
    name="broadcasts",
    services={
        BroadcastService: broadcast_service,
        BroadcastProgress: lambda app: BroadcastProgress(app.get(BroadcastService), app.clock,
                                                         app.settings.staff_chat_id),
    },
    handlers=handlers_in("bot.features.broadcasts.handlers"),
    sweeps={"broadcasts": lambda app: app.get(BroadcastService).sweep,
            "broadcast progress": lambda app: app.get(BroadcastProgress).sweep},
    on_sent={PROGRESS_KIND: lambda app: app.get(BroadcastProgress).sent},
    on_start=_start,
)
