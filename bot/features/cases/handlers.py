"""The staff chat's buttons and commands for cases: Claim, Take over, Return, Close, Called,
/cases and /case. Every one checks the presser's role in the database first."""

from __future__ import annotations

import logging

from telegram import (
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    Update,
)
from telegram.error import TelegramError
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, filters

from bot.context import BotContext
from bot.features.cases.alerts import LEVEL_LABELS, case_buttons, citizen_label
from bot.features.cases.model import Case
from bot.features.cases.service import ClaimResult
from bot.features.staff.service import CASEWORK
from bot.i18n import N_, Translator
from bot.views import reply_here, send_text

log = logging.getLogger(__name__)
CLAIMED = N_("✋ Claimed by {staff}.")
TAKEN_OVER = N_("🔁 Taken over by {staff}.")
RETURNED = N_("↩ Returned to the bot by {staff}.")
CLOSED_BY = N_("✅ Closed by {staff}.")
HELD_BY = N_("Case #{case} is held by {staff}. Take it over?")
TAKE_OVER_BUTTON = N_("🔁 Take over")
CASE_CLOSED = N_("✅ Case #{case} is closed.")
NOT_HELD = N_("Nobody holds case #{case}.")
UNKNOWN_CASE = N_("That case does not exist.")
NOT_ALLOWED = N_("Only consultants and admins can do that.")
NO_OPEN_CASES = N_("No open cases.")
CASE_LINE = N_("#{case} {level} · {citizen} · opened {opened} · {claimed}")
UNCLAIMED = N_("unclaimed")
CLAIMED_BY_ID = N_("claimed by {staff}")
NOTIFY_CLAIMED = N_("{staff} from the job centre has seen your message and will get back to "
                    "you here.")
NOTIFY_RETURNED = N_("You are back with the job centre's automated assistant. Write /human any "
                     "time you want a person again.")
CALL_QUESTION = N_("How did the call go?")
CALL_REACHED = N_("Reached")
CALL_NOT_REACHED = N_("Not reached")
CALL_NEW_TIME = N_("New time agreed")
CALL_RECORDED = N_("📞 Call recorded: {outcome} ({staff}).")
PHONE_DELETED = N_("The citizen's phone number has been deleted.")
CALL_LABELS = {"reached": CALL_REACHED, "not_reached": CALL_NOT_REACHED,
               "new_time": CALL_NEW_TIME}
CASE_USAGE = N_("Use: /case <number>")
RISK_MARKS = {"wrongflag": "wrongly_flagged", "missed": "missed"}
MARK_USAGE = N_("Use: /wrongflag <case> when the bot saw risk that was not there, or /missed "
                "<case> when it missed (or underrated) a risk. Both go to `risk review` for the "
                "next training of the classifier.")
MARKED = N_("Noted for the classifier's review: case #{case} marked as {mark}.")
MARK_LABELS = {"wrongly_flagged": N_("wrongly flagged"), "missed": N_("missed")}


def case_markup(case: Case, _: Translator) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(label, callback_data=data)
                                  for label, data in row] for row in case_buttons(case, _)])


class StaffCallbackHandler(CallbackQueryHandler):  # type: ignore[type-arg]
    """Staff buttons only count when pressed in the staff chat; elsewhere they fall through."""

    def __init__(self, callback: object, pattern: str, staff_chat_id: int | None) -> None:
        super().__init__(callback, pattern=pattern)  # type: ignore[arg-type]
        self._staff_chat_id = staff_chat_id

    def check_update(self, update: object) -> object:
        if not isinstance(update, Update) or update.effective_chat is None:
            return None
        if self._staff_chat_id is None or update.effective_chat.id != self._staff_chat_id:
            return None
        return super().check_update(update)


