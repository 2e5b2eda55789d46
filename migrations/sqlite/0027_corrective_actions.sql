-- 是正: what a vendor must correct after answering いいえ or 一部 to a check-sheet item, by when. The
-- vendor answers with a plan, then reports completion with evidence; the officer accepts (on a day) or
-- returns the report. A later check sheet answering the item はい closes the action (closed_on).
CREATE TABLE corrective_actions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    contract_id INTEGER NOT NULL REFERENCES contracts (id),
    submission_id INTEGER NOT NULL REFERENCES checklist_submissions (id),
    item_id TEXT NOT NULL,
    what TEXT NOT NULL,
    due_on TEXT NOT NULL CHECK (due_on LIKE '____-__-__'),
    required_on TEXT NOT NULL CHECK (required_on LIKE '____-__-__'),
    required_by TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'planned', 'reported', 'returned', 'accepted', 'closed')),
    plan TEXT NOT NULL DEFAULT '',
    planned_on TEXT CHECK (planned_on LIKE '____-__-__'),
    report TEXT NOT NULL DEFAULT '',
    file_id INTEGER REFERENCES stored_files (id),
    reported_on TEXT CHECK (reported_on LIKE '____-__-__'),
    review_comment TEXT NOT NULL DEFAULT '',
    reviewed_by TEXT,
    accepted_on TEXT CHECK (accepted_on LIKE '____-__-__'),
    closed_on TEXT CHECK (closed_on LIKE '____-__-__'),
    closed_by_submission_id INTEGER REFERENCES checklist_submissions (id),
    UNIQUE (submission_id, item_id)
);
CREATE INDEX corrective_actions_contract ON corrective_actions (contract_id);
CREATE INDEX corrective_actions_due ON corrective_actions (due_on);
