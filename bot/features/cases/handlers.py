"""The staff chat's buttons and commands for cases: Claim, Take over, Return, Close, Called
(bot/features/cases/workflow.py decides), /cases, /case, /wrongflag and /missed. Every one
checks the presser's role in the database first."""

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

from bot.config import Settings
from bot.context import BotContext
from bot.features.audit import AuditLog
from bot.features.cases.alerts import LEVEL_LABELS, CaseAlerts, case_buttons, citizen_label
from bot.features.cases.model import Case
from bot.features.cases.service import CaseService
from bot.features.cases.workflow import CaseWorkflow, Presser
from bot.features.citizens import CitizenStore
from bot.features.staff import StaffService
from bot.features.staff.service import CASEWORK
from bot.i18n import N_, Translator
from bot.views import inline_markup, reply_here, send_text

log = logging.getLogger(__name__)
TAKE_OVER_BUTTON = N_("🔁 Take over")
NO_OPEN_CASES = N_("No open cases.")
CASE_LINE = N_("#{case} {level} · {citizen} · opened {opened} · {claimed}")
UNCLAIMED = N_("unclaimed")
CLAIMED_BY_ID = N_("claimed by {staff}")
CALL_REACHED = N_("Reached")
CALL_NOT_REACHED = N_("Not reached")
CALL_NEW_TIME = N_("New time agreed")
CALL_LABELS = {"reached": CALL_REACHED, "not_reached": CALL_NOT_REACHED,
               "new_time": CALL_NEW_TIME}
CASE_USAGE = N_("Use: /case <number>")
RISK_MARKS = {"wrongflag": "wrongly_flagged", "missed": "missed"}
MARK_USAGE = N_("Use: /wrongflag <case> when the bot saw risk that was not there, or /missed "
                "<case> when it missed (or underrated) a risk. Both go to `risk review` for the "
                "next training of the classifier.")
MARKED = N_("Noted for the classifier's review: case #{case} marked as {mark}.")
MARK_LABELS = {"wrongly_flagged": N_("wrongly flagged"), "missed": N_("missed")}


def case_markup(case: Case, _: Translator) -> InlineKeyboardMarkup | None:
    return inline_markup(case_buttons(case, _))


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
    """Claim, Take over, Return to bot, Close, Called – the workflow decides, this shows it."""
    query = update.callback_query
    assert query is not None and query.data is not None
    app = context.app
    _ = app.texts.staff
    _prefix, action, raw_id = query.data.split("|")
    case_id = int(raw_id)
    workflow = app.get(CaseWorkflow)
    step = await workflow.press(Presser(query.from_user.id, query.from_user.first_name), action,
                                case_id)
    await query.answer(step.answer, show_alert=step.alert)
    if step.held_by is not None:
        markup = InlineKeyboardMarkup([[InlineKeyboardButton(
            _(TAKE_OVER_BUTTON), callback_data=f"case|takeover|{case_id}")]])
        if isinstance(query.message, Message):
            await reply_here(context.bot, query.message, step.held_by, markup)
        else:
            await send_text(context.bot, query.from_user.id, step.held_by, markup)
    elif step.call_outcomes:
        await query.edit_message_reply_markup(InlineKeyboardMarkup([[
            InlineKeyboardButton(_(label), callback_data=f"call|{outcome}|{case_id}")
            for outcome, label in CALL_LABELS.items()]]))
    elif step.line is not None:
        await mark_header(query, step.line, None if step.closed else step.case, _)
    await workflow.finish(step)


async def mark_header(query: CallbackQuery, line: str, case: Case | None, _: Translator) -> None:
    """A line under the case's header message; its buttons follow the case (none: closed)."""
    text = getattr(query.message, "text", "") or ""
    markup = case_markup(case, _) if case is not None else None
    try:
        await query.edit_message_text(f"{text}\n\n{line}", reply_markup=markup)
    except TelegramError as exc:
        log.info("could not update the header: %s", type(exc).__name__)


