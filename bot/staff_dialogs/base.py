"""What the staff chat's dialogs do alike, for their composers to build on: the store of their
drafts, the messages with a step's live buttons, dropping drafts nobody touched for a week, the
"you have one open here" of a resumed draft, and no answer to words after the command, to a
photo or file, or to a change, unless the dialog has one. No Telegram here."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from datetime import timedelta
from typing import Any, Generic, TypeVar

from bot.clock import Clock
from bot.i18n import Texts, Translator
from bot.staff_dialogs.model import Outcome, Upload
from bot.staff_dialogs.prompts import Prompts
from bot.staff_dialogs.storage import StaffDialogStore

KEPT_FOR = timedelta(days=7)
"""A draft nobody touched for this long is dropped by the sweep."""
D = TypeVar("D")


class DialogBase(ABC, Generic[D]):
    def __init__(self, store: StaffDialogStore[D], texts: Texts, clock: Clock,
                 on_change: Callable[[], Awaitable[Any]] | None = None) -> None:
        """`on_change`: what runs at once after an Outcome with `changed` (e.g. the feature's
        changes sweep: timers, notices)."""
        self._store = store
        self._texts = texts
        self._clock = clock
        self._on_change = on_change
        self.prompts = Prompts()

    @property
    def _(self) -> Translator:
        """The staff chat's language."""
        return self._texts.staff

    async def command(self, args: Sequence[str]) -> tuple[str, bool] | None:
        """Words after the command start the dialog all the same."""
        return None

    async def attached(self, staff_user_id: int, thread_id: int | None,
                       upload: Upload) -> Outcome | None:
        """No step takes a photo or file."""
        return None

    async def cancel(self, staff_user_id: int, thread_id: int | None) -> Outcome | None:
        """/cancel: None when no draft is open in this topic."""
        found = await self._store.find(staff_user_id, thread_id)
        return await self._close(found) if found is not None else None

    @abstractmethod
    async def _close(self, dialog: D) -> Outcome:
        """The draft ends unfinished: what the dialog says then."""

    async def changed(self) -> None:
        if self._on_change is not None:
            await self._on_change()

    async def sweep(self) -> int:
        """Drafts nobody touched for KEPT_FOR are dropped."""
        return await self._store.drop_untouched(self._clock.now() - KEPT_FOR)

    @staticmethod
    def resumed(shown: Outcome, note: str) -> Outcome:
        """A draft's step shown again at its command, `note` (that it was open) above it."""
        assert shown.screen is not None
        return replace(shown, screen=replace(shown.screen, text=f"{note}\n\n{shown.screen.text}"))
