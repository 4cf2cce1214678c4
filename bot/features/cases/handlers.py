"""The staff chat's side of cases: alerts with Claim/Close buttons, re-alerts, /cases."""

from __future__ import annotations

import logging

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import TelegramError
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, filters

from bot.context import AppContext, BotContext
from bot.features.cases.model import Case, CaseLevel
from bot.features.cases.service import ClaimResult
from bot.features.citizens import Citizen
from bot.i18n import N_, Translator
from bot.outbox import OutboxItem, Priority
from bot.outbox.model import Message
from bot.views import send_text

log = logging.getLogger(__name__)
ALERT_TEXT_LIMIT = 1000
ALERT_KIND = "case_alert"
LEVEL_LABELS = {
    CaseLevel.URGENT: N_("🔴 URGENT"),
    CaseLevel.CONCERN: N_("🟠 Concern"),
    CaseLevel.REQUEST: N_("🔵 Asked for a person"),
}
ALERT = N_("{level} – case #{case}\nCitizen: {citizen}\nCategory: {category}\n"
           "Message: «{text}»")
OUTSIDE_HOURS = N_("Outside consultant hours: the citizen was told a person will be in touch "
                   "on {when}.")
REALERT = N_("⏰ Case #{case} ({level}) is still unclaimed. {mention}")
CLAIMED = N_("✋ Claimed by {staff}.")
ALREADY_CLAIMED = N_("Case #{case} is already claimed.")
CASE_CLOSED = N_("✅ Case #{case} is closed.")
UNKNOWN_CASE = N_("That case does not exist.")
NO_OPEN_CASES = N_("No open cases.")
CASE_LINE = N_("#{case} {level} · {citizen} · opened {opened} · {claimed}")
UNCLAIMED = N_("unclaimed")
CLAIMED_BY_ID = N_("claimed by staff {staff}")
CITIZEN_SHORT = N_("citizen #{id}")
CITIZEN_DELETED = N_("(erased at the citizen's request)")
NO_CATEGORY = N_("none given")
NOTIFY_CLAIMED = N_("{staff} from the job centre has seen your message and will get back to "
                    "you here.")
CLAIM_BUTTON = N_("✋ Claim")
CLOSE_BUTTON = N_("✅ Close")


def staff_translator(app: AppContext) -> Translator:
    """Staff read the job centre's default language."""
    return app.texts.get(app.settings.default_locale)


def citizen_label(citizen: Citizen | None, _: Translator) -> str:
    """First name if the citizen gave one, else a short id; never anything from Telegram."""
    if citizen is None:
        return _(CITIZEN_DELETED)
    return citizen.first_name or _(CITIZEN_SHORT, id=citizen.id)


def case_buttons(case: Case, _: Translator) -> tuple[tuple[tuple[str, str], ...], ...]:
    row = [] if case.claimed_by else [(_(CLAIM_BUTTON), f"case|claim|{case.id}")]
    row.append((_(CLOSE_BUTTON), f"case|close|{case.id}"))
    return (tuple(row),)


def case_markup(case: Case, _: Translator) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(label, callback_data=data)
                                  for label, data in row] for row in case_buttons(case, _)])


async def alert_staff(app: AppContext, case: Case, citizen: Citizen | None, text: str,
                      staff_at_work: bool) -> None:
    """Queue the alert for the staff chat; urgent ones jump every other queued message."""
    staff_chat = app.settings.staff_chat_id
    if staff_chat is None:
        log.error("case %d opened but STAFF_CHAT_ID is not set: nobody was alerted", case.id)
        return
    _ = staff_translator(app)
    body = _(ALERT, level=_(LEVEL_LABELS[case.level]), case=case.id,
             citizen=citizen_label(citizen, _), category=case.category or _(NO_CATEGORY),
             text=text[:ALERT_TEXT_LIMIT])
    if not staff_at_work:
        when = _.datetime(app.cases.hours.next_opening(app.clock.now()))
        body += "\n\n" + _(OUTSIDE_HOURS, when=when)
    await app.outbox.enqueue(staff_chat, Message(body, case_buttons(case, _)),
                             priority=_alert_priority(case), kind=ALERT_KIND, ref=case.id)
    await app.cases.alerted(case)


async def realert_due(app: AppContext) -> int:
    """Urgent cases nobody claimed: alert again and call the on-duty role."""
    staff_chat = app.settings.staff_chat_id
    if staff_chat is None:
        return 0
    _ = staff_translator(app)
    due = await app.cases.due_realerts()
    for case in due:
        text = _(REALERT, case=case.id, level=_(LEVEL_LABELS[case.level]),
                 mention=app.settings.onduty_mention).strip()
        await app.outbox.enqueue(staff_chat, Message(text, case_buttons(case, _)),
                                 priority=_alert_priority(case), kind=ALERT_KIND, ref=case.id)
        await app.cases.alerted(case)
    return len(due)


async def alert_delivered(app: AppContext, item: OutboxItem, message_id: int) -> None:
    """Outbox hook: remember the alert's message so Claim/Close can update it."""
    if item.ref is not None:
        await app.cases.alert_delivered(item.ref, message_id)


def _alert_priority(case: Case) -> Priority:
    return Priority.URGENT_ALERT if case.level is CaseLevel.URGENT else Priority.STAFF


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
    _ = staff_translator(app)
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
    _ = staff_translator(app)
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
