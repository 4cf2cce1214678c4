"""A virus scan of a draft's file through a running clamd (CLAMD_SOCKET: a unix socket path or
host:port), with its INSTREAM command: `zINSTREAM\\0`, the bytes in chunks each preceded by its
length (4 bytes, big-endian), a zero-length chunk to end, and one answer: `stream: OK` or
`stream: <signature> FOUND`. No Telegram here."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import struct
from dataclasses import dataclass
from enum import StrEnum

log = logging.getLogger(__name__)
CHUNK = 64 * 1024
SCAN_SECONDS = 30.0
MAX_ANSWER = 4096


class Verdict(StrEnum):
    CLEAN = "clean"
    INFECTED = "infected"
    UNAVAILABLE = "unavailable"
    """clamd could not be reached, or gave no verdict (e.g. its size limit, an error)."""


@dataclass(frozen=True, slots=True)
class Scan:
    verdict: Verdict
    signature: str | None = None
    """What clamd found (INFECTED), e.g. Eicar-Test-Signature: a name, never personal data."""


class Clamd:
    def __init__(self, address: str, seconds: float = SCAN_SECONDS) -> None:
        self.address = address
        self._seconds = seconds

    async def _connect(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        if "/" in self.address:
            return await asyncio.open_unix_connection(self.address)
        host, port = self.address.rsplit(":", 1)
        return await asyncio.open_connection(host, int(port))

    async def scan(self, content: bytes) -> Scan:
        try:
            async with asyncio.timeout(self._seconds):
                answer = await self._instream(content)
        except (OSError, TimeoutError, asyncio.IncompleteReadError,
                asyncio.LimitOverrunError) as exc:
            log.warning("virus scan: clamd at %s not reachable (%s)", self.address,
                        type(exc).__name__)
            return Scan(Verdict.UNAVAILABLE)
        if answer == "stream: OK":
            return Scan(Verdict.CLEAN)
        if answer.startswith("stream: ") and answer.endswith(" FOUND"):
            return Scan(Verdict.INFECTED, answer[len("stream: "):-len(" FOUND")])
        log.warning("virus scan: clamd gave no verdict (%s)", answer[:200])
        return Scan(Verdict.UNAVAILABLE)

    async def _instream(self, content: bytes) -> str:
        reader, writer = await self._connect()
        try:
            writer.write(b"zINSTREAM\0")
            for start in range(0, len(content), CHUNK):
                chunk = content[start:start + CHUNK]
                writer.write(struct.pack(">I", len(chunk)) + chunk)
                await writer.drain()
            writer.write(struct.pack(">I", 0))
            await writer.drain()
            answer = await reader.readuntil(b"\0")
        finally:
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()
        return answer[:MAX_ANSWER].rstrip(b"\0").decode("utf-8", "replace").strip()
