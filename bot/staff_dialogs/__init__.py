"""The skeleton of the staff chat's dialogs – /broadcast, /webinar, /club: one table
(`staff_dialogs`, one open draft per kind, staff member, chat and topic, so a restart loses
nothing), one store, one Telegram path for the command, the next line (or photo or file), /cancel
and the buttons, one stage. Each dialog (the feature's composer) keeps only its steps and what it
does at the end; it declares itself in `Feature.staff_dialogs`.

model.py: the Outcome a step ends in and what a dialog offers (StaffDialog); base.py: what the
composers share; storage.py: the table; prompts.py: the messages with a step's live buttons;
handlers.py: Telegram."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.feature import Feature, handlers_in
from bot.staff_dialogs.storage import adopt_chat

if TYPE_CHECKING:
    from telegram.ext import ExtBot

    from bot.context import AppContext
    from bot.outbox.sender import OutboxSender


async def _start(app: AppContext, _bot: ExtBot[None], _sender: OutboxSender) -> None:
    if app.settings.staff_chat_id is not None:
        await adopt_chat(app.db, app.settings.staff_chat_id)


FEATURE = Feature(
    name="staff dialogs",
    handlers=handlers_in("bot.staff_dialogs.handlers"),
    on_start=_start,
)
