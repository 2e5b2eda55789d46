-- SECURITY ACTION has no expiry and IPA lets a company withdraw its declaration: the vendor confirms
-- each fiscal year that it still stands.
CREATE TABLE certification_confirmations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    certification_id INTEGER NOT NULL REFERENCES certifications (id),
    confirmed_on TEXT NOT NULL CHECK (confirmed_on LIKE '____-__-__'),
    confirmed_by TEXT NOT NULL,
    confirmed_at TEXT NOT NULL
);
CREATE INDEX certification_confirmations_certification ON certification_confirmations (certification_id, confirmed_on);
