"""A citizen blocking or unblocking the bot; the bot being added to a group (for its id)."""

from __future__ import annotations

import logging

from telegram import ChatMember, Update
from telegram.constants import ChatType
from telegram.ext import Application, ChatMemberHandler

from bot.config import Settings
from bot.context import BotContext
from bot.events import CITIZEN_BLOCKED, CITIZEN_CHANGED
from bot.features.citizens.storage import CitizenStore

log = logging.getLogger(__name__)
GONE = frozenset({ChatMember.BANNED, ChatMember.LEFT})


async def membership_changed(update: Update, context: BotContext) -> None:
    """Blocked (`kicked`) means gone: nothing more is sent, and the features drop what they had
    planned at once (e.g. a job club seat goes to the next). Unblocked means back, and the
    check-in cadence picks up again (missed check-ins are not replayed)."""
    change = update.my_chat_member
    if change is None:
        return
    if change.chat.type != ChatType.PRIVATE:
        _log_group(change.chat.id, change.chat.type, change.new_chat_member.status,
                   context.app.settings.staff_chat_id)
        return
    app = context.app
    citizens = app.get(CitizenStore)
    status = change.new_chat_member.status
    blocked_at = app.clock.now() if status in GONE else None
    if await citizens.set_blocked(change.from_user.id, blocked_at):
        log.info("citizen %s the bot", "blocked" if blocked_at else "unblocked")
        citizen = await citizens.by_user(change.from_user.id)
        if citizen is not None:
            await app.emit(CITIZEN_CHANGED if blocked_at is None else CITIZEN_BLOCKED,
                           citizen.id)


def _log_group(chat_id: int, chat_type: str, status: str, staff_chat_id: int | None) -> None:
    """The operator needs the staff group's id; a group id is not personal data (no title)."""
    if status in GONE:
        log.warning("the bot was removed from %s %d", chat_type, chat_id)
    elif chat_id == staff_chat_id:
        log.info("the bot is now %s in the staff chat %d", status, chat_id)
    else:
        log.info("the bot was added to %s %d; set STAFF_CHAT_ID=%d if this is the staff group",
                 chat_type, chat_id, chat_id)


def register(app: Application, settings: Settings) -> None:  # type: ignore[type-arg]
    app.add_handler(ChatMemberHandler(membership_changed, ChatMemberHandler.MY_CHAT_MEMBER))
