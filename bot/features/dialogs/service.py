"""The front door of every dialog: who is writing, and which dialog their button or text is for.

A citizen's input goes to the dialog they are in now (onboarding, a check-in, feedback …), and
to the first dialog (the welcome) when they are in none. Never imports telegram.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.clock import Clock
from bot.engine.router import DialogRouter
from bot.engine.runner import Outcome
from bot.engine.screen import Phrase
from bot.features.citizens import Citizen, CitizenStore
from bot.i18n import Texts


@dataclass(frozen=True, slots=True)
class Reply:
    """An outcome plus the citizen it is for (None once they are erased)."""

    outcome: Outcome
    citizen: Citizen | None
    locale: str


class FrontDoor:
    def __init__(self, router: DialogRouter, citizens: CitizenStore, texts: Texts,
                 clock: Clock) -> None:
        self.router = router
        self._citizens = citizens
        self._texts = texts
        self._clock = clock

    async def newcomer(self, user_id: int, chat_id: int, language_code: str | None) -> Citizen:
        """The citizen for a Telegram user the caller found no citizen for: created now, in
        their Telegram language (or the row a concurrent update created first)."""
        locale = self._texts.locale_for_language_code(language_code)
        return await self._citizens.create(user_id, chat_id, locale, self._clock.now())

    async def press(self, citizen: Citizen, callback_data: str) -> Reply:
        """A button, for whichever dialog the citizen is in now (check-in, onboarding, …)."""
        runner, session = await self.router.route(citizen.id)
        return await self.reply(citizen, await runner.press(citizen.id, callback_data,
                                                            loaded=session))

    async def text(self, citizen: Citizen, text: str) -> Reply:
        runner, session = await self.router.route(citizen.id)
        return await self.reply(citizen, await runner.text(citizen.id, text, loaded=session))

    async def current(self, citizen: Citizen, notice: Phrase | None = None) -> Reply:
        runner, session = await self.router.route(citizen.id)
        return await self.reply(citizen, await runner.current(citizen.id, notice,
                                                              loaded=session))

    async def resume(self, citizen: Citizen) -> Reply | None:
        """The step the citizen is in the middle of, to show again after a question asked
        outside the dialogs; None when they are at a resting screen or in no dialog."""
        runner, session = await self.router.route(citizen.id)
        if session is None or runner.spec.states[session.state].rest:
            return None
        return await self.reply(citizen, await runner.current(citizen.id, loaded=session))

    async def reply(self, before: Citizen, outcome: Outcome) -> Reply:
        """Re-read the citizen (a step may change the language); a goodbye keeps the old one."""
        if outcome.forgotten:
            return Reply(outcome, None, before.locale)
        citizen = await self._citizens.by_id(before.id)
        return Reply(outcome, citizen, citizen.locale if citizen else before.locale)
