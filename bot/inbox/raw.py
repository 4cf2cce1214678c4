"""Each update's JSON as Telegram sent it, for the inbox to store.

Encoding PTB's `Update` objects back to JSON (`to_json`) cost about a fifth of the full path's
time (benchmarks.updates, profiled); the text Telegram sent is at hand already. For long
polling, `KeepingRequest` wraps the getUpdates request and notes the updates of each answer;
a webhook has the body of its POST.
"""

from __future__ import annotations

import json
from typing import Any

from telegram.request import BaseRequest, RequestData

_DEFAULT = BaseRequest.DEFAULT_NONE


def bodies_of(payload: bytes) -> dict[int, str]:
    """update id -> that update's JSON, from a getUpdates answer; {} for anything else."""
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
