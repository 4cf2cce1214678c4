"""`python -m bot invite`: codes into the database, deep links out."""

from __future__ import annotations

from bot.clock import SystemClock
from bot.config import ConfigError, Settings
from bot.db import Database
from bot.features.citizens import CitizenStore
from bot.features.invites import InviteService, deep_link
from bot.features.invites.storage import InviteStore


async def create_invites(settings: Settings, count: int, label: str,
                         bot_username: str | None) -> list[tuple[str, str]]:
    username = bot_username or settings.bot_username or await _username_from_telegram(settings)
    db = await Database.open(settings.database_path)
    try:
        service = InviteService(InviteStore(db), CitizenStore(db), SystemClock())
        try:
            invites = await service.create(count, label)
        except ValueError as exc:
            raise ConfigError(f"invite: {exc}") from None
    finally:
        await db.close()
    return [(i.code, deep_link(username, i.code)) for i in invites]


async def _username_from_telegram(settings: Settings) -> str:
    if settings.token is None:
        raise ConfigError("BOT_USERNAME: needed for deep links (or set BOT_TOKEN, or pass "
                          "--bot-username)")
    from telegram import Bot

    async with Bot(settings.token, base_url=settings.api_base_url) as bot:
        if not bot.username:
            raise ConfigError("BOT_USERNAME: getMe returned no username")
        return bot.username
