"""Staff access to a citizen's data: `/mydata <case>` and `/export <case>` in the staff chat.

A consultant sees what the citizen would see in /mydata; an admin can export every stored row
(to answer a request for access). Both are written to the audit log before anything is shown.
"""

from __future__ import annotations

from typing import NamedTuple

from telegram import InputFile, Message, Update
from telegram.ext import Application, CommandHandler, filters

from bot.config import Settings
from bot.context import BotContext
from bot.engine.screen import render
from bot.features.cases import CaseService
from bot.features.privacy import PrivacyService
from bot.features.staff import Role, StaffService
from bot.features.staff.service import ADMINS, CASEWORK
from bot.i18n import N_
from bot.views import reply_here, thread_of

LOOKUP_USAGE = N_("Use: /mydata <case number> – what we store about that citizen.")
EXPORT_USAGE = N_("Use: /export <case number> – every stored row about that citizen, as a file.")
NO_CITIZEN = N_("Case #{case} has no citizen any more (erased at their request).")
LOOKUP_HEADER = N_("Case #{case} – what the citizen sees in /mydata (this look-up is logged):")
EXPORT_CAPTION = N_("Case #{case} – everything stored about the citizen (this export is "
                    "logged; store the file as personal data).")


class DataRequest(NamedTuple):
    staff_id: int
    message: Message
    case_id: int
    citizen_id: int


async def _request(update: Update, context: BotContext, roles: frozenset[Role],
                   usage: str) -> DataRequest | None:
    """Who asks about which citizen, after the role check; a wrong case number is answered."""
    app = context.app
    user = update.effective_user
    message = update.effective_message
    if user is None or message is None or not await app.get(StaffService).allowed(user.id, roles):
        return None
    case = await app.get(CaseService).named(context.args)
    if case is None:
        await reply_here(context.bot, message, app.texts.staff(usage))
        return None
    if case.citizen_id is None:
        await reply_here(context.bot, message, app.texts.staff(NO_CITIZEN, case=case.id))
        return None
    return DataRequest(user.id, message, case.id, case.citizen_id)


async def lookup(update: Update, context: BotContext) -> None:
    request = await _request(update, context, CASEWORK, LOOKUP_USAGE)
    if request is None:
        return
    _ = context.app.texts.staff
    privacy = context.app.get(PrivacyService)
    described = await privacy.staff_lookup(request.staff_id, request.citizen_id)
    text = (_(LOOKUP_HEADER, case=request.case_id) + "\n\n" + render(described, _)
            if described is not None else _(NO_CITIZEN, case=request.case_id))
    await reply_here(context.bot, request.message, text)


async def export(update: Update, context: BotContext) -> None:
    request = await _request(update, context, ADMINS, EXPORT_USAGE)
    if request is None:
        return
    _ = context.app.texts.staff
    document = await context.app.get(PrivacyService).export(request.staff_id, request.citizen_id)
    if document is None:
        await reply_here(context.bot, request.message, _(NO_CITIZEN, case=request.case_id))
        return
    await context.bot.send_document(
        request.message.chat.id,
        InputFile(document, filename=f"citizen-{request.citizen_id}.json"),
        caption=_(EXPORT_CAPTION, case=request.case_id),
        message_thread_id=thread_of(request.message))


def register(app: Application, settings: Settings) -> None:  # type: ignore[type-arg]
    """Only in the staff chat: a citizen's /mydata is the onboarding feature's own command."""
    staff_chat_id = settings.staff_chat_id
    if staff_chat_id is None:
        return
    staff_chat = filters.Chat(staff_chat_id)
    app.add_handler(CommandHandler("mydata", lookup, filters=staff_chat))
    app.add_handler(CommandHandler("export", export, filters=staff_chat))
