-- 年度一斉依頼: staff ask the vendors of chosen contracts for the year's check sheet and/or audit
-- report by a due date; each vendor gets one message listing its contracts; the request page follows
-- each contract's progress.
CREATE TABLE requests (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    title TEXT NOT NULL,
    fiscal_year INTEGER NOT NULL CHECK (fiscal_year BETWEEN 1989 AND 2200),
    wants_checklist INTEGER NOT NULL CHECK (wants_checklist IN (0, 1)),
    definition_id TEXT NOT NULL DEFAULT '',
    wants_audit_report INTEGER NOT NULL CHECK (wants_audit_report IN (0, 1)),
    due_on TEXT NOT NULL CHECK (due_on LIKE '____-__-__'),
    message TEXT NOT NULL DEFAULT '',
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE request_contracts (
    request_id INTEGER NOT NULL REFERENCES requests (id),
    contract_id INTEGER NOT NULL REFERENCES contracts (id),
    PRIMARY KEY (request_id, contract_id)
);
CREATE INDEX request_contracts_contract ON request_contracts (contract_id);
