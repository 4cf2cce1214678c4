"""Telegram side of onboarding and the citizen's menu: /start and the commands that enter the
onboarding dialog. Buttons and answers reach it through the front door (features/dialogs)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CommandHandler, filters

from bot.config import Settings
from bot.context import BotContext
from bot.features.dialogs.handlers import citizen_of, show
from bot.features.onboarding.service import OnboardingService

PRIVATE = filters.ChatType.PRIVATE
ENTRIES = ("menu", "language", "mydata", "stop", "delete")
"""Commands that jump into the onboarding dialog at the entry of the same name."""


async def start(update: Update, context: BotContext) -> None:
    """/start, possibly with an invite code from a deep link."""
    citizen = await citizen_of(update, context)
    payload = context.args[0] if context.args else None
    await show(update, context, await context.app.get(OnboardingService).start(citizen, payload))


def entry_command(entry: str):  # type: ignore[no-untyped-def]
    """A /command that jumps into the onboarding dialog at a declared entry."""

    async def command(update: Update, context: BotContext) -> None:
        citizen = await citizen_of(update, context)
        await show(update, context, await context.app.get(OnboardingService).enter(citizen, entry))

    command.__doc__ = f"/{entry}: enter the dialog at its {entry!r} entry."
    return command


def register(app: Application, settings: Settings) -> None:  # type: ignore[type-arg]
    app.add_handler(CommandHandler("start", start, filters=PRIVATE))
    for entry in ENTRIES:
        app.add_handler(CommandHandler(entry, entry_command(entry), filters=PRIVATE))
