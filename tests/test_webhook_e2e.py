"""`python -m bot` as a real process in webhook mode, against the Bot API emulator.

With WEBHOOK_URL set the bot registers its webhook (setWebhook, with the secret and the update
kinds it handles), never polls, serves Telegram's POSTs on PORT at the URL's path, turns away
requests without the right `X-Telegram-Bot-Api-Secret-Token` or with a body that is not an
update, answers GET /healthz on the same port, and stops cleanly on SIGTERM.
"""

from __future__ import annotations

import json
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from bot.transport.local_api import Fault
from tests.conftest import WebhookBot, bot_process, webhook_bot
from tests.http_bot_api import HttpBotApi
from tests.pg import ON_POSTGRES
from tests.test_process_e2e import command, to

TOKEN = "123456:WEBHOOKTOKENxxxxxxxxxxxxxxxxx"
SECRET = "s3cret-value"
HOOK_PATH = "/telegram-hook"
WEBHOOK_URL = f"https://bot.example.org{HOOK_PATH}"  # TLS ends in front
EN_USER = 6001
INTRUDER = 6002
DA_USER = 6003
HTTP_TIMEOUT_SECONDS = 5.0

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")


def post_update(bot: WebhookBot, update: dict[str, Any] | bytes, secret: str) -> int:
    """POST one update as Telegram does; the HTTP status the bot answered with."""
    body = update if isinstance(update, bytes) else json.dumps(update).encode()
    return fetch(bot, urllib.request.Request(
        bot.webhook_url, data=body, method="POST",
        headers={"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": secret}))[0]


def get_health(bot: WebhookBot) -> tuple[int, dict[str, Any]]:
    status, body = fetch(bot, urllib.request.Request(
        f"http://127.0.0.1:{bot.port}/healthz", method="GET"))
    return status, json.loads(body)


def fetch(bot: WebhookBot, request: urllib.request.Request) -> tuple[int, bytes]:
    """The HTTP status and body. Called only after the emulator saw setWebhook: the bot binds
    its port before that call, so a refused connection here is a failure, not a race."""
    try:
        with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT_SECONDS) as response:
            return int(response.status), response.read()
    except urllib.error.HTTPError as exc:
        return int(exc.code), exc.read()


def test_webhook_mode_registers_checks_the_secret_serves_updates_and_stops_cleanly(
        tmp_path: Path) -> None:
    with HttpBotApi(token=TOKEN) as api:
        api.fail(Fault("setWebhook", network=True, times=1))
        with webhook_bot(api, tmp_path, token=TOKEN, webhook_url=WEBHOOK_URL,
                         secret=SECRET) as bot:
            serve_and_stop(api, bot)
        stderr = bot.stderr
        methods = [c.method for c in api.calls]
    assert bot.proc.returncode == 0, stderr
    assert "Traceback" not in stderr, stderr
    assert TOKEN not in stderr and TOKEN.split(":", 1)[1] not in stderr, "the token was logged"
    assert "getUpdates" not in methods, f"polled in webhook mode: {methods}"
    retries = [line for line in stderr.splitlines() if "setWebhook: Telegram is not reachable"
               in line]
    assert len(retries) == 1, stderr


def serve_and_stop(api: HttpBotApi, bot: WebhookBot) -> None:
    # 1. The webhook is registered with the secret and the update kinds the bot handles,
    # after one try that found the network down.
    hook = api.wait_for_call("setWebhook")
    assert hook.params.get("url") == WEBHOOK_URL
    assert hook.params.get("secret_token") == SECRET
    assert set(hook.params.get("allowed_updates") or []) >= {
        "message", "callback_query", "my_chat_member"}

    # 2. A genuine update is accepted and answered.
    status = post_update(bot, {"update_id": 1, **command(EN_USER, "/start", "en", 1)},
                         SECRET)
    assert status == 200
    api.wait_for_call("sendMessage", to(EN_USER, "Hello, this is"))

    # 3. A forged one (wrong secret) is refused before it reaches any handler.
    status = post_update(bot, {"update_id": 2, **command(INTRUDER, "/start", "en", 2)},
                         "not-the-secret")
    assert status == 403

    # 4. A later genuine update still works (and was handled after the forged one).
    status = post_update(bot, {"update_id": 3, **command(DA_USER, "/start", "da", 3)},
                         SECRET)
    assert status == 200
    api.wait_for_call("sendMessage", to(DA_USER, "Hej, det er"))
    assert not [c for c in api.calls if c.chat_id == INTRUDER], "the forged update was served"

    # 5. A body that is not an update is a 400, and the bot goes on.
    assert post_update(bot, b"{not json", SECRET) == 400
    for not_an_update in (b'{"message": 5}', b"null", b"[1]", b"{}"):
        assert post_update(bot, not_an_update, SECRET) == 400, not_an_update

    # 6. /healthz on the same port: database, outbox and Bot API, without the file path.
    status, health = get_health(bot)
    assert status == 200, health
    assert health["ok"] is True
    assert [c["name"] for c in health["checks"]] == ["database", "outbox", "bot api"]
    assert all(c["ok"] for c in health["checks"]), health
    assert "bot.db" not in json.dumps(health)

    # 7. SIGTERM: a clean exit.
    assert bot.stop() == 0


def test_a_refused_webhook_is_one_configuration_line_and_exit_code_2(tmp_path: Path) -> None:
    with HttpBotApi(token=TOKEN) as api:
        api.fail(Fault("setWebhook", status=400,
                           description="Bad Request: bad webhook: An HTTPS URL must be provided"))
        with webhook_bot(api, tmp_path, token=TOKEN, webhook_url=WEBHOOK_URL,
                         secret=SECRET) as bot:
            assert bot.exited.wait(20), "the bot should stop at once"
            stderr = bot.stderr
    assert bot.proc.returncode == 2, stderr
    assert stderr.strip().splitlines()[-1].startswith(
        "configuration error: WEBHOOK_URL: Telegram refused the webhook"), stderr
    assert "Traceback" not in stderr, stderr


def test_a_second_bot_on_the_port_of_a_sqlite_bot_is_a_configuration_error(
        tmp_path: Path) -> None:
    """On SQLite one process only: the second one on the port stops at once with one line,
    exit 2 (workers share a port only on PostgreSQL, tests/test_workers_e2e.py)."""
    if ON_POSTGRES:
        pytest.skip("on PostgreSQL a second worker shares the port")
    (tmp_path / "first").mkdir()
    (tmp_path / "second").mkdir()
    with (HttpBotApi(token=TOKEN) as api,
          webhook_bot(api, tmp_path / "first", token=TOKEN, webhook_url=WEBHOOK_URL,
                      secret=SECRET) as first):
        api.wait_for_call("setWebhook")
        with bot_process(api, tmp_path / "second", BOT_TOKEN=TOKEN, WEBHOOK_URL=WEBHOOK_URL,
                         PORT=str(first.port), WEBHOOK_SECRET=SECRET,
                         DATABASE_PATH=str(tmp_path / "first" / "bot.db")) as second:
            assert second.exited.wait(30), "the second bot should stop at once"
            api.resume()  # its exit woke the emulator's waiters
        stderr = second.stderr
        assert first.proc.poll() is None, "the first one goes on"
        assert first.stop() == 0
    assert second.proc.returncode == 2, stderr
    assert stderr.strip().splitlines()[-1].startswith(
        f"configuration error: PORT: cannot listen on port {first.port}"), stderr
    assert "Traceback" not in stderr, stderr
