-- 再委託先: who else holds a contract's data, to any depth (a row's parent is another row of the same
-- contract). A vendor applies for each (承認申請); the officer approves it with a date or refuses it with
-- a reason. Used from `start_date` on: before `approved_on` (or with none) it is 無承認の再委託.
CREATE TABLE subcontractors (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    contract_id INTEGER NOT NULL REFERENCES contracts (id),
    parent_id INTEGER REFERENCES subcontractors (id),
    name TEXT NOT NULL,
    corporate_number TEXT,
    foreign_company INTEGER NOT NULL CHECK (foreign_company IN (0, 1)),
    work TEXT NOT NULL,
    data_items TEXT NOT NULL DEFAULT '',
    personal_data INTEGER NOT NULL CHECK (personal_data IN (0, 1)),
    personal_records INTEGER,
    location TEXT NOT NULL DEFAULT '',
    uses_cloud INTEGER NOT NULL CHECK (uses_cloud IN (0, 1)),
    start_date TEXT NOT NULL CHECK (start_date LIKE '____-__-__'),
    end_date TEXT CHECK (end_date LIKE '____-__-__'),
    status TEXT NOT NULL CHECK (status IN ('applied', 'approved', 'refused')),
    applied_by TEXT NOT NULL,
    applied_at TEXT NOT NULL,
    approved_on TEXT CHECK (approved_on LIKE '____-__-__'),
    decided_by TEXT,
    decided_at TEXT,
    refusal_reason TEXT NOT NULL DEFAULT ''
);
CREATE INDEX subcontractors_contract ON subcontractors (contract_id);
CREATE INDEX subcontractors_start ON subcontractors (start_date);
