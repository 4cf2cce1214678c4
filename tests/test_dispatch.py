"""Updates of one chat strictly in order; a slow chat never stalls the others."""

from __future__ import annotations

import asyncio

from telegram import Update
from telegram.ext import ApplicationBuilder, MessageHandler, filters

from bot.dispatch import ChatOrderedProcessor
from bot.transport.local_api import LocalBotApi
from bot.transport.local_updates import UpdateFactory

SLOW, FAST = 1, 2


async def test_slow_chat_does_not_stall_others_and_each_chat_keeps_its_order() -> None:
    api = LocalBotApi()
    application = (ApplicationBuilder().token("1:dispatch-test").request(api)
                   .get_updates_request(api).concurrent_updates(ChatOrderedProcessor(workers=4))
                   .build())
    release_slow = asyncio.Event()
    fast_done = asyncio.Event()
    seen: dict[int, list[str]] = {SLOW: [], FAST: []}

    async def handle(update: Update, _context: object) -> None:
        message = update.effective_message
        assert message is not None and message.text is not None
        chat = message.chat.id
        if chat == SLOW and message.text == "0":
            await release_slow.wait()  # the first update of the slow chat hangs
        seen[chat].append(message.text)
        if chat == FAST and len(seen[FAST]) == 50:
            fast_done.set()

    application.add_handler(MessageHandler(filters.TEXT, handle))
    updates = UpdateFactory(application.bot)
    async with application:
        await application.start()
        for i in range(50):
            await application.update_queue.put(updates.message(SLOW, str(i)))
            await application.update_queue.put(updates.message(FAST, str(i)))
        await asyncio.wait_for(fast_done.wait(), timeout=10)
        assert seen[SLOW] == [], "the slow chat's later updates wait behind its first"
        assert seen[FAST] == [str(i) for i in range(50)]
        release_slow.set()
        await application.update_queue.join()
        await application.stop()
    assert seen[SLOW] == [str(i) for i in range(50)]
    processor = application.update_processor
    assert isinstance(processor, ChatOrderedProcessor) and processor.active_chats == 0
