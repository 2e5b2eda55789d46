-- Who at a vendor the municipality's CSIRT calls when something goes wrong, kept as the vendor last
-- confirmed them; what the vendor agreed to do in an incident, per contract.
CREATE TABLE incident_contacts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    vendor_id INTEGER NOT NULL REFERENCES vendors (id),
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    phone TEXT NOT NULL,
    email TEXT NOT NULL,
    hours TEXT NOT NULL,
    around_the_clock INTEGER NOT NULL CHECK (around_the_clock IN (0, 1)),
    UNIQUE (vendor_id, position)
);
-- One row per vendor that has ever saved contacts: what the dashboard's list reads in one lookup.
CREATE TABLE incident_contact_status (
    vendor_id INTEGER PRIMARY KEY REFERENCES vendors (id),
    contacts INTEGER NOT NULL,
    around_the_clock INTEGER NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
-- Each time the vendor (or staff on its word) confirmed the contacts as current: one a fiscal year is owed.
CREATE TABLE incident_contact_confirmations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    vendor_id INTEGER NOT NULL REFERENCES vendors (id),
    confirmed_on TEXT NOT NULL CHECK (confirmed_on LIKE '____-__-__'),
    confirmed_by TEXT NOT NULL,
    confirmed_at TEXT NOT NULL
);
CREATE INDEX incident_contact_confirmations_vendor ON incident_contact_confirmations (vendor_id, confirmed_on);
CREATE TABLE contract_incident_scopes (
    contract_id INTEGER PRIMARY KEY REFERENCES contracts (id),
    scope TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
