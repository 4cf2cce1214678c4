"""Feedback on applications and CVs (issue 13): a citizen sends a draft (a PDF, DOCX or ODT
file, photos of the pages, or pasted text) with the job ad and the deadline; consultants take
it from /drafts in the staff chat, answer in the citizen's topic and press Send feedback; the
citizen rates it or asks a question; files and texts go after the retention;
`python -m bot report feedback` has the figures."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.feature import Command, Feature, handlers_in, load_named_dialog
from bot.features.citizens import CitizenStore
from bot.features.drafts import wording
from bot.features.drafts.reading import TELEGRAM_DOWNLOAD_LIMIT, load_sniffer
from bot.features.drafts.service import DIALOG, PREVIEW_KIND, DraftService, Limits
from bot.features.drafts.storage import DraftStore
from bot.features.drafts.virus import Clamd
from bot.features.staff import StaffService

if TYPE_CHECKING:
    from bot.context import AppContext

__all__ = ["FEATURE", "DraftService"]


def _service(app: AppContext) -> DraftService:
    settings = app.settings
    limits = Limits(max_bytes=min(settings.draft_max_mb * 1_000_000, TELEGRAM_DOWNLOAD_LIMIT),
                    answer_days=settings.draft_answer_days, retention=settings.draft_retention)
    return DraftService(
        load_named_dialog(DIALOG), app.sessions, DraftStore(app.db), app.get(CitizenStore),
        app.get(StaffService), app.outbox, app.texts, app.clock, settings.timezone, limits,
        settings.staff_chat_id, settings.onduty_mention, load_sniffer(),
        Clamd(settings.clamd_socket) if settings.clamd_socket else None)


FEATURE = Feature(
    name="drafts",
    services={DraftService: _service},
    handlers=handlers_in("bot.features.drafts.handlers"),
    commands=(Command("feedback", wording.MENU, wording.HELP, position=38),),
    dialogs=lambda app: (app.get(DraftService).runner,),
    sweeps={"draft timeouts": lambda app: app.get(DraftService).runner.expire_due,
            "drafts not taken in time": lambda app: app.get(DraftService).reannounce_overdue,
            "draft retention": lambda app: app.get(DraftService).purge_expired},
    on_sent={PREVIEW_KIND: lambda app: app.get(DraftService).preview_sent},
    my_data=lambda app: app.get(DraftService).stored_data,
    erasure=lambda app: app.get(DraftService).before_erasure,
)
