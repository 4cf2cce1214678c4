"""Creating and redeeming invite codes."""

from __future__ import annotations

import logging
import re
import secrets
from dataclasses import dataclass
from enum import StrEnum

from bot.clock import Clock
from bot.features.citizens import CitizenStore
from bot.features.invites.storage import InviteStore

log = logging.getLogger(__name__)
_PAYLOAD = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
CODE_BYTES = 16  # 22 URL-safe characters, 128 bits: not guessable


class Redemption(StrEnum):
    USED = "used"
    REUSED = "reused"
    UNKNOWN = "unknown"
    MALFORMED = "malformed"


@dataclass(frozen=True, slots=True)
class Invite:
    code: str
    label: str


def deep_link(bot_username: str, code: str) -> str:
    return f"https://t.me/{bot_username}?start={code}"


def new_invites(count: int, label: str) -> list[Invite]:
    """Fresh codes, checked but not yet stored; ValueError names what is wrong."""
    if not 1 <= count <= 100_000:
        raise ValueError("count must be between 1 and 100000")
    label = label.strip()
    if not label or len(label) > 100:
        raise ValueError("label must be 1-100 characters")
    return [Invite(secrets.token_urlsafe(CODE_BYTES), label) for _ in range(count)]


class InviteService:
    def __init__(self, store: InviteStore, citizens: CitizenStore, clock: Clock) -> None:
        self._store = store
        self._citizens = citizens
        self._clock = clock

    async def create(self, count: int, label: str) -> list[Invite]:
        invites = new_invites(count, label)
        await self.store(invites)
        return invites

    async def store(self, invites: list[Invite]) -> None:
        """Store codes made by new_invites(), all in one transaction."""
        if invites:
            await self._store.add([i.code for i in invites], invites[0].label, self._clock.now())

    async def withdraw(self, invites: list[Invite]) -> None:
        """Take back stored codes that were never handed out (none of them used yet)."""
        await self._store.remove_unused([i.code for i in invites])

    async def redeem(self, payload: str, citizen_id: int) -> Redemption:
        """An unknown or reused code still lets the citizen in; it is only logged."""
        if not _PAYLOAD.match(payload):
            log.warning("start payload malformed (length %d)", len(payload))
            return Redemption.MALFORMED
        label = await self._store.claim(payload, citizen_id, self._clock.now())
        if label is not None:
            await self._citizens.set_invite_label(citizen_id, label)
            return Redemption.USED
        outcome = Redemption.REUSED if await self._store.exists(payload) else Redemption.UNKNOWN
        log.warning("start payload %s: invite code %s…", outcome.value, payload[:4])
        return outcome
