"""Which messages show the current step of a staff-chat dialog (/broadcast, /webinar, /club)
with live buttons, per staff member and topic. When the step is answered – by typing, or by a
button of another message – the handlers take the buttons off the earlier ones (views.py
`drop_buttons`), so a step cannot be answered twice from an old message.

Bookkeeping only, in memory, one per dialog service: after a restart an older message keeps its
buttons, and a press on them is answered as stale, as every dialog does for a step that is
over. No Telegram here."""

from __future__ import annotations

Key = tuple[int, int]
"""(staff user id, forum topic or 0)."""


class Prompts:
    def __init__(self) -> None:
        self._live: dict[Key, list[int]] = {}

    def take(self, key: Key) -> list[int]:
        """The messages whose buttons are to go now: the step they show is answered."""
        return self._live.pop(key, [])

    def shown(self, key: Key, message_id: int) -> None:
        """A message with the step's buttons, live until the step is answered."""
        self._live.setdefault(key, []).append(message_id)
