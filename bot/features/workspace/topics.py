"""One staff-chat topic per citizen, or a reply thread under a header in a plain group.

On start the bot checks that it is an admin of the staff chat with the right to manage topics
and that the chat has topics switched on; if not, it logs one clear warning and falls back to
a plain group, where each citizen's messages are replies to their first header message.
"""

from __future__ import annotations

import logging

from telegram import Bot
from telegram.constants import ChatMemberStatus
from telegram.error import BadRequest, TelegramError

from bot.features.cases import CaseService
from bot.features.cases.alerts import citizen_label
from bot.features.citizens import CitizenStore
from bot.features.workspace.storage import Topic, WorkspaceStore
from bot.i18n import N_, Translator
from bot.outbox import OutboxItem

log = logging.getLogger(__name__)
TOPIC_NAME = N_("{citizen} · case #{case}")
MAX_TOPIC_NAME = 128


class Topics:
    def __init__(self, store: WorkspaceStore, citizens: CitizenStore, cases: CaseService,
                 staff_translator: Translator, staff_chat_id: int | None) -> None:
        self._store = store
        self._citizens = citizens
        self._cases = cases
        self._ = staff_translator
        self._chat = staff_chat_id
        self.forum = True
        self._bot: Bot | None = None  # from check(), at start: closing a topic needs it

    async def check(self, bot: Bot) -> None:
        """Forum topics when the bot may manage them; a plain reply-thread group otherwise.

        Logs in one line what was found, so an operator sees at start whether alerts can arrive.
        """
        self._bot = bot
        if self._chat is None:
            log.warning("staff chat: none (STAFF_CHAT_ID unset): nobody is alerted, and citizens "
                        "are told that nobody will contact them from here")
            return
        try:
            chat = await bot.get_chat(self._chat)
            member = await bot.get_chat_member(self._chat, bot.id)
        except TelegramError as exc:
            log.error("staff chat %d: cannot be read (%s: %s); alerts may not arrive – is the "
                      "bot a member and is STAFF_CHAT_ID right?", self._chat,
                      type(exc).__name__, exc)
            self.forum = False
            return
        admin = member.status in (ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER)
        can_post = admin or (member.status == ChatMemberStatus.MEMBER) or (
            member.status == ChatMemberStatus.RESTRICTED
            and bool(getattr(member, "can_send_messages", False)))
        can_manage = admin and bool(getattr(member, "can_manage_topics", False))
        is_forum = bool(getattr(chat, "is_forum", False))
        self.forum = is_forum and can_manage
        found = (f"staff chat {self._chat}: type {chat.type}, topics {_on(is_forum)}, bot "
                 f"{member.status}, can post {_yes(can_post)}, can manage topics "
                 f"{_yes(can_manage)}")
        if not can_post:
            log.error("%s – the bot cannot post there: urgent alerts will NOT arrive", found)
        elif not self.forum:
            log.warning("%s – falling back to reply threads under one header message per "
                        "citizen (make the bot an admin with 'manage topics' in a group with "
                        "topics for one topic per citizen)", found)
        else:
            log.info("%s – one topic per citizen", found)

    async def resolve(self, bot: Bot, citizen_id: int) -> tuple[int | None, int | None]:
        """(thread id, message to reply to) for posting about this citizen."""
        topic = await self._store.topic(citizen_id)
        if not self.forum:
            return None, topic.anchor_message_id if topic else None
        if topic is not None and topic.thread_id is not None:
            if topic.is_closed:
                await self._reopen(bot, topic)
            return topic.thread_id, None
        assert self._chat is not None
        created = await bot.create_forum_topic(self._chat, await self._name(citizen_id))
        await self._store.save_topic(Topic(citizen_id, created.message_thread_id, None, False))
        return created.message_thread_id, None

    async def refused(self, citizen_id: int, deleted: bool) -> None:
        """Telegram refused a post in the citizen's topic: staff closed it by hand (the next
        post reopens it) or deleted it (the next post opens a new one)."""
        topic = await self._store.topic(citizen_id)
        if topic is None or topic.thread_id is None:
            return
        log.warning("staff topic %d was %s in Telegram; %s", topic.thread_id,
                    "deleted" if deleted else "closed",
                    "a new one is opened" if deleted else "it is reopened")
        await self._store.save_topic(Topic(citizen_id, None if deleted else topic.thread_id,
                                           topic.anchor_message_id, not deleted))

    async def anchor(self, item: OutboxItem, message_id: int) -> None:
        """Plain group: the first header for a citizen becomes the anchor of their thread."""
        citizen_id = item.message.topic_of
        if self.forum or citizen_id is None:
            return
        topic = await self._store.topic(citizen_id)
        if topic is None or topic.anchor_message_id is None:
            await self._store.save_topic(Topic(citizen_id, None, message_id, False))

    async def close(self, citizen_id: int) -> None:
        """Closed in Telegram too; reopened when the citizen gets a new case."""
        topic = await self._store.topic(citizen_id)
        if (topic is None or topic.thread_id is None or topic.is_closed or self._chat is None
                or self._bot is None):
            return
        try:
            await self._bot.close_forum_topic(self._chat, topic.thread_id)
        except BadRequest as exc:
            log.info("could not close a topic: %s", exc.message)
        await self._store.save_topic(Topic(citizen_id, topic.thread_id, None, True))

    async def _reopen(self, bot: Bot, topic: Topic) -> None:
        assert self._chat is not None and topic.thread_id is not None
        try:
            await bot.reopen_forum_topic(self._chat, topic.thread_id)
            await bot.edit_forum_topic(self._chat, topic.thread_id,
                                       name=await self._name(topic.citizen_id))
        except BadRequest as exc:
            log.info("could not reopen a topic: %s", exc.message)
        await self._store.save_topic(Topic(topic.citizen_id, topic.thread_id, None, False))

    async def _name(self, citizen_id: int) -> str:
        """First name or a short id, and the case number – never a CPR number."""
        _ = self._
        citizen = await self._citizens.by_id(citizen_id)
        case = await self._cases.open_case(citizen_id)
        who = citizen_label(citizen, _)
        return _(TOPIC_NAME, citizen=who, case=case.id if case else "–")[:MAX_TOPIC_NAME]


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def _on(flag: bool) -> str:
    return "on" if flag else "off"
