-- The consultant workspace: one staff-chat topic per citizen, notes, ratings, canned replies.
CREATE TABLE staff_topics (
    citizen_id        INTEGER PRIMARY KEY REFERENCES citizens(id) ON DELETE CASCADE,
    thread_id         INTEGER,               -- forum topic; NULL in a plain group
    anchor_message_id INTEGER,               -- plain group: replies thread under this message
    is_closed         INTEGER NOT NULL DEFAULT 0
);

-- Internal notes (`// ...` in a topic) stay with the case, also if the citizen is erased.
CREATE TABLE case_notes (
    id            INTEGER PRIMARY KEY,
    case_id       INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    staff_user_id INTEGER NOT NULL,
    text          TEXT NOT NULL,
    written_at    TEXT NOT NULL
);

CREATE TABLE case_feedback (
    case_id  INTEGER PRIMARY KEY REFERENCES cases(id) ON DELETE CASCADE,
    rating   INTEGER,
    comment  TEXT,
    given_at TEXT NOT NULL
);

CREATE TABLE case_calls (
    id            INTEGER PRIMARY KEY,
    case_id       INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    staff_user_id INTEGER NOT NULL,
    outcome       TEXT NOT NULL,             -- reached | not_reached | new_time
    called_at     TEXT NOT NULL
);

CREATE TABLE canned_replies (
    key      TEXT PRIMARY KEY,
    text_da  TEXT NOT NULL,
    text_en  TEXT NOT NULL,
    added_by INTEGER,
    added_at TEXT NOT NULL
);
