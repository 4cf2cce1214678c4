-- Notes another process (the CLI) leaves the running bot: the state it caches about this
-- citizen changed (NULL: about anybody). The bot reads and deletes them every sweep
-- (bot/cache/changes.py). No foreign key: a note about an erased citizen is still a note.
CREATE TABLE citizen_changes (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    citizen_id  INTEGER,
    changed_at  TEXT NOT NULL
);
