"""An in-process Bot API: answers like Telegram, records every call, injects faults on demand.

Console mode talks to it instead of Telegram, and the tests and benchmarks drive the real
Application through it, so what a citizen would see can be asserted without a network.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import count
from typing import Any

from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

_TRUE_METHODS = frozenset({
    "answerCallbackQuery", "setMyCommands", "deleteMyCommands", "deleteWebhook", "setWebhook",
    "sendChatAction", "deleteMessage", "close", "logOut", "closeForumTopic", "reopenForumTopic",
    "editForumTopic", "setMyDescription", "setMyShortDescription", "pinChatMessage",
})
_MESSAGE_METHODS = frozenset({
    "sendMessage", "sendPhoto", "sendDocument", "sendVoice", "sendVideo", "sendSticker",
    "sendLocation", "sendAudio", "forwardMessage",
})
_COPY_METHODS = frozenset({"copyMessage", "copyMessages"})


@dataclass(frozen=True, slots=True)
class ApiCall:
    method: str
    params: dict[str, Any]
    ok: bool = True
    files: dict[str, bytes] = field(default_factory=dict)  # uploads, by their attach name

    @property
    def chat_id(self) -> int | None:
        value = self.params.get("chat_id")
        return int(value) if value is not None else None


ANY_METHOD = "*"
"""A Fault's method that matches every call (getMe and getUpdates too)."""


@dataclass(slots=True)
class Fault:
    """One failure to answer with, for a method (or ANY_METHOD) and optionally one chat; `times`
    calls in a row. The constructors below give Telegram's own answers for the usual faults;
    `network` faults raise in-process (408: TimedOut, else NetworkError) and drop the
    connection over HTTP (tests/http_bot_api.py)."""

    method: str
    chat_id: int | None = None
    status: int = 403
    description: str = "Forbidden: bot was blocked by the user"
    retry_after: int | None = None
    network: bool = False
    times: int = 1

    @classmethod
    def flood(cls, method: str, retry_after: int, chat_id: int | None = None,
              times: int = 1) -> Fault:
        return cls(method, chat_id, 429, f"Too Many Requests: retry after {retry_after}",
                   retry_after=retry_after, times=times)

    @classmethod
    def blocked(cls, method: str, chat_id: int | None = None, times: int = 1) -> Fault:
        return cls(method, chat_id, times=times)

    @classmethod
    def too_long(cls, method: str, chat_id: int | None = None, times: int = 1) -> Fault:
        return cls(method, chat_id, 400, "Bad Request: message is too long", times=times)

    @classmethod
    def chat_not_found(cls, method: str, chat_id: int | None = None, times: int = 1) -> Fault:
        return cls(method, chat_id, 400, "Bad Request: chat not found", times=times)

    @classmethod
    def topic_closed(cls, method: str, chat_id: int | None = None, times: int = 1) -> Fault:
        return cls(method, chat_id, 400, "Bad Request: TOPIC_CLOSED", times=times)

    @classmethod
    def server_error(cls, method: str, chat_id: int | None = None, times: int = 1,
                     status: int = 502) -> Fault:
        return cls(method, chat_id, status, "Bad Gateway", times=times)

    @classmethod
    def timeout(cls, method: str, chat_id: int | None = None, times: int = 1) -> Fault:
        return cls(method, chat_id, 408, "Request timed out", network=True, times=times)

    @classmethod
    def dropped(cls, method: str, chat_id: int | None = None, times: int = 1) -> Fault:
        return cls(method, chat_id, 0, "connection reset", network=True, times=times)


