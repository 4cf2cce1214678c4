-- Broadcasts with an image or document (issue 10). The bytes are stored once and uploaded by
-- the first message that needs them; Telegram's file_id is kept and every later message sends
-- that instead, so a broadcast to 100,000 citizens is one upload. The bytes are released
-- (content NULL) when the broadcast that uses them has finished or was cancelled unsent.
CREATE TABLE outbox_files (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    kind       TEXT NOT NULL,     -- photo | document (bot/outbox/model.py MediaKind)
    filename   TEXT NOT NULL,
    size       INTEGER NOT NULL,  -- bytes
    content    BLOB,              -- NULL once released
    file_id    TEXT,              -- Telegram's, after the first upload
    created_at TEXT NOT NULL
);

-- JSON {kind, filename, size, file_id, upload_id} (bot/features/broadcasts/model.py Attachment)
ALTER TABLE broadcasts ADD COLUMN attachment TEXT;
