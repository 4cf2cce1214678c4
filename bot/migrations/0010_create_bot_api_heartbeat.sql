-- When the running bot last had an answer from the Bot API (one row, written by its heartbeat),
-- so that `python -m bot health`, a separate process, can tell whether the bot is alive.
CREATE TABLE bot_api_heartbeat (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    ok_at TEXT NOT NULL
);