async def list_cases(update: Update, context: BotContext) -> None:
    """/cases in the staff chat: open cases, most urgent and oldest first."""
    app = context.app
    user = update.effective_user
    if user is None or not await app.get(StaffService).allowed(user.id, CASEWORK):
        return
    _ = app.texts.staff
    cases = await app.get(CaseService).list_open()
    message = update.effective_message
    assert message is not None
    if not cases:
        await reply_here(context.bot, message, _(NO_OPEN_CASES))
        return
    lines = []
    for case in cases:
        citizen = await app.get(CitizenStore).by_id(case.citizen_id) if case.citizen_id else None
        claimed = (_(CLAIMED_BY_ID, staff=await app.get(StaffService).name_of(case.claimed_by))
                   if case.claimed_by else _(UNCLAIMED))
        lines.append(_(CASE_LINE, case=case.id, level=_(LEVEL_LABELS[case.level]),
                       citizen=citizen_label(citizen, _), opened=_.datetime(case.opened_at),
                       claimed=claimed))
    await reply_here(context.bot, message, "\n".join(lines))


async def show_case(update: Update, context: BotContext) -> None:
    """/case <number>: the header again, with the citizen's profile – a logged staff read."""
    app = context.app
    user = update.effective_user
    if user is None or not await app.get(StaffService).allowed(user.id, CASEWORK):
        return
    _ = app.texts.staff
    message = update.effective_message
    assert message is not None
    case = await app.get(CaseService).named(context.args)
    if case is None:
        await reply_here(context.bot, message, _(CASE_USAGE))
        return
    citizen = await app.get(CitizenStore).by_id(case.citizen_id) if case.citizen_id else None
    lines = [_(CASE_LINE, case=case.id, level=_(LEVEL_LABELS[case.level]),
               citizen=citizen_label(citizen, _), opened=_.datetime(case.opened_at),
               claimed=_(CLAIMED_BY_ID, staff=await app.get(StaffService).name_of(case.claimed_by))
               if case.claimed_by else _(UNCLAIMED))]
    if citizen is not None:
        lines += await app.get(CaseAlerts).profile(citizen, _)
        await app.get(AuditLog).staff_read(user.id, "case_viewed", citizen.id)
    phone = await app.get(CaseAlerts).phone_line(case, _)
    lines += [phone] if phone else []
    lines += await app.case_details(case)
    await reply_here(context.bot, message, "\n".join(lines), case_markup(case, _))


async def mark_risk(update: Update, context: BotContext) -> None:
    """/wrongflag <case> and /missed <case>: a consultant's verdict on the risk classifier."""
    app = context.app
    user = update.effective_user
    if user is None or not await app.get(StaffService).allowed(user.id, CASEWORK):
        return
    _ = app.texts.staff
    message = update.effective_message
    assert message is not None and message.text is not None
    command = message.text.split()[0].lstrip("/").split("@")[0].lower()
    case = await app.get(CaseService).named(context.args)
    if case is None or command not in RISK_MARKS:
        await reply_here(context.bot, message, _(MARK_USAGE))
        return
    mark = RISK_MARKS[command]
    await app.get(CaseService).mark_risk(case.id, mark, user.id)
    log.info("case %d marked %s", case.id, mark)
    await reply_here(context.bot, message, _(MARKED, case=case.id, mark=_(MARK_LABELS[mark])))


def register(app: Application, settings: Settings) -> None:  # type: ignore[type-arg]
    """Staff handlers; they see only the staff chat, so citizens can never reach them."""
    staff_chat_id = settings.staff_chat_id
    if staff_chat_id is None:
        return
    staff_chat = filters.Chat(staff_chat_id)
    app.add_handler(CommandHandler("cases", list_cases, filters=staff_chat))
    app.add_handler(CommandHandler("case", show_case, filters=staff_chat))
    app.add_handler(CommandHandler(list(RISK_MARKS), mark_risk, filters=staff_chat))
    app.add_handler(StaffCallbackHandler(
        case_button, r"^case\|(claim|takeover|return|close|called)\|\d{1,18}$",
        staff_chat_id))

