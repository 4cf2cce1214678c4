"""Webinars: sessions (one or a series), RSVP with a waitlist, a calendar file, a reminder with
the link, notices of changes, a follow-up, `python -m bot report webinars`, and /webinar in the
staff chat (create one, list what is coming)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.feature import Command, Feature, handlers_in
from bot.features.checkin.timing import ContactRules
from bot.features.citizens import CitizenStore
from bot.features.webinars import wording
from bot.features.webinars.compose import KIND as DIALOG_KIND
from bot.features.webinars.compose import WebinarComposer
from bot.features.webinars.compose_state import Composing
from bot.features.webinars.service import FOLLOW_UP_KIND, REMINDER_KIND, WebinarService
from bot.features.webinars.storage import WebinarStore
from bot.staff_dialogs.storage import StaffDialogStore

if TYPE_CHECKING:
    from bot.context import AppContext

__all__ = ["FEATURE", "WebinarService"]


def _service(app: AppContext) -> WebinarService:
    settings = app.settings
    return WebinarService(
        WebinarStore(app.db), app.get(CitizenStore), app.outbox, app.scheduler,
        app.texts, app.clock, reminder=settings.webinar_reminder,
        zone=settings.timezone,
        rules=ContactRules(settings.quiet_hours, settings.quiet_weekends, settings.timezone))


FEATURE = Feature(
    name="webinars",
    services={
        WebinarService: _service,
        WebinarComposer: lambda app: WebinarComposer(
            StaffDialogStore(app.db, DIALOG_KIND, app.settings.staff_chat_id,
                             Composing.from_saved, Composing.saved),
            WebinarStore(app.db), app.get(WebinarService).handle_changes, app.texts,
            app.clock, app.settings.timezone, app.settings.webinar_reminder),
    },
    handlers=handlers_in("bot.features.webinars.handlers"),
    commands=(Command("webinars", wording.MENU, wording.HELP, position=35),),
    timers={REMINDER_KIND: lambda app: app.get(WebinarService).fire_reminder,
            FOLLOW_UP_KIND: lambda app: app.get(WebinarService).fire_follow_up},
    sweeps={"webinar changes": lambda app: app.get(WebinarService).handle_changes,
            "webinar drafts": lambda app: app.get(WebinarComposer).sweep},
    my_data=lambda app: app.get(WebinarService).stored_data,
    broadcast_buttons={"rsvp": lambda app: app.get(WebinarService).broadcast_buttons},
    segment_filters={"rsvp": lambda app: app.get(WebinarService).answered},
    broadcast_choices={"rsvp": lambda app: app.get(WebinarService).broadcast_choices},
    segment_choices={"rsvp": lambda app: app.get(WebinarService).segment_choices},
    staff_dialogs=(WebinarComposer,),
)
