"""Peer: aiogram 3 running the onboarding dialog on its FSM, the usual way: a state per step,
handlers registered per state with magic filters, the state and answers in an FSM storage –
here on SQLite (aiogram ships none), each write committed at once. Updates of one chat are
handled in order (SimpleEventIsolation); aiogram decodes every answer, as it always does.

The Bot API is the same in-process `LocalBotApi` as for the PTB variants, behind an aiogram
session that encodes each request's JSON as a client would."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import aiosqlite
from aiogram import Bot, Dispatcher, F, Router
from aiogram.client.session.base import BaseSession
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.fsm.storage.base import BaseStorage, StateType, StorageKey
from aiogram.fsm.storage.memory import SimpleEventIsolation
from aiogram.methods import TelegramMethod
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.types import Message as AiogramMessage
from aiogram.types import Update as AiogramUpdate

from benchmarks.peers.dialog import EDIT, Reply, step
from bot.transport.local_api import LocalBotApi


class Onboarding(StatesGroup):
    welcome = State()
    consent = State()
    ask_name = State()
    ask_month = State()
    ask_time = State()
    ask_language = State()
    done = State()
    menu = State()


class LocalSession(BaseSession):
    """aiogram's side of the in-process Bot API."""

    def __init__(self, api: LocalBotApi) -> None:
        super().__init__()
        self._api = api

    async def make_request(self, bot: Bot, method: TelegramMethod[Any],
                           timeout: int | None = None) -> Any:  # noqa: ASYNC109 - aiogram's
        files: dict[str, Any] = {}
        params = {key: prepared for key, value in method.model_dump(warnings=False).items()
                  if (prepared := self.prepare_value(value, bot=bot, files=files,
                                                     _dumps_json=False)) is not None}
        self.json_dumps(params)  # the request body, as the client encodes it
        status, body = self._api.handle(method.__api_method__, params)
        return self.check_response(bot, method, status, body.decode()).result

    async def close(self) -> None:
        """Nothing to close."""

    async def stream_content(self, url: str, headers: dict[str, Any] | None = None,
                             timeout: int = 30,  # noqa: ASYNC109 - aiogram's signature
                             chunk_size: int = 65536, raise_for_status: bool = True) -> Any:
        """Downloads: the dialog has none."""
        raise NotImplementedError("the benchmark's dialog downloads no files")


class SQLiteStorage(BaseStorage):
    """State and data per chat and user, each write its own commit."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        value = state.state if isinstance(state, State) else state
        await self.conn.execute(
            "INSERT INTO fsm (chat_id, user_id, state, data) VALUES (?, ?, ?, '{}') "
            "ON CONFLICT (chat_id, user_id) DO UPDATE SET state = excluded.state",
            (key.chat_id, key.user_id, value))

    async def get_state(self, key: StorageKey) -> str | None:
        rows = list(await self.conn.execute_fetchall(
            "SELECT state FROM fsm WHERE chat_id = ? AND user_id = ?",
            (key.chat_id, key.user_id)))
        return str(rows[0][0]) if rows and rows[0][0] is not None else None

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        await self.conn.execute(
            "INSERT INTO fsm (chat_id, user_id, state, data) VALUES (?, ?, NULL, ?) "
            "ON CONFLICT (chat_id, user_id) DO UPDATE SET data = excluded.data",
            (key.chat_id, key.user_id, json.dumps(dict(data))))

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        rows = list(await self.conn.execute_fetchall(
            "SELECT data FROM fsm WHERE chat_id = ? AND user_id = ?",
            (key.chat_id, key.user_id)))
        return dict(json.loads(rows[0][0])) if rows else {}

    async def close(self) -> None:
        await self.conn.close()


def _markup(buttons: list[list[tuple[str, str]]]) -> InlineKeyboardMarkup | None:
    if not buttons:
        return None
    return InlineKeyboardMarkup(inline_keyboard=[
        [InlineKeyboardButton(text=label, callback_data=data) for label, data in row]
        for row in buttons])


async def _step(state: FSMContext, kind: str, payload: str) -> Reply:
    current = await state.get_state()
    data = await state.get_data()
    reply = step(current.split(":", 1)[1] if current else None, data, kind, payload)
    await state.set_data(data)
    await state.set_state(getattr(Onboarding, reply.state))
    return reply


async def command(message: AiogramMessage, state: FSMContext, bot: Bot) -> None:
    reply = await _step(state, "msg", message.text or "")
    await bot.send_message(message.chat.id, reply.text, reply_markup=_markup(reply.buttons))


async def text(message: AiogramMessage, state: FSMContext, bot: Bot) -> None:
    reply = await _step(state, "msg", message.text or "")
    await bot.send_message(message.chat.id, reply.text, reply_markup=_markup(reply.buttons))


async def press(callback: CallbackQuery, state: FSMContext, bot: Bot) -> None:
    reply = await _step(state, "press", callback.data or "")
    await callback.answer()
    message = callback.message
    assert isinstance(message, AiogramMessage)
    if reply.how == EDIT:
        await message.edit_text(reply.text, reply_markup=_markup(reply.buttons))
        return
    await message.edit_reply_markup(reply_markup=None)
    await bot.send_message(message.chat.id, reply.text, reply_markup=_markup(reply.buttons))


def _router() -> Router:
    router = Router()
    router.message.register(command, Command("start", "menu"))
    router.message.register(text, F.text)
    for name in ("welcome", "consent", "ask_name", "ask_month", "ask_time", "ask_language",
                 "done", "menu"):
        router.callback_query.register(press, StateFilter(getattr(Onboarding, name)),
                                       F.data.startswith(f"onboarding|{name}|"))
    return router


class AiogramPeer:
    def __init__(self, bot: Bot, dispatcher: Dispatcher, storage: SQLiteStorage) -> None:
        self.bot = bot
        self.dispatcher = dispatcher
        self.storage = storage

    @classmethod
    async def open(cls, api: LocalBotApi, token: str, database: Path) -> AiogramPeer:
        conn = await aiosqlite.connect(database, isolation_level=None)
        await conn.execute("PRAGMA journal_mode=WAL")
        await conn.execute("PRAGMA synchronous=NORMAL")
        await conn.execute("CREATE TABLE fsm (chat_id INTEGER, user_id INTEGER, state TEXT, "
                           "data TEXT NOT NULL, PRIMARY KEY (chat_id, user_id))")
        storage = SQLiteStorage(conn)
        dispatcher = Dispatcher(storage=storage, events_isolation=SimpleEventIsolation())
        dispatcher.include_router(_router())
        return cls(Bot(token, session=LocalSession(api)), dispatcher, storage)

    def updates(self, ptb_updates: Sequence[Any]) -> list[AiogramUpdate]:
        """The same updates, as aiogram models (built before the clock starts)."""
        return [AiogramUpdate.model_validate(u.to_dict(), context={"bot": self.bot})
                for u in ptb_updates]

    async def feed(self, updates: Sequence[AiogramUpdate]) -> None:
        """Every update as its own task, as aiogram's polling does; done when all are."""
        await asyncio.gather(*(self.dispatcher.feed_update(self.bot, u) for u in updates))

    async def stored_states(self) -> dict[int, str]:
        rows = await self.storage.conn.execute_fetchall("SELECT user_id, state FROM fsm")
        return {int(user): str(state).split(":", 1)[1] for user, state in rows if state}

    async def close(self) -> None:
        await self.dispatcher.storage.close()
        await self.dispatcher.fsm.events_isolation.close()
        await self.bot.session.close()
