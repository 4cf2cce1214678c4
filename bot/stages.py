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
    STAFF_DRAFT = -4
    """In the staff chat: what a consultant writes in the topic of a citizen whose draft they
    took is the feedback, kept for Send feedback (bot/features/drafts), not relayed at once."""
    STAFF_DIALOG = -3
    """In the staff chat: an open /broadcast, /webinar or /club draft takes its staff member's
    next message (a line, photo or file) in that topic, and /cancel ends it, before the
    workspace would treat it as a note (bot/staff_dialogs)."""
    DIALOG = 0
    """Commands, buttons and the dialogs; the front door's catch-alls come last."""
