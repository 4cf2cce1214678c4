-- Webinars (issue 10): a webinar is a series of one or more sessions; citizens answer per session.
CREATE TABLE webinars (
    id             INTEGER PRIMARY KEY,
    title_da       TEXT NOT NULL,
    title_en       TEXT NOT NULL,
    link           TEXT NOT NULL,            -- shown only from the reminder on
    recording_link TEXT,                     -- recording or slides, in the follow-up
    minutes        INTEGER NOT NULL,
    capacity       INTEGER,                  -- seats per session; NULL: no limit
    created_at     TEXT NOT NULL,
    cancelled_at   TEXT
);

CREATE TABLE webinar_sessions (
    id                INTEGER PRIMARY KEY,
    webinar_id        INTEGER NOT NULL REFERENCES webinars(id) ON DELETE CASCADE,
    starts_at         TEXT NOT NULL,
    cancelled_at      TEXT,
    sequence          INTEGER NOT NULL DEFAULT 0,  -- iCalendar SEQUENCE: raised on every change
    waitlist_tickets  INTEGER NOT NULL DEFAULT 0,  -- tickets handed out so far (never reused)
    -- What the running bot last acted on (timers armed, citizens told); a sequence above
    -- notified_sequence is a change the CLI wrote that the bot's sweep has not handled yet.
    notified_sequence INTEGER,
    notified_starts_at TEXT,
    notified_link     TEXT
);
CREATE INDEX webinar_sessions_by_webinar ON webinar_sessions (webinar_id, starts_at);
CREATE INDEX webinar_sessions_unhandled ON webinar_sessions (notified_sequence, sequence);

-- One answer per session and citizen. A Yes while the session is full waits with a ticket
-- (its place in the waitlist); a seat that frees up goes to the lowest ticket.
CREATE TABLE webinar_rsvps (
    session_id            INTEGER NOT NULL REFERENCES webinar_sessions(id) ON DELETE CASCADE,
    citizen_id            INTEGER NOT NULL REFERENCES citizens(id) ON DELETE CASCADE,
    answer                TEXT NOT NULL,       -- yes | maybe | no
    waitlist_ticket       INTEGER,             -- set while a Yes waits for a seat
    answered_at           TEXT NOT NULL,
    reminded_at           TEXT,
    attended_at           TEXT,                -- marked by staff with /attended
    feedback_requested_at TEXT,                -- tapped the follow-up's feedback offer
    PRIMARY KEY (session_id, citizen_id)
);
CREATE INDEX webinar_rsvps_by_citizen ON webinar_rsvps (citizen_id);
