-- migrate: foreign_keys=off
-- Citizen numbers are never handed out again: an erased citizen's number stays theirs, so the
-- audit trail, /mydata and /export never show a previous person's history. SQLite can only add
-- AUTOINCREMENT by rebuilding the table (its documented 12-step procedure, foreign keys off;
-- the runner checks them before committing).
CREATE TABLE citizens_new (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
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
INSERT INTO citizens_new (id, telegram_user_id, chat_id, first_name, unemployed_since,
                          preferred_time, locale, invite_label, joined_at, blocked_at)
SELECT id, telegram_user_id, chat_id, first_name, unemployed_since, preferred_time, locale,
       invite_label, joined_at, blocked_at
FROM citizens;
DROP TABLE citizens;
ALTER TABLE citizens_new RENAME TO citizens;

-- Numbers already used by citizens erased before this migration are never used again either.
DELETE FROM sqlite_sequence WHERE name = 'citizens';
INSERT INTO sqlite_sequence (name, seq)
SELECT 'citizens', max(coalesce((SELECT max(id) FROM citizens), 0),
                       coalesce((SELECT max(citizen_no) FROM audit_log), 0));

CREATE TRIGGER risk_decisions_forget_erased BEFORE DELETE ON citizens
BEGIN
    UPDATE risk_decisions SET message = NULL WHERE citizen_id = OLD.id;
END;
