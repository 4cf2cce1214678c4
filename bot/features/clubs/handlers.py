"""Telegram side of job clubs: /clubs (also from /menu) and the citizens' buttons (Join,
Waitlist, the inline consent, Leave, Accept / No thanks, Can't come, Keep my seat, and the
evaluation's "Feedback on an application" and "Another job club"), and the staff chat's buttons
(attendance, open a case, a club like this one). Decisions are in the services."""

from __future__ import annotations

import logging

from telegram import Message, Update
from telegram.error import BadRequest
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    filters,
)

from bot.config import Settings
from bot.context import BotContext
from bot.features.cases.handlers import StaffCallbackHandler
from bot.features.citizens import Citizen
from bot.features.clubs.attendance import ClubAttendance
from bot.features.clubs.compose import ClubComposer
from bot.features.clubs.demand import ClubDemand
from bot.features.clubs.evaluation import DIALOG as EVALUATION_DIALOG
from bot.features.clubs.notices import ClubNotices
from bot.features.clubs.service import ClubService
from bot.features.dialogs import FrontDoor
from bot.features.dialogs.handlers import citizen_of
from bot.features.drafts.handlers import start_draft_dialog
from bot.staff_dialogs.handlers import add_dialog
from bot.views import answer_press, inline_markup, reply_here, send_text

log = logging.getLogger(__name__)
CITIZEN = r"^club\|(join|consent|noconsent|leave|cantcome|keep)\|\d{1,18}$"
OFFER = r"^club\|offer\|\d{1,18}\|(yes|no)$"
LIST = r"^club\|list$"
FROM_DIALOG = (r"^(onboarding\|menu\|clubs|" + EVALUATION_DIALOG
               + r"\|thanks\|(clubs|feedback))$")
"""/menu's "Job clubs" (dialogs/onboarding.toml), and the evaluation's thanks
(dialogs/club_evaluation.toml)."""
ATTENDANCE = r"^clubatt\|\d{1,18}\|\d{1,18}\|[01]$"
OPEN_CASE = r"^clubcase\|\d{1,18}\|\d{1,18}$"
LIKE = r"^clublike\|\d{1,18}$"


async def my_clubs(update: Update, context: BotContext) -> None:
    """/clubs (and the broadcast's "See the job clubs"): each club with its button."""
    if update.callback_query is not None:
        await update.callback_query.answer()
    await _show_clubs(context, await citizen_of(update, context))


async def _show_clubs(context: BotContext, citizen: Citizen) -> None:
    for text, buttons in await context.app.get(ClubService).overview(citizen):
        await send_text(context.bot, citizen.chat_id, text, inline_markup(buttons))


async def from_dialog(update: Update, context: BotContext) -> None:
    """A dialog's button that leads here: the dialog keeps its step (the menu, the thanks),
    then the clubs follow as /clubs shows them, or the evaluation's offer of feedback starts the
    draft-feedback dialog (bot/features/drafts) as the webinar follow-up's does. A stale or
    forged one gets the current step, as any button."""
    query = update.callback_query
    assert query is not None and query.data is not None
    citizen = await citizen_of(update, context)
    reply = await context.app.get(FrontDoor).press(citizen, query.data)
    await answer_press(query, reply.outcome, context.app.texts.get(reply.locale))
    if reply.outcome.notice is not None or reply.citizen is None:
        return
    if not query.data.endswith("|feedback"):
        await _show_clubs(context, reply.citizen)
        return
    await start_draft_dialog(context, reply.citizen)


async def club_button(update: Update, context: BotContext) -> None:
    """A citizen's tap; the answer is a new message, so the club list stays as it was."""
    query = update.callback_query
    assert query is not None and query.data is not None
    await query.answer()
    citizen = await citizen_of(update, context)
    app = context.app
    clubs = app.get(ClubService)
    _prefix, action, raw_id = query.data.split("|")
    target = int(raw_id)
    buttons = ()
    if action == "join":
        text, buttons = await clubs.join(citizen, target)
    elif action == "consent":
        text, buttons = await clubs.give_consent(citizen, target)
    elif action == "noconsent":
        text = clubs.decline_consent(citizen)
    elif action == "leave":
        text = await clubs.leave(citizen, target)
    elif action == "cantcome":
        text, buttons = await app.get(ClubNotices).cant_come(citizen, target)
    else:
        text = await app.get(ClubNotices).keep_seat(citizen, target)
    await send_text(context.bot, citizen.chat_id, text, inline_markup(buttons))


async def offer_button(update: Update, context: BotContext) -> None:
    """Accept / No thanks on a seat offer."""
    query = update.callback_query
    assert query is not None and query.data is not None
    await query.answer()
    citizen = await citizen_of(update, context)
    _prefix, _kind, offer_id, answer = query.data.split("|")
    text = await context.app.get(ClubService).answer_offer(citizen, int(offer_id),
                                                           answer == "yes")
    await send_text(context.bot, citizen.chat_id, text)


async def attendance_button(update: Update, context: BotContext) -> None:
    """A tap on the attendance list: the list is edited to show the marks."""
    query = update.callback_query
    assert query is not None and query.data is not None
    _prefix, session_id, citizen_id, came = query.data.split("|")
    answer, view = await context.app.get(ClubAttendance).mark(
        query.from_user.id, int(session_id), int(citizen_id), came == "1")
    await query.answer(answer, show_alert=view is None)
    if view is not None:
        text, buttons = view
        try:
            await query.edit_message_text(text, reply_markup=inline_markup(buttons))
        except BadRequest as exc:
            log.info("could not update the attendance list: %s", exc.message)


async def case_button(update: Update, context: BotContext) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    _prefix, club_id, citizen_id = query.data.split("|")
    text = await context.app.get(ClubAttendance).open_case(query.from_user.id, int(club_id),
                                                           int(citizen_id))
    await query.answer()
    await _reply(update, context, text)


async def like_button(update: Update, context: BotContext) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    text = await context.app.get(ClubDemand).create_like(query.from_user.id,
                                                         int(query.data.split("|")[1]))
    await query.answer()
    await _reply(update, context, text)


async def _reply(update: Update, context: BotContext, text: str) -> None:
    query = update.callback_query
    assert query is not None
    if isinstance(query.message, Message):
        await reply_here(context.bot, query.message, text)


def register(app: Application, settings: Settings) -> None:  # type: ignore[type-arg]
    app.add_handler(CommandHandler("clubs", my_clubs, filters=filters.ChatType.PRIVATE))
    app.add_handler(CallbackQueryHandler(my_clubs, pattern=LIST))
    app.add_handler(CallbackQueryHandler(from_dialog, pattern=FROM_DIALOG))
    app.add_handler(CallbackQueryHandler(club_button, pattern=CITIZEN))
    app.add_handler(CallbackQueryHandler(offer_button, pattern=OFFER))
    staff_chat_id = settings.staff_chat_id
    if staff_chat_id is not None:
        add_dialog(app, settings, ClubComposer)  # /club: the staff dialogs' way
        app.add_handler(StaffCallbackHandler(attendance_button, ATTENDANCE, staff_chat_id))
        app.add_handler(StaffCallbackHandler(case_button, OPEN_CASE, staff_chat_id))
        app.add_handler(StaffCallbackHandler(like_button, LIKE, staff_chat_id))
