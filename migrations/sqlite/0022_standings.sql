-- Standings: what each contract owes, kept as rows by the transaction that changes one of its records
-- (db::standings::restand), so that the reports count and list by indexed queries with the day to judge
-- instead of reading and judging every contract. The rows hold facts only (deadlines, acceptance dates,
-- the state of the latest submission): the rules that depend on settings (warning windows, which
-- contracts owe audits, days allowed after the fiscal year) are applied by the query, so a change of
-- settings needs no rebuild. Each row repeats the contract's department, vendor, importance and period,
-- which the reports group and filter by. `itaku rejudge` rebuilds them from the records and compares.

-- One per contract: the deletion certificate after the end, and the first check sheet.
CREATE TABLE contract_standings (
    contract_id INTEGER PRIMARY KEY REFERENCES contracts (id),
    department_id INTEGER NOT NULL,
    vendor_id INTEGER NOT NULL,
    important INTEGER NOT NULL CHECK (important IN (0, 1)),
    start_date TEXT NOT NULL,
    end_date TEXT NOT NULL,
    deletion_deadline TEXT NOT NULL,
    -- The earliest accepted deletion certificate's acceptance day.
    deletion_accepted_on TEXT,
    -- The latest deletion certificate when it is not accepted: 'submitted' or 'returned'.
    deletion_submission TEXT,
    -- The day (in Japan) the first check sheet was uploaded.
    first_checklist_on TEXT
);
-- The lists in deadline order; the counts by department and vendor read the holder index alone.
CREATE INDEX contract_standings_deletion ON contract_standings (deletion_deadline);
CREATE INDEX contract_standings_active ON contract_standings (start_date, end_date, first_checklist_on);
CREATE INDEX contract_standings_vendor ON contract_standings (vendor_id, end_date, start_date, important);
CREATE INDEX contract_standings_holder ON contract_standings
    (department_id, vendor_id, deletion_deadline, deletion_accepted_on, start_date, end_date, first_checklist_on);

-- One per contract and fiscal year it runs in: the audit report owed for that year.
CREATE TABLE audit_standings (
    contract_id INTEGER NOT NULL REFERENCES contracts (id),
    fiscal_year INTEGER NOT NULL,
    department_id INTEGER NOT NULL,
    vendor_id INTEGER NOT NULL,
    important INTEGER NOT NULL CHECK (important IN (0, 1)),
    start_date TEXT NOT NULL,
    end_date TEXT NOT NULL,
    -- Owed from the later of the contract's start and the fiscal year's first day.
    owed_from TEXT NOT NULL,
    year_end TEXT NOT NULL,
    accepted_on TEXT,
    -- Days from the year's end to the acceptance: late when more than the days the settings allow.
    accepted_after_year_end INTEGER,
    submission TEXT,
    PRIMARY KEY (contract_id, fiscal_year)
);
CREATE INDEX audit_standings_year_end ON audit_standings (year_end);
CREATE INDEX audit_standings_year ON audit_standings (fiscal_year, important);
CREATE INDEX audit_standings_holder ON audit_standings
    (department_id, vendor_id, important, fiscal_year, owed_from, year_end, accepted_on, accepted_after_year_end);

-- One per check-sheet version: which version is a contract's latest on a day, and its state.
CREATE TABLE checklist_standings (
    contract_id INTEGER NOT NULL REFERENCES contracts (id),
    version INTEGER NOT NULL,
    department_id INTEGER NOT NULL,
    vendor_id INTEGER NOT NULL,
    important INTEGER NOT NULL CHECK (important IN (0, 1)),
    start_date TEXT NOT NULL,
    end_date TEXT NOT NULL,
    uploaded_on TEXT NOT NULL,
    -- The day the next version was uploaded: from then this one is no longer the latest.
    superseded_on TEXT,
    status TEXT NOT NULL,
    PRIMARY KEY (contract_id, version)
);
CREATE INDEX checklist_standings_latest ON checklist_standings (superseded_on, status);
CREATE INDEX checklist_standings_holder ON checklist_standings
    (department_id, vendor_id, important, status, uploaded_on, superseded_on, start_date, end_date);

-- Whether the rows above have been built for the data that was there before they existed.
CREATE TABLE standings_built (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    built INTEGER NOT NULL CHECK (built IN (0, 1))
);
INSERT INTO standings_built (id, built) VALUES (1, 0);
