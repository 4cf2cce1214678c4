-- Job clubs (issue 12): a cohort of citizens meeting online once a week for some weeks, led by
-- a consultant. A club is its sessions; seats are members, a full club has a waitlist, and a
-- freed seat is offered for a limited time to the first who waits.
CREATE TABLE clubs (
    id               INTEGER PRIMARY KEY,
    title_da         TEXT NOT NULL,
    title_en         TEXT NOT NULL,
    consultant_id    INTEGER NOT NULL,         -- Telegram user id of the consultant leading it
    capacity         INTEGER NOT NULL,
    locale           TEXT NOT NULL,            -- the language the meetings are held in
    minutes          INTEGER NOT NULL,         -- length of each meeting
    link             TEXT,                     -- may come later; shown only in the last reminder
    joined_after     TEXT,                     -- eligibility: citizens who joined from then (UTC)
    invite_label     TEXT,                     -- eligibility: citizens who came with this label
    created_by       TEXT NOT NULL,            -- 'cli' or 'staff:<user id>'
    created_at       TEXT NOT NULL,
    cancelled_at     TEXT,
    waitlist_tickets INTEGER NOT NULL DEFAULT 0,  -- tickets handed out so far (never reused)
    -- Raised on every change members must hear of; notified_* is what the running bot last
    -- acted on (timers armed, members told), so a change the CLI wrote is found by a sweep.
    version          INTEGER NOT NULL DEFAULT 0,
    notified_version INTEGER,
    notified_link    TEXT
);
CREATE INDEX clubs_unhandled ON clubs (notified_version, version);

CREATE TABLE club_sessions (
    id                 INTEGER PRIMARY KEY,
    club_id            INTEGER NOT NULL REFERENCES clubs(id) ON DELETE CASCADE,
    number             INTEGER NOT NULL,           -- 1, 2, …: the club's week
    starts_at          TEXT NOT NULL,
    cancelled_at       TEXT,
    sequence           INTEGER NOT NULL DEFAULT 0, -- iCalendar SEQUENCE: raised on every change
    notified_starts_at TEXT,                       -- as the members were last told
    notified_cancelled INTEGER NOT NULL DEFAULT 0,
    UNIQUE (club_id, number)
);

-- A seat. Leaving keeps the row (left_at, why) for the report; an erasure deletes it.
CREATE TABLE club_members (
    club_id      INTEGER NOT NULL REFERENCES clubs(id) ON DELETE CASCADE,
    citizen_id   INTEGER NOT NULL REFERENCES citizens(id) ON DELETE CASCADE,
    joined_at    TEXT NOT NULL,
    waited_since TEXT,             -- when they joined the waitlist, if the seat came from it
    left_at      TEXT,
    left_reason  TEXT,             -- left | stopped | blocked | cancelled
    PRIMARY KEY (club_id, citizen_id)
);
CREATE INDEX club_members_by_citizen ON club_members (citizen_id);

CREATE TABLE club_waitlist (
    club_id    INTEGER NOT NULL REFERENCES clubs(id) ON DELETE CASCADE,
    citizen_id INTEGER NOT NULL REFERENCES citizens(id) ON DELETE CASCADE,
    ticket     INTEGER NOT NULL,   -- the place in the line: lower goes first
    joined_at  TEXT NOT NULL,
    PRIMARY KEY (club_id, citizen_id)
);
CREATE INDEX club_waitlist_by_citizen ON club_waitlist (citizen_id);

-- A freed seat offered to one who waits. An open offer holds the seat until it is answered
-- or runs out (expires_at, counted outside quiet hours); then the next one gets it.
CREATE TABLE club_seat_offers (
    id           INTEGER PRIMARY KEY,
    club_id      INTEGER NOT NULL REFERENCES clubs(id) ON DELETE CASCADE,
    citizen_id   INTEGER NOT NULL REFERENCES citizens(id) ON DELETE CASCADE,
    from_club_id INTEGER NOT NULL,  -- the waitlist they were taken from (this or a like club)
    waited_since TEXT NOT NULL,
    offered_at   TEXT NOT NULL,     -- when it may reach them (after quiet hours)
    expires_at   TEXT NOT NULL,
    status       TEXT NOT NULL,     -- open | accepted | declined | expired | withdrawn
    answered_at  TEXT
);
CREATE UNIQUE INDEX club_seat_offers_open ON club_seat_offers (club_id, citizen_id)
    WHERE status = 'open';
CREATE INDEX club_seat_offers_by_citizen ON club_seat_offers (citizen_id, status);

-- Per session and member: "can't come" from the citizen, attended or not from the consultant.
CREATE TABLE club_attendance (
    session_id   INTEGER NOT NULL REFERENCES club_sessions(id) ON DELETE CASCADE,
    citizen_id   INTEGER NOT NULL REFERENCES citizens(id) ON DELETE CASCADE,
    cant_come_at TEXT,
    attended     INTEGER,           -- 1 came, 0 did not; NULL not marked
    marked_at    TEXT,
    marked_by    INTEGER,           -- staff user id
    PRIMARY KEY (session_id, citizen_id)
);

-- The waitlist for a kind of club (language and invite label) reached CLUB_WAITLIST_ALERT:
-- coordinators were asked whether to open another. Cleared when it falls below again.
CREATE TABLE club_demand_alerts (
    kind       TEXT PRIMARY KEY,    -- '<locale>|<label>'
    waiting    INTEGER NOT NULL,
    alerted_at TEXT NOT NULL
);

-- Creating a club in the staff chat (/club): one open dialog per staff member and topic
-- (thread 0: the general topic), so a restart loses nothing; `draft` is the club so far as
-- JSON (bot/features/clubs/compose.py). No citizen data.
CREATE TABLE club_compose (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    staff_user_id INTEGER NOT NULL,
    thread_id     INTEGER NOT NULL,
    step          TEXT NOT NULL,
    draft         TEXT NOT NULL,
    touched_at    TEXT NOT NULL,
    UNIQUE (staff_user_id, thread_id)
);
