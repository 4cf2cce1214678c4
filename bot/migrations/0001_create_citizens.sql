-- Citizens: only what they chose to tell us, plus what the bot needs to reach them.
CREATE TABLE citizens (
    id               INTEGER PRIMARY KEY,
    telegram_user_id INTEGER NOT NULL UNIQUE,
    chat_id          INTEGER NOT NULL,
    first_name       TEXT,
    unemployed_since TEXT,            -- YYYY-MM, roughly
    preferred_time   TEXT,            -- morning | midday | afternoon | NULL (any)
    locale           TEXT NOT NULL,
    invite_label     TEXT,
    joined_at        TEXT NOT NULL,
    blocked_at       TEXT             -- set while the citizen has blocked the bot
);

-- Consent is an append-only history per purpose; the newest row per purpose is in force.
CREATE TABLE consent_events (
    id           INTEGER PRIMARY KEY,
    citizen_id   INTEGER NOT NULL REFERENCES citizens(id) ON DELETE CASCADE,
    purpose      TEXT NOT NULL,
    granted      INTEGER NOT NULL,
    text_version TEXT NOT NULL,
    recorded_at  TEXT NOT NULL
);
CREATE INDEX consent_events_by_citizen ON consent_events (citizen_id, purpose, id);

-- The one dialog a citizen is in, so a restart continues at the same step.
CREATE TABLE dialog_sessions (
    citizen_id INTEGER PRIMARY KEY REFERENCES citizens(id) ON DELETE CASCADE,
    dialog     TEXT NOT NULL,
    state      TEXT NOT NULL,
    data       TEXT NOT NULL DEFAULT '{}',
    updated_at TEXT NOT NULL,
    timeout_at TEXT
);
CREATE INDEX dialog_sessions_by_timeout ON dialog_sessions (timeout_at)
    WHERE timeout_at IS NOT NULL;

-- Invite codes for deep links; random, so they carry no personal data.
CREATE TABLE invites (
    code       TEXT PRIMARY KEY,
    label      TEXT NOT NULL,
    created_at TEXT NOT NULL,
    used_at    TEXT,
    citizen_id INTEGER REFERENCES citizens(id) ON DELETE SET NULL
);
