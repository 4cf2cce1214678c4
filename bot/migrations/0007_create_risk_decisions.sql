-- Why the bot thought a message worrying: one row per decision that opened or raised a case.
-- The citizen's words are kept only for review (`python -m bot risk review`): they are erased
-- with the citizen (trigger below) and forgotten 90 days after the case closes (a sweep).
CREATE TABLE risk_decisions (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id     INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    citizen_id  INTEGER REFERENCES citizens(id) ON DELETE SET NULL,
    decided_at  TEXT NOT NULL,
    level       TEXT NOT NULL,          -- urgent | possible | concern
    category    TEXT,
    decider     TEXT NOT NULL,          -- rule | model
    rule        TEXT,                   -- the lexicon pattern that fired, "<lang>:<pattern>"
    score       REAL,                   -- the model's probability of urgent, when it was asked
    reasons     TEXT NOT NULL DEFAULT '',  -- lowering rules that applied: negated, past, ...
    message     TEXT,                   -- the citizen's words (NULL once forgotten)
    answer      TEXT                    -- possible risk: yes | no to the direct question
);
CREATE INDEX risk_decisions_case ON risk_decisions (case_id);
CREATE INDEX risk_decisions_citizen ON risk_decisions (citizen_id);

CREATE TRIGGER risk_decisions_forget_erased BEFORE DELETE ON citizens
BEGIN
    UPDATE risk_decisions SET message = NULL WHERE citizen_id = OLD.id;
END;

-- A consultant's verdict on the classifier, for the next corpus: wrongly_flagged | missed.
ALTER TABLE cases ADD COLUMN risk_mark TEXT;
ALTER TABLE cases ADD COLUMN risk_marked_by INTEGER;
ALTER TABLE cases ADD COLUMN risk_marked_at TEXT;