async def case_button(update: Update, context: BotContext) -> None:
    """Claim, Take over, Return to bot, Close, Called – for consultants and admins only."""
    query = update.callback_query
    assert query is not None and query.data is not None
    app = context.app
    _ = app.texts.staff
    _prefix, action, raw_id = query.data.split("|")
    case_id = int(raw_id)
    staff = query.from_user
    if not await app.staff.allowed(staff.id, CASEWORK):
        await query.answer(_(NOT_ALLOWED), show_alert=True)
        return
    await app.staff.seen(staff.id, staff.first_name)
    case = await app.cases.get(case_id)
    if case is None:
        await query.answer(_(UNKNOWN_CASE), show_alert=True)
        return
    if case.closed_at is not None:
        await query.answer(_(CASE_CLOSED, case=case_id), show_alert=True)
        return
    if action == "claim":
        await _claim(query, context, case_id)
    elif action == "takeover":
        taken = await app.cases.take_over(case_id, staff.id)
        await query.answer()
        if taken is not None:
            await app.audit.record(f"staff:{staff.id}", "case_taken_over", taken.citizen_id,
                                   f"case {case_id} from staff {case.claimed_by}")
            await _mark(query, _(TAKEN_OVER, staff=staff.first_name), taken, _)
            await _tell_citizen(context, taken, NOTIFY_CLAIMED, staff=staff.first_name)
    elif action == "return":
        returned = await app.cases.return_to_bot(case_id)
        await query.answer(None if returned else _(NOT_HELD, case=case_id))
        if returned is not None:
            await _mark(query, _(RETURNED, staff=staff.first_name), returned, _)
            await _tell_citizen(context, returned, NOTIFY_RETURNED)
            if returned.citizen_id is not None:
                await app.checkins.resume(returned.citizen_id)
    elif action == "close":
        await _close(query, context, case)
    else:
        await query.answer()
        await query.edit_message_reply_markup(InlineKeyboardMarkup([[
            InlineKeyboardButton(_(label), callback_data=f"call|{outcome}|{case_id}")
            for outcome, label in CALL_LABELS.items()]]))


async def _claim(query: CallbackQuery, context: BotContext, case_id: int) -> None:
    app = context.app
    _ = app.texts.staff
    staff = query.from_user
    result, case = await app.cases.claim(case_id, staff.id)
    if result is ClaimResult.CLAIMED and case is not None:
        await query.answer()
        await app.audit.record(f"staff:{staff.id}", "case_claimed", case.citizen_id,
                               f"case {case_id}")
        await _mark(query, _(CLAIMED, staff=staff.first_name), case, _)
        await _tell_citizen(context, case, NOTIFY_CLAIMED, staff=staff.first_name)
    elif result is ClaimResult.ALREADY_CLAIMED and case is not None:
        if case.claimed_by == staff.id:
            await query.answer()
            return
        await query.answer()
        held_by = _(HELD_BY, case=case_id, staff=await app.staff.name_of(case.claimed_by or 0))
        markup = InlineKeyboardMarkup([[InlineKeyboardButton(
            _(TAKE_OVER_BUTTON), callback_data=f"case|takeover|{case_id}")]])
        if isinstance(query.message, Message):
            await reply_here(context.bot, query.message, held_by, markup)
        else:
            await send_text(context.bot, staff.id, held_by, markup)
    else:
        await query.answer(_(UNKNOWN_CASE), show_alert=True)


async def _close(query: CallbackQuery, context: BotContext, case: Case) -> None:
    app = context.app
    _ = app.texts.staff
    staff = query.from_user
    closed = await app.cases.close(case.id)
    await query.answer(_(CASE_CLOSED, case=case.id))
    if closed is None:
        return
    await app.audit.record(f"staff:{staff.id}", "case_closed", closed.citizen_id,
                           f"case {case.id}")
    text = getattr(query.message, "text", "") or ""
    try:
        await query.edit_message_text(f"{text}\n\n{_(CLOSED_BY, staff=staff.first_name)}")
    except TelegramError as exc:
        log.info("could not mark the header closed: %s", type(exc).__name__)
    citizen = await app.citizens.by_id(closed.citizen_id) if closed.citizen_id else None
    if citizen is None:
        return
    still_open = await app.cases.open_case(citizen.id)
    if still_open is None:
        await app.topics.close(context.bot, citizen.id)
    if citizen.reachable:
        await app.workspace.ask_feedback(citizen, case.id)


async def call_outcome(update: Update, context: BotContext) -> None:
    """Reached / not reached / new time, after a requested phone call."""
    query = update.callback_query
    assert query is not None and query.data is not None
    app = context.app
    _ = app.texts.staff
    _prefix, outcome, raw_id = query.data.split("|")
    if not await app.staff.allowed(query.from_user.id, CASEWORK):
        await query.answer(_(NOT_ALLOWED), show_alert=True)
        return
    phone_deleted = await app.workspace.record_call(int(raw_id), query.from_user.id, outcome)
    await query.answer()
    case = await app.cases.get(int(raw_id))
    if case is not None:
        line = _(CALL_RECORDED, outcome=_(CALL_LABELS[outcome]), staff=query.from_user.first_name)
        await _mark(query, f"{line} {_(PHONE_DELETED)}" if phone_deleted else line, case, _)


async def _mark(query: CallbackQuery, line: str, case: Case, _: Translator) -> None:
    text = getattr(query.message, "text", "") or ""
    try:
        await query.edit_message_text(f"{text}\n\n{line}", reply_markup=case_markup(case, _))
    except TelegramError as exc:
        log.info("could not update the header: %s", type(exc).__name__)


