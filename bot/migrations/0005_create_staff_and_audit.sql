-- Staff are Telegram users with a role; admins are also bootstrapped from ADMIN_IDS.
CREATE TABLE staff (
    telegram_user_id INTEGER PRIMARY KEY,
    role             TEXT NOT NULL,          -- admin | coordinator | consultant
    first_name       TEXT,                   -- as shown to colleagues and citizens
    added_at         TEXT NOT NULL,
    added_by         INTEGER                 -- NULL: bootstrapped from ADMIN_IDS or the CLI
);

-- Append-only record of every staff look-up of citizen data and every deletion. It keeps the
-- internal citizen number only (no name, no Telegram id), so it stays meaningful for the
-- citizen's right of access without holding anything that identifies them once erased.
CREATE TABLE audit_log (
    id         INTEGER PRIMARY KEY,
    at         TEXT NOT NULL,
    actor      TEXT NOT NULL,                -- staff:<telegram id> | citizen | system
    action     TEXT NOT NULL,
    citizen_no INTEGER,
    detail     TEXT
);
CREATE INDEX audit_log_by_citizen ON audit_log (citizen_no, id);
CREATE TRIGGER audit_log_append_only_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_append_only_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
