-- Every proactive message, durable until Telegram has it (see bot/outbox/__init__.py).
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    idempotency_key TEXT UNIQUE,
    chat_id         INTEGER NOT NULL,
    citizen_id      INTEGER REFERENCES citizens(id) ON DELETE CASCADE,
    priority        INTEGER NOT NULL,
    kind            TEXT NOT NULL,
    ref             INTEGER,                -- what the row is about, e.g. a case id
    at_most_once    INTEGER NOT NULL DEFAULT 0,
    payload         TEXT NOT NULL,          -- JSON: text, buttons, thread
    not_before      TEXT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'pending',  -- pending | sending | sent | failed | uncertain | cancelled
    attempts        INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT,
    message_id      INTEGER,
    created_at      TEXT NOT NULL,
    sent_at         TEXT
);
CREATE INDEX outbox_ready ON outbox (status, priority, not_before);
CREATE INDEX outbox_by_citizen ON outbox (citizen_id, sent_at);
