"""One durable outbox for everything the bot sends on its own initiative.

Rows are written before anything is sent, so nothing queued is lost by a restart or kill -9.
A single sender task takes the most important ready row (lowest priority number, then oldest),
paced by the one send budget it shares with the handlers' direct replies (bot/outbox/budget.py:
`SEND_RATE`, default 25/s overall, 1 s between proactive messages to one private chat, 3 s and
at most 20/min into one group), and records the outcome:

* 429 `retry_after` -> every send, in every lane, waits that long (never less), also across
  a restart; the row goes again after it.
* 403 -> the citizen is marked gone, their consents are withdrawn (text version "blocked-403"),
  their queued rows are dropped and features drop their plans (events.CITIZEN_BLOCKED).
* timeouts and network errors -> retried with exponential back-off (capped at 5 minutes).
* other 400s -> failed for good, logged without the text.

A feature may hold a kind of row back at send time (`OutboxSender.hold_during`): broadcasts
never go in quiet hours, however early they were queued. A photo or document given as stored
bytes (`Outbox.add_file`, `Media.upload_id`) is uploaded by the first message that needs it;
every later one sends the `file_id` Telegram returned.

Delivery guarantee. A row is marked `sending` (committed) before the HTTP call and `sent`
after it. If the process dies between the two, Telegram may or may not have the message, and
a bot cannot look. Rows flagged `at_most_once` (check-ins, reminders, broadcasts: anything a
citizen would see twice) are then marked `uncertain` at start-up and never resent, so no
visible duplicate can appear; the window is the duration of one HTTP call. Rows without the
flag (staff alerts) are resent: a duplicate alert is better than a lost one. An idempotency key
per logical message (e.g. `checkin:<citizen>:<slot>`) makes enqueueing itself idempotent.

Replies to a person who just wrote are sent directly by the handlers, never queued; they take
the shared budget first (bot/outbox/limiter.py), so they never wait behind queued messages.
"""

from bot.outbox.model import OutboxItem, Priority
from bot.outbox.service import Outbox

__all__ = ["Outbox", "OutboxItem", "Priority"]
