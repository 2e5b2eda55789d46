-- 情報セキュリティ特約条項: the clauses binding each contract, worded and timed as the catalogue
-- edition had them when they were set (a later edition does not change a signed contract), and the
-- dated submissions the periodic ones owe. A submission carries a file and is accepted on a day or
-- returned, like an audit report; the obligation keeps its latest state. An obligation the contract
-- no longer owes (its period moved, the clause was removed) is deleted, or withdrawn when something
-- was already submitted for it.
CREATE TABLE contract_clauses (
    contract_id INTEGER NOT NULL REFERENCES contracts (id),
    clause_id TEXT NOT NULL,
    catalogue TEXT NOT NULL,
    version INTEGER NOT NULL,
    position INTEGER NOT NULL,
    title TEXT NOT NULL,
    summary TEXT NOT NULL,
    at_start INTEGER NOT NULL CHECK (at_start IN (0, 1)),
    every_months INTEGER,
    due_days INTEGER NOT NULL,
    on_change INTEGER NOT NULL CHECK (on_change IN (0, 1)),
    report_within_hours INTEGER,
    deletion INTEGER NOT NULL CHECK (deletion IN (0, 1)),
    PRIMARY KEY (contract_id, clause_id)
);
CREATE TABLE clause_obligations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    contract_id INTEGER NOT NULL REFERENCES contracts (id),
    clause_id TEXT NOT NULL,
    period_key TEXT NOT NULL,
    period_label TEXT NOT NULL,
    period_start TEXT NOT NULL CHECK (period_start LIKE '____-__-__'),
    period_end TEXT NOT NULL CHECK (period_end LIKE '____-__-__'),
    due_on TEXT NOT NULL CHECK (due_on LIKE '____-__-__'),
    status TEXT NOT NULL CHECK (status IN ('owed', 'submitted', 'returned', 'accepted')),
    accepted_on TEXT CHECK (accepted_on LIKE '____-__-__'),
    withdrawn INTEGER NOT NULL DEFAULT 0 CHECK (withdrawn IN (0, 1)),
    UNIQUE (contract_id, clause_id, period_key)
);
CREATE INDEX clause_obligations_due ON clause_obligations (due_on);
CREATE TABLE clause_submissions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    obligation_id INTEGER NOT NULL REFERENCES clause_obligations (id),
    note TEXT NOT NULL DEFAULT '',
    file_id INTEGER NOT NULL REFERENCES stored_files (id),
    status TEXT NOT NULL CHECK (status IN ('submitted', 'returned', 'accepted')),
    submitted_by TEXT NOT NULL,
    submitted_at TEXT NOT NULL,
    reviewed_by TEXT,
    reviewed_at TEXT,
    accepted_on TEXT CHECK (accepted_on LIKE '____-__-__'),
    review_comment TEXT NOT NULL DEFAULT ''
);
CREATE INDEX clause_submissions_obligation ON clause_submissions (obligation_id);
