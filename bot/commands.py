"""The command menu Telegram shows beside the text field, per language."""

from __future__ import annotations

from telegram import BotCommand, BotCommandScopeAllPrivateChats
from telegram.ext import ExtBot

from bot.i18n import N_, Texts

COMMANDS: tuple[tuple[str, str], ...] = (
    ("start", N_("Start or see the welcome again")),
    ("menu", N_("See and change your choices")),
    ("help", N_("What I can do")),
    ("human", N_("Talk to a person from the job centre")),
    ("language", N_("Dansk or English")),
    ("mydata", N_("What we store about you")),
    ("stop", N_("Withdraw all consents, stop messages")),
    ("delete", N_("Erase everything about you")),
)


async def publish_commands(bot: ExtBot[None], texts: Texts) -> None:
    """One list per language, plus the default language for everyone else."""
    scope = BotCommandScopeAllPrivateChats()
    for locale in (*texts.locales, None):
        _ = texts.get(locale)
        commands = [BotCommand(name, _(description)) for name, description in COMMANDS]
        await bot.set_my_commands(commands, scope=scope, language_code=locale)
