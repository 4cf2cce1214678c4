"""Several webhook workers on one PostgreSQL database (webhook mode with DATABASE_URL).

Every worker is a whole `python -m bot` process; any number of them listen on one PORT
(SO_REUSEPORT, bot/transport/webhook.py) or behind a load balancer. How they share the work:

* **Intake.** A worker keeps each POSTed update in the inbox (primary key `update_id`: a
  repeat is dropped), with its chat, and answers 200 (bot/inbox).
* **Per-chat order** (pump.py). A chat's updates are handled by whichever worker holds the
  chat's advisory lock (`pg_try_advisory_lock`, on the worker's own session connection), in
  `update_id` order. The worker that kept an update tries for the lock; if another holds it,
  that one takes the update, as it looks once more after letting the lock go. A worker that
  dies (`kill -9`) loses its session and so its locks at once; every worker looks for chats
  with kept updates and no holder every ORPHAN_INTERVAL and takes them over.
* **Sending and sweeps** (leader.py). One worker leads: it holds the advisory lock `leader`
  on a connection of its own, and it alone runs the outbox sender (so the one send budget of
  the broadcasts holds) and the sweeps (timers, retention, the change feed). Outbox rows are
  claimed by a compare-and-set of their status (`mark_sending`, `FOR UPDATE SKIP LOCKED` on
  PostgreSQL), timers by a claim lease taken with `FOR UPDATE SKIP LOCKED`, so two leaders
  for a moment (one whose lease connection broke, in the LEADER_POLL before it notices)
  never take the same row. The others try for the lock every LEADER_POLL seconds and take
  over when it is free; the new leader treats rows caught mid-send as after a crash
  (bot/outbox/sender.py `recover`: at-most-once rows are in doubt, the others go again).
* **State** (announce.py, listener.py). Each worker has its own citizen cache. What one
  worker changes about a citizen it announces (`pg_notify`, sent at commit); the others
  forget that citizen. A worker taking a chat that another worker handled since it last did
  (the inbox rows say who took them) forgets the chat's citizen, so an announcement still on
  its way cannot leave it a stale copy; if its listening connection drops it forgets
  everything. The CLI's notes (bot/cache/changes.py) are announced too.
"""
