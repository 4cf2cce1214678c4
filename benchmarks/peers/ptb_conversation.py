"""Peer: python-telegram-bot's own ConversationHandler running the onboarding dialog, made
durable the best way PTB allows: every update's state and answers are written to SQLite by
one writer task that commits whatever is queued in one transaction (group commit), and the
reply waits for that commit. Updates of one chat are handled in order (ChatOrderedProcessor;
ConversationHandler is not safe with PTB's plain concurrent updates)."""

from __future__ import annotations

import asyncio
import json
import warnings
from pathlib import Path
from typing import Any

import aiosqlite
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    ConversationHandler,
    MessageHandler,
    filters,
)
from telegram.request import BaseRequest
from telegram.warnings import PTBUserWarning

from benchmarks.peers.dialog import EDIT, Reply, step
from bot.dispatch import ChatOrderedProcessor

STATES = ("welcome", "consent", "ask_name", "ask_month", "ask_time", "ask_language", "done",
          "menu")


class GroupCommit:
    """One writer: every queued (user, state, data) goes in one transaction; each waits."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn
        self._rows: dict[int, tuple[str, str]] = {}
        self._waiting: list[asyncio.Future[None]] = []
        self._wake = asyncio.Event()
        self._task = asyncio.create_task(self._run())

    async def save(self, user_id: int, state: str, data: dict[str, Any]) -> None:
        future = asyncio.get_running_loop().create_future()
        self._rows[user_id] = (state, json.dumps(data))
        self._waiting.append(future)
        self._wake.set()
        await future

    async def _run(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            rows, waiting = self._rows, self._waiting
            self._rows, self._waiting = {}, []
            await self._conn.execute("BEGIN")
            await self._conn.executemany(
                "INSERT INTO conversations (user_id, state, data) VALUES (?, ?, ?) "
                "ON CONFLICT (user_id) DO UPDATE SET state = excluded.state, data = excluded.data",
                [(user, state, data) for user, (state, data) in rows.items()])
            await self._conn.commit()
            for future in waiting:
                future.set_result(None)

    async def close(self) -> None:
        self._task.cancel()


def _markup(buttons: list[list[tuple[str, str]]]) -> InlineKeyboardMarkup | None:
    if not buttons:
        return None
    return InlineKeyboardMarkup([[InlineKeyboardButton(label, callback_data=data)
                                  for label, data in row] for row in buttons])


async def _handle(update: Update, context: ContextTypes.DEFAULT_TYPE, kind: str,
                  payload: str) -> str:
    data = context.user_data
    assert data is not None and update.effective_user is not None
    reply: Reply = step(data.get("state"), data, kind, payload)
    data["state"] = reply.state
    committer: GroupCommit = context.bot_data["commit"]
    await committer.save(update.effective_user.id, reply.state, data)  # on disk first
    query = update.callback_query
    if query is not None:
        await query.answer()
        if reply.how == EDIT:
            await query.edit_message_text(reply.text, reply_markup=_markup(reply.buttons))
            return reply.state
        await query.edit_message_reply_markup(None)
    assert update.effective_chat is not None
    await context.bot.send_message(update.effective_chat.id, reply.text,
                                   reply_markup=_markup(reply.buttons))
    return reply.state


async def _command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str:
    assert update.message is not None and update.message.text is not None
    return await _handle(update, context, "msg", update.message.text)


async def _text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str:
    assert update.message is not None and update.message.text is not None
    return await _handle(update, context, "msg", update.message.text)


async def _press(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str:
    assert update.callback_query is not None
    return await _handle(update, context, "press", update.callback_query.data or "")


def build(api: BaseRequest, token: str, database: Path) -> Application:  # type: ignore[type-arg]
    async def open_database(application: Application) -> None:  # type: ignore[type-arg]
        conn = await aiosqlite.connect(database, isolation_level=None)
        await conn.execute("PRAGMA journal_mode=WAL")
        await conn.execute("PRAGMA synchronous=NORMAL")
        await conn.execute("CREATE TABLE IF NOT EXISTS conversations (user_id INTEGER PRIMARY "
                           "KEY, state TEXT NOT NULL, data TEXT NOT NULL)")
        application.bot_data["db"] = conn
        application.bot_data["commit"] = GroupCommit(conn)

    async def close_database(application: Application) -> None:  # type: ignore[type-arg]
        await application.bot_data["commit"].close()
        await application.bot_data["db"].close()

    application = (ApplicationBuilder().token(token).request(api).get_updates_request(api)
                   .concurrent_updates(ChatOrderedProcessor())
                   .post_init(open_database).post_shutdown(close_database).build())
    commands = [CommandHandler(("start", "menu"), _command)]
    text = MessageHandler(filters.TEXT & ~filters.COMMAND, _text)
    with warnings.catch_warnings():  # "per_message=False": right for this dialog
        warnings.simplefilter("ignore", PTBUserWarning)
        conversation = ConversationHandler(
            entry_points=commands,
            states={state: [CallbackQueryHandler(_press, pattern=f"^onboarding\\|{state}\\|"),
                            text] for state in STATES},
            fallbacks=commands, allow_reentry=True, per_message=False)
    application.add_handler(conversation)
    return application


async def stored_states(application: Application) -> dict[int, str]:  # type: ignore[type-arg]
    conn: aiosqlite.Connection = application.bot_data["db"]
    rows = await conn.execute_fetchall("SELECT user_id, state FROM conversations")
    return {int(user): str(state) for user, state in rows}
