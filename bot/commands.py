"""The citizens' commands, from the features' declarations: Telegram's command menu per
language, and the /help text."""

from __future__ import annotations

from collections.abc import Iterable

from telegram import BotCommand, BotCommandScopeAllPrivateChats
from telegram.ext import ExtBot

from bot.feature import Command, Feature
from bot.i18n import N_, Texts, Translator

HELP_INTRO = N_("I am the job centre's assistant. Contact through me is voluntary and has no "
                "effect on your benefits.")
HELP_LINE = "/{name} – {text}"
HELP_START = N_("You can always write /start to see the welcome again.")


def commands_of(features: Iterable[Feature]) -> list[Command]:
    return sorted((c for f in features for c in f.commands), key=lambda c: c.position)


def help_text(features: Iterable[Feature], _: Translator) -> str:
    lines = [HELP_LINE.format(name=c.name, text=_(c.help))
             for c in commands_of(features) if c.help]
    return "\n\n".join((_(HELP_INTRO), "\n".join(lines), _(HELP_START)))


async def publish_commands(bot: ExtBot[None], texts: Texts, features: Iterable[Feature]) -> None:
    """One list per language, plus the default language for everyone else."""
    scope = BotCommandScopeAllPrivateChats()
    commands = commands_of(features)
    for locale in (*texts.locales, None):
        _ = texts.get(locale)
        await bot.set_my_commands([BotCommand(c.name, _(c.menu)) for c in commands],
                                  scope=scope, language_code=locale)
