"""What a staff-chat dialog (/broadcast, /webinar, /club) offers the shared Telegram path, and
the Outcome each of its steps ends in. No Telegram here."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar, Protocol

from bot.outbox.model import MediaKind, Message
from bot.staff_dialogs.prompts import Prompts


@dataclass(frozen=True, slots=True)
class Upload:
    """A photo or file a staff member sent as their answer (Telegram has the bytes)."""

    kind: MediaKind
    file_id: str
    filename: str | None = None
    size: int | None = None


@dataclass(frozen=True, slots=True)
class Outcome:
    """What the handlers show in the dialog's topic, and the pressed button's answer."""

    screen: Message | None = None
    """The next step (or the result), with its buttons."""
    thread_id: int | None = None
    """The topic to show it in; None: the general one."""
    step: bool = False
    """`screen` shows a step of the open dialog: its buttons are live until it is answered."""
    keeps_earlier: bool = False
    """A refused answer: the messages showing the step keep their buttons."""
    in_place: bool = False
    """Replace the pressed message with `screen` (a toggle) instead of sending it anew."""
    notice: str | None = None
    alert: bool = False
    before: tuple[Message, ...] = ()
    """Sent before `screen` (e.g. a preview's messages as citizens see them)."""
    private: tuple[Message, ...] = ()
    """For the presser's private chat (a test send); `notice` answers the press once sent."""
    private_refused: str | None = None
    """The answer when the presser's private chat takes nothing from the bot: a msgid with
    {bot}, the bot's username."""
    changed: bool = False
    """Something was created or changed: the dialog's `changed()` runs at once."""


class StaffDialog(Protocol):
    """A feature's dialog in the staff chat (its composer), as `Feature.staff_dialogs` names it.
    Only coordinators and admins (OUTREACH) reach it; the handlers check."""

    command_name: ClassVar[str]
    """The staff chat's /command that starts it."""
    pattern: ClassVar[str]
    """Its buttons' callback data."""
    not_allowed: ClassVar[str]
    """What a consultant is told (a msgid)."""
    citizen_topic: ClassVar[str | None]
    """What is said when it is started in a citizen's topic (a msgid); None: it may be."""
    prompts: Prompts

    async def begin(self, staff_user_id: int, thread_id: int | None) -> Outcome:
        """The command: the draft open in this topic where it was left, or a new one."""

    async def command(self, args: Sequence[str]) -> tuple[str, bool] | None:
        """The command with words after it (`/webinar list`): the answer, and whether
        something changed; None when they start the dialog after all."""

    async def typed(self, staff_user_id: int, thread_id: int | None,
                    text: str) -> Outcome | None:
        """The staff member's next line in the topic; None when no step here waits for it."""

    async def attached(self, staff_user_id: int, thread_id: int | None,
                       upload: Upload) -> Outcome | None:
        """A photo or file as the next message; None unless a step here waits for one."""

    async def cancel(self, staff_user_id: int, thread_id: int | None) -> Outcome | None:
        """/cancel: None when no draft is open in this topic."""

    async def pressed(self, staff_user_id: int, data: str) -> Outcome:
        """One of its buttons (`data` matches `pattern`)."""

    async def changed(self) -> None:
        """After an Outcome with `changed`: e.g. the timers and notices of what was created."""
