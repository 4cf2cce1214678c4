-- Creating a webinar in the staff chat (/webinar): one open dialog per staff member and topic
-- (thread 0: the general topic), so a restart loses nothing. `draft` is the webinar so far as
-- JSON (bot/features/webinars/compose.py); its id is in the dialog's buttons, so a button of a
-- dialog that was finished or cancelled is known as stale. No citizen data.
CREATE TABLE webinar_compose (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    staff_user_id INTEGER NOT NULL,
    thread_id     INTEGER NOT NULL,
    step          TEXT NOT NULL,
    draft         TEXT NOT NULL,
    touched_at    TEXT NOT NULL,
    UNIQUE (staff_user_id, thread_id)
);

-- The SEQUENCE of the last calendar file a citizen was sent for a session. A file of their own
-- (a cancellation when a Yes or Maybe becomes No, a new one when they come back) takes the next
-- number above it, and so does a change notice, so their calendar accepts each in turn.
ALTER TABLE webinar_rsvps ADD COLUMN calendar_sequence INTEGER;
