"""The real process at start: what it refuses, what it checks and logs before serving."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from telegram.error import InvalidToken

from bot.config import Settings
from bot.transport.local_api import Fault, LocalBotApi
from bot.transport.telegram import wait_for_telegram
from tests.conftest import bot_process, run_cli
from tests.http_bot_api import HttpBotApi

TOKEN = "123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def test_a_token_without_a_staff_chat_is_refused_in_one_line(tmp_path: Path) -> None:
    result = run_cli(tmp_path, BOT_TOKEN=TOKEN, BOT_API_BASE_URL="http://127.0.0.1:9/bot")
    assert result.returncode == 2
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("configuration error: STAFF_CHAT_ID: required with BOT_TOKEN")


async def test_unreachable_telegram_is_retried_with_growing_waits_until_it_answers(
        caplog: pytest.LogCaptureFixture) -> None:
    api = LocalBotApi()
    api.fail(Fault("getMe", network=True, times=3))
    api.fail(Fault("getMe", status=502, description="Bad Gateway"))
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    settings = Settings(token=TOKEN, staff_chat_id=-100)
    with caplog.at_level(logging.INFO, logger="bot.transport.telegram"):
        await wait_for_telegram(settings, sleep, request=api)
    assert waits == [1, 2, 4, 8]
    retries = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(retries) == 4 and all("trying again in" in line for line in retries)
    assert caplog.records[-1].getMessage() == f"Telegram reached as @{api.username}"
    assert TOKEN not in caplog.text


async def test_a_rejected_token_stops_at_once() -> None:
    api = LocalBotApi()
    api.fail(Fault("getMe", status=401, description="Unauthorized"))

    async def sleep(seconds: float) -> None:
        raise AssertionError("a rejected token is not retried")

    with pytest.raises(InvalidToken):
        await wait_for_telegram(Settings(token=TOKEN, staff_chat_id=-100), sleep, request=api)


def test_the_process_waits_for_the_network_and_then_serves(tmp_path: Path) -> None:
    with HttpBotApi() as api:
        api.fail(Fault("getMe", network=True, times=2))
        with bot_process(api, tmp_path, STAFF_CHAT_ID="-100999") as bot:
            api.wait_for_call("getUpdates", timeout=30)
            assert bot.stop() == 0
        log = bot.stderr
    retries = [line for line in log.splitlines() if "Telegram is not reachable" in line]
    assert len(retries) == 2, log
    assert "trying again in 1 s" in retries[0] and "trying again in 2 s" in retries[1]
    assert "Traceback" not in log

