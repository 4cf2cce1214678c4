"""Every free text a citizen sends is read for risk first; worry is never met with silence.

Registered in an earlier handler group than the dialogs: a worrying message gets the caring
reply and a case, and the dialog does not treat it as an answer.
"""

from __future__ import annotations

import logging

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
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
from bot.engine.screen import render
from bot.features.care.helplines import Helplines
from bot.features.care.phone import parse_phone, phone_from_contact
from bot.features.care.service import CareService
from bot.features.care.wording import (
    CALL_CHOICES,
    CALL_INSTEAD,
    CALL_NOTED,
    CALL_WHEN,
    PHONE_ASK,
    PHONE_NOT_OWN,
    PHONE_NOT_READ,
    PHONE_SAVED,
    PHONE_SHARE,
    PHONE_SKIP,
    PHONE_SKIPPED,
    follow_up,
    human_reply,
)
from bot.features.cases import CaseLevel, CaseService
from bot.features.cases.model import shown_phone
from bot.features.citizens import Citizen
from bot.features.dialogs import FrontDoor
from bot.features.dialogs.handlers import citizen_of
from bot.features.risk import RiskLevel
from bot.i18n import N_, Translator
from bot.stages import Stage
from bot.views import send_outcome, send_text

log = logging.getLogger(__name__)

POSSIBLE_REPLY = N_("Thank you for writing. I may be reading you wrong, but I want to be sure "
                    "you are safe.\n\nIf things feel too heavy right now, you can talk to "
                    "someone at any hour:\n{helplines}\n\n{follow_up}")
DIRECT_QUESTION = N_("May I ask you directly: are you thinking about ending your life?")
DIRECT_YES = N_("Yes")
DIRECT_NO = N_("No")
ANSWER_YES = N_("Thank you for telling me – that took courage, and you are not alone with it. "
                "{follow_up}\n\nIf you are in danger right now, call 112.")
ANSWER_NO = N_("Thank you for answering – I am glad. A consultant will still read your message "
               "and can get in touch. You are always welcome to write here or use /human.")
ANSWERED_ALREADY = N_("Thank you – I have your answer already. You are welcome to keep writing "
                      "here.")
URGENT_REPLY = N_("Thank you for telling me. It sounds really hard right now, and you should not "
                  "be alone with it.\n\nYou can talk to someone right away:\n{helplines}\n\n"
                  "{follow_up}\n\nYou are welcome to keep writing here.")
CONCERN_REPLY = N_("Thank you for telling me – it sounds hard, and you do not have to carry it "
                   "alone. Would you like to talk with a person from the job centre?")
WANT_TALK = N_("Yes, I would like to talk to someone")
NOT_NOW = N_("Not now")
ADDED_TO_CASE = N_("Thank you for telling me. I have added it to your case, so the person from "
                   "the job centre who follows up will see it. You are welcome to keep writing "
                   "here.")
NO_STAFF_CONCERN = N_("Thank you for telling me – it sounds hard, and you do not have to carry it "
                      "alone. {follow_up}\n\nYou can talk to someone at any hour:\n{helplines}")
ANSWER_NO_NO_STAFF = N_("Thank you for answering – I am glad. You are always welcome to write "
                        "here.")
NOT_NOW_REPLY = N_("That is fine. If you change your mind, just write /human – or write here.")


