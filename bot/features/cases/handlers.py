"""The staff chat's side of cases: alerts with Claim/Close buttons, re-alerts, /cases."""

from __future__ import annotations

import logging

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import TelegramError
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, filters

from bot.context import BotContext
from bot.features.cases.alerts import LEVEL_LABELS, case_buttons, citizen_label
from bot.features.cases.model import Case
from bot.features.cases.service import ClaimResult
from bot.i18n import N_, Translator
from bot.views import send_text

log = logging.getLogger(__name__)
CLAIMED = N_("✋ Claimed by {staff}.")
ALREADY_CLAIMED = N_("Case #{case} is already claimed.")
CASE_CLOSED = N_("✅ Case #{case} is closed.")
UNKNOWN_CASE = N_("That case does not exist.")
NO_OPEN_CASES = N_("No open cases.")
CASE_LINE = N_("#{case} {level} · {citizen} · opened {opened} · {claimed}")
UNCLAIMED = N_("unclaimed")
CLAIMED_BY_ID = N_("claimed by staff {staff}")
NOTIFY_CLAIMED = N_("{staff} from the job centre has seen your message and will get back to "
                    "you here.")


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
    """Claim or Close, from the staff chat."""
    query = update.callback_query
    assert query is not None and query.data is not None
    app = context.app
    _ = app.alerts.staff_translator
    _prefix, action, raw_id = query.data.split("|")
    case_id = int(raw_id) if raw_id.isdigit() else 0
    staff = query.from_user
    if action == "claim":
        result, case = await app.cases.claim(case_id, staff.id)
        if result is ClaimResult.CLAIMED and case is not None:
            await query.answer()
            await _mark(query, _(CLAIMED, staff=staff.first_name), case, _)
            await _tell_citizen_claimed(context, case, staff.first_name)
        elif result is ClaimResult.UNKNOWN:
            await query.answer(_(UNKNOWN_CASE), show_alert=True)
        elif result is ClaimResult.CLOSED:
            await query.answer(_(CASE_CLOSED, case=case_id), show_alert=True)
        else:
            await query.answer(_(ALREADY_CLAIMED, case=case_id), show_alert=True)
        return
    closed = await app.cases.close(case_id)
    await query.answer(_(CASE_CLOSED, case=case_id))
    if closed is not None and query.message is not None:
        text = getattr(query.message, "text", "") or ""
        try:
            await query.edit_message_text(f"{text}\n\n{_(CASE_CLOSED, case=case_id)}")
        except TelegramError as exc:
            log.info("could not mark alert closed: %s", type(exc).__name__)


async def _mark(query: CallbackQuery, line: str, case: Case, _: Translator) -> None:
    text = getattr(query.message, "text", "") or ""
    try:
        await query.edit_message_text(f"{text}\n\n{line}", reply_markup=case_markup(case, _))
    except TelegramError as exc:
        log.info("could not update the alert: %s", type(exc).__name__)


async def _tell_citizen_claimed(context: BotContext, case: Case, staff_name: str) -> None:
    app = context.app
    citizen = await app.citizens.by_id(case.citizen_id) if case.citizen_id else None
    if citizen is None or not citizen.reachable:
        return
    _ = app.texts.get(citizen.locale)
    try:
        await send_text(context.bot, citizen.chat_id, _(NOTIFY_CLAIMED, staff=staff_name))
    except TelegramError as exc:
        log.warning("case %d: could not tell the citizen (%s)", case.id, type(exc).__name__)


async def list_cases(update: Update, context: BotContext) -> None:
    """/cases in the staff chat: open cases, most urgent and oldest first."""
    app = context.app
    _ = app.alerts.staff_translator
    cases = await app.cases.list_open()
    if not cases:
        await send_text(context.bot, update.effective_chat.id, _(NO_OPEN_CASES))  # type: ignore[union-attr]
        return
    lines = []
    for case in cases:
        citizen = await app.citizens.by_id(case.citizen_id) if case.citizen_id else None
        claimed = (_(CLAIMED_BY_ID, staff=case.claimed_by) if case.claimed_by
                   else _(UNCLAIMED))
        lines.append(_(CASE_LINE, case=case.id, level=_(LEVEL_LABELS[case.level]),
                       citizen=citizen_label(citizen, _), opened=_.datetime(case.opened_at),
                       claimed=claimed))
    await send_text(context.bot, update.effective_chat.id, "\n".join(lines))  # type: ignore[union-attr]


def register(app: Application, staff_chat_id: int | None) -> None:  # type: ignore[type-arg]
    """Staff handlers; they see only the staff chat, so citizens can never reach them."""
    if staff_chat_id is None:
        return
    staff_chat = filters.Chat(staff_chat_id)
    app.add_handler(CommandHandler("cases", list_cases, filters=staff_chat))
    app.add_handler(StaffCallbackHandler(case_button, r"^case\|(claim|close)\|\d+$",
                                         staff_chat_id))
