-- Broadcasts (issue 10): a coordinator's message to a segment of citizens, one outbox row per
-- recipient (kind 'broadcast', ref = broadcast id). Who got what lives in the outbox; the row
-- here keeps the texts, the filters and, once finished, the final counts (the outbox rows are
-- purged after 8 days). No citizen data: hand-picked citizens are their numbers only.
CREATE TABLE broadcasts (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    name                TEXT NOT NULL,
    texts               TEXT NOT NULL,            -- JSON {locale: text}
    buttons             TEXT NOT NULL DEFAULT '[]',  -- JSON ["rsvp:12"]: prefix:argument
    segment             TEXT NOT NULL,            -- JSON filters (bot/features/broadcasts/model.py)
    status              TEXT NOT NULL,            -- draft | scheduled | sending | paused | cancelled | done
    send_at             TEXT NOT NULL,
    important           INTEGER NOT NULL DEFAULT 0,  -- may pass the weekly cap, never quiet hours
    fallback_to_default INTEGER NOT NULL DEFAULT 0,  -- a language without text gets DEFAULT_LOCALE's
    created_by          TEXT NOT NULL,            -- 'cli' or 'staff:<user id>'
    created_at          TEXT NOT NULL,
    started_at          TEXT,                     -- queueing began
    queued_at           TEXT,                     -- every recipient has an outbox row
    recipients          INTEGER,                  -- rows queued
    finished_at         TEXT,
    counts              TEXT,                     -- JSON: final counts, kept after the purge
    progress_message_id INTEGER                   -- the progress message in the staff chat
);
CREATE INDEX broadcasts_by_status ON broadcasts (status, send_at);

-- Outbox status 'held' (new): a paused broadcast's rows, back to 'pending' on resume.
CREATE INDEX outbox_by_ref ON outbox (kind, ref, status);
