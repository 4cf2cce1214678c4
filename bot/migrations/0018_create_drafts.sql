-- Application and CV drafts sent for a consultant's feedback (issue 13). A draft is one version;
-- a new version of the same application points at the first one (series_id) and counts on.
-- Nothing of the file's bytes is kept: Telegram has the file, the bot keeps its file_id (to
-- show it to the consultant) and the text read from it (the consultant's preview). The
-- retention sweep blanks files, texts and the feedback's message references a while after
-- the answer (purged_at); erasing the citizen deletes the rows.
CREATE TABLE drafts (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    citizen_id     INTEGER NOT NULL REFERENCES citizens(id) ON DELETE CASCADE,
    series_id      INTEGER REFERENCES drafts(id) ON DELETE SET NULL,  -- NULL: the first version
    version        INTEGER NOT NULL DEFAULT 1,
    kind           TEXT NOT NULL,             -- application | cv | both
    locale         TEXT NOT NULL,             -- the citizen's language when it arrived
    job_ad         TEXT,                      -- a link or the pasted ad
    deadline       TEXT,                      -- YYYY-MM-DD, the citizen's application deadline
    wishes         TEXT,                      -- what they want feedback on
    form           TEXT NOT NULL,             -- document | photos | text
    files          TEXT NOT NULL DEFAULT '[]', -- JSON [{kind, file_id, unique_id, size, type}]
    body           TEXT,                      -- pasted text, or the text read from the file
    received_at    TEXT NOT NULL,
    due_at         TEXT NOT NULL,             -- the answer promised by (working days)
    status         TEXT NOT NULL DEFAULT 'waiting',  -- waiting | taken | answered
    taken_by       INTEGER,                   -- staff user id
    taken_at       TEXT,
    answered_at    TEXT,                      -- first feedback sent: the turnaround ends here
    rating         INTEGER,                   -- 1-5 from the citizen
    reannounced_at TEXT,                      -- not taken in time: told the staff chat (once)
    purged_at      TEXT                       -- files and texts deleted (retention)
);
CREATE INDEX drafts_by_citizen ON drafts (citizen_id, id);
CREATE INDEX drafts_by_status ON drafts (status, deadline, received_at);

-- What the consultant wrote in the citizen's topic since Take: copied to the citizen on
-- Send feedback (sent_at), kept as a reference (chat, message) only.
CREATE TABLE draft_replies (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    draft_id      INTEGER NOT NULL REFERENCES drafts(id) ON DELETE CASCADE,
    staff_user_id INTEGER NOT NULL,
    chat_id       INTEGER NOT NULL,
    message_id    INTEGER NOT NULL,
    written_at    TEXT NOT NULL,
    sent_at       TEXT
);
CREATE INDEX draft_replies_by_draft ON draft_replies (draft_id, id);
