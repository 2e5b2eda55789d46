-- Registry: departments (所管課), vendors (事業者), contracts (契約).
-- Dates are ISO 'YYYY-MM-DD' text and flags are 0/1 integers on both databases, so one SQL text serves both.

CREATE TABLE departments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
);

CREATE TABLE vendors (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    corporate_number TEXT NOT NULL UNIQUE CHECK (length(corporate_number) = 13),
    name TEXT NOT NULL,
    name_kana TEXT NOT NULL DEFAULT '',
    address TEXT NOT NULL DEFAULT '',
    contact_person TEXT NOT NULL DEFAULT '',
    phone TEXT NOT NULL DEFAULT '',
    email TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX vendors_name ON vendors (name);

CREATE TABLE contracts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    contract_number TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    department_id INTEGER NOT NULL REFERENCES departments (id),
    vendor_id INTEGER NOT NULL REFERENCES vendors (id),
    start_date TEXT NOT NULL CHECK (start_date LIKE '____-__-__'),
    end_date TEXT NOT NULL CHECK (end_date LIKE '____-__-__'),
    handles_personal_data INTEGER NOT NULL CHECK (handles_personal_data IN (0, 1)),
    personal_records INTEGER CHECK (personal_records >= 0),
    importance TEXT NOT NULL CHECK (importance IN ('important', 'ordinary')),
    uses_cloud INTEGER NOT NULL CHECK (uses_cloud IN (0, 1)),
    subcontracting_allowed INTEGER NOT NULL CHECK (subcontracting_allowed IN (0, 1)),
    deletion_days INTEGER NOT NULL CHECK (deletion_days >= 0),
    deletion_deadline TEXT NOT NULL CHECK (deletion_deadline LIKE '____-__-__'),
    notes TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CHECK (end_date >= start_date)
);
CREATE INDEX contracts_department_end ON contracts (department_id, end_date);
CREATE INDEX contracts_vendor_end ON contracts (vendor_id, end_date);
CREATE INDEX contracts_end_date ON contracts (end_date);
CREATE INDEX contracts_deletion_deadline ON contracts (deletion_deadline);

-- Uploaded ledgers waiting between the dry-run preview and the confirmed import.
CREATE TABLE ledger_uploads (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    token TEXT NOT NULL UNIQUE,
    file_name TEXT NOT NULL,
    content BLOB NOT NULL,
    sha256 TEXT NOT NULL,
    created_at TEXT NOT NULL
);
