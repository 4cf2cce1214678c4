"""The bot of `benchmarks.broadcast` in one process with the in-process Bot API (LocalBotApi).

    python -m benchmarks.broadcast_bot RECORD_FILE CHATTERS     (settings from the environment)

`bot.app.build_application` with every feature, sweep and the real outbox sender, on the
database and settings the environment names, without long polling: the chatting citizens'
messages go straight onto `application.update_queue`. Every message the bot sends is appended
to RECORD_FILE at once ("m <chat> <monotonic time>"), and so is each chatting citizen's reply
time ("l <seconds>", or "u" when none came within REPLY_TIMEOUT), so that the record survives
a `kill -9` of this process.
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import sys
import time
from typing import Any

from telegram import Update

from bot.app import build_application
from bot.config import Settings
from bot.gc_tuning import tune_for_serving
from bot.transport.local_api import ApiCall, LocalBotApi
from bot.transport.local_updates import UpdateFactory

CHATTER_BASE = 20_000_000  # as benchmarks.broadcast
THINK_SECONDS = (0.5, 1.5)  # a chatting citizen's pause between a reply and their next message
REPLY_TIMEOUT = 10.0  # a message without a reply this long is unanswered (and asked again)
_SENDS = ("send", "copy")


class Record:
    """Appends one line per event with one write(2): nothing waits in a buffer at a crash."""

    def __init__(self, path: str) -> None:
        self._fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)

    def line(self, text: str) -> None:
        os.write(self._fd, text.encode())


class Chatters:
    """Citizens who send /help, wait for the reply, pause, and send again."""

    def __init__(self, count: int, record: Record) -> None:
        self.chats = range(CHATTER_BASE, CHATTER_BASE + count)
        self._record = record
        self._asked: dict[int, float] = {}
        self._replied: asyncio.Queue[int] = asyncio.Queue()

    def on_call(self, call: ApiCall, result: dict[str, Any] | bool) -> None:
        if not call.method.startswith(_SENDS):
            return
        now = time.monotonic()
        chat = call.chat_id
        self._record.line(f"m {chat} {now:.6f}\n")
        asked = self._asked.pop(chat, None) if chat is not None else None
        if asked is not None and chat is not None:
            self._record.line(f"l {now - asked:.6f}\n")
            self._replied.put_nowait(chat)

    async def run(self, application: Any) -> None:
        factory = UpdateFactory(application.bot)
        loop = asyncio.get_running_loop()

        def ask(chat: int) -> None:
            self._asked[chat] = time.monotonic()
            update: Update = factory.message(chat, "/help", language_code="da")
            application.update_queue.put_nowait(update)

        def overdue() -> None:
            now = time.monotonic()
            for chat, asked in list(self._asked.items()):
                if now - asked > REPLY_TIMEOUT:
                    self._record.line("u\n")
                    ask(chat)
            loop.call_later(1.0, overdue)

        for chat in self.chats:
            ask(chat)
        overdue()
        while True:
            chat = await self._replied.get()
            loop.call_later(random.uniform(*THINK_SECONDS), ask, chat)


async def serve(record_path: str, chatters: int) -> None:
    settings = Settings.from_env(os.environ)
    record = Record(record_path)
    people = Chatters(chatters, record)
    api = LocalBotApi(calls=_NoCalls(), on_call=people.on_call)
    tune_for_serving()  # as `python -m bot` does
    application = build_application(settings, request=api)
    await application.initialize()
    if application.post_init is not None:
        await application.post_init(application)
    await application.start()
    record.line("ready\n")
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    chat = asyncio.create_task(people.run(application))
    await stop.wait()
    chat.cancel()
    await application.stop()
    if application.post_shutdown is not None:
        await application.post_shutdown(application)
    await application.shutdown()


class _NoCalls(list[ApiCall]):
    """LocalBotApi.calls that keeps nothing (the record file is the log)."""

    def append(self, call: ApiCall) -> None:
        pass


if __name__ == "__main__":
    asyncio.run(serve(sys.argv[1], int(sys.argv[2])))
