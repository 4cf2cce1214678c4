"""What features tell each other without importing each other: an event name and its payload.

A feature lists the events it listens to (`Feature.listens`); `AppContext.emit` calls every
listener, in feature order.
"""

from __future__ import annotations

CITIZEN_CHANGED = "citizen_changed"
"""(citizen_id: int) – consents saved, or the bot unblocked: look again at what is planned."""
CITIZEN_BLOCKED = "citizen_blocked"
"""(citizen_id: int) – Telegram refused a message (403): the citizen is marked gone, their
consents are withdrawn and their queue dropped; drop whatever else is planned for them."""
CASE_RETURNED = "case_returned"
"""(case: Case) – a consultant handed the chat back to the bot."""
CASE_CLOSED = "case_closed"
"""(case: Case) – a consultant closed the case."""
