-- The evaluation at the end of a job club (issue 12): after the club's last meeting each member
-- still in it is asked once for a score (1-5) and, optionally, a few words. The words are
-- deleted 90 days after they were written (as the risk decisions' words, bot/features/care);
-- the score stays for `report clubs`. /delete removes the row with the citizen.
CREATE TABLE club_evaluations (
    club_id     INTEGER NOT NULL REFERENCES clubs(id) ON DELETE CASCADE,
    citizen_id  INTEGER NOT NULL REFERENCES citizens(id) ON DELETE CASCADE,
    asked_at    TEXT NOT NULL,
    score       INTEGER CHECK (score BETWEEN 1 AND 5),
    scored_at   TEXT,
    comment     TEXT,
    comment_at  TEXT,
    PRIMARY KEY (club_id, citizen_id)
);
CREATE INDEX club_evaluations_by_citizen ON club_evaluations (citizen_id);
CREATE INDEX club_evaluations_comments ON club_evaluations (comment_at)
    WHERE comment IS NOT NULL;
