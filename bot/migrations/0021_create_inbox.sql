-- Every update Telegram delivers, kept from before its delivery is confirmed (the next
-- getUpdates, or the webhook's 200) until it has been handled (bot/inbox). A crash in between
-- replays it at the next start; a repeat of one already kept is dropped by the primary key.
-- The body (the citizen's message) is cleared once handled; the row itself stays two days so a
-- late repeat is still known, then the retention sweep deletes it.
CREATE TABLE inbox (
    update_id    INTEGER PRIMARY KEY,
    body         TEXT,
    received_at  TEXT NOT NULL,
    starts       INTEGER NOT NULL DEFAULT 0,
    done_at      TEXT
);
CREATE INDEX inbox_pending ON inbox (update_id) WHERE done_at IS NULL;
CREATE INDEX inbox_done ON inbox (done_at) WHERE done_at IS NOT NULL;