async def _tell_citizen(context: BotContext, case: Case, msgid: str, **params: str) -> None:
    app = context.app
    citizen = await app.citizens.by_id(case.citizen_id) if case.citizen_id else None
    if citizen is None or not citizen.reachable:
        return
    _ = app.texts.get(citizen.locale)
    try:
        await send_text(context.bot, citizen.chat_id, _(msgid, **params))
    except TelegramError as exc:
        log.warning("case %d: could not tell the citizen (%s)", case.id, type(exc).__name__)


async def list_cases(update: Update, context: BotContext) -> None:
    """/cases in the staff chat: open cases, most urgent and oldest first."""
    app = context.app
    user = update.effective_user
    if user is None or not await app.staff.allowed(user.id, CASEWORK):
        return
    _ = app.texts.staff
    cases = await app.cases.list_open()
    message = update.effective_message
    assert message is not None
    if not cases:
        await reply_here(context.bot, message, _(NO_OPEN_CASES))
        return
    lines = []
    for case in cases:
        citizen = await app.citizens.by_id(case.citizen_id) if case.citizen_id else None
        claimed = (_(CLAIMED_BY_ID, staff=await app.staff.name_of(case.claimed_by))
                   if case.claimed_by else _(UNCLAIMED))
        lines.append(_(CASE_LINE, case=case.id, level=_(LEVEL_LABELS[case.level]),
                       citizen=citizen_label(citizen, _), opened=_.datetime(case.opened_at),
                       claimed=claimed))
    await reply_here(context.bot, message, "\n".join(lines))


async def show_case(update: Update, context: BotContext) -> None:
    """/case <number>: the header again, with the citizen's profile – a logged staff read."""
    app = context.app
    user = update.effective_user
    if user is None or not await app.staff.allowed(user.id, CASEWORK):
        return
    _ = app.texts.staff
    message = update.effective_message
    assert message is not None
    case = await app.cases.named(context.args)
    if case is None:
        await reply_here(context.bot, message, _(CASE_USAGE))
        return
    citizen = await app.citizens.by_id(case.citizen_id) if case.citizen_id else None
    lines = [_(CASE_LINE, case=case.id, level=_(LEVEL_LABELS[case.level]),
               citizen=citizen_label(citizen, _), opened=_.datetime(case.opened_at),
               claimed=_(CLAIMED_BY_ID, staff=await app.staff.name_of(case.claimed_by))
               if case.claimed_by else _(UNCLAIMED))]
    if citizen is not None:
        lines += await app.alerts.profile(citizen, _)
        await app.audit.staff_read(user.id, "case_viewed", citizen.id)
    phone = await app.alerts.phone_line(case, _)
    lines += [phone] if phone else []
    lines += [f"// {note}" for note in await app.workspace.store.notes(case.id)]
    await reply_here(context.bot, message, "\n".join(lines), case_markup(case, _))


async def mark_risk(update: Update, context: BotContext) -> None:
    """/wrongflag <case> and /missed <case>: a consultant's verdict on the risk classifier."""
    app = context.app
    user = update.effective_user
    if user is None or not await app.staff.allowed(user.id, CASEWORK):
        return
    _ = app.texts.staff
    message = update.effective_message
    assert message is not None and message.text is not None
    command = message.text.split()[0].lstrip("/").split("@")[0].lower()
    case = await app.cases.named(context.args)
    if case is None or command not in RISK_MARKS:
        await reply_here(context.bot, message, _(MARK_USAGE))
        return
    mark = RISK_MARKS[command]
    await app.cases.mark_risk(case.id, mark, user.id)
    log.info("case %d marked %s", case.id, mark)
    await reply_here(context.bot, message, _(MARKED, case=case.id, mark=_(MARK_LABELS[mark])))


def register(app: Application, staff_chat_id: int | None) -> None:  # type: ignore[type-arg]
    """Staff handlers; they see only the staff chat, so citizens can never reach them."""
    if staff_chat_id is None:
        return
    staff_chat = filters.Chat(staff_chat_id)
    app.add_handler(CommandHandler("cases", list_cases, filters=staff_chat))
    app.add_handler(CommandHandler("case", show_case, filters=staff_chat))
    app.add_handler(CommandHandler(list(RISK_MARKS), mark_risk, filters=staff_chat))
    app.add_handler(StaffCallbackHandler(
        case_button, r"^case\|(claim|takeover|return|close|called)\|\d+$", staff_chat_id))
    app.add_handler(StaffCallbackHandler(
        call_outcome, r"^call\|(reached|not_reached|new_time)\|\d+$", staff_chat_id))
