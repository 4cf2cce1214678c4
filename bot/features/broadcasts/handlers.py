"""Telegram side of broadcasts: the citizen's "No more webinar news" and the staff chat's
Pause / Resume / Cancel under the progress message (coordinators and admins only)."""

from __future__ import annotations

import re

from telegram import Update
from telegram.ext import Application, ApplicationHandlerStop, CallbackQueryHandler

from bot.config import Settings
from bot.context import BotContext
from bot.features.broadcasts.model import UNSUBSCRIBE
from bot.features.broadcasts.progress import BroadcastProgress
from bot.features.broadcasts.service import BroadcastService, Change
from bot.features.broadcasts.wording import CONTROL, NOT_ALLOWED, status_label
from bot.features.cases.handlers import StaffCallbackHandler
from bot.features.staff import StaffService
from bot.features.staff.service import OUTREACH
from bot.i18n import N_
from bot.stages import Stage
from bot.views import send_text

ANSWERS = {
    "pause": N_("Paused: nothing more is sent until you resume."),
    "resume": N_("Resumed."),
    "cancel": N_("Cancelled: nothing more is sent."),
}
NOT_NOW = N_("That cannot be done now: the broadcast is {status}.")
UNKNOWN = N_("That broadcast no longer exists.")


async def unsubscribe(update: Update, context: BotContext) -> None:
    """A right, so it works in every state, also while a consultant holds the chat; nothing
    after this stage sees the press."""
    query = update.callback_query
    assert query is not None
    citizen = await context.citizen_for(query.from_user.id)
    await query.answer()
    if citizen is not None:
        answer = await context.app.get(BroadcastService).unsubscribe(citizen)
        await send_text(context.bot, citizen.chat_id, answer)
    raise ApplicationHandlerStop


async def control(update: Update, context: BotContext) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    app = context.app
    _ = app.texts.staff
    if not await app.get(StaffService).allowed(query.from_user.id, OUTREACH):
        await query.answer(_(NOT_ALLOWED), show_alert=True)
        return
    _prefix, action, raw_id = query.data.split("|")
    service = app.get(BroadcastService)
    actions = {"pause": service.pause, "resume": service.resume, "cancel": service.cancel}
    change = await actions[action](int(raw_id))
    if change is Change.UNKNOWN:
        await query.answer(_(UNKNOWN), show_alert=True)
        return
    if change is Change.NOT_NOW:
        broadcast = await service.get(int(raw_id))
        status = status_label(broadcast, _) if broadcast else "?"
        await query.answer(_(NOT_NOW, status=status), show_alert=True)
        return
    await query.answer(_(ANSWERS[action]))
    await app.get(BroadcastProgress).sweep(force=True)


def register(app: Application, settings: Settings) -> None:  # type: ignore[type-arg]
    app.add_handler(CallbackQueryHandler(unsubscribe, pattern=f"^{re.escape(UNSUBSCRIBE)}$"),
                    group=Stage.RIGHTS)
    if settings.staff_chat_id is not None:
        app.add_handler(StaffCallbackHandler(
            control, rf"^{CONTROL}\|(pause|resume|cancel)\|\d{{1,18}}$",
            settings.staff_chat_id))
