-- Restart-proof timers: one row per key, scanned by the scheduler; nothing lives only in memory.
CREATE TABLE timers (
    id         INTEGER PRIMARY KEY,
    key        TEXT NOT NULL UNIQUE,
    kind       TEXT NOT NULL,
    citizen_id INTEGER REFERENCES citizens(id) ON DELETE CASCADE,
    due_at     TEXT NOT NULL,
    data       TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX timers_due ON timers (due_at);

-- Where a citizen is in the check-in cadence.
CREATE TABLE checkin_status (
    citizen_id   INTEGER PRIMARY KEY REFERENCES citizens(id) ON DELETE CASCADE,
    next_slot    INTEGER NOT NULL DEFAULT 0,
    unanswered   INTEGER NOT NULL DEFAULT 0,
    pause_asked  INTEGER NOT NULL DEFAULT 0,
    paused_until TEXT,
    ended        TEXT                       -- found_work | stopped, when check-ins ended
);

-- The short answers of each check-in (no free text: that goes to a consultant, not a table).
CREATE TABLE checkin_answers (
    id          INTEGER PRIMARY KEY,
    citizen_id  INTEGER NOT NULL REFERENCES citizens(id) ON DELETE CASCADE,
    question    TEXT NOT NULL,               -- mood | job
    answer      TEXT NOT NULL,
    answered_at TEXT NOT NULL
);
CREATE INDEX checkin_answers_by_citizen ON checkin_answers (citizen_id, answered_at);

-- WHO-5 results: special-category data, kept only with explicit wellbeing consent.
CREATE TABLE wellbeing_scores (
    id          INTEGER PRIMARY KEY,
    citizen_id  INTEGER NOT NULL REFERENCES citizens(id) ON DELETE CASCADE,
    raw_score   INTEGER NOT NULL,
    lowest_item INTEGER NOT NULL,
    recorded_at TEXT NOT NULL
);

-- A citizen asking for a phone call says when it suits them.
ALTER TABLE cases ADD COLUMN call_window TEXT;
