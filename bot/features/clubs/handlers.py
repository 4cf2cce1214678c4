"""Telegram side of job clubs: /clubs and the citizens' buttons (Join, Waitlist, the inline
consent, Leave, Accept / No thanks, Can't come, Keep my seat), and the staff chat's buttons
(attendance, open a case, a club like this one). Decisions are in the services."""

from __future__ import annotations

import logging

from telegram import Message, Update
from telegram.error import BadRequest, TelegramError
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot.config import Settings
from bot.context import BotContext
from bot.features.cases.handlers import StaffCallbackHandler
from bot.features.clubs import staff_wording, wording
from bot.features.clubs.attendance import ClubAttendance
from bot.features.clubs.compose import ClubComposer, Outcome
from bot.features.clubs.demand import ClubDemand
from bot.features.clubs.notices import ClubNotices
from bot.features.clubs.service import ClubService
from bot.features.dialogs.handlers import citizen_of
from bot.stages import Stage
from bot.views import inline_markup, reply_here, send_text, thread_of

log = logging.getLogger(__name__)
CITIZEN = r"^club\|(join|consent|noconsent|leave|cantcome|keep)\|\d+$"
OFFER = r"^club\|offer\|\d+\|(yes|no)$"
LIST = r"^club\|list$"
ATTENDANCE = r"^clubatt\|\d+\|\d+\|[01]$"
OPEN_CASE = r"^clubcase\|\d+\|\d+$"
LIKE = r"^clublike\|\d+$"


async def my_clubs(update: Update, context: BotContext) -> None:
    """/clubs (and the broadcast's "See the job clubs"): each club with its button."""
    if update.callback_query is not None:
        await update.callback_query.answer()
    citizen = await citizen_of(update, context)
    for text, buttons in await context.app.get(ClubService).overview(citizen):
        await send_text(context.bot, citizen.chat_id, text, inline_markup(buttons))


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


async def club_command(update: Update, context: BotContext) -> None:
    """/club in the staff chat: a new club (a short dialog), or list | link | move | cancel."""
    message = update.effective_message
    user = update.effective_user
    if message is None or user is None:
        return
    composer = context.app.get(ClubComposer)
    if not await composer.allowed(user.id):
        await reply_here(context.bot, message, context.app.texts.staff(wording.OUTREACH_ONLY))
        return
    if context.args:
        text, changed = await composer.command(context.args)
        if changed:
            await context.app.get(ClubNotices).handle_changes()
        await reply_here(context.bot, message, text)
        return
    await _show(update, context, await composer.begin(user.id, thread_of(message)))


async def staff_line(update: Update, context: BotContext) -> None:
    """A line in the staff chat: the club draft's answer when its step waits for one (nothing
    after this stage sees it then); otherwise it goes on."""
    message = update.effective_message
    user = update.effective_user
    if message is None or user is None:
        return
    composer = context.app.get(ClubComposer)
    if not await composer.allowed(user.id):
        return
    outcome = await composer.typed(user.id, thread_of(message), message.text or "")
    if outcome is None:
        return
    await _show(update, context, outcome)
    raise ApplicationHandlerStop


async def draft_button(update: Update, context: BotContext) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    composer = context.app.get(ClubComposer)
    if not await composer.allowed(query.from_user.id):
        await query.answer(context.app.texts.staff(wording.OUTREACH_ONLY), show_alert=True)
        return
    _prefix, compose_id, step, choice = query.data.split("|")
    outcome = await composer.pressed(query.from_user.id, int(compose_id), step, choice)
    await query.answer(outcome.notice, show_alert=outcome.alert)
    if outcome.screen is None:
        return
    try:
        await query.edit_message_reply_markup(None)  # that step is over
    except TelegramError as exc:
        log.info("club draft: old buttons not removed (%s)", type(exc).__name__)
    await _show(update, context, outcome)


async def _show(update: Update, context: BotContext, outcome: Outcome) -> None:
    chat = update.effective_chat
    if outcome.changed:  # timers and notices now, not at the next sweep
        await context.app.get(ClubNotices).handle_changes()
    if outcome.screen is not None and chat is not None:
        await send_text(context.bot, chat.id, outcome.screen.text,
                        inline_markup(outcome.screen.buttons), thread_id=outcome.screen.thread_id)


def register(app: Application, settings: Settings) -> None:  # type: ignore[type-arg]
    app.add_handler(CommandHandler("clubs", my_clubs, filters=filters.ChatType.PRIVATE))
    app.add_handler(CallbackQueryHandler(my_clubs, pattern=LIST))
    app.add_handler(CallbackQueryHandler(club_button, pattern=CITIZEN))
    app.add_handler(CallbackQueryHandler(offer_button, pattern=OFFER))
    staff_chat_id = settings.staff_chat_id
    if staff_chat_id is not None:
        staff_chat = filters.Chat(staff_chat_id)
        app.add_handler(CommandHandler("club", club_command, filters=staff_chat))
        app.add_handler(MessageHandler(staff_chat & filters.TEXT & ~filters.COMMAND, staff_line),
                        group=Stage.STAFF_CLUB)
        app.add_handler(StaffCallbackHandler(draft_button, staff_wording.PATTERN, staff_chat_id))
        app.add_handler(StaffCallbackHandler(attendance_button, ATTENDANCE, staff_chat_id))
        app.add_handler(StaffCallbackHandler(case_button, OPEN_CASE, staff_chat_id))
        app.add_handler(StaffCallbackHandler(like_button, LIKE, staff_chat_id))
