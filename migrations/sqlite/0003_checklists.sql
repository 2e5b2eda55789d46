-- Check-sheet submissions: every upload is a new version; the original file is kept.

CREATE TABLE checklist_submissions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    contract_id INTEGER NOT NULL REFERENCES contracts (id),
    version INTEGER NOT NULL,
    definition_id TEXT NOT NULL,
    file_name TEXT NOT NULL,
    content BLOB NOT NULL,
    sha256 TEXT NOT NULL,
    size_bytes INTEGER NOT NULL,
    uploaded_by INTEGER REFERENCES users (id),
    uploader TEXT NOT NULL,
    uploaded_at TEXT NOT NULL,
    vendor_name TEXT NOT NULL DEFAULT '',
    corporate_number TEXT NOT NULL DEFAULT '',
    filled_on TEXT,
    filled_by TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL CHECK (status IN ('submitted', 'approved', 'returned')),
    reviewed_by TEXT,
    reviewed_at TEXT,
    review_comment TEXT NOT NULL DEFAULT '',
    UNIQUE (contract_id, version)
);
CREATE INDEX checklist_submissions_contract ON checklist_submissions (contract_id, version);

CREATE TABLE checklist_answers (
    submission_id INTEGER NOT NULL REFERENCES checklist_submissions (id),
    item_id TEXT NOT NULL,
    answer TEXT NOT NULL CHECK (answer IN ('yes', 'no', 'partial', 'na')),
    note TEXT NOT NULL DEFAULT '',
    cell TEXT NOT NULL DEFAULT '',
    review_comment TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (submission_id, item_id)
);
