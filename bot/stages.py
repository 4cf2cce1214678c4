"""The stages every citizen's message passes, in order: PTB handler groups, named in one place.

In each stage the first matching handler runs; a handler may end the update's journey with
ApplicationHandlerStop.
"""

from __future__ import annotations

from enum import IntEnum


class Stage(IntEnum):
    RELAY = -20
    """While a case is open, everything the citizen sends is copied into their staff topic."""
    RISK = -10
    """Every free text is read for risk: a worrying one gets the caring reply and a case, and
    goes no further."""
    PHONE = -7
    """An open "which number should we call?" takes a typed line or a shared contact."""
    RIGHTS = -6
    """A citizen's one-tap rights (e.g. "No more webinar news") work even while a consultant
    holds the chat."""
    SILENCE = -5
    """While a consultant holds the chat, the bot says nothing (the safety reply went before)."""
    STAFF_DIALOG = -3
    """In the staff chat: an open /broadcast draft takes its staff member's next message (a
    line, photo or file) in that topic, before the workspace would treat it as a note."""
    STAFF_WEBINAR = -2
    """In the staff chat: an open /webinar draft takes its staff member's next message in that
    topic (a stage of its own: one handler runs per stage, and /broadcast's has STAFF_DIALOG)."""
    STAFF_CLUB = -1
    """In the staff chat: an open /club draft takes its staff member's next message in that
    topic (a stage of its own, as STAFF_WEBINAR)."""
    DIALOG = 0
    """Commands, buttons and the dialogs; the front door's catch-alls come last."""
