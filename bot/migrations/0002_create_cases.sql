-- Cases: a citizen who needs a human. The message itself is not stored, only a reference to it.
CREATE TABLE cases (
    id                INTEGER PRIMARY KEY,
    citizen_id        INTEGER REFERENCES citizens(id) ON DELETE SET NULL,
    level             TEXT NOT NULL,          -- urgent | concern | request
    category          TEXT,                   -- risk category, when the classifier gave one
    source            TEXT NOT NULL,          -- free_text | human_request
    source_message_id INTEGER,                -- the citizen's Telegram message, not its text
    opened_at         TEXT NOT NULL,
    claimed_at        TEXT,
    claimed_by        INTEGER,                -- staff Telegram user id
    closed_at         TEXT,
    alert_message_id  INTEGER,                -- the alert in the staff chat, edited on claim/close
    alerts_sent       INTEGER NOT NULL DEFAULT 0,
    next_alert_at     TEXT                    -- re-alert time while an urgent case is unclaimed
);
CREATE INDEX cases_open ON cases (closed_at, level, opened_at);
CREATE INDEX cases_realert ON cases (next_alert_at) WHERE next_alert_at IS NOT NULL;
