"""The one progress message per broadcast in the staff chat, kept current by editing it.

It is first sent through the outbox when sending starts (its id comes back through `on_sent`);
from then on a sweep edits it, at most every EDIT_EVERY and only when its text changed, with the
bot it was given at start; once the broadcast is finished it becomes the summary.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bot.clock import Clock
from bot.features.broadcasts.service import BroadcastService
from bot.outbox import OutboxItem

if TYPE_CHECKING:
    from telegram import Bot

log = logging.getLogger(__name__)
EDIT_EVERY = timedelta(seconds=5)
AFTER_FINISH = timedelta(minutes=10)
"""How long after the end the summary is still written (e.g. a restart came in between)."""


class BroadcastProgress:
    def __init__(self, broadcasts: BroadcastService, clock: Clock,
                 staff_chat_id: int | None) -> None:
        self._broadcasts = broadcasts
        self._clock = clock
        self._chat = staff_chat_id
        self._bot: Bot | None = None  # from start()
        self._shown: dict[int, tuple[str, datetime]] = {}

    def start(self, bot: Bot) -> None:
        self._bot = bot

    async def sent(self, item: OutboxItem, message_id: int) -> None:
        """on_sent of the progress message: remember which message to edit."""
        if item.ref is not None:
            await self._broadcasts.progress_sent(item.ref, message_id)
            self._shown[item.ref] = (item.message.text, self._clock.now())

    async def sweep(self, *, force: bool = False) -> int:
        """Edit what changed; `force` skips the 5-second spacing (after a button press)."""
        if self._bot is None or self._chat is None:
            return 0
        # Telegram only where the bot runs: the CLI uses this feature without loading it
        from telegram.error import BadRequest, TelegramError

        from bot.views import inline_markup

        now = self._clock.now()
        edited = 0
        for broadcast in await self._broadcasts.live(now - AFTER_FINISH):
            assert broadcast.progress_message_id is not None
            text, buttons = await self._broadcasts.report(broadcast)
            shown = self._shown.get(broadcast.id)
            if shown is not None and (shown[0] == text
                                      or (not force and now - shown[1] < EDIT_EVERY)):
                continue
            try:
                await self._bot.edit_message_text(text, self._chat,
                                                  broadcast.progress_message_id,
                                                  reply_markup=inline_markup(buttons))
            except BadRequest as exc:
                if "not modified" not in exc.message.lower():
                    log.info("broadcast %d: progress not edited: %s", broadcast.id, exc.message)
            except TelegramError as exc:
                log.info("broadcast %d: progress not edited (%s)", broadcast.id,
                         type(exc).__name__)
                continue
            self._shown[broadcast.id] = (text, now)
            edited += 1
        return edited
