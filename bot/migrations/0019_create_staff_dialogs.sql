-- The staff chat's dialogs (/broadcast, /webinar, /club) in one table (bot/staff_dialogs/):
-- one open draft per kind, staff member, chat and topic (thread 0: the general topic), so a
-- restart loses nothing. `step` is where it is, `draft` the rest as JSON (the kind's
-- compose_state.py); its id is in the dialog's buttons, so a button of a dialog that was
-- finished or cancelled is known as such. A row untouched for a week is dropped. No citizen
-- data beyond hand-picked citizen numbers in a broadcast's segment.
CREATE TABLE staff_dialogs (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,  -- in the buttons; never reused
    kind          TEXT NOT NULL,                      -- broadcast | webinar | club
    staff_user_id INTEGER NOT NULL,
    chat_id       INTEGER NOT NULL,                   -- 0: moved from before, the staff chat
    thread_id     INTEGER NOT NULL,
    step          TEXT NOT NULL,
    draft         TEXT NOT NULL,
    touched_at    TEXT NOT NULL,
    UNIQUE (kind, staff_user_id, chat_id, thread_id)
);

-- The drafts open now move over, keeping their ids (and so their buttons) where no other kind
-- has taken the id; the others get a new one, and their old buttons are answered as closed.
INSERT INTO staff_dialogs (id, kind, staff_user_id, chat_id, thread_id, step, draft, touched_at)
    SELECT id, 'broadcast', staff_user_id, 0, thread_id, step, draft, touched_at
    FROM broadcast_compose;
INSERT INTO staff_dialogs (id, kind, staff_user_id, chat_id, thread_id, step, draft, touched_at)
    SELECT id, 'webinar', staff_user_id, 0, thread_id, step, draft, touched_at
    FROM webinar_compose WHERE id NOT IN (SELECT id FROM staff_dialogs);
INSERT INTO staff_dialogs (kind, staff_user_id, chat_id, thread_id, step, draft, touched_at)
    SELECT 'webinar', staff_user_id, 0, thread_id, step, draft, touched_at
    FROM webinar_compose w WHERE NOT EXISTS (
        SELECT 1 FROM staff_dialogs d WHERE d.kind = 'webinar'
        AND d.staff_user_id = w.staff_user_id AND d.thread_id = w.thread_id);
INSERT INTO staff_dialogs (id, kind, staff_user_id, chat_id, thread_id, step, draft, touched_at)
    SELECT id, 'club', staff_user_id, 0, thread_id, step, draft, touched_at
    FROM club_compose WHERE id NOT IN (SELECT id FROM staff_dialogs);
INSERT INTO staff_dialogs (kind, staff_user_id, chat_id, thread_id, step, draft, touched_at)
    SELECT 'club', staff_user_id, 0, thread_id, step, draft, touched_at
    FROM club_compose c WHERE NOT EXISTS (
        SELECT 1 FROM staff_dialogs d WHERE d.kind = 'club'
        AND d.staff_user_id = c.staff_user_id AND d.thread_id = c.thread_id);

DROP TABLE broadcast_compose;
DROP TABLE webinar_compose;
DROP TABLE club_compose;
