"""What features tell each other without importing each other: an event name and its payload.

A feature lists the events it listens to (`Feature.listens`); `AppContext.emit` calls every
listener, in feature order.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

Emit = Callable[..., Awaitable[None]]
"""`AppContext.emit`, as services that tell others get it: `await emit(EVENT, *payload)`."""

CITIZEN_CHANGED = "citizen_changed"
"""(citizen_id: int) – consents saved, or the bot unblocked: look again at what is planned."""
CITIZEN_BLOCKED = "citizen_blocked"
"""(citizen_id: int) – the citizen blocked the bot (Telegram's `kicked`), or Telegram refused a
message (403: then their consents are withdrawn and their queue dropped too): they are marked
gone; drop whatever else is planned for them."""
CASE_RETURNED = "case_returned"
"""(case: Case) – a consultant handed the chat back to the bot."""
CASE_CLOSED = "case_closed"
"""(case: Case) – a consultant closed the case."""
