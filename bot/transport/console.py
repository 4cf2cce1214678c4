"""Console mode: the citizen's side of the bot in a terminal, on a local SQLite file.

The real Application runs against the in-process Bot API; its messages are printed, inline
buttons appear as numbered choices, and typing a number presses that button.
"""

from __future__ import annotations

import asyncio
import codecs
import os
import sys
import threading
from collections.abc import AsyncIterator, Callable
from typing import Any, TextIO

from bot.app import build_application
from bot.clock import Clock
from bot.config import Settings
from bot.transport.local_api import ApiCall, LocalBotApi
from bot.transport.local_updates import UpdateFactory

CONSOLE_USER_ID = 1000
_QUIET = frozenset({"setMyCommands", "getMe", "deleteWebhook", "editMessageReplyMarkup"})


class ConsolePrinter:
    """Prints what Telegram would show and remembers the last keyboard for number input."""

    def __init__(self, out: TextIO) -> None:
        self._out = out
        self.buttons: list[tuple[str, int]] = []  # (callback_data, message_id)

    def __call__(self, call: ApiCall, result: dict[str, Any] | bool | list[Any]) -> None:
        if call.method in _QUIET:
            return
        if call.method == "answerCallbackQuery":
            if call.params.get("text"):
                self._print(f"  ({call.params['text']})")
            return
        if call.method not in ("sendMessage", "editMessageText"):
            self._print(f"  [{call.method}]")
            return
        message_id = result.get("message_id", 0) if isinstance(result, dict) else 0
        prefix = "bot (edited)" if call.method == "editMessageText" else "bot"
        self._print(f"\n{prefix}: {call.params.get('text', '')}")
        rows = (call.params.get("reply_markup") or {}).get("inline_keyboard", [])
        self.buttons = []
        for row in rows:
            for button in row:
                self.buttons.append((button["callback_data"], int(message_id)))
                self._print(f"  [{len(self.buttons)}] {button['text']}")

    def _print(self, text: str) -> None:
        print(text, file=self._out, flush=True)


async def stdin_lines(prompt: str = "> ", out: TextIO = sys.stdout) -> AsyncIterator[str]:
    """Lines typed in the terminal (or piped in) until end of input.

    A daemon thread reads the raw file descriptor, so Ctrl-C (which cancels the waiting task)
    takes effect at once: the blocked read neither holds up asyncio's shutdown, as a thread of
    its executor would, nor keeps the process alive."""
    loop = asyncio.get_running_loop()
    chunks: asyncio.Queue[bytes] = asyncio.Queue()
    threading.Thread(target=_pump, args=(sys.stdin.fileno(), loop, chunks), daemon=True,
                     name="console-stdin").start()
    decoder = codecs.getincrementaldecoder(sys.stdin.encoding or "utf-8")(errors="replace")
    pending = ""
    while True:
        print(prompt, end="", file=out, flush=True)
        while "\n" not in pending:
            chunk = await chunks.get()
            pending += decoder.decode(chunk, final=not chunk)
            if not chunk:
                if pending:
                    yield pending
                return
        line, pending = pending.split("\n", 1)
        yield line


def _pump(fd: int, loop: asyncio.AbstractEventLoop, chunks: asyncio.Queue[bytes]) -> None:
    """Hand each chunk read from ``fd`` to the loop; an empty chunk means end of input."""
    while True:
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # the terminal went away
            chunk = b""
        try:
            loop.call_soon_threadsafe(chunks.put_nowait, chunk)
        except RuntimeError:  # the loop is closed: nobody reads any more
            return
        if not chunk:
            return


async def run_console(settings: Settings, *, lines: AsyncIterator[str] | None = None,
                      out: TextIO = sys.stdout, clock: Clock | None = None,
                      language_code: str | None = None,
                      on_ready: Callable[[], None] | None = None) -> None:
    printer = ConsolePrinter(out)
    api = LocalBotApi(on_call=printer)
    application = build_application(settings, request=api, clock=clock)
    updates = UpdateFactory(application.bot)
    language = language_code or settings.default_locale
    why = "no BOT_TOKEN" if settings.token is None else "local only, BOT_TOKEN is not used"
    print(f"Console mode ({why}): you are a citizen talking to the bot; data in "
          f"{settings.database_label}.\nType text or /commands; a number presses that "
          f"button; /quit, Ctrl-D or Ctrl-C leaves. Try /start.", file=out, flush=True)
    async with application:
        assert application.post_init is not None
        await application.post_init(application)
        try:
            if on_ready:
                on_ready()
            async for raw in lines or stdin_lines(out=out):
                line = raw.strip()
                if line in ("/quit", "/exit"):
                    break
                if line.isdigit() and 0 < int(line) <= len(printer.buttons):
                    data, message_id = printer.buttons[int(line) - 1]
                    update = updates.press(CONSOLE_USER_ID, data, message_id=message_id,
                                           language_code=language)
                elif line:
                    update = updates.message(CONSOLE_USER_ID, line, language_code=language)
                else:
                    continue
                await application.process_update(update)
        finally:
            assert application.post_shutdown is not None
            await application.post_shutdown(application)
