-- Composing a broadcast in the staff chat (/broadcast): one open dialog per staff member and
-- topic (thread 0: the general topic), so a restart loses nothing. `draft` is the broadcast so
-- far as JSON (bot/features/broadcasts/compose.py); a row untouched for a week is dropped.
-- No citizen data beyond hand-picked citizen numbers.
CREATE TABLE broadcast_compose (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,  -- in the buttons; never reused
    staff_user_id INTEGER NOT NULL,
    thread_id     INTEGER NOT NULL,                   -- forum topic, 0 for the general topic
    step          TEXT NOT NULL,
    draft         TEXT NOT NULL,
    touched_at    TEXT NOT NULL,
    UNIQUE (staff_user_id, thread_id)
);