async def read_for_risk(update: Update, context: BotContext) -> None:
    """Classify text and captions; urgent and concern are answered here and go no further,
    and so is a typed request for a person."""
    message = update.effective_message
    assert message is not None
    text = message.text or message.caption or ""
    app = context.app
    citizen_known = await context.citizen_for(update.effective_user.id)  # type: ignore[union-attr]
    if citizen_known is not None and _keyboard_press(text, app.texts.get(citizen_known.locale)):
        return  # a reply-keyboard button sends its label as text: a press, not the citizen's words
    assessment = await app.get(CareService).assess(text)
    held = citizen_known is not None and await context.held_case(citizen_known.id) is not None
    if held and not assessment.needs_safety_reply:
        return  # a consultant holds the chat and reads this in the topic
    if assessment.level is RiskLevel.NONE:
        if app.get(CareService).asks_for_person(text):
            await _request_human(context, await citizen_of(update, context), message)
            raise ApplicationHandlerStop
        return
    citizen = await citizen_of(update, context)
    opening = await app.get(CareService).escalate(citizen.id, assessment, text, message.message_id)
    assert opening is not None
    _ = app.texts.get(citizen.locale)
    log.info("case %d: %s message (category %s, by %s)", opening.case.id, assessment.level,
             assessment.category, assessment.decider)
    if assessment.level is RiskLevel.URGENT:
        await send_text(context.bot, citizen.chat_id, _(
            URGENT_REPLY, helplines=app.get(Helplines).text(citizen.locale),
            follow_up=render(follow_up(opening, urgent=True), _)))
    elif assessment.level is RiskLevel.POSSIBLE:
        await send_text(context.bot, citizen.chat_id, _(
            POSSIBLE_REPLY, helplines=app.get(Helplines).text(citizen.locale),
            follow_up=render(follow_up(opening, urgent=True), _)))
        if opening.case.level is not CaseLevel.URGENT:  # already urgent: nothing to ask
            case = opening.case.id
            await send_text(context.bot, citizen.chat_id, _(DIRECT_QUESTION),
                            InlineKeyboardMarkup([[
                                InlineKeyboardButton(_(DIRECT_YES),
                                                     callback_data=f"care|ask_yes|{case}"),
                                InlineKeyboardButton(_(DIRECT_NO),
                                                     callback_data=f"care|ask_no|{case}")]]))
    elif not opening.staffed:
        await send_text(context.bot, citizen.chat_id, _(
            NO_STAFF_CONCERN, helplines=app.get(Helplines).text(citizen.locale),
            follow_up=render(follow_up(opening, urgent=False), _)))
    elif opening.existing:
        await send_text(context.bot, citizen.chat_id, _(ADDED_TO_CASE))
    else:
        await send_text(context.bot, citizen.chat_id, _(CONCERN_REPLY), InlineKeyboardMarkup([
            [InlineKeyboardButton(_(WANT_TALK), callback_data="care|talk")],
            [InlineKeyboardButton(_(NOT_NOW), callback_data="care|later")],
        ]))
    raise ApplicationHandlerStop


async def human(update: Update, context: BotContext) -> None:
    """/human: the citizen asks for a person; always possible, always answered."""
    citizen = await citizen_of(update, context)
    message = update.effective_message
    await _request_human(context, citizen, message)


async def care_button(update: Update, context: BotContext) -> None:
    """Answers to 'would you like to talk with a person?' and to 'call me instead'."""
    query = update.callback_query
    assert query is not None and query.data is not None
    await query.answer()
    citizen = await citizen_of(update, context)
    _ = context.app.texts.get(citizen.locale)
    choice = query.data.removeprefix("care|")
    if choice == "talk":
        await _request_human(context, citizen, None)
    elif choice == "call":
        await send_text(context.bot, citizen.chat_id, _(CALL_WHEN), InlineKeyboardMarkup(
            [[InlineKeyboardButton(_(label), callback_data=f"care|call_{key}")]
             for key, label in CALL_CHOICES.items()]))
    elif choice.startswith("call_"):
        care = context.app.get(CareService)
        opening = await care.request_call(citizen.id, choice.removeprefix("call_"))
        if not opening.staffed:
            await send_text(context.bot, citizen.chat_id,
                            render(follow_up(opening, urgent=False), _))
        elif await care.phone_question(citizen.id) is None:  # number known already
            await send_text(context.bot, citizen.chat_id, _(CALL_NOTED))
        else:
            await ask_phone(context, citizen, _(CALL_NOTED) + "\n\n" + phone_ask(_))
    else:
        await send_text(context.bot, citizen.chat_id, _(NOT_NOW_REPLY))


async def phone_answer(update: Update, context: BotContext) -> None:
    """While "which number should we call?" is open, a shared contact or a typed line is its
    answer: a number is kept for the call, "no number" is passed on, anything else is asked
    again. Only the citizen's own contact is taken. The dialogs never see the answer."""
    message = update.effective_message
    user = update.effective_user
    assert message is not None and user is not None
    citizen = await context.citizen_for(user.id)
    care = context.app.get(CareService)
    question = await care.phone_question(citizen.id) if citizen else None
    if citizen is None or question is None:
        return
    _ = context.app.texts.get(citizen.locale)
    if message.contact is not None and message.contact.user_id != user.id:
        await ask_phone(context, citizen, _(PHONE_NOT_OWN, share=_(PHONE_SHARE)))
        raise ApplicationHandlerStop
    text = (message.text or "").strip()
    if message.contact is None and text.casefold() == _(PHONE_SKIP).casefold():
        await care.skip_phone(question)
        log.info("case %d: no phone number given for the call", question.case_id)
        await _phone_done(context, citizen, _(PHONE_SKIPPED))
        raise ApplicationHandlerStop
    phone = (phone_from_contact(message.contact.phone_number) if message.contact is not None
             else parse_phone(text))
    if phone is None:
        await ask_phone(context, citizen, _(PHONE_NOT_READ, share=_(PHONE_SHARE),
                                             skip=_(PHONE_SKIP)))
        raise ApplicationHandlerStop
    await care.give_phone(question, phone, citizen.locale)
    log.info("case %d: phone number given for the call", question.case_id)
    await _phone_done(context, citizen, _(PHONE_SAVED, phone=shown_phone(phone)))
    raise ApplicationHandlerStop


