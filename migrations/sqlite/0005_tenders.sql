-- Bid evaluation: scoring policies (each version kept as written), tenders (案件) with their bidders,
-- the check sheets bidders submit for a tender, and the frozen rating of a finalized tender.

CREATE TABLE rating_policies (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    policy_key TEXT NOT NULL,
    version INTEGER NOT NULL CHECK (version >= 1),
    title TEXT NOT NULL,
    source TEXT NOT NULL,
    sha256 TEXT NOT NULL CHECK (length(sha256) = 64),
    added_by TEXT NOT NULL,
    added_at TEXT NOT NULL,
    UNIQUE (policy_key, version)
);

CREATE TABLE tenders (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    title TEXT NOT NULL,
    department_id INTEGER REFERENCES departments (id),
    evaluation_date TEXT NOT NULL CHECK (evaluation_date LIKE '____-__-__'),
    policy_id INTEGER NOT NULL REFERENCES rating_policies (id),
    uses_cloud INTEGER NOT NULL CHECK (uses_cloud IN (0, 1)),
    handles_personal_data INTEGER NOT NULL CHECK (handles_personal_data IN (0, 1)),
    status TEXT NOT NULL CHECK (status IN ('open', 'finalized')),
    copied_from INTEGER REFERENCES tenders (id),
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    finalized_by TEXT,
    finalized_at TEXT,
    facts TEXT,
    rating TEXT,
    CHECK ((status = 'finalized') = (rating IS NOT NULL))
);
CREATE INDEX tenders_department ON tenders (department_id, evaluation_date);

CREATE TABLE tender_bidders (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    tender_id INTEGER NOT NULL REFERENCES tenders (id),
    vendor_id INTEGER NOT NULL REFERENCES vendors (id),
    isms_scope_confirmed INTEGER NOT NULL DEFAULT 1 CHECK (isms_scope_confirmed IN (0, 1)),
    checklist_requested_at TEXT,
    added_at TEXT NOT NULL,
    UNIQUE (tender_id, vendor_id)
);
CREATE INDEX tender_bidders_vendor ON tender_bidders (vendor_id);

CREATE TABLE bid_checklists (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    bidder_id INTEGER NOT NULL REFERENCES tender_bidders (id),
    version INTEGER NOT NULL CHECK (version >= 1),
    definition_id TEXT NOT NULL,
    file_name TEXT NOT NULL,
    content BLOB NOT NULL,
    sha256 TEXT NOT NULL CHECK (length(sha256) = 64),
    size_bytes INTEGER NOT NULL CHECK (size_bytes > 0),
    answers TEXT NOT NULL,
    uploader TEXT NOT NULL,
    uploaded_at TEXT NOT NULL,
    UNIQUE (bidder_id, version)
);
