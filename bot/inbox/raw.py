"""Each update's JSON as Telegram sent it, for the inbox to store.

Encoding PTB's `Update` objects back to JSON (`to_json`) cost about a fifth of the full path's
time (benchmarks.updates, profiled); the text Telegram sent is at hand already. For long
polling, `KeepingRequest` wraps the getUpdates request and notes the updates of each answer;
a webhook has the body of its POST.
"""

from __future__ import annotations

import json
import re
from typing import Any

from telegram.request import BaseRequest, RequestData

_DEFAULT = BaseRequest.DEFAULT_NONE
_DECODER = json.JSONDecoder()
_RESULT = re.compile(r'\s*\{\s*"ok"\s*:\s*true\s*,\s*"result"\s*:\s*\[\s*')
_SEPARATOR = re.compile(r"\s*([,\]])\s*")


def bodies_of(payload: bytes) -> dict[int, str]:
    """update id -> that update's JSON, from a getUpdates answer; {} for anything else.

    Each update's text is cut out of the answer as it is decoded (`raw_decode` says where it
    ends), instead of decoding the answer and encoding every update again: less than half
    the time (16 → 5–8 µs per update, 2026-12-07, measured with both cores busy). An answer
    not shaped as Telegram shapes it is decoded as a whole instead."""
    try:
        text = payload.decode()
    except UnicodeDecodeError:
        return {}
    start = _RESULT.match(text)
    if start is None:
        return _bodies_decoded(payload)
    bodies: dict[int, str] = {}
    at = start.end()
    if text.startswith("]", at):
        return bodies
    try:
        while True:
            update, end = _DECODER.raw_decode(text, at)
            if isinstance(update, dict) and isinstance(update.get("update_id"), int):
                bodies[int(update["update_id"])] = text[at:end]
            after = _SEPARATOR.match(text, end)
            if after is None:
                return _bodies_decoded(payload)
            if after.group(1) == "]":
                return bodies
            at = after.end()
    except ValueError:
        return _bodies_decoded(payload)


def _bodies_decoded(payload: bytes) -> dict[int, str]:
    try:
        result = json.loads(payload).get("result")
    except (ValueError, AttributeError):
        return {}
    if not isinstance(result, list):
        return {}
    return {int(u["update_id"]): json.dumps(u, ensure_ascii=False, separators=(",", ":"))
            for u in result if isinstance(u, dict) and isinstance(u.get("update_id"), int)}


class KeepingRequest(BaseRequest):
    """The getUpdates request: everything goes to `inner`; `last` holds the updates of the
    latest answer by id (the bot takes them with `take`)."""

    def __init__(self, inner: BaseRequest) -> None:
        self._inner = inner
        self._last: dict[int, str] = {}

    @property
    def read_timeout(self) -> float | None:
        return self._inner.read_timeout

    async def initialize(self) -> None:
        await self._inner.initialize()

    async def shutdown(self) -> None:
        await self._inner.shutdown()

    def take(self) -> dict[int, str]:
        last, self._last = self._last, {}
        return last

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = _DEFAULT,
        write_timeout: Any = _DEFAULT,
        connect_timeout: Any = _DEFAULT,
        pool_timeout: Any = _DEFAULT,
    ) -> tuple[int, bytes]:
        code, payload = await self._inner.do_request(
            url, method, request_data, read_timeout=read_timeout, write_timeout=write_timeout,
            connect_timeout=connect_timeout, pool_timeout=pool_timeout)
        if code == 200 and url.endswith("/getUpdates"):
            self._last = bodies_of(payload)
        return code, payload
