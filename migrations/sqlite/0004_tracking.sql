-- Evidence a vendor owes: certifications per vendor, audit reports per contract and fiscal year,
-- data-deletion certificates per contract; and the files that prove them, kept in the database.

CREATE TABLE stored_files (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    file_name TEXT NOT NULL,
    media_type TEXT NOT NULL,
    size_bytes INTEGER NOT NULL CHECK (size_bytes > 0),
    sha256 TEXT NOT NULL CHECK (length(sha256) = 64),
    content BLOB NOT NULL,
    uploaded_by TEXT NOT NULL,
    uploaded_at TEXT NOT NULL
);

CREATE TABLE certifications (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    vendor_id INTEGER NOT NULL REFERENCES vendors (id),
    scheme TEXT NOT NULL CHECK (scheme IN ('isms', 'pmark', 'security_action', 'ismap', 'meti')),
    number TEXT NOT NULL DEFAULT '',
    level TEXT NOT NULL DEFAULT '',
    certification_body TEXT NOT NULL DEFAULT '',
    scope TEXT NOT NULL DEFAULT '',
    issued_on TEXT CHECK (issued_on LIKE '____-__-__'),
    valid_until TEXT CHECK (valid_until LIKE '____-__-__'),
    file_id INTEGER REFERENCES stored_files (id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (vendor_id, scheme, number)
);
CREATE INDEX certifications_valid_until ON certifications (valid_until);

CREATE TABLE audit_reports (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    contract_id INTEGER NOT NULL REFERENCES contracts (id),
    fiscal_year INTEGER NOT NULL CHECK (fiscal_year BETWEEN 1989 AND 2200),
    kind TEXT NOT NULL CHECK (kind IN ('third_party', 'internal', 'onsite')),
    auditor TEXT NOT NULL,
    audited_on TEXT NOT NULL CHECK (audited_on LIKE '____-__-__'),
    findings INTEGER NOT NULL CHECK (findings >= 0),
    follow_up TEXT NOT NULL CHECK (follow_up IN ('none', 'in_progress', 'completed')),
    notes TEXT NOT NULL DEFAULT '',
    file_id INTEGER REFERENCES stored_files (id),
    status TEXT NOT NULL CHECK (status IN ('submitted', 'accepted', 'returned')),
    submitted_by TEXT NOT NULL,
    submitted_at TEXT NOT NULL,
    reviewed_by TEXT,
    reviewed_at TEXT,
    accepted_on TEXT CHECK (accepted_on LIKE '____-__-__'),
    review_comment TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_reports_contract ON audit_reports (contract_id, fiscal_year);

CREATE TABLE deletion_certificates (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    contract_id INTEGER NOT NULL REFERENCES contracts (id),
    data_items TEXT NOT NULL,
    media TEXT NOT NULL,
    quantity TEXT NOT NULL,
    method TEXT NOT NULL,
    responsible_person TEXT NOT NULL,
    deleted_on TEXT NOT NULL CHECK (deleted_on LIKE '____-__-__'),
    covers_subcontractors INTEGER NOT NULL CHECK (covers_subcontractors IN (0, 1)),
    covers_backups INTEGER NOT NULL CHECK (covers_backups IN (0, 1)),
    covers_test_environments INTEGER NOT NULL CHECK (covers_test_environments IN (0, 1)),
    file_id INTEGER NOT NULL REFERENCES stored_files (id),
    status TEXT NOT NULL CHECK (status IN ('submitted', 'accepted', 'returned')),
    submitted_by TEXT NOT NULL,
    submitted_at TEXT NOT NULL,
    reviewed_by TEXT,
    reviewed_at TEXT,
    accepted_on TEXT CHECK (accepted_on LIKE '____-__-__'),
    review_comment TEXT NOT NULL DEFAULT ''
);
CREATE INDEX deletion_certificates_contract ON deletion_certificates (contract_id);