def _keyboard_press(text: str, _: Translator) -> bool:
    """The phone question's reply-keyboard labels, or a phone number typed as its answer."""
    cleaned = text.strip()
    return (cleaned.casefold() in {_(PHONE_SKIP).casefold(), _(PHONE_SHARE).casefold()}
            or parse_phone(cleaned) is not None)


def phone_ask(_: Translator) -> str:
    return _(PHONE_ASK, share=_(PHONE_SHARE))


async def ask_phone(context: BotContext, citizen: Citizen, text: str) -> None:
    _ = context.app.texts.get(citizen.locale)
    keyboard = ReplyKeyboardMarkup(
        [[KeyboardButton(_(PHONE_SHARE), request_contact=True)], [KeyboardButton(_(PHONE_SKIP))]],
        resize_keyboard=True, one_time_keyboard=True)
    await context.bot.send_text(citizen.chat_id, text, reply_markup=keyboard)


async def _phone_done(context: BotContext, citizen: Citizen, text: str) -> None:
    """Thanks, the contact keyboard gone, and the step the citizen was in shown again."""
    await context.bot.send_text(citizen.chat_id, text, reply_markup=ReplyKeyboardRemove())
    resumed = await context.app.get(FrontDoor).resume(citizen)
    if resumed is not None:
        await send_outcome(context.bot, citizen.chat_id, resumed.outcome,
                           context.app.texts.get(resumed.locale))


async def direct_answer(update: Update, context: BotContext) -> None:
    """Yes or no to "are you thinking about ending your life?" – both are thanked; yes is
    urgent at once, no leaves a concern case that a consultant reads that working day."""
    query = update.callback_query
    assert query is not None and query.data is not None
    await query.answer()
    citizen = await citizen_of(update, context)
    app = context.app
    _ = app.texts.get(citizen.locale)
    _prefix, choice, raw_case = query.data.split("|")
    case = await app.get(CaseService).get(int(raw_case))
    yes = choice == "ask_yes"
    opening = (await app.get(CareService).answer_direct_question(citizen.id, case, yes)
               if case is not None else None)
    if opening is None:
        await send_text(context.bot, citizen.chat_id, _(ANSWERED_ALREADY))
        return
    log.info("case %d: direct question answered %s", opening.case.id, "yes" if yes else "no")
    if yes:
        await send_text(context.bot, citizen.chat_id, _(
            ANSWER_YES, follow_up=render(follow_up(opening, urgent=True), _)))
    else:
        await send_text(context.bot, citizen.chat_id,
                        _(ANSWER_NO if opening.staffed else ANSWER_NO_NO_STAFF))


async def _request_human(context: BotContext, citizen: Citizen, message: Message | None) -> None:
    app = context.app
    opening = await app.get(CareService).request_human(citizen.id,
                                                       message.message_id if message else None)
    _ = app.texts.get(citizen.locale)
    call_instead = InlineKeyboardMarkup([[InlineKeyboardButton(_(CALL_INSTEAD),
                                                               callback_data="care|call")]])
    await send_text(context.bot, citizen.chat_id, render(human_reply(opening), _),
                    call_instead if opening.staffed else None)


def register(app: Application, settings: Settings) -> None:  # type: ignore[type-arg]
    private = filters.ChatType.PRIVATE
    app.add_handler(MessageHandler(private & (filters.TEXT | filters.CAPTION) & ~filters.COMMAND,
                                   read_for_risk), group=Stage.RISK)
    app.add_handler(MessageHandler(private & (filters.CONTACT | filters.TEXT) & ~filters.COMMAND,
                                   phone_answer), group=Stage.PHONE)
    app.add_handler(CommandHandler("human", human, filters=private))
    app.add_handler(CallbackQueryHandler(
        care_button, pattern=r"^care\|(talk|later|call|call_morning|call_afternoon|call_any)$"))
    app.add_handler(CallbackQueryHandler(direct_answer,
                                         pattern=r"^care\|ask_(yes|no)\|\d{1,18}$"))