@dataclass
class LocalBotApi(BaseRequest):
    bot_id: int = 7_000_000_001
    username: str = "jobcentre_local_bot"
    calls: list[ApiCall] = field(default_factory=list)
    on_call: Callable[[ApiCall, dict[str, Any] | bool], None] | None = None
    forum: bool = True  # the staff group has topics and the bot may manage them
    _faults: list[Fault] = field(default_factory=list)
    _message_ids: defaultdict[int, count[int]] = field(
        default_factory=lambda: defaultdict(lambda: count(1)))
    _thread_ids: count[int] = field(default_factory=lambda: count(100))
    _file_ids: count[int] = field(default_factory=lambda: count(1))
    _clock: count[int] = field(default_factory=lambda: count(1_764_000_000))
    _downloads: dict[str, bytes] = field(default_factory=dict)
    _closed_topics: set[int] = field(default_factory=set)
    _deleted_topics: set[int] = field(default_factory=set)
    _deleted_messages: set[tuple[int, int]] = field(default_factory=set)

    # BaseRequest -------------------------------------------------------------
    async def initialize(self) -> None:
        """Nothing to open."""

    async def shutdown(self) -> None:
        """Nothing to close."""

    @property
    def read_timeout(self) -> float | None:
        return 1.0

    async def do_request(self, url: str, method: str, request_data: RequestData | None = None,
                         read_timeout: object = None, write_timeout: object = None,
                         connect_timeout: object = None,
                         pool_timeout: object = None) -> tuple[int, bytes]:
        api_method = url.rsplit("/", 1)[-1]
        if method == "GET":  # a file download (File.download_*): the path getFile gave
            content = self._downloads.get(api_method)
            return (200, content) if content is not None else (404, b"Not Found")
        params: dict[str, Any] = {}
        files: dict[str, bytes] = {}
        if request_data is not None:
            request_data.json_payload  # noqa: B018 - encode as the real client does
            params = dict(request_data.parameters)
            if isinstance(params.get("reply_markup"), str):  # sent as JSON text: read it
                params["reply_markup"] = json.loads(params["reply_markup"])
            for name, part in (request_data.multipart_data or {}).items():
                content = part[1]
                files[name] = content if isinstance(content, bytes) else content.read()
        return self.handle(api_method, params, files)

    def handle(self, method: str, params: dict[str, Any],
               files: dict[str, bytes] | None = None) -> tuple[int, bytes]:
        """Answer one Bot API call synchronously; also serves the HTTP emulator in tests."""
        fault = (self._take_fault(method, params.get("chat_id"))
                 or self._topic_fault(method, params) or self._copy_fault(method, params))
        call = ApiCall(method, params, ok=fault is None, files=files or {})
        self.calls.append(call)
        if fault is not None:
            if fault.network:
                raise TimedOut() if fault.status == 408 else NetworkError("connection reset")
            body: dict[str, Any] = {"ok": False, "error_code": fault.status,
                                    "description": fault.description}
            if fault.retry_after is not None:
                body["parameters"] = {"retry_after": fault.retry_after}
            return fault.status, json.dumps(body).encode()
        result = self._answer(call)
        if result is None:
            return 404, b'{"ok":false,"error_code":404,"description":"Not Found"}'
        if self.on_call is not None:
            self.on_call(call, result)
        return 200, json.dumps({"ok": True, "result": result}).encode()

    def serve_file(self, file_id: str, content: bytes) -> None:
        """A file a user sent: getFile answers for `file_id`, and its download gives these
        bytes (like Telegram, getFile's file_size is the size of the bytes)."""
        self._downloads[file_id] = content

    # fault injection ---------------------------------------------------------
    def fail(self, fault: Fault) -> None:
        self._faults.append(fault)

    def close_topic(self, thread_id: int, *, delete: bool = False) -> None:
        """Staff close (or delete) a forum topic by hand: posts there are refused as by
        Telegram (TOPIC_CLOSED; thread not found) until reopenForumTopic (never, if deleted)."""
        (self._deleted_topics if delete else self._closed_topics).add(thread_id)

    def delete_message(self, chat_id: int, message_id: int) -> None:
        """A user deletes a message they sent: copyMessage of it is refused as by Telegram,
        and copyMessages skips it (returning fewer ids, without saying which)."""
        self._deleted_messages.add((chat_id, message_id))

    def _copy_fault(self, method: str, params: dict[str, Any]) -> Fault | None:
        if method == "copyMessage" and (int(params["from_chat_id"]), int(
                params["message_id"])) in self._deleted_messages:
            return Fault(method, status=400, description="Bad Request: message to copy not found")
        return None

    def _topic_fault(self, method: str, params: dict[str, Any]) -> Fault | None:
        thread = params.get("message_thread_id")
        thread_id = int(thread) if isinstance(thread, int | str) else None
        if method == "closeForumTopic" and thread_id is not None:
            self._closed_topics.add(thread_id)
        elif method == "reopenForumTopic" and thread_id in self._closed_topics:
            self._closed_topics.discard(thread_id)
        elif thread_id in self._deleted_topics:
            return Fault(method, status=400, description="Bad Request: message thread not found")
        elif thread_id in self._closed_topics and method in _MESSAGE_METHODS | _COPY_METHODS:
            return Fault.topic_closed(method)
        return None

    def _take_fault(self, method: str, chat_id: object) -> Fault | None:
        chat = int(chat_id) if isinstance(chat_id, int | str) else None
        for fault in self._faults:
            if fault.method in (method, ANY_METHOD) and fault.chat_id in (None, chat):
                fault.times -= 1
                if fault.times <= 0:
                    self._faults.remove(fault)
                return fault
        return None

    # inspection for tests ----------------------------------------------------
    def sent(self, chat_id: int | None = None, method: str = "sendMessage") -> list[ApiCall]:
        """Calls Telegram accepted (failed ones stay in `calls`)."""
        return [c for c in self.calls
                if c.ok and c.method == method and (chat_id is None or c.chat_id == chat_id)]

    def texts(self, chat_id: int) -> list[str]:
        return [str(c.params.get("text", "")) for c in self.sent(chat_id)]

    def last_keyboard(self, chat_id: int) -> list[list[dict[str, Any]]]:
        """The buttons a citizen would see last (sent or edited in place)."""
        for call in reversed(self.calls):
            if call.chat_id == chat_id and call.method in (
                    "sendMessage", "editMessageText", "editMessageReplyMarkup"):
                markup = call.params.get("reply_markup") or {}
                return list(markup.get("inline_keyboard", []))
        return []

    def clear(self) -> None:
        self.calls.clear()

    # answers -----------------------------------------------------------------
    @property
    def me(self) -> dict[str, Any]:
        return {"id": self.bot_id, "is_bot": True, "first_name": "Jobcentret",
                "username": self.username, "can_join_groups": True,
                "can_read_all_group_messages": False, "supports_inline_queries": False}

    def _answer(self, call: ApiCall) -> dict[str, Any] | list[Any] | bool | None:
        p = call.params
        if call.method == "getMe":
            return self.me
        if call.method == "getUpdates":
            return []
        if call.method in _TRUE_METHODS:
            return True
        if call.method in _MESSAGE_METHODS:
            return {**self._message(int(p["chat_id"]), p), **self._file(call)}
        if call.method == "copyMessage":
            return {"message_id": next(self._message_ids[int(p["chat_id"])])}
        if call.method == "copyMessages":
            ids, source = self._message_ids[int(p["chat_id"])], int(p["from_chat_id"])
            return [{"message_id": next(ids)} for message_id in p["message_ids"]
                    if (source, int(message_id)) not in self._deleted_messages]
        if call.method in ("editMessageText", "editMessageReplyMarkup", "editMessageCaption"):
            if "inline_message_id" in p:
                return True
            return self._message(int(p["chat_id"]), p, message_id=int(p["message_id"]))
        if call.method == "getFile":
            file_id = str(p["file_id"])
            if file_id not in self._downloads:
                return None
            return {"file_id": file_id, "file_unique_id": f"u-{file_id}",
                    "file_size": len(self._downloads[file_id]), "file_path": f"files/{file_id}"}
        if call.method == "createForumTopic":
            return {"message_thread_id": next(self._thread_ids), "name": p["name"],
                    "icon_color": 7322096}
        if call.method == "getChat":
            chat_id = int(p["chat_id"])
            chat: dict[str, Any] = {
                "id": chat_id, "type": "private" if chat_id > 0 else "supergroup",
                "accent_color_id": 0, "max_reaction_count": 11, "accepted_gift_types": {
                    "unlimited_gifts": False, "limited_gifts": False, "unique_gifts": False,
                    "premium_subscription": False, "gifts_from_channels": False}}
            if chat_id < 0:
                chat.update(title="Staff", is_forum=self.forum)
            return chat
        if call.method == "getChatMember":
            return {"status": "administrator", "user": self.me, "can_be_edited": False,
                    "is_anonymous": False, "can_manage_chat": True, "can_delete_messages": True,
                    "can_manage_video_chats": True, "can_restrict_members": True,
                    "can_promote_members": False, "can_change_info": True,
                    "can_invite_users": True, "can_post_stories": False,
                    "can_edit_stories": False, "can_delete_stories": False,
                    "can_manage_topics": self.forum, "can_pin_messages": True}
        return None

    def _file(self, call: ApiCall) -> dict[str, Any]:
        """The photo (in two sizes, the largest last) or document of a sent message, as
        Telegram keeps it: sent by file_id, it keeps that id; an upload gets a new one."""
        name = {"sendPhoto": "photo", "sendDocument": "document"}.get(call.method)
        if name is None:
            return {}
        given = call.params.get(name)
        upload = call.files.get(name)
        file_id = given if isinstance(given, str) else f"{name}-{next(self._file_ids)}"
        size = len(upload) if upload is not None else 1000
        if name == "document":
            return {"document": {"file_id": file_id, "file_unique_id": f"u-{file_id}",
                                 "file_size": size}}
        return {"photo": [
            {"file_id": f"{file_id}-thumb", "file_unique_id": f"u-{file_id}-thumb",
             "width": 90, "height": 60, "file_size": max(1, size // 50)},
            {"file_id": file_id, "file_unique_id": f"u-{file_id}", "width": 1280,
             "height": 853, "file_size": size},
        ]}

    def _message(self, chat_id: int, p: dict[str, Any],
                 message_id: int | None = None) -> dict[str, Any]:
        chat: dict[str, Any] = ({"id": chat_id, "type": "private", "first_name": "Citizen"}
                                if chat_id > 0 else
                                {"id": chat_id, "type": "supergroup", "title": "Staff",
                                 "is_forum": True})
        message: dict[str, Any] = {
            "message_id": message_id or next(self._message_ids[chat_id]),
            "date": next(self._clock),
            "chat": chat,
            "from": self.me,
        }
        for key in ("text", "caption", "message_thread_id"):
            if key in p:
                message[key] = p[key]
        if (p.get("reply_markup") or {}).get("inline_keyboard"):  # like Telegram: only inline
            message["reply_markup"] = p["reply_markup"]
        return message
