"""Realistic update JSON for the local Bot API: what Telegram would deliver for a person."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import count
from typing import Any

from telegram import Bot, Update

_COMMAND = re.compile(r"^/[A-Za-z]")  # what Telegram marks as a bot_command ("//x" is not)


@dataclass
class UpdateFactory:
    """Builds updates with increasing ids, the way Telegram numbers them."""

    bot: Bot
    _ids: count[int] = field(default_factory=lambda: count(1))
    _message_ids: count[int] = field(default_factory=lambda: count(10_000))
    date: int = 1_764_000_000

    def _user(self, user_id: int, language_code: str | None, first_name: str) -> dict[str, Any]:
        user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
        if language_code:
            user["language_code"] = language_code
        return user

    def _private_chat(self, user_id: int, first_name: str) -> dict[str, Any]:
        return {"id": user_id, "type": "private", "first_name": first_name}

    def message(self, user_id: int, text: str, *, language_code: str | None = "da",
                first_name: str = "Citizen", extra: dict[str, Any] | None = None) -> Update:
        """A text message; a leading /command gets its bot_command entity like in Telegram."""
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "date": self.date,
            "chat": self._private_chat(user_id, first_name),
            "from": self._user(user_id, language_code, first_name),
        }
        if text:
            message["text"] = text
            if _COMMAND.match(text):
                length = len(text.split()[0])
                message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        message.update(extra or {})
        return self._update({"message": message})

    def photo(self, user_id: int, *, language_code: str | None = "da") -> Update:
        photo = [{"file_id": "AgAD-photo", "file_unique_id": "u-photo", "width": 90,
                  "height": 90, "file_size": 1200}]
        return self.message(user_id, "", language_code=language_code, extra={"photo": photo})

    def press(self, user_id: int, data: str, *, message_id: int = 1,
              language_code: str | None = "da", first_name: str = "Citizen",
              keyboard: list[list[dict[str, Any]]] | None = None) -> Update:
        """A tap on an inline button under the bot's message `message_id` (whose inline
        `keyboard`, as sent, Telegram includes when given)."""
        message: dict[str, Any] = {
            "message_id": message_id,
            "date": self.date,
            "chat": self._private_chat(user_id, first_name),
            "from": {"id": self.bot.id, "is_bot": True, "first_name": "Jobcentret"},
            "text": "…",
        }
        if keyboard:
            message["reply_markup"] = {"inline_keyboard": keyboard}
        return self._update({"callback_query": {
            "id": str(next(self._ids) * 7919),
            "from": self._user(user_id, language_code, first_name),
            "chat_instance": f"ci-{user_id}",
            "data": data,
            "message": message,
        }})

    def staff_message(self, chat_id: int, user_id: int, text: str,
                      first_name: str = "Staff", thread: int | None = None,
                      extra: dict[str, Any] | None = None) -> Update:
        """A message in the staff supergroup; in a forum topic when `thread` is given; `extra`
        adds fields (e.g. a photo, with an empty text)."""
        message: dict[str, Any] = {
            "message_id": next(self._message_ids), "date": self.date,
            "chat": {"id": chat_id, "type": "supergroup", "title": "Staff", "is_forum": True},
            "from": self._user(user_id, "da", first_name),
            **({"text": text} if text else {}), **(extra or {}),
        }
        if thread is not None:
            message.update(message_thread_id=thread, is_topic_message=True)
        if _COMMAND.match(text):
            message["entities"] = [{"type": "bot_command", "offset": 0,
                                    "length": len(text.split()[0])}]
        return self._update({"message": message})

    def staff_press(self, chat_id: int, user_id: int, data: str, *, message_id: int,
                    text: str = "…", first_name: str = "Staff",
                    thread: int | None = None) -> Update:
        """A tap on a button under the bot's message in the staff supergroup (in a forum topic
        when `thread` is given)."""
        message: dict[str, Any] = {
            "message_id": message_id, "date": self.date, "text": text,
            "chat": {"id": chat_id, "type": "supergroup", "title": "Staff", "is_forum": True},
            "from": {"id": self.bot.id, "is_bot": True, "first_name": "Jobcentret"},
        }
        if thread is not None:
            message.update(message_thread_id=thread, is_topic_message=True)
        return self._update({"callback_query": {
            "id": str(next(self._ids) * 7919),
            "from": self._user(user_id, "da", first_name),
            "chat_instance": f"ci-{chat_id}",
            "data": data,
            "message": message,
        }})

    def membership(self, user_id: int, status: str) -> Update:
        """my_chat_member: `kicked` when the citizen blocks the bot, `member` when back."""
        bot_user = {"id": self.bot.id, "is_bot": True, "first_name": "Jobcentret"}
        old = "member" if status == "kicked" else "kicked"
        member = {"status": status, "user": bot_user}
        if status == "kicked":
            member["until_date"] = 0
        previous = {"status": old, "user": bot_user}
        if old == "kicked":
            previous["until_date"] = 0
        return self._update({"my_chat_member": {
            "chat": self._private_chat(user_id, "Citizen"),
            "from": self._user(user_id, "da", "Citizen"),
            "date": self.date,
            "old_chat_member": previous,
            "new_chat_member": member,
        }})

    def added_to_group(self, chat_id: int, by_user: int) -> Update:
        """my_chat_member: someone added the bot to a supergroup as an administrator."""
        bot_user = {"id": self.bot.id, "is_bot": True, "first_name": "Jobcentret"}
        return self._update({"my_chat_member": {
            "chat": {"id": chat_id, "type": "supergroup", "title": "Staff"},
            "from": self._user(by_user, "da", "Admin"),
            "date": self.date,
            "old_chat_member": {"status": "left", "user": bot_user},
            "new_chat_member": {"status": "administrator", "user": bot_user,
                                "can_be_edited": False, "is_anonymous": False,
                                "can_manage_chat": True, "can_delete_messages": True,
                                "can_manage_video_chats": True, "can_restrict_members": True,
                                "can_promote_members": False, "can_change_info": True,
                                "can_invite_users": True, "can_post_stories": False,
                                "can_edit_stories": False, "can_delete_stories": False,
                                "can_manage_topics": True},
        }})

    def _update(self, body: dict[str, Any]) -> Update:
        update = Update.de_json({"update_id": next(self._ids), **body}, self.bot)
        assert update is not None
        return update
