"""Staff access to a citizen's data: `/mydata <case>` and `/export <case>` in the staff chat.

A consultant sees what the citizen would see in /mydata; an admin can export every stored row
(to answer a request for access). Both are written to the audit log before anything is shown.
"""

from __future__ import annotations

from telegram import InputFile, Update
from telegram.ext import Application, CommandHandler, filters

from bot.context import BotContext
from bot.engine.screen import render
from bot.features.staff import Role
from bot.features.staff.service import CASEWORK
from bot.i18n import N_
from bot.views import reply_here, thread_of

LOOKUP_USAGE = N_("Use: /mydata <case number> – what we store about that citizen.")
EXPORT_USAGE = N_("Use: /export <case number> – every stored row about that citizen, as a file.")
NO_CITIZEN = N_("Case #{case} has no citizen any more (erased at their request).")
LOOKUP_HEADER = N_("Case #{case} – what the citizen sees in /mydata (this look-up is logged):")
EXPORT_CAPTION = N_("Case #{case} – everything stored about the citizen (this export is "
                    "logged; store the file as personal data).")
ADMINS = frozenset({Role.ADMIN})


async def _citizen_of_case(update: Update, context: BotContext, roles: frozenset[Role],
                           usage: str) -> tuple[int, int] | None:
    """(case number, citizen number) named by the command, after the role check."""
    app = context.app
    user = update.effective_user
    message = update.effective_message
    if user is None or message is None or not await app.staff.allowed(user.id, roles):
        return None
    _ = app.texts.staff
    raw = context.args[0] if context.args else ""
    case = await app.cases.get(int(raw)) if raw.isdigit() else None
    if case is None:
        await reply_here(context.bot, message, _(usage))
        return None
    if case.citizen_id is None:
        await reply_here(context.bot, message, _(NO_CITIZEN, case=case.id))
        return None
    return case.id, case.citizen_id


async def lookup(update: Update, context: BotContext) -> None:
    found = await _citizen_of_case(update, context, CASEWORK, LOOKUP_USAGE)
    if found is None:
        return
    case_id, citizen_id = found
    app = context.app
    assert update.effective_user is not None and update.effective_message is not None
    _ = app.texts.staff
    described = await app.privacy.staff_lookup(update.effective_user.id, citizen_id)
    text = (_(LOOKUP_HEADER, case=case_id) + "\n\n" + render(described, _)
            if described is not None else _(NO_CITIZEN, case=case_id))
    await reply_here(context.bot, update.effective_message, text)


async def export(update: Update, context: BotContext) -> None:
    found = await _citizen_of_case(update, context, ADMINS, EXPORT_USAGE)
    if found is None:
        return
    case_id, citizen_id = found
    app = context.app
    message = update.effective_message
    assert update.effective_user is not None and message is not None
    _ = app.texts.staff
    document = await app.privacy.export(update.effective_user.id, citizen_id)
    if document is None:
        await reply_here(context.bot, message, _(NO_CITIZEN, case=case_id))
        return
    await context.bot.send_document(
        message.chat.id, InputFile(document, filename=f"citizen-{citizen_id}.json"),
        caption=_(EXPORT_CAPTION, case=case_id), message_thread_id=thread_of(message))


def register(app: Application, staff_chat_id: int | None) -> None:  # type: ignore[type-arg]
    """Only in the staff chat: a citizen's /mydata is the onboarding feature's own command."""
    if staff_chat_id is None:
        return
    staff_chat = filters.Chat(staff_chat_id)
    app.add_handler(CommandHandler("mydata", lookup, filters=staff_chat))
    app.add_handler(CommandHandler("export", export, filters=staff_chat))
