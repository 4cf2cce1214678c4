-- A phone number a citizen gave for one requested call, and for nothing else: the row is the
-- call request's own consent (asked with the question whose text version is kept, given at
-- given_at). It goes when the call is done or the case is closed, and with the citizen on
-- erasure. phone is NULL while the question is still open.
CREATE TABLE call_phones (
    case_id      INTEGER PRIMARY KEY REFERENCES cases(id) ON DELETE CASCADE,
    citizen_id   INTEGER NOT NULL REFERENCES citizens(id) ON DELETE CASCADE,
    asked_at     TEXT NOT NULL,
    phone        TEXT,                  -- E.164, e.g. +4512345678
    given_at     TEXT,
    text_version TEXT                   -- the question the citizen answered
);
CREATE INDEX call_phones_by_citizen ON call_phones (citizen_id);
