"""Every free text a citizen sends is read for risk first; worry is never met with silence.

Registered in an earlier handler group than the dialogs: a worrying message gets the caring
reply and a case, and the dialog does not treat it as an answer.
"""

from __future__ import annotations

import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot.context import AppContext, BotContext
from bot.features.cases.handlers import alert_staff
from bot.features.cases.service import Opening
from bot.features.citizens import Citizen
from bot.features.onboarding.handlers import citizen_of
from bot.features.risk import RiskLevel
from bot.i18n import N_, Translator
from bot.views import send_text

log = logging.getLogger(__name__)
CARE_GROUP = -10

URGENT_REPLY = N_("Thank you for telling me. It sounds really hard right now, and you should not "
                  "be alone with it.\n\nYou can talk to someone right away:\n{helplines}\n\n"
                  "{follow_up}\n\nYou are welcome to keep writing here.")
CONCERN_REPLY = N_("Thank you for telling me – it sounds hard, and you do not have to carry it "
                   "alone. Would you like to talk with a person from the job centre?")
HUMAN_REPLY = N_("Thank you. {follow_up} You are welcome to keep writing here in the "
                 "meantime.")
FOLLOW_UP_NOW = N_("I have asked a person from the job centre to contact you as soon as "
                   "possible today.")
FOLLOW_UP_LATER = N_("Our consultants are not at work right now. A person from the job centre "
                     "will contact you on {when}. Until then, the numbers above are there for "
                     "you.")
FOLLOW_UP_LATER_PLAIN = N_("A person from the job centre will contact you on {when}.")
WANT_TALK = N_("Yes, I would like to talk to someone")
NOT_NOW = N_("Not now")
NOT_NOW_REPLY = N_("That is fine. If you change your mind, just write /human – or write here.")


def follow_up(app: AppContext, opening: Opening, _: Translator, urgent: bool) -> str:
    if opening.staff_at_work:
        return _(FOLLOW_UP_NOW)
    when = _.datetime(opening.contact_from)
    return _(FOLLOW_UP_LATER if urgent else FOLLOW_UP_LATER_PLAIN, when=when)


async def read_for_risk(update: Update, context: BotContext) -> None:
    """Classify text and captions; urgent and concern are answered here and go no further."""
    message = update.effective_message
    assert message is not None
    text = message.text or message.caption or ""
    app = context.app
    assessment = app.care.assess(text)
    if assessment.level is RiskLevel.NONE:
        return
    citizen = await citizen_of(update, context)
    opening = await app.care.escalate(citizen.id, assessment, message.message_id)
    assert opening is not None
    _ = app.texts.get(citizen.locale)
    log.info("case %d: %s message (category %s)", opening.case.id, assessment.level,
             assessment.category)
    if assessment.level is RiskLevel.URGENT:
        await send_text(context.bot, citizen.chat_id, _(
            URGENT_REPLY, helplines=app.helplines.text(citizen.locale),
            follow_up=follow_up(app, opening, _, urgent=True)))
    else:
        await send_text(context.bot, citizen.chat_id, _(CONCERN_REPLY), InlineKeyboardMarkup([
            [InlineKeyboardButton(_(WANT_TALK), callback_data="care|talk")],
            [InlineKeyboardButton(_(NOT_NOW), callback_data="care|later")],
        ]))
    if opening.alert_staff:
        await alert_staff(app, opening.case, citizen, text, opening.staff_at_work)
    raise ApplicationHandlerStop


async def human(update: Update, context: BotContext) -> None:
    """/human: the citizen asks for a person; always possible, always answered."""
    citizen = await citizen_of(update, context)
    message = update.effective_message
    await _request_human(context, citizen, message)


async def care_button(update: Update, context: BotContext) -> None:
    """The answer to 'would you like to talk with a person?'."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    citizen = await citizen_of(update, context)
    if query.data == "care|talk":
        await _request_human(context, citizen, None)
    else:
        _ = context.app.texts.get(citizen.locale)
        await send_text(context.bot, citizen.chat_id, _(NOT_NOW_REPLY))


async def _request_human(context: BotContext, citizen: Citizen, message: Message | None) -> None:
    app = context.app
    opening = await app.care.request_human(citizen.id, message.message_id if message else None)
    _ = app.texts.get(citizen.locale)
    await send_text(context.bot, citizen.chat_id,
                    _(HUMAN_REPLY, follow_up=follow_up(app, opening, _, urgent=False)))
    if opening.alert_staff:
        await alert_staff(app, opening.case, citizen, "/human",
                          opening.staff_at_work)


def register(app: Application) -> None:  # type: ignore[type-arg]
    private = filters.ChatType.PRIVATE
    app.add_handler(MessageHandler(private & (filters.TEXT | filters.CAPTION) & ~filters.COMMAND,
                                   read_for_risk), group=CARE_GROUP)
    app.add_handler(CommandHandler("human", human, filters=private))
    app.add_handler(CallbackQueryHandler(care_button, pattern=r"^care\|(talk|later)$"))
