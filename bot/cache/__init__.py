"""The per-citizen state the hot path reads, kept in the bot process (write-through).

A citizen's update reads their row, their dialog session, their consents and their open cases,
often several times. The stores that own those tables (bot/features/citizens/storage.py,
bot/engine/storage.py, bot/features/cases/storage.py) keep them in a `StateCache`: reads look
there first, and every write the store makes updates it at once (or forgets the part it cannot
compute), while the write itself is queued for the next group commit (bot/db.py).

Only the one bot process holds a real cache (`CitizenCache`), and it is told explicitly when
its entries stop being true:

* a citizen created just now has no consents, dialog session or open case yet: those parts say so
  (`Part(..., at_birth=...)`), and the insert's store keeps that for them (`born`), unless
  anything was forgotten while the insert was under way;
* a queued write that is rolled back forgets its citizen (the write's `undo`);
* /delete erases the citizen's entries; a write to a case by its id forgets its citizen's open
  cases;
* any other process (the CLI) builds the same stores with `ChangeNotes`, which caches nothing
  and records every citizen it writes about in the `citizen_changes` table; the bot's first
  sweep (every 10 s) reads those rows and forgets the citizens named (`ChangeFeed`).
"""

from bot.cache.changes import ChangeFeed, ChangeNotes
from bot.cache.memory import MISSING, CitizenCache, Missing, Part, StateCache

__all__ = ["MISSING", "ChangeFeed", "ChangeNotes", "CitizenCache", "Missing", "Part",
           "StateCache"]
